-- --title "Top creators by creator revenue over the podcast window (USD)" --type TABLE --width 3
select
  creator_name,
  creator_category,
  plan_type,
  creator_tier,
  sum(creator_revenue_usd) as creator_revenue_usd,
  sum(ad_revenue_usd) as ad_revenue_usd,
  sum(subscription_revenue_usd) as subscription_revenue_usd,
  sum(partner_payout_usd) as partner_payout_usd
from gold.fct_creator_monthly_performance
where creator_revenue_usd is not null
group by all
order by creator_revenue_usd desc, creator_name
limit 20
