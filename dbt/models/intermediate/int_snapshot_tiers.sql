{{ config(materialized='view') }}
-- What snp_tiers records of a tier (all of stg_tiers but its description and lineage).
with

tiers as (

    select * from {{ ref('stg_tiers') }}

),

final as (

    select
        -- ids
        tier_id,
        creator_id,

        -- strings
        tier_name,

        -- numerics
        tier_rank,
        price_usd,

        -- booleans
        is_active,

        -- timestamps
        created_at,
        archived_at,
        updated_at

    from tiers

)

select * from final
