{{ config(**date_partitioned_incremental('event_date')) }}
-- A table, not a view: tens of millions of events are deduplicated once here,
-- not again by every reader and every test. An incremental run recomputes
-- whole days from the lookback cutoff on (each event's versions share its
-- event_date) and overwrites just those date partitions. Listen completion
-- needs the episode's duration, so it is decided where events meet episodes
-- (is_completed_listen), not here.
with

source as (

    {{ dedupe(
        source('bronze', 'events'),
        ['event_id', 'event_date'],
        where='event_date >= ' ~ incremental_cutoff() if is_incremental() else none,
    ) }}

),

renamed as (

    select
        -- ids
        source.event_id,
        source.listener_id,
        source.creator_id,
        source.show_id,
        source.episode_id,

        -- strings
        source.event_type,

        -- numerics
        source.listened_s,

        -- booleans
        source.event_type = 'listen' as is_listen,
        -- the moderation verdict of a comment (null on other events)
        source.is_spam,
        source.is_removed,
        -- negative feedback: a listener's report on the episode
        source.event_type = 'report' as is_negative_feedback,

        -- timestamps
        source.event_ts,
        source.event_date,
        {{ week_start('source.event_ts') }} as event_week,
        {{ month_start('source.event_ts') }} as event_month,
        source._ingested_at

    from source

)

select * from renamed
