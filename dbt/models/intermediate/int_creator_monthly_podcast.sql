{{ config(**date_partitioned_incremental('month_start_date', lookback=false)) }}
-- The catalog's raw podcast metrics per creator per calendar month, every day of
-- the month counted (macros/podcast_metrics.sql, podcast_period_rollup:
-- incremental by whole months).
{{ podcast_period_rollup('month') }}
