-- --title "Revenue by stream (USD)" --width 3 --overrides '{"spec": {"version": 3, "widgetType": "bar", "encodings": {"x": {"fieldName": "week_start_date", "scale": {"type": "temporal"}, "displayName": "Week"}, "y": {"fieldName": "revenue_usd", "scale": {"type": "quantitative"}, "displayName": "Revenue (USD)"}, "color": {"fieldName": "stream", "scale": {"type": "categorical"}, "displayName": "Stream"}}}}'
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
  stream,
  revenue_usd,
  country_code,
  category,
  creator_tier
from weekly
lateral view stack(
  3,
  'ads', ad_revenue_usd,
  'subscriptions', subscription_revenue_usd,
  'partner payouts', partner_payout_usd
) streams as stream, revenue_usd
order by week_start_date, stream
