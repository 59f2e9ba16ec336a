-- The generated podcast window: first to last day of listens and ad delivery.
with

event_days as (

    select
        min(event_date) as first_date,
        max(event_date) as last_date
    from {{ ref('stg_events') }}

),

ad_days as (

    select
        min(ad_date) as first_date,
        max(ad_date) as last_date
    from {{ ref('stg_ad_impressions') }}

),

final as (

    select
        least(event_days.first_date, ad_days.first_date) as window_start_date,
        greatest(event_days.last_date, ad_days.last_date) as window_end_date
    from event_days
    cross join ad_days

)

select * from final
