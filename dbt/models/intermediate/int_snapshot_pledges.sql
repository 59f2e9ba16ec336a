{{ config(materialized='view') }}
-- What snp_pledges records of a pledge: the attributes that change, not the
-- staging fields computed as of now (duration, currently active).
with

pledges as (

    select * from {{ ref('stg_pledges') }}

),

final as (

    select
        -- ids
        pledge_id,
        patron_id,
        creator_id,
        tier_id,

        -- strings
        pledge_status,
        churn_reason,

        -- numerics
        pledge_amount_usd,

        -- timestamps
        started_at,
        ended_at,
        pause_started_at,
        updated_at

    from pledges

)

select * from final
