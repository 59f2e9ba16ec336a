-- --title "Listen growth over the next 4 weeks, analytics users vs not (association, not causal)" --width 3 --overrides '{"spec": {"version": 3, "widgetType": "bar", "encodings": {"x": {"fieldName": "creator_weeks", "scale": {"type": "categorical"}, "displayName": "Creator-weeks"}, "y": {"fieldName": "avg_next_4_weeks_listen_growth", "scale": {"type": "quantitative"}, "displayName": "Mean listen growth"}}}}'
select
  case when growth.is_analytics_active then 'using analytics' else 'not using analytics' end as creator_weeks,
  coalesce(creators.category, 'All') as category,
  round(avg(growth.next_4_weeks_listen_growth), 4) as avg_next_4_weeks_listen_growth
from gold.fct_creator_analytics_growth as growth
inner join gold.dim_creator as creators
  on growth.creator_id = creators.creator_id
group by grouping sets ((growth.is_analytics_active, creators.category), (growth.is_analytics_active))
order by creator_weeks desc
