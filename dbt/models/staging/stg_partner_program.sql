with

source as (

    {{ dedupe(source('bronze', 'partner_program'), ['creator_id', 'status', 'lifecycle_ts']) }}

),

renamed as (

    select
        -- ids
        sha2(concat_ws('|', creator_id, status, cast(lifecycle_ts as string)), 256) as partner_event_id,
        creator_id,

        -- strings
        status as partner_status,
        reason as rejection_reason,

        -- numerics
        payout_usd,
        case status
            when 'eligible' then 1
            when 'applied' then 2
            when 'approved' then 3
            when 'active' then 4
            when 'payout' then 5
        end as stage_order,

        -- timestamps
        lifecycle_ts,
        cast(lifecycle_ts as date) as lifecycle_date,
        {{ week_start('lifecycle_ts') }} as lifecycle_week,
        _ingested_at

    from source

)

select * from renamed
