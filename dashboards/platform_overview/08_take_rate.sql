-- --title "Take rate (%)" --width 3 --overrides '{"spec": {"version": 3, "widgetType": "line", "encodings": {"x": {"fieldName": "month_start_date", "scale": {"type": "temporal"}, "displayName": "Month"}, "y": {"fieldName": "take_rate_pct", "scale": {"type": "quantitative"}, "displayName": "Take rate (%)"}}}}'
with monthly as (
  select
    month_start_date,
    coalesce(plan_type, 'All') as plan_type,
    sum(gross_mrr_usd) as gross_mrr_usd,
    sum(active_patrons) as active_patrons,
    sum(gross_revenue_usd) as gross_revenue_usd,
    sum(net_creator_earnings_usd) as net_creator_earnings_usd,
    sum(platform_fees_usd) as platform_fees_usd
  from gold.fct_creator_monthly_performance
  group by grouping sets ((month_start_date, plan_type), (month_start_date))
)
select
  month_start_date,
  try_divide(100 * platform_fees_usd, gross_revenue_usd) as take_rate_pct,
  plan_type
from monthly
order by month_start_date
