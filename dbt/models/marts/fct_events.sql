{{
    config(
        materialized='incremental',
        incremental_strategy='merge',
        unique_key='event_id',
        partition_by=['event_date'],
        on_schema_change='fail',
    )
}}
-- Seed A's fct_events: every podcast app event, deduplicated, with listen completion.
with

events as (

    select * from {{ ref('stg_events') }}
    {% if is_incremental() %}
    where event_date >= {{ incremental_cutoff('event_date') }}
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
