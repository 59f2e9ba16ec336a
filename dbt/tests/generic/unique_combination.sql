{#- The combination of `columns` is unique; nulls compare equal (null is a key value in segment marts). -#}
{% test unique_combination(model, columns, column_name=none) %}

select
    {% for column in columns -%}
    {{ column }},
    {% endfor -%}
    count(*) as rows_with_key
from {{ model }}
group by
    {% for column in columns -%}
    {{ column }}{{ ',' if not loop.last }}
    {% endfor %}
having count(*) > 1

{% endtest %}
