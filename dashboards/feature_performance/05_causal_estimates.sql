-- --title "Causal estimates of the features (95% confidence intervals)" --type TABLE --width 6
select
  feature,
  outcome,
  method,
  estimand,
  round(estimate, 4) as estimate,
  round(ci_low, 4) as ci_low,
  round(ci_high, 4) as ci_high,
  round(p_value, 4) as p_value,
  n_treated,
  n_control,
  round(pre_trend_p_value, 4) as pre_trend_p_value,
  is_causal
from gold.feature_impact
order by feature, outcome, method
