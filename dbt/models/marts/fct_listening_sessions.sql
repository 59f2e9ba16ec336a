{{ config(**date_partitioned_incremental('session_date')) }}
-- One row per listening session: a run of a listener's listens, each less than
-- (or exactly) the `listening_session_gap_minutes` var after the one before it.
-- Sessionized with windows over each listener's listens in time order: a listen
-- starts a session when its gap to the previous one exceeds the var, and a
-- running sum of those starts numbers the sessions.
-- Incremental by whole days of session_date. A run rewrites the sessions from
-- listening_session_rewrite_from() on (the lookback cutoff, or earlier when a
-- session still open one gap before the cutoff started earlier), reading the
-- listens from one gap before that date, so a listen just after midnight knows
-- the listen just before it. Sessions that start before the rewrite date are
-- only read to be dropped: their rows stay as they are.
{%- set rewrite_from = listening_session_rewrite_from() if is_incremental() else none %}

with

listens as (

    select
        event_id,
        listener_id,
        creator_id,
        episode_id,
        listened_s,
        event_ts
    from {{ ref('fct_events') }}
    where is_listen
    {%- if rewrite_from %}
        and event_date >= cast(cast({{ rewrite_from }} as timestamp) - {{ listening_session_gap() }} as date)
        and event_ts >= cast({{ rewrite_from }} as timestamp) - {{ listening_session_gap() }}
    {%- endif %}

),

listen_gaps as (

    select
        *,
        lag(event_ts) over (
            partition by listener_id
            order by event_ts, event_id
        ) as previous_listen_at
    from listens

),

session_starts as (

    select
        *,
        previous_listen_at is null
            or event_ts > previous_listen_at + {{ listening_session_gap() }} as is_session_start
    from listen_gaps

),

numbered_listens as (

    select
        *,
        sum(case when is_session_start then 1 else 0 end) over (
            partition by listener_id
            order by event_ts, event_id
            rows between unbounded preceding and current row
        ) as listener_session_number
    from session_starts

),

sessions as (

    select
        listener_id,
        min(event_ts) as session_start_at,
        max(event_ts) as session_end_at,
        count(*) as listens,
        -- not count(distinct): that plans a shuffle of every listen by episode;
        -- the set is built in the aggregation the listener shuffle already feeds
        cast(size(collect_set(episode_id)) as bigint) as distinct_episodes,
        {{ zero_if_null('sum(listened_s)') }} as listened_s,
        array_sort(collect_set(creator_id)) as creator_ids
    from numbered_listens
    group by
        listener_id,
        listener_session_number

),

final as (

    select
        sha2(concat_ws('|', listener_id, cast(session_start_at as string)), 256) as session_id,
        listener_id,
        session_start_at,
        session_end_at,
        cast(unix_seconds(session_end_at) - unix_seconds(session_start_at) as bigint) as session_duration_s,
        listens,
        distinct_episodes,
        listened_s,
        creator_ids,
        size(creator_ids) as creator_count,
        {{ week_start('session_start_at') }} as session_week,
        to_date(session_start_at) as session_date
    from sessions
    {%- if rewrite_from %}
    where session_start_at >= cast({{ rewrite_from }} as timestamp)
    {%- endif %}

)

select * from final
