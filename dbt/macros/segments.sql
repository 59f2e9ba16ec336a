{#-
    A segment is a value of any subset of the catalog's segment keys (creator
    attributes), null meaning "all". Two rows are the same segment-day when their
    dates are equal and each key matches null-safely (<=>), since null is a real
    key value here.
-#}
{% macro same_segment_day(left, right) -%}
    {{ left }}.metric_date = {{ right }}.metric_date
    {%- for key in metric_catalog_segment_keys() %}
        and {{ left }}.{{ key }} <=> {{ right }}.{{ key }}
    {%- endfor %}
{%- endmacro %}

{#- The merge predicates of a segment-day table: each segment key matched null-safely. -#}
{% macro segment_merge_predicates() -%}
    {%- set predicates = [] -%}
    {%- for key in metric_catalog_segment_keys() -%}
        {%- do predicates.append('DBT_INTERNAL_SOURCE.' ~ key ~ ' <=> DBT_INTERNAL_DEST.' ~ key) -%}
    {%- endfor -%}
    {{ return(predicates) }}
{%- endmacro %}

{#- The segment keys as a column list, each qualified with `relation` if given. -#}
{% macro segment_columns(relation=none) -%}
    {%- set qualified = [] -%}
    {%- for key in metric_catalog_segment_keys() -%}
        {%- do qualified.append((relation ~ '.' if relation else '') ~ key) -%}
    {%- endfor -%}
    {{ qualified | join(', ') }}
{%- endmacro %}
