-- --title "Median days from eligible to active" --type COUNTER --width 3
select median_days_from_eligible
from gold.fct_partner_funnel
where stage = 'active'
