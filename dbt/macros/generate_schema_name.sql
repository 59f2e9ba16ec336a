{#-
    Build into the schema a folder names (bronze / silver / gold from conf),
    not dbt's default "<target schema>_<custom schema>": the medallion layers
    are the same schemas locally and on Databricks.
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
