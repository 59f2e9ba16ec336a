{{
    config(
        materialized='incremental',
        incremental_strategy='merge',
        unique_key=['ad_date', 'episode_id'],
        partition_by=['ad_date'],
        on_schema_change='fail',
    )
}}
-- Seed A's fct_ads: daily ad delivery per episode.
with

ads as (

    select * from {{ ref('stg_ad_impressions') }}
    {% if is_incremental() %}
    where ad_date >= {{ incremental_cutoff('ad_date') }}
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
