-- One row per change of a membership tier's price, from the tiers' snapshot:
-- when it happened, the price before and after.
with

versions as (

    select * from {{ ref('snp_tiers') }}

),

compared as (

    select
        tier_id,
        creator_id,
        tier_name,
        tier_rank,
        dbt_valid_from,
        price_usd,
        lag(price_usd) over (partition by tier_id order by dbt_valid_from) as previous_price_usd,
        row_number() over (partition by tier_id order by dbt_valid_from) as version_number

    from versions

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
        previous_price_usd as old_price_usd,
        price_usd as new_price_usd,
        price_usd - previous_price_usd as price_change_usd,
        {{ safe_pct('price_usd - previous_price_usd', 'previous_price_usd') }} as price_change_pct,

        -- timestamps
        dbt_valid_from as changed_at

    from compared
    where version_number > 1
        and not (price_usd <=> previous_price_usd)

)

select * from final
