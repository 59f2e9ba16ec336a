{{ config(**date_partitioned_incremental('ad_date')) }}
-- Daily ad delivery per episode.
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
