{{ config(**date_partitioned_incremental('ad_date')) }}
-- A table recomputed by whole days, for the same reasons as stg_events.
with

source as (

    {{ dedupe(
        source('bronze', 'ad_impressions'),
        ['ad_date', 'episode_id'],
        where='ad_date >= ' ~ incremental_cutoff() if is_incremental() else none,
    ) }}

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
