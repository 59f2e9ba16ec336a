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

    {{ dedupe(source('bronze', 'engagement_events'), ['event_id', 'event_date']) }}

),

renamed as (

    select
        -- ids
        event_id,
        patron_id,
        creator_id,
        post_id,

        -- strings
        event_type,

        -- numerics
        case event_type
            when 'view' then 1
            when 'like' then 3
            when 'comment' then 5
            when 'share' then 7
            else 0
        end as engagement_weight,
        case event_type
            when 'like' then 1
            when 'unlike' then -1
            else 0
        end as net_like_delta,

        -- timestamps
        event_at,
        event_date,
        {{ month_start('event_at') }} as event_month,
        _ingested_at

    from source

)

select * from renamed
