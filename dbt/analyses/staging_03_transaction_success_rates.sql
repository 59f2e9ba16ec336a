-- Transaction success rates
SELECT
    transaction_status,
    COUNT(*) as tx_count,
    ROUND(SUM(gross_amount_usd), 2) as total_amount
FROM {{ var('silver_schema') }}.stg_transactions
GROUP BY transaction_status;
