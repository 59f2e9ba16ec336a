-- --title "Driver decomposition of the change from expected (USD)" --width 3 --overrides '{"spec": {"version": 3, "widgetType": "bar", "encodings": {"x": {"fieldName": "driver", "scale": {"type": "categorical"}, "displayName": "Driver"}, "y": {"fieldName": "contribution_usd", "scale": {"type": "quantitative"}, "displayName": "Contribution (USD)"}}}}'
with explained as (
  select
    concat_ws(' ', date_format(metric_date, 'yyyy-MM-dd'), metric, coalesce(nullif(concat_ws(' · ', country_code, category, creator_tier), ''), 'all segments')) as anomaly,
    metric_date,
    severity_order,
    contribution_listens,
    contribution_ad_load,
    contribution_fill_rate,
    contribution_cpm,
    contribution_active_listeners,
    contribution_sub_conversion,
    contribution_arppu_usd,
    contribution_partner_payout_usd
  from (
    select
      *,
      abs(z_score) as severity_order
    from gold.anomaly_explanations
    -- The 100 latest explained anomalies, as the metric series offers them.
    qualify row_number() over (order by metric_date desc, abs(z_score) desc, metric, country_code, category, creator_tier) <= 100
  ) as ranked
)

select
  anomaly,
  driver,
  round(contribution_usd, 2) as contribution_usd
from explained
lateral view stack(
  8,
  'listens', contribution_listens,
  'ad load', contribution_ad_load,
  'fill rate', contribution_fill_rate,
  'CPM', contribution_cpm,
  'active listeners', contribution_active_listeners,
  'subscription conversion', contribution_sub_conversion,
  'ARPPU', contribution_arppu_usd,
  'partner payouts', contribution_partner_payout_usd
) drivers as driver, contribution_usd
order by metric_date desc, severity_order desc, anomaly
