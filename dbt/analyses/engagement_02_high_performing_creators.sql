-- High-performing creators (high engagement + revenue)
SELECT
    creator_name,
    creator_category,
    gross_mrr_usd,
    patron_engagement_rate_pct,
    posts_published
FROM {{ var('gold_schema') }}.fct_creator_monthly_performance
WHERE month_start_date = (
    SELECT MAX(month_start_date)
    FROM {{ var('gold_schema') }}.fct_creator_monthly_performance
)
  AND patron_engagement_rate_pct > 50
  AND gross_mrr_usd > 1000
ORDER BY gross_mrr_usd DESC;
