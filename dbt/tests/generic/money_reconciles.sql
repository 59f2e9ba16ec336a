{#-
    Money reconciliation per row: `column_name` (a gross amount) equals the sum
    of `parts` to the cent. Fails on every row where it does not.
-#}
{% test money_reconciles(model, column_name, parts) %}

select *
from {{ model }}
where {{ column_name }} != ({{ parts | join(' + ') }})

{% endtest %}
