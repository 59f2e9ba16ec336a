-- --title "MRR by category, latest month (USD)" --width 3 --overrides '{"spec": {"version": 3, "widgetType": "bar", "encodings": {"x": {"fieldName": "creator_category", "scale": {"type": "categorical"}, "displayName": "Category"}, "y": {"fieldName": "gross_mrr_usd", "scale": {"type": "quantitative"}, "displayName": "MRR (USD)"}}}}'
with latest as (
  select max(month_start_date) as month_start_date
  from gold.fct_creator_monthly_performance
)

select
  monthly.creator_category,
  monthly.plan_type,
  sum(monthly.gross_mrr_usd) as gross_mrr_usd
from gold.fct_creator_monthly_performance as monthly
inner join latest
  on monthly.month_start_date = latest.month_start_date
group by all
order by gross_mrr_usd desc
