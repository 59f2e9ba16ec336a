{#-
    The first date an incremental run re-reads: the newest date already in the
    table minus the `lookback_days` var, as a date literal. It is looked up
    before the model's SQL runs, not left as a subquery, so Spark prunes the
    source's Delta partitions with it (a scalar subquery is not used for
    partition pruning). An empty table re-reads everything. Only meaningful
    inside is_incremental(). `date_column` defaults to the model's
    `lookback_column` meta, which also scopes its data tests (test_scope.sql).
-#}
{% macro incremental_cutoff(date_column=none) -%}
    {%- if not execute -%}
        {{ return("cast(null as date)") }}
    {%- endif -%}
    {%- set date_column = date_column or config.get('meta', {}).get('lookback_column') -%}
    {%- if not date_column -%}
        {{ exceptions.raise_compiler_error("incremental_cutoff: name the date column or set meta lookback_column on " ~ this) }}
    {%- endif -%}
    {%- set cutoff = lookback_cutoff(this, date_column) -%}
    {{ return("date'" ~ (cutoff or '0001-01-01') ~ "'") }}
{%- endmacro %}

{#-
    The newest `date_column` in `relation` minus the `lookback_days` var, as
    'YYYY-MM-DD'; none when the relation holds no rows.
    The one definition of where a run's rewrite starts: incremental_cutoff puts
    it in the model's SQL, record_incremental_cutoff (test_scope.sql) keeps it on
    the table for the model's tests.
-#}
{% macro lookback_cutoff(relation, date_column) -%}
    {%- set query -%}
        select cast(date_sub(max({{ date_column }}), {{ var('lookback_days') }}) as string) from {{ relation }}
    {%- endset -%}
    {{ return(run_query(query).columns[0].values()[0]) }}
{%- endmacro %}

{#- `where <date_column> >= <cutoff>` when there is a cutoff (an incremental run), else nothing. -#}
{% macro where_on_or_after(date_column, cutoff) -%}
    {%- if cutoff %}where {{ date_column }} >= {{ cutoff }}{% endif -%}
{%- endmacro %}

{#-
    The config of a date-partitioned incremental model: a run recomputes whole
    partitions (from the lookback cutoff on) and overwrites just those.
    `lookback=true` also names the partition column as the model's
    `lookback_column` meta, which incremental_cutoff reads and which scopes the
    model's data tests (test_scope.sql).
    Optimized writes shuffle the rows by partition value before writing: one
    file per day instead of one per task and day. A full build's tasks each hold
    every day (thousands of small files per table, a few KB each) and a daily run
    rewrites its days the same way; every later read of the table opens all of
    them. Databricks reads the same property.
-#}
{% macro date_partitioned_incremental(partition_column, lookback=true) -%}
    {%- set settings = {
        'materialized': 'incremental',
        'incremental_strategy': 'insert_overwrite',
        'partition_by': [partition_column],
        'tblproperties': {'delta.autoOptimize.optimizeWrite': 'true'},
        'on_schema_change': 'fail',
    } -%}
    {%- if lookback -%}
        {%- do settings.update({'meta': {'lookback_column': partition_column}}) -%}
    {%- endif -%}
    {{ return(settings) }}
{%- endmacro %}
