{{ config(materialized='view', meta={'lookback_column': 'ad_date', 'rows_of': 'stg_ad_impressions'}) }}
-- Daily ad delivery per episode, with its fill rate.
-- A view over silver's stg_ad_impressions, the one materialization of the ad
-- stream; a reader's date filter prunes its partitions through the view.
with

ads as (

    select * from {{ ref('stg_ad_impressions') }}

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
