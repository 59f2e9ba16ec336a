-- --title "Median minutes listened per session by week" --width 3 --overrides '{"spec": {"version": 3, "widgetType": "line", "encodings": {"x": {"fieldName": "session_week", "scale": {"type": "temporal"}, "displayName": "Week"}, "y": {"fieldName": "median_listened_minutes", "scale": {"type": "quantitative"}, "displayName": "Median minutes listened"}}}}'
select
  session_week,
  cast(date_trunc('month', session_week) as date) as month_start_date,
  count(*) as sessions,
  round(median(listened_s) / 60, 1) as median_listened_minutes
from gold.fct_listening_sessions
group by session_week
order by session_week
