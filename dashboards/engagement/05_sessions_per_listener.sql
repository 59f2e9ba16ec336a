-- --title "Listening sessions per listener by week" --width 3 --overrides '{"spec": {"version": 3, "widgetType": "line", "encodings": {"x": {"fieldName": "session_week", "scale": {"type": "temporal"}, "displayName": "Week"}, "y": {"fieldName": "sessions_per_listener", "scale": {"type": "quantitative"}, "displayName": "Sessions per listener"}}}}'
select
  session_week,
  cast(date_trunc('month', session_week) as date) as month_start_date,
  count(*) as sessions,
  count(distinct listener_id) as listeners,
  round(try_divide(count(*), count(distinct listener_id)), 2) as sessions_per_listener
from gold.fct_listening_sessions
group by session_week
order by session_week
