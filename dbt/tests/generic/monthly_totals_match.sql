{#-
    Money reconciliation across layers: for every month, the sum of
    `column_name` in the model equals the sum of `compare_expression` in
    `compare_model` (optionally filtered by `compare_where`) to the cent.
    Returns the months that differ (a month present on only one side counts).
-#}
{% test monthly_totals_match(model, column_name, month_column, compare_model, compare_expression, compare_month_column, compare_where='1 = 1') %}

with

model_totals as (

    select
        {{ month_column }} as month_start_date,
        sum({{ column_name }}) as model_total
    from {{ model }}
    group by {{ month_column }}

),

compare_totals as (

    select
        {{ compare_month_column }} as month_start_date,
        sum({{ compare_expression }}) as compare_total
    from {{ compare_model }}
    where {{ compare_where }}
    group by {{ compare_month_column }}

)

select
    coalesce(model_totals.month_start_date, compare_totals.month_start_date) as month_start_date,
    model_totals.model_total,
    compare_totals.compare_total
from model_totals
full outer join compare_totals
    on model_totals.month_start_date = compare_totals.month_start_date
where coalesce(model_totals.model_total, 0) != coalesce(compare_totals.compare_total, 0)

{% endtest %}
