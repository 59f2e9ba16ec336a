{{ config(**date_partitioned_incremental('activity_date')) }}
-- The churn guardrails per creator per UTC day of the podcast window: how many
-- of the creator's listeners and pledges were at risk at the start of the day,
-- and how many of those churned that day.
--   listener: at risk on day D when they listened to the creator in the
--     `listener_churn_days` (28) days before D; churned on D when that last
--     listen was exactly 28 days before D, with none since (D itself included).
--     Known from the window's 29th day on, when 28 days of listens are behind it;
--     earlier days carry zeros, so the rate is null there rather than too low.
--   pledge: at risk on D when active at D's start (started before it and not yet
--     stopped, the contract's active interval); churned on D when it is one of
--     those and its churned pledge ended on D.
-- Stocks come from changes: each listen day and each pledge opens an at-risk
-- spell (+1) and closes it (-1 the day after its last day), and a running sum
-- per creator over days turns them into levels. A listen day's spell runs from
-- the next day until the pair's next listen day or for 28 days, whichever ends
-- first, so consecutive spells of a pair never overlap.
-- Incremental by whole days: a day's levels depend only on listens of the 28
-- days before it, so a run rewrites the days from the lookback cutoff and
-- reads the listens from 28 days before it. Pledges are few and read whole.
{%- set churn_days = var('listener_churn_days') %}
{%- set cutoff = incremental_cutoff() if is_incremental() else none %}

with

podcast_window as (

    select * from {{ ref('int_podcast_window') }}

),

pledges as (

    select * from {{ ref('stg_pledges') }}

),

listen_days as (

    select distinct
        creator_id,
        listener_id,
        event_date as listen_date
    from {{ ref('stg_events') }}
    where is_listen
    {%- if cutoff %}
        and event_date >= date_sub({{ cutoff }}, {{ churn_days }})
    {%- endif %}

),

listen_spells as (

    select
        creator_id,
        listen_date,
        lead(listen_date) over (
            partition by creator_id, listener_id
            order by listen_date
        ) as next_listen_date
    from listen_days

),

-- The days written, from the lookback cutoff (or the window's first day) to
-- the window's last, and the window's first day, 28 days after which listener
-- churn is known.
days_written as (

    select
        {{ cutoff if cutoff else 'window_start_date' }} as first_date,
        window_start_date,
        window_end_date
    from podcast_window

),

-- Each listen day's spell as changes: +1 from the next day, -1 after its last
-- day, and a churn on its 28th day when the next listen comes later or never.
listener_changes as (

    select
        listen_spells.creator_id,
        change.change_date,
        change.at_risk_change as listener_change,
        change.churned as listener_churn,
        0 as pledge_change,
        0 as pledge_churn
    from listen_spells
    lateral view inline(array(
        struct(date_add(listen_date, 1) as change_date, 1 as at_risk_change, 0 as churned),
        struct(
            date_add(least(coalesce(next_listen_date, date_add(listen_date, {{ churn_days }})), date_add(listen_date, {{ churn_days }})), 1) as change_date,
            -1 as at_risk_change,
            0 as churned
        ),
        struct(
            date_add(listen_date, {{ churn_days }}) as change_date,
            0 as at_risk_change,
            case when coalesce(next_listen_date > date_add(listen_date, {{ churn_days }}), true) then 1 else 0 end as churned
        )
    )) change

),

-- A pledge is at risk on the days [day after its start, day of its stop]:
-- active at a day's start means started before it and stopped at or after it.
-- It churns on its last day when its churned pledge ended that day.
pledge_changes as (

    select
        creator_id,
        change.change_date,
        0 as listener_change,
        0 as listener_churn,
        change.at_risk_change as pledge_change,
        change.churned as pledge_churn
    from (
        select
            creator_id,
            date_add(to_date(started_at), 1) as first_day,
            to_date(stopped_at) as last_day,
            pledge_status = 'churned' and to_date(ended_at) = to_date(stopped_at) as churns_on_last_day
        from pledges
        where is_countable
    ) as pledge_spells
    lateral view inline(array(
        struct(first_day as change_date, 1 as at_risk_change, 0 as churned),
        struct(date_add(last_day, 1) as change_date, -1 as at_risk_change, 0 as churned),
        struct(last_day as change_date, 0 as at_risk_change, case when churns_on_last_day then 1 else 0 end as churned)
    )) change
    -- An open pledge has no end (null dates); one stopped on its start day is never at risk.
    where change.change_date is not null
        and first_day <= coalesce(last_day, first_day)

),

-- The changes per creator and day. Those before the first day written move onto
-- it (their running sum is all a level from that day on needs); the churns
-- before it are not written.
daily_changes as (

    select
        changes.creator_id,
        greatest(changes.change_date, days_written.first_date) as change_date,
        sum(changes.listener_change) as listener_change,
        sum(case when changes.change_date >= days_written.first_date then changes.listener_churn else 0 end) as listener_churn,
        sum(changes.pledge_change) as pledge_change,
        sum(case when changes.change_date >= days_written.first_date then changes.pledge_churn else 0 end) as pledge_churn
    from (
        select * from listener_changes
        union all
        select * from pledge_changes
    ) as changes
    cross join days_written
    where changes.change_date <= days_written.window_end_date
    group by
        changes.creator_id,
        greatest(changes.change_date, days_written.first_date)

),

-- Every day written of every creator with a change, so a level carries over
-- the days without one.
creator_days as (

    select
        creators.creator_id,
        days.activity_date
    from (select distinct creator_id from daily_changes) as creators
    cross join days_written
    lateral view explode(
        sequence(days_written.first_date, days_written.window_end_date, interval 1 day)
    ) days as activity_date

),

levels as (

    select
        creator_days.creator_id,
        creator_days.activity_date,
        sum(coalesce(daily_changes.listener_change, 0)) over running as listeners_at_risk,
        coalesce(daily_changes.listener_churn, 0) as churned_listeners,
        sum(coalesce(daily_changes.pledge_change, 0)) over running as pledges_at_risk,
        coalesce(daily_changes.pledge_churn, 0) as churned_pledges
    from creator_days
    left join daily_changes
        on creator_days.creator_id = daily_changes.creator_id
        and creator_days.activity_date = daily_changes.change_date
    window running as (
        partition by creator_days.creator_id
        order by creator_days.activity_date
        rows between unbounded preceding and current row
    )

),

final as (

    select
        levels.creator_id,
        levels.activity_date,
        {%- set listeners_known = 'levels.activity_date >= date_add(days_written.window_start_date, ' ~ churn_days ~ ')' %}
        cast(case when {{ listeners_known }} then levels.listeners_at_risk else 0 end as bigint) as listeners_at_risk,
        cast(case when {{ listeners_known }} then levels.churned_listeners else 0 end as bigint) as churned_listeners,
        cast(levels.pledges_at_risk as bigint) as pledges_at_risk,
        cast(levels.churned_pledges as bigint) as churned_pledges
    from levels
    cross join days_written

)

select *
from final
where listeners_at_risk > 0
    or churned_listeners > 0
    or pledges_at_risk > 0
    or churned_pledges > 0
