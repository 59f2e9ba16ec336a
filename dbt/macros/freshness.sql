{#-
    dbt source freshness, judged by the clock of the data: the `freshness_as_of`
    var (a UTC timestamp) when set, else the wall clock as dbt's own macro does.
    A generated world lives on its simulated clock (its batches landed on the
    days it simulates), so `creatorlake freshness` passes that clock in; real
    batches carry their real landing time and are judged by the wall clock.
    Found by dispatch before dbt's default for Spark and Databricks alike.
-#}
{% macro spark__collect_freshness(source, loaded_at_field, filter) %}
    {%- set as_of = var('freshness_as_of', none) -%}
    {% call statement('collect_freshness', fetch_result=True, auto_begin=False) -%}
        select
            max({{ loaded_at_field }}) as max_loaded_at,
            {{ "timestamp'" ~ as_of ~ "'" if as_of else current_timestamp() }} as snapshotted_at
        from {{ source }}
        {% if filter %}
        where {{ filter }}
        {% endif %}
    {%- endcall %}
    {{ return(load_result('collect_freshness')) }}
{% endmacro %}
