-- --title "Creator health, latest month" --type TABLE --width 6
with latest as (
  select max(month_start_date) as month_start_date
  from gold.fct_creator_monthly_performance
)

select
  monthly.creator_name,
  monthly.creator_category,
  monthly.month_start_date,
  monthly.patron_churn_rate_pct,
  monthly.patron_churn_health_status,
  monthly.collection_rate_pct,
  monthly.collection_health_status,
  monthly.decline_rate_pct,
  monthly.decline_health_status
from gold.fct_creator_monthly_performance as monthly
inner join latest
  on monthly.month_start_date = latest.month_start_date
order by monthly.patron_churn_rate_pct desc nulls last, monthly.creator_name
