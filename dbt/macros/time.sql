{#- The calendar: a week starts on Monday, a month is the calendar month, all in UTC. -#}
{% macro week_start(expression) -%}
    cast(date_trunc('week', {{ expression }}) as date)
{%- endmacro %}

{% macro month_start(expression) -%}
    cast(date_trunc('month', {{ expression }}) as date)
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
