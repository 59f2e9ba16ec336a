-- --title "Creators reaching each stage" --width 3 --overrides '{"spec": {"version": 3, "widgetType": "bar", "encodings": {"x": {"fieldName": "stage", "scale": {"type": "categorical"}, "displayName": "Stage"}, "y": {"fieldName": "creators_reached", "scale": {"type": "quantitative"}, "displayName": "Creators"}}}}'
select
  stage,
  creators_reached
from gold.fct_partner_funnel
order by stage_order
