{#-
    The revenue driver tree's identities, row by row:
        ad_revenue_usd           = listens * ad_load * fill_rate * cpm / 1000
        subscription_revenue_usd = active_listeners * sub_conversion * arppu_usd
    `column_name` is the revenue column, `factors` the columns whose product
    (times `scale`) must equal it within `tolerance` (USD). Rows where a factor
    is null (a 0 denominator) cannot carry the identity and are skipped unless
    `require_zero_when_undefined`, which then demands revenue = 0 there.
-#}
{% test podcast_identity(model, column_name, factors, scale=1, tolerance=0.005, require_zero_when_undefined=false) %}

with

checked as (

    select
        *,
        ({{ factors | join(' * ') }}) * {{ scale }} as identity_product
    from {{ model }}

)

select *
from checked
where
    (identity_product is not null and abs(cast({{ column_name }} as double) - identity_product) > {{ tolerance }})
    {% if require_zero_when_undefined %}
    or (identity_product is null and {{ column_name }} != 0)
    {% endif %}

{% endtest %}
