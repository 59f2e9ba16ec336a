-- Feature mart for Creator Analytics: per creator-week, whether the creator
-- used analytics that week, the platform's analytics WAU, and listens this week
-- against the next four weeks (growth), to relate adoption to growth.
with

weekly_revenue as (

    select * from {{ ref('fct_creator_weekly_revenue') }}

),

events as (

    select * from {{ ref('fct_events') }}

),

analytics_weeks as (

    select
        creator_id,
        event_week as week_start_date,
        count(*) as analytics_views
    from events
    where event_type = 'analytics_view'
    group by
        creator_id,
        event_week

),

platform_wau as (

    select
        week_start_date,
        count(distinct creator_id) as analytics_wau
    from analytics_weeks
    group by week_start_date

),

with_next as (

    select
        weekly_revenue.creator_id,
        weekly_revenue.week_start_date,
        weekly_revenue.listens,
        weekly_revenue.creator_revenue_usd,
        sum(weekly_revenue.listens) over (
            partition by weekly_revenue.creator_id
            order by weekly_revenue.week_start_date
            rows between 1 following and 4 following
        ) as next_4_weeks_listens,
        count(*) over (
            partition by weekly_revenue.creator_id
            order by weekly_revenue.week_start_date
            rows between 1 following and 4 following
        ) as next_weeks_observed
    from weekly_revenue

),

final as (

    select
        with_next.creator_id,
        with_next.week_start_date,
        coalesce(analytics_weeks.analytics_views, 0) > 0 as is_analytics_active,
        {{ zero_if_null('analytics_weeks.analytics_views') }} as analytics_views,
        {{ zero_if_null('platform_wau.analytics_wau') }} as platform_analytics_wau,
        with_next.listens,
        with_next.creator_revenue_usd,
        -- null unless four full weeks follow
        case when with_next.next_weeks_observed = 4 then cast(with_next.next_4_weeks_listens as bigint) end as next_4_weeks_listens,
        case
            when with_next.next_weeks_observed = 4
            then {{ safe_divide('with_next.next_4_weeks_listens / 4.0 - with_next.listens', 'with_next.listens') }}
        end as next_4_weeks_listen_growth
    from with_next
    left join analytics_weeks
        on with_next.creator_id = analytics_weeks.creator_id
        and with_next.week_start_date = analytics_weeks.week_start_date
    left join platform_wau
        on with_next.week_start_date = platform_wau.week_start_date

)

select * from final
