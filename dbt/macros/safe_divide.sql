{#-
    A ratio that is null, never 0 and never an error, when the denominator is 0
    or null: the same under ANSI on (Databricks) and off (dbt-spark locally).
    Computed in double and left unrounded, so identities built from it hold.
-#}
{% macro safe_divide(numerator, denominator) -%}
    (cast({{ numerator }} as double) / nullif(cast({{ denominator }} as double), 0))
{%- endmacro %}

{#- A percentage rate: 100 * numerator / denominator, rounded to 2 decimals, null on a 0 denominator. -#}
{% macro safe_pct(numerator, denominator) -%}
    round(100 * {{ safe_divide(numerator, denominator) }}, 2)
{%- endmacro %}

{#- Money as the contract types it. -#}
{% macro money(expression) -%}
    cast({{ expression }} as decimal(18, 2))
{%- endmacro %}

{#- A count that is 0, never null, where nothing was counted (a left join's missing side, a sum of no rows). -#}
{% macro zero_if_null(expression) -%}
    cast(coalesce({{ expression }}, 0) as bigint)
{%- endmacro %}
