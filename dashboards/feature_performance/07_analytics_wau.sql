-- --title "Creator Analytics weekly active creators" --width 3 --overrides '{"spec": {"version": 3, "widgetType": "line", "encodings": {"x": {"fieldName": "week_start_date", "scale": {"type": "temporal"}, "displayName": "Week"}, "y": {"fieldName": "analytics_wau", "scale": {"type": "quantitative"}, "displayName": "Creators using analytics"}}}}'
select
  growth.week_start_date,
  coalesce(creators.category, 'All') as category,
  count(distinct case when growth.is_analytics_active then growth.creator_id end) as analytics_wau
from gold.fct_creator_analytics_growth as growth
inner join gold.dim_creator as creators
  on growth.creator_id = creators.creator_id
group by grouping sets ((growth.week_start_date, creators.category), (growth.week_start_date))
order by growth.week_start_date
