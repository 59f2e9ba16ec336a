{{
    config(
        materialized='incremental',
        incremental_strategy='insert_overwrite',
        partition_by=['ad_date'],
        tblproperties=partitioned_table_properties(),
        on_schema_change='fail',
        meta={'lookback_column': 'ad_date'},
    )
}}
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
