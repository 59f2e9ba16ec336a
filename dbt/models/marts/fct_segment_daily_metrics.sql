{{
    config(
        materialized='incremental',
        incremental_strategy='merge',
        unique_key='metric_date',
        incremental_predicates=segment_merge_predicates(),
        on_schema_change='fail',
        meta={'lookback_column': 'metric_date'},
    )
}}
-- Every catalog metric per UTC day for every segment (each subset of the
-- catalog's segment keys country_code, category, creator_tier; null = all),
-- over a complete spine of existing segments x podcast-window days. The merge
-- key is metric_date plus the segment keys compared null-safely (<=>), because
-- null is a real key value here ("all").
{%- set segment_keys = metric_catalog_segment_keys() %}
with

creators as (

    select * from {{ ref('stg_creators') }}

),

podcast_activity as (

    select * from {{ ref('int_podcast_activity') }}

),

podcast_window as (

    select * from {{ ref('int_podcast_window') }}

),

creator_segments as (

    select
        creator_id,
        {%- for key in segment_keys %}
        coalesce({{ key }}, 'unknown') as {{ key }}{{ ',' if not loop.last }}
        {%- endfor %}
    from creators

),

segments as (

    select
        {{ segment_columns() }}
    from creator_segments
    group by cube({{ segment_columns() }})

),

dates as (

    select dates.metric_date
    from podcast_window
    lateral view explode(
        sequence(podcast_window.window_start_date, podcast_window.window_end_date, interval 1 day)
    ) dates as metric_date
    {% if is_incremental() %}
    where dates.metric_date >= {{ incremental_cutoff() }}
    {% endif %}

),

activity as (

    select
        podcast_activity.*,
        {{ segment_columns('creator_segments') }}
    from podcast_activity
    inner join creator_segments
        on podcast_activity.creator_id = creator_segments.creator_id
    inner join podcast_window
        on podcast_activity.activity_date between podcast_window.window_start_date and podcast_window.window_end_date
    {% if is_incremental() %}
    where podcast_activity.activity_date >= {{ incremental_cutoff() }}
    {% endif %}

),

-- The sums first per creator and day, so the cube below reads one row per
-- creator-day instead of one per activity row.
creator_daily as (

    select
        activity_date,
        {{ segment_columns() }},
        {{ podcast_raw_aggregates(kinds=('count', 'money')) }}
    from activity
    group by
        activity_date,
        creator_id,
        {{ segment_columns() }}

),

segment_sums as (

    select
        activity_date as metric_date,
        {{ segment_columns() }},
        {{ podcast_raw_aggregates(kinds=('count', 'money', 'total')) }}
    from creator_daily
    group by
        activity_date,
        cube({{ segment_columns() }})

),

-- Distinct listeners and paying patrons per segment-day. A cube of
-- count(distinct) would expand every (day, finest segment, id) row once per
-- grouping set and shuffle them all (tens of millions x 8 at the default
-- scale). Instead each id's finest segments of the day are gathered once, every
-- segment they roll up to is listed once per id (segment_rollups), and those
-- are plainly counted: an id counts once in each segment it touched that day.
{% for column, kind, source in podcast_raw_spec() if kind == 'distinct' %}
{{ column }}_finest_segments as (

    select
        activity_date,
        collect_set({{ segment_struct() }}) as finest_segments
    from activity
    where {{ source }} is not null
    group by
        activity_date,
        {{ source }}

),

segment_{{ column }} as (

    select
        activity_date as metric_date,
        {%- for key in metric_catalog_segment_keys() %}
        rolled_up.segment.{{ key }},
        {%- endfor %}
        count(*) as {{ column }}
    from {{ column }}_finest_segments
    lateral view explode({{ segment_rollups('finest_segments') }}) rolled_up as segment
    group by
        activity_date,
        {%- for key in metric_catalog_segment_keys() %}
        rolled_up.segment.{{ key }}{{ ',' if not loop.last }}
        {%- endfor %}

),

{% endfor %}
segment_daily as (

    select
        segment_sums.*
        {%- for column, kind, source in podcast_raw_spec() if kind == 'distinct' %},
        segment_{{ column }}.{{ column }}
        {%- endfor %}
    from segment_sums
    {% for column, kind, source in podcast_raw_spec() if kind == 'distinct' -%}
    left join segment_{{ column }}
        on {{ same_segment_day('segment_sums', 'segment_' ~ column) }}
    {% endfor %}

),

spine as (

    select
        dates.metric_date,
        {{ segment_columns('segments') }}
    from dates
    cross join segments

),

filled as (

    select
        spine.metric_date,
        {{ segment_columns('spine') }},
        {% for column in podcast_raw_columns() -%}
        {% if column.endswith('_usd') -%}
        coalesce(segment_daily.{{ column }}, cast(0 as decimal(18, 2))) as {{ column }}{{ ',' if not loop.last }}
        {%- else -%}
        coalesce(segment_daily.{{ column }}, cast(0 as bigint)) as {{ column }}{{ ',' if not loop.last }}
        {%- endif %}
        {% endfor %}
    from spine
    left join segment_daily
        on {{ same_segment_day('spine', 'segment_daily') }}

),

final as (

    select
        *,
        {{ podcast_ratios() }}
    from filled

)

select * from final
