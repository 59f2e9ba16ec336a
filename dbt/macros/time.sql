{#- METRICS section 3: a week starts on Monday, a month is the calendar month, all in UTC. -#}
{% macro week_start(expression) -%}
    cast(date_trunc('week', {{ expression }}) as date)
{%- endmacro %}

{% macro month_start(expression) -%}
    cast(date_trunc('month', {{ expression }}) as date)
{%- endmacro %}

{#- Every date from start to end (inclusive), one row each, as `date_day`. -#}
{% macro date_spine(start_date, end_date, column_name='date_day') -%}
    select explode(sequence(cast({{ start_date }} as date), cast({{ end_date }} as date), interval 1 day)) as {{ column_name }}
{%- endmacro %}

{#- Every month start from start to end (inclusive), one row each. -#}
{% macro month_spine(start_date, end_date, column_name='month_start_date') -%}
    select explode(sequence({{ month_start(start_date) }}, {{ month_start(end_date) }}, interval 1 month)) as {{ column_name }}
{%- endmacro %}

{#- Every Monday from the week of start to the week of end (inclusive). -#}
{% macro week_spine(start_date, end_date, column_name='week_start_date') -%}
    select explode(sequence({{ week_start(start_date) }}, {{ week_start(end_date) }}, interval 7 day)) as {{ column_name }}
{%- endmacro %}
