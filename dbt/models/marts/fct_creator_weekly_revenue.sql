-- The North Star: weekly creator revenue by stream and RPM, with every podcast
-- metric of the catalog, per creator per Monday-start week of the podcast window
-- (weeks without activity included).
with

creators as (

    select * from {{ ref('stg_creators') }}

),

weekly_raw as (

    select * from {{ ref('int_creator_weekly_podcast') }}

),

podcast_window as (

    select * from {{ ref('int_podcast_window') }}

),

weeks as (

    select weeks.week_start_date
    from podcast_window
    lateral view explode(
        sequence(
            {{ week_start('podcast_window.window_start_date') }},
            {{ week_start('podcast_window.window_end_date') }},
            interval 7 day
        )
    ) weeks as week_start_date

),

creator_weeks as (

    select
        creators.creator_id,
        weeks.week_start_date
    from creators
    cross join weeks
    where weeks.week_start_date >= {{ week_start('creators.created_at') }}

),

filled as (

    select
        creator_weeks.creator_id,
        creator_weeks.week_start_date,
        {% for column in podcast_raw_columns() -%}
        {% if column.endswith('_usd') -%}
        coalesce(weekly_raw.{{ column }}, cast(0 as decimal(18, 2))) as {{ column }}{{ ',' if not loop.last }}
        {%- else -%}
        coalesce(weekly_raw.{{ column }}, cast(0 as bigint)) as {{ column }}{{ ',' if not loop.last }}
        {%- endif %}
        {% endfor %}
    from creator_weeks
    left join weekly_raw
        on creator_weeks.creator_id = weekly_raw.creator_id
        and creator_weeks.week_start_date = weekly_raw.week_start_date

),

final as (

    select
        filled.creator_id,
        creators.country_code,
        creators.category,
        creators.creator_tier,
        filled.week_start_date,
        {% for column in podcast_raw_columns() -%}
        filled.{{ column }},
        {% endfor -%}
        {{ podcast_ratios('filled.') }},
        {{ money('filled.creator_revenue_usd - coalesce(lag(filled.creator_revenue_usd) over (partition by filled.creator_id order by filled.week_start_date), 0)') }} as creator_revenue_wow_change_usd
    from filled
    inner join creators
        on filled.creator_id = creators.creator_id

)

select * from final
