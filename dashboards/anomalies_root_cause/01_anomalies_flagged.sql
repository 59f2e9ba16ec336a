-- --title "Anomalies flagged" --type COUNTER --width 3
select count(*) as anomalies
from gold.metric_anomalies
