{{
    config(
        materialized='incremental',
        incremental_strategy='insert_overwrite',
        partition_by=['event_date'],
        tblproperties=partitioned_table_properties(),
        on_schema_change='fail',
        meta={'lookback_column': 'event_date'},
    )
}}
-- A table, not a view: tens of millions of events are deduplicated once here,
-- not again by every reader and every test. An incremental run recomputes
-- whole days from the lookback cutoff on (each event's versions share its
-- event_date) and overwrites just those date partitions.
with

source as (

    {{ dedupe(
        source('bronze', 'events'),
        ['event_id', 'event_date'],
        where='event_date >= ' ~ incremental_cutoff() if is_incremental() else none,
    ) }}

),

episodes as (

    select
        episode_id,
        duration_s
    from {{ ref('stg_episodes') }}

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
        episodes.duration_s as episode_duration_s,

        -- booleans
        source.event_type = 'listen' as is_listen,
        -- METRICS section 5: a completed listen covers at least 90% of the episode
        coalesce(
            source.event_type = 'listen' and source.listened_s >= 0.9 * episodes.duration_s,
            false
        ) as is_completed_listen,

        -- timestamps
        source.event_ts,
        source.event_date,
        {{ week_start('source.event_ts') }} as event_week,
        {{ month_start('source.event_ts') }} as event_month,
        source._ingested_at

    from source
    left join episodes
        on source.episode_id = episodes.episode_id

)

select * from renamed
