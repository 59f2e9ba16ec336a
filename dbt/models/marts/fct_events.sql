{{ config(materialized='view', meta={'lookback_column': 'event_date', 'rows_of': 'stg_events'}) }}
-- Every podcast app event, deduplicated, with its episode's duration and
-- whether a listen completed it.
-- A view: silver's stg_events is the one materialization of the event stream,
-- and a copy here cost a rewrite of every event on each full build. A reader's
-- date filter prunes stg_events' date partitions through the view; the join to
-- episodes (a few thousand rows) is broadcast.
with

events as (

    select * from {{ ref('stg_events') }}

),

episodes as (

    select
        episode_id,
        duration_s
    from {{ ref('stg_episodes') }}

),

final as (

    select
        events.event_id,
        events.event_type,
        events.listener_id,
        events.creator_id,
        events.show_id,
        events.episode_id,
        events.listened_s,
        episodes.duration_s as episode_duration_s,
        events.is_listen,
        {{ is_completed_listen('events.event_type', 'events.listened_s', 'episodes.duration_s') }} as is_completed_listen,
        events.event_ts,
        events.event_date,
        events.event_week
    from events
    left join episodes
        on events.episode_id = episodes.episode_id

)

select * from final
