-- --title "Event study: effect by week relative to adoption" --width 6 --overrides '{"spec": {"version": 3, "widgetType": "line", "encodings": {"x": {"fieldName": "event_week", "scale": {"type": "quantitative"}, "displayName": "Weeks since adoption"}, "y": {"fieldName": "estimate", "scale": {"type": "quantitative"}, "displayName": "Estimate"}, "color": {"fieldName": "series", "scale": {"type": "categorical"}, "displayName": "Feature, outcome, method"}}}}'
select
  event_week,
  concat_ws(' · ', feature, outcome, method) as series,
  estimate,
  ci_low,
  ci_high
from gold.feature_impact_event_study
order by series, event_week
