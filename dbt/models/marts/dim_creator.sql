with

creators as (

    select * from {{ ref('stg_creators') }}

),

country_regions as (

    select * from {{ ref('country_regions') }}

),

category_taxonomy as (

    select * from {{ ref('category_taxonomy') }}

),

fee_schedule as (

    select * from {{ ref('fee_schedule') }}

),

final as (

    select
        creators.creator_id,
        creators.creator_name,
        creators.email_hash,
        creators.category,
        category_taxonomy.category_group,
        creators.subcategory,
        creators.country_code,
        country_regions.region,
        creators.currency_code,
        creators.plan_type,
        fee_schedule.platform_fee_rate_pct,
        creators.creator_tier,
        creators.creator_status,
        creators.is_nsfw,
        creators.is_verified,
        creators.comments_enabled_at is not null as has_comments_enabled,
        creators.analytics_enabled_at is not null as has_adopted_analytics,
        creators.days_to_first_pledge,
        creators.account_age_months,
        creators.created_at,
        creators.join_date,
        creators.first_pledge_received_at,
        creators.last_post_at,
        creators.comments_enabled_at,
        creators.analytics_enabled_at
    from creators
    left join country_regions
        on creators.country_code = country_regions.country_code
    left join category_taxonomy
        on creators.category = category_taxonomy.category
    left join fee_schedule
        on creators.plan_type = fee_schedule.plan_type

)

select * from final
