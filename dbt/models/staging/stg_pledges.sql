{%- set now = as_of(source('bronze', 'pledges')) -%}

with

source as (

    {{ dedupe(source('bronze', 'pledges'), ['pledge_id']) }}

),

renamed as (

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
        datediff(coalesce(least(ended_at, pause_started_at), {{ now }}), started_at) as pledge_duration_days,

        -- booleans
        is_first_pledge,
        pledge_status != 'declined' as is_countable,
        (
            pledge_status != 'declined'
            and started_at <= {{ now }}
            and coalesce(least(ended_at, pause_started_at) > {{ now }}, true)
        ) as is_currently_active,

        -- timestamps
        started_at,
        ended_at,
        pause_started_at,
        -- The time rules: active on [started_at, stopped_at); null = open-ended
        least(ended_at, pause_started_at) as stopped_at,
        {{ month_start('started_at') }} as pledge_month,
        -- A file without updated_at: its landing time stands in.
        coalesce(updated_at, _ingested_at) as updated_at,
        _ingested_at

    from source

)

select * from renamed
