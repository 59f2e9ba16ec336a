with

source as (

    {{ dedupe(source('bronze', 'ad_impressions'), ['ad_date', 'episode_id']) }}

),

renamed as (

    select
        -- ids
        episode_id,
        show_id,
        creator_id,

        -- numerics
        impressions,
        filled_impressions,
        cpm_used,
        revenue_usd,

        -- timestamps
        ad_ts,
        ad_date,
        _ingested_at

    from source

)

select * from renamed
