-- --title "Comments adoption: episodes published with comments enabled (%)" --width 6 --overrides '{"spec": {"version": 3, "widgetType": "line", "encodings": {"x": {"fieldName": "publish_week", "scale": {"type": "temporal"}, "displayName": "Week"}, "y": {"fieldName": "comments_adoption_pct", "scale": {"type": "quantitative"}, "displayName": "Episodes with comments (%)"}}}}'
select
  episodes.publish_week,
  coalesce(shows.category, 'All') as category,
  round(100 * avg(cast(episodes.has_comments_enabled as int)), 1) as comments_adoption_pct
from gold.dim_episode as episodes
inner join gold.dim_show as shows
  on episodes.show_id = shows.show_id
group by grouping sets ((episodes.publish_week, shows.category), (episodes.publish_week))
order by episodes.publish_week
