{{ config(**date_partitioned_incremental('week_start_date', lookback=false)) }}
-- The listener funnel per creator and Monday week: of the listeners who
-- listened to the creator that week, those who also completed a listen, of
-- those the ones who also followed the creator, and of those the ones who
-- became its patron that week. Each step is a subset of the one before; the
-- steps need not happen in that order inside the week.
-- A listener becomes a creator's patron when their patron account
-- (patrons.listener_id) starts its first non-declined pledge to that creator
-- (as new_patrons of the monthly mart counts them).
-- Incremental by whole weeks, like int_creator_weekly_podcast: a run
-- recomputes the weeks from the one holding the newest last_activity_date
-- minus lookback_days and overwrites those partitions.
{%- set cutoff = incremental_cutoff('last_activity_date') if is_incremental() else none %}
{%- set rewrite_from = week_start(cutoff) if cutoff else none %}

with

events as (

    select
        listener_id,
        creator_id,
        event_type,
        is_listen,
        is_completed_listen,
        event_date,
        event_week
    from {{ ref('fct_events') }}
    where event_type in ('listen', 'follow')
    {%- if rewrite_from %}
        and event_date >= {{ rewrite_from }}
    {%- endif %}

),

patrons as (

    select
        patron_id,
        listener_id
    from {{ ref('stg_patrons') }}
    where listener_id is not null

),

pledges as (

    select
        patron_id,
        creator_id,
        started_at
    from {{ ref('stg_pledges') }}
    where is_countable

),

first_pledges as (

    select
        patron_id,
        creator_id,
        min(started_at) as became_patron_at
    from pledges
    group by
        patron_id,
        creator_id

),

new_patron_weeks as (

    select distinct
        patrons.listener_id,
        first_pledges.creator_id,
        {{ week_start('first_pledges.became_patron_at') }} as week_start_date
    from first_pledges
    inner join patrons
        on first_pledges.patron_id = patrons.patron_id
    {%- if rewrite_from %}
    where first_pledges.became_patron_at >= {{ rewrite_from }}
    {%- endif %}

),

listener_weeks as (

    select
        creator_id,
        event_week as week_start_date,
        listener_id,
        bool_or(is_completed_listen) as has_completed_listen,
        bool_or(event_type = 'follow') as has_followed,
        max(event_date) as last_activity_date
    from events
    group by
        creator_id,
        event_week,
        listener_id
    having bool_or(is_listen)

),

funnel_steps as (

    select
        listener_weeks.creator_id,
        listener_weeks.week_start_date,
        listener_weeks.listener_id,
        listener_weeks.has_completed_listen as is_completed,
        listener_weeks.has_completed_listen and listener_weeks.has_followed as is_followed,
        (
            listener_weeks.has_completed_listen
            and listener_weeks.has_followed
            and new_patron_weeks.listener_id is not null
        ) as is_subscribed,
        listener_weeks.last_activity_date
    from listener_weeks
    left join new_patron_weeks
        on listener_weeks.listener_id = new_patron_weeks.listener_id
        and listener_weeks.creator_id = new_patron_weeks.creator_id
        and listener_weeks.week_start_date = new_patron_weeks.week_start_date

),

step_counts as (

    select
        creator_id,
        week_start_date,
        count(*) as listened_listeners,
        count_if(is_completed) as completed_listeners,
        count_if(is_followed) as followed_listeners,
        count_if(is_subscribed) as subscribed_listeners,
        max(last_activity_date) as last_activity_date
    from funnel_steps
    group by
        creator_id,
        week_start_date

),

final as (

    select
        creator_id,
        listened_listeners,
        completed_listeners,
        followed_listeners,
        subscribed_listeners,
        {{ safe_divide('completed_listeners', 'listened_listeners') }} as listen_to_complete_rate,
        {{ safe_divide('followed_listeners', 'completed_listeners') }} as complete_to_follow_rate,
        {{ safe_divide('subscribed_listeners', 'followed_listeners') }} as follow_to_subscribe_rate,
        {{ safe_divide('subscribed_listeners', 'listened_listeners') }} as listen_to_subscribe_rate,
        last_activity_date,
        week_start_date
    from step_counts

)

select * from final
