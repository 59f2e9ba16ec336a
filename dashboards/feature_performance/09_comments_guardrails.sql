-- --title "Comments guardrails by week: spam share of comments (%) and negative feedback per 1,000 listens, creators with Comments on vs off" --width 6 --overrides '{"spec": {"version": 3, "widgetType": "line", "encodings": {"x": {"fieldName": "week_start_date", "scale": {"type": "temporal"}, "displayName": "Week"}, "y": {"fieldName": "value", "scale": {"type": "quantitative"}, "displayName": "Value"}, "color": {"fieldName": "series", "scale": {"type": "categorical"}, "displayName": "Guardrail, Comments"}}}}'
with creator_weeks as (
  select
    panel.week_start_date,
    case when panel.week_start_date >= panel.comments_adoption_week then 'comments on' else 'comments off' end as comments_state,
    panel.category,
    panel.comments,
    panel.spam_comments,
    panel.negative_feedback,
    panel.listens
  from gold.fct_creator_week_panel as panel
),
weekly as (
  select
    week_start_date,
    comments_state,
    coalesce(category, 'All') as category,
    sum(comments) as comments,
    sum(spam_comments) as spam_comments,
    sum(negative_feedback) as negative_feedback,
    sum(listens) as listens
  from creator_weeks
  group by grouping sets ((week_start_date, comments_state, category), (week_start_date, comments_state))
),
guardrail_series as (
  select
    week_start_date,
    category,
    concat('Spam share of comments (%) · ', comments_state) as series,
    round(try_divide(100 * spam_comments, comments), 2) as value
  from weekly
  where comments_state = 'comments on'
  union all
  select
    week_start_date,
    category,
    concat('Negative feedback per 1,000 listens · ', comments_state) as series,
    round(try_divide(1000 * negative_feedback, listens), 3) as value
  from weekly
)
select
  week_start_date,
  category,
  series,
  value
from guardrail_series
order by series, week_start_date
