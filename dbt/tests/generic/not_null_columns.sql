{#-
    None of `columns` is null. One query for all the required columns of a
    model instead of one `not_null` test (and one scan) per column: every data
    test costs a fixed planning and job overhead, which dominated a daily run.
    Failing rows name the columns that were null.
-#}
{% test not_null_columns(model, columns) %}

select
    concat_ws(', '
        {%- for column in columns %},
        case when {{ column }} is null then '{{ column }}' end
        {%- endfor %}
    ) as null_columns,
    *
from {{ model }}
where
    {% for column in columns -%}
    {{ column }} is null{{ ' or' if not loop.last }}
    {% endfor %}

{% endtest %}
