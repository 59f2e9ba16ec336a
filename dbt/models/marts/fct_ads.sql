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
-- Seed A's fct_ads: daily ad delivery per episode.
-- Incremental by whole days: the run recomputes every day from the lookback
-- cutoff on and overwrites those date partitions, which replaces each key's row
-- (as a merge on the key would) and also drops rows bronze no longer has.
with

ads as (

    select * from {{ ref('stg_ad_impressions') }}
    {% if is_incremental() %}
    where ad_date >= {{ incremental_cutoff() }}
    {% endif %}

),

final as (

    select
        ad_date,
        episode_id,
        show_id,
        creator_id,
        impressions,
        filled_impressions,
        cpm_used,
        revenue_usd,
        {{ safe_divide('filled_impressions', 'impressions') }} as fill_rate,
        ad_ts
    from ads

)

select * from final
