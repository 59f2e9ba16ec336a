-- --title "Mean creator revenue by week since activation, per cohort (USD)" --width 3 --overrides '{"spec": {"version": 3, "widgetType": "line", "encodings": {"x": {"fieldName": "weeks_since_activation", "scale": {"type": "quantitative"}, "displayName": "Weeks since activation"}, "y": {"fieldName": "avg_creator_revenue_usd", "scale": {"type": "quantitative"}, "displayName": "Mean creator revenue (USD)"}, "color": {"fieldName": "cohort", "scale": {"type": "categorical"}, "displayName": "Cohort"}}}}'
select
  weeks_since_activation,
  cast(cohort_week_start_date as string) as cohort,
  avg_creator_revenue_usd
from gold.fct_partner_cohort_revenue
order by cohort, weeks_since_activation
