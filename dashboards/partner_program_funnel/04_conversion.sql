-- --title "Conversion by stage" --type TABLE --width 6 --height 4
select
  stage,
  creators_reached,
  stage_conversion_pct,
  conversion_from_eligible_pct,
  creators_stopped_here,
  median_days_from_eligible,
  p90_days_from_eligible
from gold.fct_partner_funnel
order by stage_order
