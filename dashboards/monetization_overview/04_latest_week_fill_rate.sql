-- --title "Ad fill rate, latest week (%)" --type COUNTER --width 2
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
  round(try_divide(100 * filled_impressions, ad_opportunities), 1) as fill_rate_pct,
  week_start_date,
  country_code,
  category,
  creator_tier
from weekly
order by week_start_date desc
