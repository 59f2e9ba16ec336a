with

source as (

    {{ dedupe(source('bronze', 'tiers'), ['tier_id']) }}

),

renamed as (

    select
        -- ids
        tier_id,
        creator_id,

        -- strings
        tier_name,
        description as tier_description,

        -- numerics
        tier_rank,
        price_usd,

        -- booleans
        is_active,

        -- timestamps
        created_at,
        archived_at,
        -- A file without updated_at: its landing time stands in.
        coalesce(updated_at, _ingested_at) as updated_at,
        _ingested_at

    from source

)

select * from renamed
