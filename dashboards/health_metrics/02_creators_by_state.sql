-- --title "Creators in each health state, latest month" --width 3 --overrides '{"spec": {"version": 3, "widgetType": "bar", "encodings": {"x": {"fieldName": "health_metric", "scale": {"type": "categorical"}, "displayName": "Metric"}, "y": {"fieldName": "creators", "scale": {"type": "quantitative"}, "displayName": "Creators"}, "color": {"fieldName": "health_status", "scale": {"type": "categorical"}, "displayName": "State"}}}}'
with latest as (
  select max(month_start_date) as month_start_date
  from gold.fct_creator_monthly_performance
),

states as (
  select
    monthly.creator_category,
    monthly.month_start_date,
    health_metric,
    health_status
  from gold.fct_creator_monthly_performance as monthly
  inner join latest
    on monthly.month_start_date = latest.month_start_date
  lateral view stack(
    3,
    'patron churn', monthly.patron_churn_health_status,
    'collection', monthly.collection_health_status,
    'decline', monthly.decline_health_status
  ) health as health_metric, health_status
  where health_status is not null
)

select
  health_metric,
  health_status,
  creator_category,
  month_start_date,
  count(*) as creators
from states
group by all
order by health_metric, health_status
