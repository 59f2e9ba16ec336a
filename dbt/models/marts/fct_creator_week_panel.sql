-- Feature impact panel: one row per creator per Monday-start week of the
-- podcast window, with the creator's segment, the weeks it adopted Comments
-- and Creator Analytics and became an active Partner Program member (null if
-- never), and the week's outcomes: listens, listeners, follows, the 7-day
-- return of the week's first listens, revenue by stream and analytics views,
-- with the guardrails beside them: comments, their spam and removals,
-- negative feedback events, and listener and pledge churn.
-- A table, not incremental: it is small (creators x weeks) and every row
-- depends on creator-level adoption weeks and on listens up to 7 days later.
with

weekly_revenue as (

    select * from {{ ref('fct_creator_weekly_revenue') }}

),

creators as (

    select * from {{ ref('stg_creators') }}

),

episodes as (

    select * from {{ ref('stg_episodes') }}

),

events as (

    select * from {{ ref('fct_events') }}

),

first_listens as (

    select * from {{ ref('int_episode_first_listens') }}

),

partner_program as (

    select * from {{ ref('stg_partner_program') }}

),

analytics_growth as (

    select * from {{ ref('fct_creator_analytics_growth') }}

),

week_listens as (

    select
        events.creator_id,
        events.event_week as week_start_date,
        sum(case when episodes.has_comments_enabled then 1 else 0 end) as comments_enabled_listens,
        count(*) as listens
    from events
    inner join episodes
        on events.episode_id = episodes.episode_id
    where events.is_listen
    group by
        events.creator_id,
        events.event_week

),

week_returns as (

    select
        creator_id,
        {{ week_start('first_listen_date') }} as week_start_date,
        count(*) as first_listens,
        sum(case when has_returned_7d then 1 else 0 end) as returning_first_listens_7d
    from first_listens
    group by
        creator_id,
        {{ week_start('first_listen_date') }}

),

partner_weeks as (

    select
        creator_id,
        {{ week_start("min(case when partner_status = 'eligible' then lifecycle_ts end)") }} as partner_eligible_week,
        {{ week_start("min(case when partner_status = 'active' then lifecycle_ts end)") }} as partner_active_week
    from partner_program
    group by creator_id

),

final as (

    select
        weekly_revenue.creator_id,
        weekly_revenue.week_start_date,
        weekly_revenue.country_code,
        weekly_revenue.category,
        weekly_revenue.creator_tier,
        {{ week_start('creators.comments_enabled_at') }} as comments_adoption_week,
        {{ week_start('creators.analytics_enabled_at') }} as analytics_adoption_week,
        partner_weeks.partner_eligible_week,
        partner_weeks.partner_active_week,
        coalesce(weekly_revenue.week_start_date >= partner_weeks.partner_active_week, false) as is_partner_active,
        {{ safe_divide('week_listens.comments_enabled_listens', 'week_listens.listens') }} as comments_enabled_listen_share,
        weekly_revenue.listens,
        weekly_revenue.active_listeners as listeners,
        weekly_revenue.follows,
        weekly_revenue.comments,
        weekly_revenue.spam_comments,
        weekly_revenue.removed_comments,
        weekly_revenue.negative_feedback,
        weekly_revenue.listeners_at_risk,
        weekly_revenue.churned_listeners,
        weekly_revenue.listener_churn_pct,
        weekly_revenue.pledges_at_risk,
        weekly_revenue.churned_pledges,
        weekly_revenue.pledge_churn_pct,
        cast(coalesce(week_returns.first_listens, 0) as bigint) as first_listens,
        cast(coalesce(week_returns.returning_first_listens_7d, 0) as bigint) as returning_first_listens_7d,
        {{ safe_divide('week_returns.returning_first_listens_7d', 'week_returns.first_listens') }} as return_rate_7d,
        weekly_revenue.ad_revenue_usd,
        weekly_revenue.subscription_revenue_usd,
        weekly_revenue.partner_payout_usd,
        weekly_revenue.creator_revenue_usd,
        cast(coalesce(analytics_growth.analytics_views, 0) as bigint) as analytics_views
    from weekly_revenue
    inner join creators
        on weekly_revenue.creator_id = creators.creator_id
    left join week_listens
        on weekly_revenue.creator_id = week_listens.creator_id
        and weekly_revenue.week_start_date = week_listens.week_start_date
    left join week_returns
        on weekly_revenue.creator_id = week_returns.creator_id
        and weekly_revenue.week_start_date = week_returns.week_start_date
    left join analytics_growth
        on weekly_revenue.creator_id = analytics_growth.creator_id
        and weekly_revenue.week_start_date = analytics_growth.week_start_date
    left join partner_weeks
        on weekly_revenue.creator_id = partner_weeks.creator_id

)

select * from final
