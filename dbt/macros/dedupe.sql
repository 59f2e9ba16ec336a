{#-
    Keep the latest version of each key: the row with the newest `_ingested_at`
    (then `_batch_id`) wins. `partition_columns` lists the key plus, for event
    tables, the date partition column: a filter on that date then passes through
    the window to the bronze partitions, which keeps incremental runs cheap.
-#}
{% macro dedupe(relation, partition_columns) -%}
    select * from (
        select
            *,
            row_number() over (
                partition by {{ partition_columns | join(', ') }}
                order by _ingested_at desc, _batch_id desc
            ) as _version_rank
        from {{ relation }}
    ) as versions
    where _version_rank = 1
{%- endmacro %}
