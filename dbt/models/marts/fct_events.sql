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
-- Seed A's fct_events: every podcast app event, deduplicated, with listen completion.
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

final as (

    select
        event_id,
        event_type,
        listener_id,
        creator_id,
        show_id,
        episode_id,
        listened_s,
        episode_duration_s,
        is_listen,
        is_completed_listen,
        event_ts,
        event_date,
        event_week
    from events

)

select * from final
