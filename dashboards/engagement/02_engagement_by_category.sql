-- --title "Views, likes and comments by category" --width 3 --overrides '{"spec": {"version": 3, "widgetType": "bar", "encodings": {"x": {"fieldName": "creator_category", "scale": {"type": "categorical"}, "displayName": "Category"}, "y": {"fieldName": "events", "scale": {"type": "quantitative"}, "displayName": "Events"}, "color": {"fieldName": "engagement", "scale": {"type": "categorical"}, "displayName": "Engagement"}}}}'
select
  monthly.creator_category,
  monthly.month_start_date,
  engagement,
  sum(events) as events
from gold.fct_creator_monthly_performance as monthly
lateral view stack(
  3,
  'views', cast(monthly.total_views as bigint),
  'likes', cast(monthly.total_likes as bigint),
  'comments', cast(monthly.total_comments as bigint)
) kinds as engagement, events
group by all
order by monthly.creator_category, engagement
