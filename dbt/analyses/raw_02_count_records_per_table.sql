-- Count records per table
SELECT 'creators' as table_name, COUNT(*) as row_count FROM {{ var('bronze_schema') }}.creators
UNION ALL
SELECT 'patrons', COUNT(*) FROM {{ var('bronze_schema') }}.patrons
UNION ALL
SELECT 'pledges', COUNT(*) FROM {{ var('bronze_schema') }}.pledges
UNION ALL
SELECT 'transactions', COUNT(*) FROM {{ var('bronze_schema') }}.transactions
UNION ALL
SELECT 'tiers', COUNT(*) FROM {{ var('bronze_schema') }}.tiers
UNION ALL
SELECT 'posts', COUNT(*) FROM {{ var('bronze_schema') }}.posts
UNION ALL
SELECT 'engagement_events', COUNT(*) FROM {{ var('bronze_schema') }}.engagement_events;
