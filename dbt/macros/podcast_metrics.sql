{#-
    METRICS section 5. `podcast_raw_aggregates` turns rows of int_podcast_activity
    into the raw columns of a period (counts bigint, money decimal(18,2));
    `podcast_ratios` derives every ratio from those raw columns, unrounded, so
        ad_revenue_usd           = listens * ad_load * fill_rate * cpm / 1000
        subscription_revenue_usd = active_listeners * sub_conversion * arppu_usd
    hold row by row. A 0 denominator gives null.
-#}

{#-
    The raw columns, in output order: (column, kind, source column). `count` and
    `money` are sums, so they can be summed again at a coarser grain; `distinct`
    counts distinct ids; `total` is the North Star, the sum of the three streams.
-#}
{% macro podcast_raw_spec() -%}
    {{ return([
        ('listens', 'count', 'listens'),
        ('completed_listens', 'count', 'completed_listens'),
        ('active_listeners', 'distinct', 'listening_listener_id'),
        ('ad_opportunities', 'count', 'ad_opportunities'),
        ('filled_impressions', 'count', 'filled_impressions'),
        ('ad_revenue_usd', 'money', 'ad_revenue_usd'),
        ('subscription_revenue_usd', 'money', 'subscription_revenue_usd'),
        ('paying_patrons', 'distinct', 'paying_patron_id'),
        ('partner_payout_usd', 'money', 'partner_payout_usd'),
        ('creator_revenue_usd', 'total', none),
        ('follows', 'count', 'follows'),
        ('shares', 'count', 'shares'),
        ('comments', 'count', 'comments'),
        ('episodes_published', 'count', 'episodes_published'),
    ]) }}
{%- endmacro %}

{#- The raw aggregates of the given kinds (all by default), in spec order. -#}
{% macro podcast_raw_aggregates(kinds=('count', 'money', 'distinct', 'total')) -%}
    {%- set rendered = [] -%}
    {%- for column, kind, source in podcast_raw_spec() if kind in kinds -%}
        {%- if kind == 'count' -%}
            {%- do rendered.append('cast(coalesce(sum(' ~ source ~ '), 0) as bigint) as ' ~ column) -%}
        {%- elif kind == 'money' -%}
            {%- do rendered.append(money('coalesce(sum(' ~ source ~ '), 0)') ~ ' as ' ~ column) -%}
        {%- elif kind == 'distinct' -%}
            {%- do rendered.append('cast(count(distinct ' ~ source ~ ') as bigint) as ' ~ column) -%}
        {%- else -%}
            {%- do rendered.append(money('coalesce(sum(ad_revenue_usd), 0) + coalesce(sum(subscription_revenue_usd), 0) + coalesce(sum(partner_payout_usd), 0)') ~ ' as ' ~ column) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ rendered | join(',\n        ') }}
{%- endmacro %}

{% macro podcast_raw_columns() -%}
    {{ return(podcast_raw_spec() | map(attribute=0) | list) }}
{%- endmacro %}

{% macro podcast_ratio_columns() -%}
    {{ return(['completion_rate', 'ad_load', 'fill_rate', 'cpm', 'sub_conversion', 'arppu_usd', 'rpm',
               'follows_per_listener', 'shares_per_listener', 'comments_per_episode']) }}
{%- endmacro %}

{% macro podcast_ratios(prefix='') -%}
        {{ safe_divide(prefix ~ 'completed_listens', prefix ~ 'listens') }} as completion_rate,
        {{ safe_divide(prefix ~ 'ad_opportunities', prefix ~ 'listens') }} as ad_load,
        {{ safe_divide(prefix ~ 'filled_impressions', prefix ~ 'ad_opportunities') }} as fill_rate,
        {{ safe_divide('1000 * ' ~ prefix ~ 'ad_revenue_usd', prefix ~ 'filled_impressions') }} as cpm,
        {{ safe_divide(prefix ~ 'paying_patrons', prefix ~ 'active_listeners') }} as sub_conversion,
        {{ safe_divide(prefix ~ 'subscription_revenue_usd', prefix ~ 'paying_patrons') }} as arppu_usd,
        {{ safe_divide('1000 * ' ~ prefix ~ 'creator_revenue_usd', prefix ~ 'listens') }} as rpm,
        {{ safe_divide(prefix ~ 'follows', prefix ~ 'active_listeners') }} as follows_per_listener,
        {{ safe_divide(prefix ~ 'shares', prefix ~ 'active_listeners') }} as shares_per_listener,
        {{ safe_divide(prefix ~ 'comments', prefix ~ 'episodes_published') }} as comments_per_episode
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
