{{
    config(
        materialized='incremental',
        incremental_strategy='insert_overwrite',
        partition_by=['month_start_date'],
        tblproperties=partitioned_table_properties(),
        on_schema_change='fail',
    )
}}
-- METRICS section 5 raw columns per creator per calendar month, every day of
-- the month counted (macros/podcast_metrics.sql, podcast_period_rollup:
-- incremental by whole months).
{{ podcast_period_rollup('month') }}
