-- View staged creators with derived fields
SELECT
    creator_id,
    creator_name,
    category,
    plan_type,
    days_to_first_pledge,
    account_age_months
FROM {{ var('silver_schema') }}.stg_creators
LIMIT 20;
