with

listeners as (

    select * from {{ ref('stg_listeners') }}

),

patrons as (

    select * from {{ ref('stg_patrons') }}

),

final as (

    select
        listeners.listener_id,
        listeners.region,
        listeners.country_code,
        listeners.platform,
        patrons.patron_id,
        patrons.patron_id is not null as is_patron,
        listeners.signup_ts,
        listeners.signup_date
    from listeners
    left join patrons
        on listeners.listener_id = patrons.listener_id

)

select * from final
