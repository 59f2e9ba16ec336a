{#- No value of the (string) column looks like a clear email address. -#}
{% test no_clear_email(model, column_name) %}

select {{ column_name }}
from {{ model }}
where {{ column_name }} like '%@%'

{% endtest %}
