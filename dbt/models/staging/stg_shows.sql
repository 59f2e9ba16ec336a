with

source as (

    {{ dedupe(source('bronze', 'shows'), ['show_id']) }}

),

renamed as (

    select
        -- ids
        show_id,
        creator_id,

        -- strings
        show_name,
        category as show_category,
        language,

        -- timestamps
        created_at,
        _ingested_at

    from source

)

select * from renamed
