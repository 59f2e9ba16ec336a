{#-
    METRICS section 6: a segment is a value of any subset of these creator
    attributes, null meaning "all". Two rows are the same segment-day when their
    dates are equal and each key matches null-safely (<=>), since null is a real
    key value here.
-#}
{% macro same_segment_day(left, right) -%}
    {{ left }}.metric_date = {{ right }}.metric_date
    {%- for key in ['country_code', 'category', 'creator_tier'] %}
        and {{ left }}.{{ key }} <=> {{ right }}.{{ key }}
    {%- endfor %}
{%- endmacro %}
