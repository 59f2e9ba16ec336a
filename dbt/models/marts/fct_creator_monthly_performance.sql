-- The creator-month mart: one row per creator per month, plus the catalog's podcast
-- metrics for the same month (null for months wholly before the podcast window).
with

creators as (

    select * from {{ ref('stg_creators') }}

),

months as (

    select * from {{ ref('int_creator_months') }}

),

patrons as (

    select * from {{ ref('int_creator_monthly_patrons') }}

),

transactions as (

    select * from {{ ref('int_creator_monthly_transactions') }}

),

content as (

    select * from {{ ref('int_creator_monthly_content') }}

),

podcast_monthly_raw as (

    select * from {{ ref('int_creator_monthly_podcast') }}

),

podcast_window as (

    select * from {{ ref('int_podcast_window') }}

),

thresholds as (

    select * from {{ ref('health_thresholds') }}

),

churn_thresholds as (

    select * from thresholds where metric_name = 'patron_churn_rate_pct'

),

collection_thresholds as (

    select * from thresholds where metric_name = 'collection_rate_pct'

),

decline_thresholds as (

    select * from thresholds where metric_name = 'decline_rate_pct'

),

podcast_monthly as (

    select
        months.creator_id,
        months.month_start_date,
        -- in the window when the month ends after the window's first day
        cast(months.month_end_at as date) > podcast_window.window_start_date as is_in_podcast_window,
        {% for column in podcast_raw_columns() -%}
        podcast_monthly_raw.{{ column }},
        {% endfor -%}
        podcast_window.window_start_date
    from months
    cross join podcast_window
    left join podcast_monthly_raw
        on months.creator_id = podcast_monthly_raw.creator_id
        and months.month_start_date = podcast_monthly_raw.month_start_date

),

podcast_in_window as (

    select
        creator_id,
        month_start_date,
        {% for column in podcast_raw_columns() -%}
        case
            when is_in_podcast_window then coalesce({{ column }}, 0)
        end as {{ column }}{{ ',' if not loop.last }}
        {% endfor %}
    from podcast_monthly

),

podcast_final as (

    select
        *,
        {{ podcast_ratios() }}
    from podcast_in_window

),

joined as (

    select
        creators.creator_id,
        creators.creator_name,
        creators.category as creator_category,
        creators.plan_type,
        creators.country_code,
        creators.creator_tier,
        months.month_start_date,

        patrons.active_patrons,
        patrons.total_patrons,
        patrons.new_patrons,
        patrons.churned_patrons,
        patrons.net_patron_change,
        patrons.patron_churn_rate_pct,
        patrons.gross_mrr_usd,
        patrons.new_mrr_usd,
        patrons.churned_mrr_usd,
        patrons.mrr_change_usd,
        patrons.mrr_growth_rate_pct,

        transactions.gross_revenue_usd,
        transactions.platform_fees_usd,
        transactions.processing_fees_usd,
        transactions.net_creator_earnings_usd,
        transactions.collection_rate_pct,
        transactions.successful_transactions,
        transactions.failed_transactions,
        transactions.declined_amount_usd,
        transactions.decline_rate_pct,

        patrons.tier_1_patrons,
        patrons.tier_2_patrons,
        patrons.tier_3_plus_patrons,
        patrons.avg_pledge_amount_usd,

        content.posts_published,
        content.paywalled_posts,
        content.free_posts,
        content.total_views,
        content.total_likes,
        content.total_comments,
        content.engaged_patrons,
        content.total_engagement_score,
        {{ safe_pct('content.engaged_patrons', 'patrons.total_patrons') }} as patron_engagement_rate_pct,

        {{ health_status('patrons.patron_churn_rate_pct', 'churn_thresholds') }} as patron_churn_health_status,
        {{ health_status('transactions.collection_rate_pct', 'collection_thresholds') }} as collection_health_status,
        {{ health_status('transactions.decline_rate_pct', 'decline_thresholds') }} as decline_health_status,

        {% for column in podcast_raw_columns() + podcast_ratio_columns() -%}
        podcast_final.{{ column }}{{ ',' if not loop.last }}
        {% endfor %}
    from months
    inner join creators
        on months.creator_id = creators.creator_id
    inner join patrons
        on months.creator_id = patrons.creator_id
        and months.month_start_date = patrons.month_start_date
    inner join transactions
        on months.creator_id = transactions.creator_id
        and months.month_start_date = transactions.month_start_date
    inner join content
        on months.creator_id = content.creator_id
        and months.month_start_date = content.month_start_date
    inner join podcast_final
        on months.creator_id = podcast_final.creator_id
        and months.month_start_date = podcast_final.month_start_date
    cross join churn_thresholds
    cross join collection_thresholds
    cross join decline_thresholds

),

final as (

    select * from joined

)

select * from final
