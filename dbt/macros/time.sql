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

{#-
    The moment "now" means in silver (account ages, pledges active now), as a
    timestamp literal: the `as_of` var if set, else when the newest bronze batch
    landed, read from the model's own source and from the payments ledger (it
    lands every day) when the ledger exists: a build of one entity table alone
    (a new source, a first deployment) still has its own batches. Not
    current_timestamp(): a rebuild of the same bronze must give the same tables,
    and a replay of old data is judged as of its own end, not of the day it is
    replayed.
-#}
{% macro as_of(own_source) -%}
    {%- set ledger = source('bronze', 'transactions') -%}
    {%- if var('as_of', none) -%}
        {{ return("timestamp'" ~ var('as_of') ~ "'") }}
    {%- endif -%}
    {%- if not execute -%}
        {{ return("cast(null as timestamp)") }}
    {%- endif -%}
    {%- set landed_in = [own_source] + ([ledger] if load_relation(ledger) is not none else []) -%}
    {%- set query -%}
        select cast(max(landed) as string) from (
            {%- for relation in landed_in %}
            select max(_ingested_at) as landed from {{ relation }}{{ " union all" if not loop.last }}
            {%- endfor %}
        )
    {%- endset -%}
    {%- set landed = run_query(query).columns[0].values()[0] -%}
    {{ return("timestamp'" ~ landed ~ "'" if landed else "cast(null as timestamp)") }}
{%- endmacro %}
