-- The creator-month spine: every creator, every month from its created_at month
-- to the last month with any data on the platform (zero months included).
with

creators as (

    select * from {{ ref('stg_creators') }}

),

data_dates as (

    select max(created_at) as last_at from creators
    union all
    select max(started_at) from {{ ref('stg_pledges') }}
    union all
    select max(greatest(ended_at, pause_started_at)) from {{ ref('stg_pledges') }}
    union all
    select max(transaction_at) from {{ ref('stg_transactions') }}
    union all
    select max(published_at) from {{ ref('stg_posts') }}
    union all
    select max(event_at) from {{ ref('stg_engagement_events') }}
    union all
    -- The day decides the month: the partition column spares reading the
    -- timestamp of every listen and ad row.
    select cast(max(event_date) as timestamp) from {{ ref('stg_events') }}
    union all
    select cast(max(ad_date) as timestamp) from {{ ref('stg_ad_impressions') }}
    union all
    select max(lifecycle_ts) from {{ ref('stg_partner_program') }}

),

last_month as (

    select {{ month_start('max(last_at)') }} as last_month_start_date
    from data_dates

),

final as (

    select
        creators.creator_id,
        months.month_start_date,
        cast(months.month_start_date as timestamp) as month_start_at,
        cast(add_months(months.month_start_date, 1) as timestamp) as month_end_at
    from creators
    cross join last_month
    lateral view explode(
        sequence({{ month_start('creators.created_at') }}, last_month.last_month_start_date, interval 1 month)
    ) months as month_start_date

)

select * from final
