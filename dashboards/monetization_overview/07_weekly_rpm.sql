-- --title "RPM (USD per 1,000 listens)" --width 2 --overrides '{"spec": {"version": 3, "widgetType": "line", "encodings": {"x": {"fieldName": "week_start_date", "scale": {"type": "temporal"}, "displayName": "Week"}, "y": {"fieldName": "rpm", "scale": {"type": "quantitative"}, "displayName": "RPM"}}}}'
with weekly as (
  select
    cast(date_trunc('week', metric_date) as date) as week_start_date,
    coalesce(country_code, 'All') as country_code,
    coalesce(category, 'All') as category,
    coalesce(creator_tier, 'All') as creator_tier,
    sum(listens) as listens,
    sum(ad_opportunities) as ad_opportunities,
    sum(filled_impressions) as filled_impressions,
    sum(ad_revenue_usd) as ad_revenue_usd,
    sum(subscription_revenue_usd) as subscription_revenue_usd,
    sum(partner_payout_usd) as partner_payout_usd,
    sum(creator_revenue_usd) as creator_revenue_usd
  from gold.fct_segment_daily_metrics
  group by all
)
select
  week_start_date,
  try_divide(1000 * creator_revenue_usd, listens) as rpm,
  country_code,
  category,
  creator_tier
from weekly
order by week_start_date
