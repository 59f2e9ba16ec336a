-- --title "Platform churn, collection and decline rates by month (%)" --width 3 --overrides '{"spec": {"version": 3, "widgetType": "line", "encodings": {"x": {"fieldName": "month_start_date", "scale": {"type": "temporal"}, "displayName": "Month"}, "y": {"fieldName": "rate_pct", "scale": {"type": "quantitative"}, "displayName": "Rate (%)"}, "color": {"fieldName": "health_metric", "scale": {"type": "categorical"}, "displayName": "Metric"}}}}'
with creator_months as (
  select
    month_start_date,
    creator_category,
    churned_patrons,
    lag(active_patrons) over (partition by creator_id order by month_start_date) as previous_active_patrons,
    successful_transactions,
    failed_transactions
  from gold.fct_creator_monthly_performance
),

monthly as (
  select
    month_start_date,
    coalesce(creator_category, 'All') as creator_category,
    try_divide(100 * sum(churned_patrons), sum(previous_active_patrons)) as churn_rate_pct,
    try_divide(100 * sum(successful_transactions), sum(successful_transactions + failed_transactions)) as collection_rate_pct,
    try_divide(100 * sum(failed_transactions), sum(successful_transactions + failed_transactions)) as decline_rate_pct
  from creator_months
  group by grouping sets ((month_start_date, creator_category), (month_start_date))
)

select
  month_start_date,
  health_metric,
  round(rate_pct, 2) as rate_pct,
  creator_category
from monthly
lateral view stack(
  3,
  'patron churn', churn_rate_pct,
  'collection (count)', collection_rate_pct,
  'decline', decline_rate_pct
) rates as health_metric, rate_pct
where rate_pct is not null
order by month_start_date, health_metric
