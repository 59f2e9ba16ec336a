-- --title "Patron engagement rate by month (%)" --width 3 --overrides '{"spec": {"version": 3, "widgetType": "line", "encodings": {"x": {"fieldName": "month_start_date", "scale": {"type": "temporal"}, "displayName": "Month"}, "y": {"fieldName": "engagement_rate_pct", "scale": {"type": "quantitative"}, "displayName": "Engaged patrons (%)"}}}}'
select
  month_start_date,
  coalesce(creator_category, 'All') as creator_category,
  round(try_divide(100 * sum(engaged_patrons), sum(total_patrons)), 2) as engagement_rate_pct
from gold.fct_creator_monthly_performance
group by grouping sets ((month_start_date, creator_category), (month_start_date))
order by month_start_date
