-- The creator-month content and engagement columns per creator-month
-- (engaged_patrons / total_patrons is finished in the mart).
with

months as (

    select * from {{ ref('int_creator_months') }}

),

posts as (

    select * from {{ ref('stg_posts') }}

),

engagement_events as (

    select * from {{ ref('stg_engagement_events') }}

),

monthly_posts as (

    select
        creator_id,
        published_month as month_start_date,
        count(*) as posts_published,
        sum(case when is_paywalled then 1 else 0 end) as paywalled_posts,
        sum(case when access_level = 'public' then 1 else 0 end) as free_posts
    from posts
    group by
        creator_id,
        published_month

),

monthly_engagement as (

    select
        creator_id,
        event_month as month_start_date,
        sum(case when event_type = 'view' then 1 else 0 end) as total_views,
        sum(net_like_delta) as total_likes,
        sum(case when event_type = 'comment' then 1 else 0 end) as total_comments,
        count(distinct patron_id) as engaged_patrons,
        sum(engagement_weight) as total_engagement_score
    from engagement_events
    group by
        creator_id,
        event_month

),

final as (

    select
        months.creator_id,
        months.month_start_date,
        {{ zero_if_null('monthly_posts.posts_published') }} as posts_published,
        {{ zero_if_null('monthly_posts.paywalled_posts') }} as paywalled_posts,
        {{ zero_if_null('monthly_posts.free_posts') }} as free_posts,
        {{ zero_if_null('monthly_engagement.total_views') }} as total_views,
        {{ zero_if_null('monthly_engagement.total_likes') }} as total_likes,
        {{ zero_if_null('monthly_engagement.total_comments') }} as total_comments,
        {{ zero_if_null('monthly_engagement.engaged_patrons') }} as engaged_patrons,
        {{ zero_if_null('monthly_engagement.total_engagement_score') }} as total_engagement_score
    from months
    left join monthly_posts
        on months.creator_id = monthly_posts.creator_id
        and months.month_start_date = monthly_posts.month_start_date
    left join monthly_engagement
        on months.creator_id = monthly_engagement.creator_id
        and months.month_start_date = monthly_engagement.month_start_date

)

select * from final
