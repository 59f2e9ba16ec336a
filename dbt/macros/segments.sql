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

{#- The segment keys of a row as one struct (for collect_set and explode). -#}
{% macro segment_struct() -%}
    named_struct(
        {%- for key in metric_catalog_segment_keys() %}
            '{{ key }}', {{ key }}{{ ',' if not loop.last }}
        {%- endfor %}
        )
{%- endmacro %}

{#-
    Every segment that `finest_segments`, an array of finest-segment structs
    (segment_struct), rolls up to, each once: one array per subset of the segment
    keys (the cube's grouping sets), the keys outside the subset set to null
    ("all"), made distinct, and the arrays concatenated. Two grouping sets never
    yield the same struct, since a finest segment has no null key.
-#}
{% macro segment_rollups(finest_segments) -%}
    {%- set keys = metric_catalog_segment_keys() -%}
    {%- set per_grouping_set = [] -%}
    {%- for grouping_set in range(2 ** (keys | length)) -%}
        {%- set fields = [] -%}
        {%- for key in keys -%}
            {%- set kept = (grouping_set // (2 ** loop.index0)) % 2 == 1 -%}
            {%- do fields.append("'" ~ key ~ "', " ~ ('segment.' ~ key if kept else 'cast(null as string)')) -%}
        {%- endfor -%}
        {%- do per_grouping_set.append('array_distinct(transform(' ~ finest_segments ~ ', segment -> named_struct(' ~ (fields | join(', ')) ~ ')))') -%}
    {%- endfor -%}
    flatten(array(
        {{ per_grouping_set | join(',\n        ') }}
    ))
{%- endmacro %}
