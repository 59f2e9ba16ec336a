{#-
    Data tests of the big incremental tables check, after an incremental run,
    the rows that run rewrote; after a full build, every row. Overrides dbt's
    get_where_subquery (the relation a generic test reads), so it applies to every
    test of such a model; a test's own `where` still applies on top.

    Why: a daily run rewrites a few days, and re-testing every listen ever made
    (unique event_id over tens of millions of rows, a relationships join per
    foreign key) cost more than the run itself. The rows outside the lookback
    were tested by the build that wrote them and are not touched since.

    A model opts in with `meta={'lookback_column': '<date column>'}`, the column
    its incremental_cutoff counts in.
-#}
{% macro get_where_subquery(relation) -%}
    {%- set filters = [] -%}
    {%- set where = config.get('where') -%}
    {%- if where -%}
        {%- do filters.append('(' ~ where ~ ')') -%}
    {%- endif -%}
    {%- set rewritten = last_incremental_rewrite(relation) -%}
    {%- if rewritten -%}
        {%- do filters.append(rewritten) -%}
    {%- endif -%}
    {%- if filters -%}
        {{ return('(select * from ' ~ relation ~ ' where ' ~ filters | join(' and ') ~ ') dbt_subquery') }}
    {%- endif -%}
    {{ return(relation) }}
{%- endmacro %}

{#-
    `<lookback_column> >= <cutoff>` when the newest write of `relation` was an
    incremental run (a MERGE or a partition overwrite, not a create or replace),
    with the cutoff that run used: the column's newest value in the version
    before it, minus lookback_days (incremental_cutoff). None otherwise: a full
    build, a model that did not opt in, or nothing to compare with.
-#}
{% macro last_incremental_rewrite(relation) -%}
    {%- if not execute -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set column = lookback_column_of(relation) -%}
    {%- if not column -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set history = run_query('describe history ' ~ relation ~ ' limit 20') -%}
    {%- set incremental_writes = ['WRITE', 'MERGE'] -%}
    {%- set full_writes = ['CREATE TABLE AS SELECT', 'CREATE OR REPLACE TABLE AS SELECT', 'REPLACE TABLE AS SELECT'] -%}
    {%- for row in history.rows -%}
        {%- if row['operation'] in full_writes or row['version'] == 0 -%}
            {{ return(none) }}
        {%- elif row['operation'] in incremental_writes -%}
            {%- set query -%}
                select cast(date_sub(max({{ column }}), {{ var('lookback_days') }}) as string)
                from {{ relation }} version as of {{ row['version'] - 1 }}
            {%- endset -%}
            {%- set cutoff = run_query(query).columns[0].values()[0] -%}
            {{ return(column ~ " >= date'" ~ cutoff ~ "'" if cutoff else none) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(none) }}
{%- endmacro %}

{#- The `lookback_column` meta of the model built into `relation`, if any. -#}
{% macro lookback_column_of(relation) -%}
    {%- for node in graph.nodes.values()
        if node.resource_type == 'model'
        and node.alias == relation.identifier
        and node.schema == relation.schema -%}
        {{ return(node.config.meta.get('lookback_column')) }}
    {%- endfor -%}
    {{ return(none) }}
{%- endmacro %}
