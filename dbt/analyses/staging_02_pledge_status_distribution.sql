-- Analyze pledge status distribution
SELECT
    pledge_status,
    COUNT(*) as pledge_count,
    ROUND(AVG(pledge_amount_usd), 2) as avg_pledge_amount
FROM {{ var('silver_schema') }}.stg_pledges
GROUP BY pledge_status
ORDER BY pledge_count DESC;
