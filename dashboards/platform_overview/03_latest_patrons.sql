-- --title "Active patrons, latest month" --type COUNTER --width 2
with monthly as (
  select
    month_start_date,
    coalesce(plan_type, 'All') as plan_type,
    sum(gross_mrr_usd) as gross_mrr_usd,
    sum(active_patrons) as active_patrons,
    sum(gross_revenue_usd) as gross_revenue_usd,
    sum(net_creator_earnings_usd) as net_creator_earnings_usd,
    sum(platform_fees_usd) as platform_fees_usd
  from gold.fct_creator_monthly_performance
  group by grouping sets ((month_start_date, plan_type), (month_start_date))
)
select
  active_patrons,
  month_start_date,
  plan_type
from monthly
order by month_start_date desc
