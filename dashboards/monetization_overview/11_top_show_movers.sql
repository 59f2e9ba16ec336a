-- --title "Top movers: shows, ad revenue latest week vs the week before (USD)" --type TABLE --width 3
with weekly as (
  select
    ads.show_id,
    cast(date_trunc('week', ads.ad_date) as date) as week_start_date,
    sum(ads.revenue_usd) as ad_revenue_usd
  from gold.fct_ads as ads
  group by all
),

latest as (
  select max(week_start_date) as week_start_date
  from weekly
),

paired as (
  select
    this_week.show_id,
    this_week.ad_revenue_usd,
    this_week.ad_revenue_usd - coalesce(last_week.ad_revenue_usd, 0) as ad_revenue_wow_change_usd
  from weekly as this_week
  inner join latest
    on this_week.week_start_date = latest.week_start_date
  left join weekly as last_week
    on this_week.show_id = last_week.show_id
    and last_week.week_start_date = date_sub(this_week.week_start_date, 7)
)

select
  shows.show_name,
  creators.country_code,
  creators.category,
  creators.creator_tier,
  round(paired.ad_revenue_usd, 2) as ad_revenue_usd,
  round(paired.ad_revenue_wow_change_usd, 2) as ad_revenue_wow_change_usd
from paired
inner join gold.dim_show as shows
  on paired.show_id = shows.show_id
inner join gold.dim_creator as creators
  on shows.creator_id = creators.creator_id
order by abs(paired.ad_revenue_wow_change_usd) desc, shows.show_name
limit 20
