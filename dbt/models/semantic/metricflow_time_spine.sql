-- The semantic layer's day spine (MetricFlow's time spine): one row per UTC day
-- of every month the creator-month spine covers, so it spans all the data.
with

creator_months as (

    select * from {{ ref('int_creator_months') }}

),

bounds as (

    select
        min(month_start_date) as first_date,
        last_day(max(month_start_date)) as last_date
    from creator_months

),

final as (

    select days.date_day
    from bounds
    lateral view explode(sequence(bounds.first_date, bounds.last_date, interval 1 day)) days as date_day

)

select * from final
