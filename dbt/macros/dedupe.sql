{#-
    Keep the latest version of each key: the row with the newest `_ingested_at`
    (then `_batch_id`) wins. `partition_columns` lists the key plus, for event
    tables, the date partition column, so that `where` (a filter on that date,
    applied before the window) reads only the bronze partitions it names and
    still sees every version of each key it keeps.
-#}
{% macro dedupe(relation, partition_columns, where=none) -%}
    select * from (
        select
            *,
            row_number() over (
                partition by {{ partition_columns | join(', ') }}
                order by _ingested_at desc, _batch_id desc
            ) as _version_rank
        from {{ relation }}
        {% if where %}where {{ where }}{% endif %}
    ) as versions
    where _version_rank = 1
{%- endmacro %}
