-- --title "Top creators by MRR, latest month (USD)" --type TABLE --width 3
with latest as (
  select max(month_start_date) as month_start_date
  from gold.fct_creator_monthly_performance
)

select
  monthly.creator_name,
  monthly.creator_category,
  monthly.plan_type,
  monthly.creator_tier,
  monthly.gross_mrr_usd,
  monthly.active_patrons,
  monthly.patron_churn_rate_pct
from gold.fct_creator_monthly_performance as monthly
inner join latest
  on monthly.month_start_date = latest.month_start_date
order by monthly.gross_mrr_usd desc, monthly.creator_name
limit 20
