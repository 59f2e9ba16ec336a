-- --title "Top movers: creators, latest week vs the week before (USD)" --type TABLE --width 3
with latest as (
  select max(week_start_date) as week_start_date
  from gold.fct_creator_weekly_revenue
)

select
  creators.creator_name,
  revenue.country_code,
  revenue.category,
  revenue.creator_tier,
  revenue.creator_revenue_usd,
  revenue.creator_revenue_wow_change_usd
from gold.fct_creator_weekly_revenue as revenue
inner join latest
  on revenue.week_start_date = latest.week_start_date
inner join gold.dim_creator as creators
  on revenue.creator_id = creators.creator_id
where revenue.creator_revenue_wow_change_usd is not null
order by abs(revenue.creator_revenue_wow_change_usd) desc, creators.creator_name
limit 20
