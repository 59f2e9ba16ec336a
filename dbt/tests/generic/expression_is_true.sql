{#- Every row satisfies a SQL boolean `expression` (rows where it is false or null fail). -#}
{% test expression_is_true(model, expression, where='1 = 1', column_name=none) %}

select *
from {{ model }}
where {{ where }}
    and not coalesce({{ expression }}, false)

{% endtest %}
