{#-
    A complete spine: the model has exactly one row for every distinct value
    of `key_columns` (taken together, null-safe) times every distinct
    `column_name` (a date). Returns one row with the counts when it does not.
-#}
{% test complete_grid(model, column_name, key_columns) %}

with

counts as (

    select
        count(*) as row_count,
        count(distinct {{ column_name }}) as date_count
    from {{ model }}

),

keys as (

    select count(*) as key_count
    from (
        select distinct
            {% for column in key_columns -%}
            {{ column }}{{ ',' if not loop.last }}
            {% endfor %}
        from {{ model }}
    ) as distinct_keys

)

select
    counts.row_count,
    counts.date_count,
    keys.key_count
from counts
cross join keys
where counts.row_count != counts.date_count * keys.key_count

{% endtest %}
