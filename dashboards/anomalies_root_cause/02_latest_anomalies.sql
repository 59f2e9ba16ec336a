-- --title "Latest anomalies by severity" --type TABLE --width 6
select
  anomalies.metric_date,
  anomalies.metric,
  coalesce(nullif(concat_ws(' · ', anomalies.country_code, anomalies.category, anomalies.creator_tier), ''), 'all segments') as segment,
  round(anomalies.severity, 2) as severity,
  round(anomalies.z_score, 2) as z_score,
  round(anomalies.value, 2) as value,
  round(anomalies.expected, 2) as expected,
  explanations.why
from gold.metric_anomalies as anomalies
left join gold.anomaly_explanations as explanations
  on anomalies.metric_date = explanations.metric_date
  and anomalies.metric = explanations.metric
  and anomalies.country_code <=> explanations.country_code
  and anomalies.category <=> explanations.category
  and anomalies.creator_tier <=> explanations.creator_tier
order by anomalies.metric_date desc, anomalies.severity desc
limit 25
