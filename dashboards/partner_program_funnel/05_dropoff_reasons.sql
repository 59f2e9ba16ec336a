-- --title "Drop-off: rejection reasons" --width 3 --overrides '{"spec": {"version": 3, "widgetType": "bar", "encodings": {"x": {"fieldName": "rejection_reason", "scale": {"type": "categorical"}, "displayName": "Reason"}, "y": {"fieldName": "creators_rejected", "scale": {"type": "quantitative"}, "displayName": "Creators rejected"}}}}'
select
  rejection_reason,
  creators_rejected,
  share_of_rejections_pct
from gold.fct_partner_dropoff_reasons
order by creators_rejected desc, rejection_reason
