{{ config(**date_partitioned_incremental('week_start_date', lookback=false)) }}
-- The catalog's raw podcast metrics per creator per Monday-start week, counting
-- only days inside the podcast window (macros/podcast_metrics.sql,
-- podcast_period_rollup: incremental by whole weeks).
{{ podcast_period_rollup('week', where='podcast_activity.activity_date between podcast_window.window_start_date and podcast_window.window_end_date') }}
