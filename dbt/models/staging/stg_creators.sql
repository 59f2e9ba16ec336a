with

source as (

    select * from {{ source('bronze', 'creators') }}

),

renamed as (

    select
        -- ids
        creator_id,

        -- strings
        creator_name,
        category as creator_category,
        subcategory,
        country_code,
        plan_type,
        creator_tier,
        status as creator_status,

        -- booleans
        is_nsfw,
        is_verified,

        -- timestamps
        created_at,
        join_date,
        _ingested_at

    from source

)

select * from renamed
