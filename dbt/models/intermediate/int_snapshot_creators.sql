{{ config(materialized='view') }}
-- What snp_creators records of a creator: the attributes that change, not the
-- staging fields computed as of now (account age), which a version would freeze.
with

creators as (

    select * from {{ ref('stg_creators') }}

),

final as (

    select
        -- ids
        creator_id,

        -- strings
        creator_name,
        category,
        country_code,
        plan_type,
        creator_tier,
        creator_status,

        -- booleans
        is_verified,

        -- timestamps
        created_at,
        updated_at

    from creators

)

select * from final
