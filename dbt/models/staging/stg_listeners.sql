with

source as (

    {{ dedupe(source('bronze', 'listeners'), ['listener_id']) }}

),

renamed as (

    select
        -- ids
        listener_id,

        -- strings
        region,
        country_code,
        platform,

        -- timestamps
        signup_ts,
        cast(signup_ts as date) as signup_date,
        _ingested_at

    from source

)

select * from renamed
