{#-
    The podcast metrics of a period, as the metric catalog declares them
    (metric_catalog.sql, generated from creatorlake.metrics.catalog).
    `podcast_raw_aggregates` turns rows of int_podcast_activity into the raw
    columns of a period (counts bigint, money decimal(18,2)); `podcast_ratios`
    derives every ratio from those raw columns, unrounded, so
        ad_revenue_usd           = listens * ad_load * fill_rate * cpm / 1000
        subscription_revenue_usd = active_listeners * sub_conversion * arppu_usd
    hold row by row. A 0 denominator gives null.
-#}

{#-
    The raw columns, in output order: (column, kind, source). `count` and
    `money` are sums, so they can be summed again at a coarser grain; `distinct`
    counts distinct ids; `total` is the North Star, the sum of the three streams.
-#}
{% macro podcast_raw_spec() -%}
    {{ return(metric_catalog_raw()) }}
{%- endmacro %}

{#- The raw aggregates of the given kinds (all by default), in spec order. -#}
{% macro podcast_raw_aggregates(kinds=('count', 'money', 'distinct', 'total')) -%}
    {%- set rendered = [] -%}
    {%- for column, kind, source in podcast_raw_spec() if kind in kinds -%}
        {%- if kind == 'count' -%}
            {%- do rendered.append(zero_if_null('sum(' ~ source ~ ')') ~ ' as ' ~ column) -%}
        {%- elif kind == 'money' -%}
            {%- do rendered.append(money('coalesce(sum(' ~ source ~ '), 0)') ~ ' as ' ~ column) -%}
        {%- elif kind == 'distinct' -%}
            {%- do rendered.append('cast(count(distinct ' ~ source ~ ') as bigint) as ' ~ column) -%}
        {%- else -%}
            {%- set summed = [] -%}
            {%- for part in source -%}
                {%- do summed.append('coalesce(sum(' ~ part ~ '), 0)') -%}
            {%- endfor -%}
            {%- do rendered.append(money(summed | join(' + ')) ~ ' as ' ~ column) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ rendered | join(',\n        ') }}
{%- endmacro %}

{% macro podcast_raw_columns() -%}
    {{ return(podcast_raw_spec() | map(attribute=0) | list) }}
{%- endmacro %}

{% macro podcast_ratio_columns() -%}
    {{ return(metric_catalog_ratios() | map(attribute=0) | list) }}
{%- endmacro %}

{#- Every ratio of the catalog over the raw columns (each prefixed with `prefix`). -#}
{% macro podcast_ratios(prefix='') -%}
    {%- set rendered = [] -%}
    {%- for column, numerator, denominator, scale in metric_catalog_ratios() -%}
        {%- set scaled = (scale ~ ' * ' if scale != 1 else '') ~ prefix ~ numerator -%}
        {%- do rendered.append(safe_divide(scaled, prefix ~ denominator) ~ ' as ' ~ column) -%}
    {%- endfor -%}
    {{ rendered | join(',\n        ') }}
{%- endmacro %}

{#-
    One row of int_podcast_activity: every contribution column in a fixed order,
    each a typed zero (or a null id) unless the source row carries it, so the
    union of the sources lines up column by column.
-#}
{% macro podcast_activity_row(carried) -%}
    {%- set neutral = {
        'listens': '0',
        'completed_listens': '0',
        'listening_listener_id': 'cast(null as string)',
        'ad_opportunities': 'cast(0 as bigint)',
        'filled_impressions': 'cast(0 as bigint)',
        'ad_revenue_usd': 'cast(0 as decimal(18, 2))',
        'subscription_revenue_usd': 'cast(0 as decimal(18, 2))',
        'paying_patron_id': 'cast(null as string)',
        'partner_payout_usd': 'cast(0 as decimal(18, 2))',
        'follows': '0',
        'shares': '0',
        'comments': '0',
        'spam_comments': '0',
        'removed_comments': '0',
        'negative_feedback': '0',
        'listeners_at_risk': 'cast(0 as bigint)',
        'churned_listeners': 'cast(0 as bigint)',
        'pledges_at_risk': 'cast(0 as bigint)',
        'churned_pledges': 'cast(0 as bigint)',
        'episodes_published': '0',
    } -%}
    {%- for column in carried if column not in neutral -%}
        {{ exceptions.raise_compiler_error("podcast_activity_row: unknown column " ~ column) }}
    {%- endfor -%}
    {%- for column, zero in neutral.items() %}
        {{ carried.get(column, zero) }} as {{ column }}{{ "," if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#-
    The raw columns of int_podcast_activity rows grouped by `keys` (columns of
    `relation`), as a query: the sums in one aggregation and each distinct count
    in its own, joined on the keys. One aggregation holding two count(distinct)
    makes Spark expand every input row once per distinct column (~30M rows x 3
    at the default scale, spilling); a lone count(distinct) aggregates in two
    cheap phases instead. `extra` aggregates ({name: expression}) come after
    the raw columns.
-#}
{% macro podcast_raw_query(relation, keys, extra={}) -%}
    {%- set distinct_columns = [] -%}
    {%- for column, kind, source in podcast_raw_spec() if kind == 'distinct' -%}
        {%- do distinct_columns.append((column, source)) -%}
    {%- endfor -%}
    select
        {% for key in keys -%}
        sums.{{ key }},
        {% endfor -%}
        {% for column, kind, source in podcast_raw_spec() -%}
        {% if kind == 'distinct' -%}
        coalesce({{ column }}.{{ column }}, cast(0 as bigint)) as {{ column }}
        {%- else -%}
        sums.{{ column }}
        {%- endif %}{{ ',' if not loop.last }}
        {% endfor -%}
        {% for name in extra -%}
        , sums.{{ name }}
        {% endfor -%}
    from (
        select
            {{ keys | join(', ') }},
            {{ podcast_raw_aggregates(kinds=('count', 'money', 'total')) }}
            {%- for name, expression in extra.items() %},
            {{ expression }} as {{ name }}
            {%- endfor %}
        from {{ relation }}
        group by {{ keys | join(', ') }}
    ) as sums
    {% for column, source in distinct_columns -%}
    left join (
        select
            {{ keys | join(', ') }},
            cast(count(distinct {{ source }}) as bigint) as {{ column }}
        from {{ relation }}
        where {{ source }} is not null
        group by {{ keys | join(', ') }}
    ) as {{ column }}
        on {% for key in keys %}sums.{{ key }} <=> {{ column }}.{{ key }}{{ ' and ' if not loop.last }}{% endfor %}
    {% endfor -%}
{%- endmacro %}

{#-
    int_podcast_activity's raw columns per creator and calendar period (`grain`
    week or month, keyed by `<grain>_start_date`), for the weekly and monthly
    marts. Incremental by whole periods: int_podcast_activity re-reads every day
    from its newest day minus lookback_days, so a run recomputes every period from
    the one holding that day (last_activity_date keeps the newest day seen) and
    overwrites those period partitions. A mart above then joins a few thousand
    rows instead of aggregating every listen ever made. `where` limits the
    activity rows (the weekly mart counts only days inside the podcast window).
-#}
{% macro podcast_period_rollup(grain, where=none) -%}
    {%- set period_start = {'week': week_start, 'month': month_start}[grain] -%}
    {%- set period_column = grain ~ '_start_date' -%}
    {%- set cutoff = incremental_cutoff('last_activity_date') if is_incremental() else none -%}
with

podcast_activity as (

    select
        *,
        {{ period_start('activity_date') }} as {{ period_column }}
    from {{ ref('int_podcast_activity') }}
    {{ where_on_or_after('activity_date', period_start(cutoff) if cutoff else none) }}

),

counted_activity as (

    select podcast_activity.*
    from podcast_activity
    {%- if where %}
    cross join {{ ref('int_podcast_window') }} as podcast_window  -- for `where`
    where {{ where }}
    {%- endif %}

),

final as (

    {{ podcast_raw_query('counted_activity', ['creator_id', period_column], extra={'last_activity_date': 'max(activity_date)'}) }}

)

select * from final
{%- endmacro %}
