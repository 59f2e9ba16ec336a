{{
    config(
        materialized='incremental',
        incremental_strategy='merge',
        unique_key='transaction_id',
        on_schema_change='fail',
        meta={'lookback_column': 'sub_date'},
    )
}}
-- fct_subscriptions, from membership transactions: one row per
-- transaction with the paying listener, the pledge's tier and the creator's share.
with

transactions as (

    select * from {{ ref('stg_transactions') }}
    {% if is_incremental() %}
    where transaction_date >= {{ incremental_cutoff() }}
    {% endif %}

),

patrons as (

    select * from {{ ref('stg_patrons') }}

),

pledges as (

    select * from {{ ref('stg_pledges') }}

),

tiers as (

    select * from {{ ref('stg_tiers') }}

),

final as (

    select
        transactions.transaction_id,
        transactions.pledge_id,
        transactions.patron_id,
        patrons.listener_id,
        transactions.creator_id,
        pledges.tier_id,
        tiers.tier_rank,
        transactions.transaction_type,
        transactions.transaction_status,
        1 as plan_months,
        transactions.gross_amount_usd,
        transactions.net_amount_usd,
        case when transactions.is_successful then transactions.net_amount_usd else cast(0 as decimal(18, 2)) end as revenue_usd,
        transactions.is_successful,
        transactions.transaction_at as sub_ts,
        transactions.transaction_date as sub_date
    from transactions
    left join patrons
        on transactions.patron_id = patrons.patron_id
    left join pledges
        on transactions.pledge_id = pledges.pledge_id
    left join tiers
        on pledges.tier_id = tiers.tier_id

)

select * from final
