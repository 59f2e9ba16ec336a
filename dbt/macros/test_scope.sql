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
    `<lookback_column> >= <cutoff>` when the newest build of `relation` was an
    incremental run, with the cutoff that run used, as its pre-hook recorded it.
    None otherwise: a full build, a model that did not opt in.
    A full build (CREATE OR REPLACE) drops the table's properties, recorded
    cutoff included, so the property alone tells which kind of run built it.
    A view passes its source's rows through (meta `rows_of`, the source model's
    name): its tests check the rows its source's newest run rewrote.
-#}
{% macro last_incremental_rewrite(relation) -%}
    {%- if not execute -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set meta = model_meta_of(relation.schema, relation.identifier) -%}
    {%- set column = meta.get('lookback_column') -%}
    {%- set written = relation -%}
    {%- if column and meta.get('rows_of') -%}
        {%- set written = model_relation(meta.get('rows_of')) -%}
    {%- endif -%}
    {%- set cutoff = recorded_incremental_cutoff(written) if column else none -%}
    {{ return(column ~ " >= date'" ~ cutoff ~ "'" if cutoff else none) }}
{%- endmacro %}

{#- The meta of the model built into schema.identifier ({} if none is). -#}
{% macro model_meta_of(schema, identifier) -%}
    {%- for node in graph.nodes.values()
        if node.resource_type == 'model'
        and node.alias == identifier
        and node.schema == schema -%}
        {{ return(node.config.meta) }}
    {%- endfor -%}
    {{ return({}) }}
{%- endmacro %}

{#- The relation the model named `name` is built into. -#}
{% macro model_relation(name) -%}
    {%- for node in graph.nodes.values()
        if node.resource_type == 'model' and node.name == name -%}
        {{ return(api.Relation.create(database=node.database, schema=node.schema, identifier=node.alias)) }}
    {%- endfor -%}
    {{ exceptions.raise_compiler_error("model_relation: no model named " ~ name) }}
{%- endmacro %}

{#-
    Pre-hook of every model (dbt_project.yml): before an incremental run of a
    model with a `lookback_column`, records the cutoff it is about to use as the
    table property creatorlake.incremental_cutoff, so its tests can read it back
    from the table's metadata. Computing it again per test meant reading the
    previous table version (time travel) once for every test.
-#}
{% macro record_incremental_cutoff() -%}
    {%- if execute -%}
        {%- set column = config.get('meta', {}).get('lookback_column') -%}
        {%- if column and is_incremental() -%}
            alter table {{ this }} set tblproperties ('creatorlake.incremental_cutoff' = '{{ lookback_cutoff(this, column) or '0001-01-01' }}')
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{#- The cutoff the newest incremental run of `relation` recorded ('YYYY-MM-DD'), or none. -#}
{% macro recorded_incremental_cutoff(relation) -%}
    {%- for row in run_query('show tblproperties ' ~ relation).rows
        if row[0] == 'creatorlake.incremental_cutoff' -%}
        {{ return(row[1]) }}
    {%- endfor -%}
    {{ return(none) }}
{%- endmacro %}
