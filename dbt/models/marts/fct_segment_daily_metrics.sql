{{
    config(
        materialized='incremental',
        incremental_strategy='merge',
        unique_key='metric_date',
        incremental_predicates=[
            "DBT_INTERNAL_SOURCE.country_code <=> DBT_INTERNAL_DEST.country_code",
            "DBT_INTERNAL_SOURCE.category <=> DBT_INTERNAL_DEST.category",
            "DBT_INTERNAL_SOURCE.creator_tier <=> DBT_INTERNAL_DEST.creator_tier",
        ],
        on_schema_change='fail',
        meta={'lookback_column': 'metric_date'},
    )
}}
-- METRICS sections 5 and 6: every metric per UTC day for every segment (each
-- subset of country_code, category, creator_tier; null = all), over a complete
-- spine of existing segments x podcast-window days. The merge key is
-- metric_date plus the three segment columns compared null-safely (<=>),
-- because null is a real key value here ("all").
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
        coalesce(country_code, 'unknown') as country_code,
        coalesce(category, 'unknown') as category,
        coalesce(creator_tier, 'unknown') as creator_tier
    from creators

),

segments as (

    select
        country_code,
        category,
        creator_tier
    from creator_segments
    group by cube(country_code, category, creator_tier)

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
        creator_segments.country_code,
        creator_segments.category,
        creator_segments.creator_tier
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
        country_code,
        category,
        creator_tier,
        {{ podcast_raw_aggregates(kinds=('count', 'money')) }}
    from activity
    group by
        activity_date,
        creator_id,
        country_code,
        category,
        creator_tier

),

segment_sums as (

    select
        activity_date as metric_date,
        country_code,
        category,
        creator_tier,
        {{ podcast_raw_aggregates(kinds=('count', 'money', 'total')) }}
    from creator_daily
    group by
        activity_date,
        cube(country_code, category, creator_tier)

),

-- Distinct listeners and paying patrons, each counted on its own over its ids
-- made distinct per finest segment first: one distinct count per cube keeps
-- Spark from expanding every activity row once per distinct column.
{% for column, source in [('active_listeners', 'listening_listener_id'), ('paying_patrons', 'paying_patron_id')] %}
segment_{{ column }} as (

    select
        activity_date as metric_date,
        country_code,
        category,
        creator_tier,
        cast(count(distinct {{ source }}) as bigint) as {{ column }}
    from (
        select distinct
            activity_date,
            country_code,
            category,
            creator_tier,
            {{ source }}
        from activity
        where {{ source }} is not null
    ) as finest
    group by
        activity_date,
        cube(country_code, category, creator_tier)

),

{% endfor %}
segment_daily as (

    select
        segment_sums.*,
        segment_active_listeners.active_listeners,
        segment_paying_patrons.paying_patrons
    from segment_sums
    left join segment_active_listeners
        on {{ same_segment_day('segment_sums', 'segment_active_listeners') }}
    left join segment_paying_patrons
        on {{ same_segment_day('segment_sums', 'segment_paying_patrons') }}

),

spine as (

    select
        dates.metric_date,
        segments.country_code,
        segments.category,
        segments.creator_tier
    from dates
    cross join segments

),

filled as (

    select
        spine.metric_date,
        spine.country_code,
        spine.category,
        spine.creator_tier,
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
