{{
    config(
        materialized='incremental',
        incremental_strategy='insert_overwrite',
        partition_by=['week_start_date'],
        tblproperties=partitioned_table_properties(),
        on_schema_change='fail',
    )
}}
-- METRICS section 5 raw columns per creator per Monday-start week, counting
-- only days inside the podcast window (macros/podcast_metrics.sql,
-- podcast_period_rollup: incremental by whole weeks).
{{ podcast_period_rollup('week', where='podcast_activity.activity_date between podcast_window.window_start_date and podcast_window.window_end_date') }}
