-- --title "Gross revenue and net creator earnings (USD)" --width 3 --overrides '{"spec": {"version": 3, "widgetType": "line", "encodings": {"x": {"fieldName": "month_start_date", "scale": {"type": "temporal"}, "displayName": "Month"}, "y": {"fieldName": "revenue_usd", "scale": {"type": "quantitative"}, "displayName": "USD"}, "color": {"fieldName": "revenue", "scale": {"type": "categorical"}, "displayName": "Revenue"}}}}'
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
  revenue,
  revenue_usd,
  plan_type
from monthly
lateral view stack(
  2,
  'gross revenue', gross_revenue_usd,
  'net creator earnings', net_creator_earnings_usd
) revenues as revenue, revenue_usd
order by month_start_date, revenue
