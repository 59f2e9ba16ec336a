{{ config(**date_partitioned_incremental('event_date')) }}
-- Every podcast app event, deduplicated, with its episode's duration and
-- whether a listen completed it.
-- Incremental by whole days: the run recomputes every day from the lookback
-- cutoff on and overwrites those date partitions, which replaces each key's row
-- (as a merge on the key would) and also drops rows bronze no longer has.
with

events as (

    select * from {{ ref('stg_events') }}
    {% if is_incremental() %}
    where event_date >= {{ incremental_cutoff() }}
    {% endif %}

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
