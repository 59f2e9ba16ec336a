-- Check raw creators
SELECT * FROM {{ var('bronze_schema') }}.creators LIMIT 10;
