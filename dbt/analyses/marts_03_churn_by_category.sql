-- Churn analysis by category
SELECT
    creator_category,
    ROUND(AVG(patron_churn_rate_pct), 2) as avg_churn_rate,
    ROUND(AVG(collection_rate_pct), 2) as avg_collection_rate,
    SUM(churned_patrons) as total_churned
FROM {{ var('gold_schema') }}.fct_creator_monthly_performance
GROUP BY creator_category
ORDER BY avg_churn_rate DESC;
