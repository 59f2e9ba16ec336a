{#-
    A snapshot's history is not in bronze (bronze keeps each row's latest
    version), so dbt never rebuilds one, not even with --full-refresh. Here a
    full refresh, which rebuilds everything else from bronze (after a newly
    generated world, say), restarts each selected snapshot: its table is
    dropped before the build, which then records the current rows as its first
    versions. Runs as the project's on-run-start hook; renders no SQL.
-#}
{% macro restart_snapshots_on_full_refresh() -%}
    {%- if execute and flags.FULL_REFRESH -%}
        {%- for node in graph.nodes.values()
            if node.resource_type == 'snapshot' and node.unique_id in selected_resources -%}
            {%- set relation = adapter.get_relation(database=node.database, schema=node.schema, identifier=node.alias) -%}
            {%- if relation is not none -%}
                {%- do log("full refresh: restarting snapshot " ~ relation, info=true) -%}
                {%- do adapter.drop_relation(relation) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}
