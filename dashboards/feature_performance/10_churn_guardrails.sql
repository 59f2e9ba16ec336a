-- --title "Churn guardrails by week: listener and pledge churn (% of those at risk churning a day), creators with Comments on vs off" --width 6 --overrides '{"spec": {"version": 3, "widgetType": "line", "encodings": {"x": {"fieldName": "week_start_date", "scale": {"type": "temporal"}, "displayName": "Week"}, "y": {"fieldName": "value", "scale": {"type": "quantitative"}, "displayName": "Daily churn (%)"}, "color": {"fieldName": "series", "scale": {"type": "categorical"}, "displayName": "Guardrail, Comments"}}}}'
with creator_weeks as (
  select
    panel.week_start_date,
    case when panel.week_start_date >= panel.comments_adoption_week then 'comments on' else 'comments off' end as comments_state,
    panel.category,
    panel.listeners_at_risk,
    panel.churned_listeners,
    panel.pledges_at_risk,
    panel.churned_pledges
  from gold.fct_creator_week_panel as panel
),
weekly as (
  select
    week_start_date,
    comments_state,
    coalesce(category, 'All') as category,
    sum(listeners_at_risk) as listeners_at_risk,
    sum(churned_listeners) as churned_listeners,
    sum(pledges_at_risk) as pledges_at_risk,
    sum(churned_pledges) as churned_pledges
  from creator_weeks
  group by grouping sets ((week_start_date, comments_state, category), (week_start_date, comments_state))
),
guardrail_series as (
  select
    week_start_date,
    category,
    concat('Listener churn (%) · ', comments_state) as series,
    round(try_divide(100 * churned_listeners, listeners_at_risk), 3) as value
  from weekly
  union all
  select
    week_start_date,
    category,
    concat('Pledge churn (%) · ', comments_state) as series,
    round(try_divide(100 * churned_pledges, pledges_at_risk), 3) as value
  from weekly
)
select
  week_start_date,
  category,
  series,
  value
from guardrail_series
where value is not null
order by series, week_start_date
