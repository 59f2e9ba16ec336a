{#-
    The first date an incremental run re-reads: the newest date already in the
    table minus the `lookback_days` var. Only meaningful inside is_incremental().
-#}
{% macro incremental_cutoff(date_column) -%}
    (select date_sub(max({{ date_column }}), {{ var('lookback_days') }}) from {{ this }})
{%- endmacro %}
