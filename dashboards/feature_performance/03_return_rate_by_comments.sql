-- --title "7-day return rate of listeners, episodes with vs without comments (%)" --width 3 --overrides '{"spec": {"version": 3, "widgetType": "bar", "encodings": {"x": {"fieldName": "episodes", "scale": {"type": "categorical"}, "displayName": "Episodes"}, "y": {"fieldName": "return_rate_7d_pct", "scale": {"type": "quantitative"}, "displayName": "7-day return rate (%)"}}}}'
with impact as (
  select
    case when episodes.has_comments_enabled then 'with comments' else 'without comments' end as episodes,
    coalesce(shows.category, 'All') as category,
    sum(episodes.returning_listeners_7d) as returning_listeners_7d,
    sum(episodes.follows) as follows,
    sum(episodes.listeners) as listeners
  from gold.fct_episode_comments_impact as episodes
  inner join gold.dim_show as shows
    on episodes.show_id = shows.show_id
  group by grouping sets ((episodes.has_comments_enabled, shows.category), (episodes.has_comments_enabled))
)
select
  episodes,
  category,
  round(try_divide(100 * returning_listeners_7d, listeners), 2) as return_rate_7d_pct
from impact
order by episodes desc
