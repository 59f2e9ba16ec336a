{{
    config(
        materialized='table',
    )
}}
-- A table, not a view like the other entity models: bronze keeps this source
-- in one partition per day, hundreds of small files that a view would open
-- again for every test and every model reading it.
with

source as (

    {{ dedupe(source('bronze', 'transactions'), ['transaction_id', 'transaction_date']) }}

),

renamed as (

    select
        -- ids
        transaction_id,
        pledge_id,
        patron_id,
        creator_id,

        -- strings
        transaction_type,
        transaction_status,
        payment_method,
        failure_reason,

        -- numerics
        gross_amount_usd,
        platform_fee_usd,
        processing_fee_usd,
        net_amount_usd,
        {{ safe_pct('platform_fee_usd', 'gross_amount_usd') }} as platform_fee_rate_pct,
        {{ safe_pct('processing_fee_usd', 'gross_amount_usd') }} as processing_fee_rate_pct,

        -- booleans
        transaction_status = 'succeeded' as is_successful,

        -- timestamps
        transaction_at,
        transaction_date,
        {{ month_start('transaction_at') }} as transaction_month,
        _ingested_at

    from source

)

select * from renamed
