-- --title "The metric's daily series with its trailing expected band (mean ± 3.5 sd of 28 days)" --width 3 --overrides '{"spec": {"version": 3, "widgetType": "line", "encodings": {"x": {"fieldName": "metric_date", "scale": {"type": "temporal"}, "displayName": "Day"}, "y": {"fieldName": "amount", "scale": {"type": "quantitative"}, "displayName": "Value"}, "color": {"fieldName": "series", "scale": {"type": "categorical"}, "displayName": "Series"}}}}'
-- The 100 latest explained anomalies (the most severe first on a day): the picker's choices. The page
-- carries every choice's series, so all of them would make it megabytes at the default scale.
with explained as (
  select
    concat_ws(' ', date_format(metric_date, 'yyyy-MM-dd'), metric, coalesce(nullif(concat_ws(' · ', country_code, category, creator_tier), ''), 'all segments')) as anomaly,
    metric_date as anomaly_date,
    metric,
    country_code,
    category,
    creator_tier
  from gold.anomaly_explanations
  qualify row_number() over (order by metric_date desc, abs(z_score) desc, metric, country_code, category, creator_tier) <= 100
),

daily as (
  select
    explained.anomaly,
    explained.anomaly_date,
    daily.metric_date,
    case explained.metric
      when 'creator_revenue_usd' then cast(daily.creator_revenue_usd as double)
      when 'ad_revenue_usd' then cast(daily.ad_revenue_usd as double)
      when 'subscription_revenue_usd' then cast(daily.subscription_revenue_usd as double)
      when 'rpm' then daily.rpm
    end as value
  from explained
  inner join gold.fct_segment_daily_metrics as daily
    on explained.country_code <=> daily.country_code
    and explained.category <=> daily.category
    and explained.creator_tier <=> daily.creator_tier
),

banded as (
  select
    anomaly,
    anomaly_date,
    metric_date,
    value,
    avg(value) over trailing as expected,
    stddev(value) over trailing as scale
  from daily
  window trailing as (partition by anomaly order by metric_date rows between 28 preceding and 1 preceding)
)

select
  metric_date,
  anomaly,
  series,
  round(amount, 2) as amount
from banded
lateral view stack(
  4,
  'value', value,
  'expected', expected,
  'band low', expected - 3.5 * scale,
  'band high', expected + 3.5 * scale
) bands as series, amount
where metric_date between date_sub(anomaly_date, 28) and date_add(anomaly_date, 7)
  and amount is not null
order by anomaly, series, metric_date
