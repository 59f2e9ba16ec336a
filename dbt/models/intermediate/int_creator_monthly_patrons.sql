-- The creator-month patron and MRR columns per creator-month. A pledge that is
-- not declined is active on [started_at, stopped_at); stopped_at is the earlier
-- of ended_at and pause_started_at.
with

months as (

    select * from {{ ref('int_creator_months') }}

),

pledges as (

    select * from {{ ref('stg_pledges') }}

),

tiers as (

    select * from {{ ref('stg_tiers') }}

),

countable_pledges as (

    select
        pledges.pledge_id,
        pledges.patron_id,
        pledges.creator_id,
        pledges.pledge_amount_usd,
        pledges.started_at,
        pledges.stopped_at,
        tiers.tier_rank
    from pledges
    left join tiers
        on pledges.tier_id = tiers.tier_id
    where pledges.pledge_status != 'declined'

),

pledge_months as (

    select
        months.creator_id,
        months.month_start_date,
        countable_pledges.patron_id,
        countable_pledges.pledge_amount_usd,
        countable_pledges.tier_rank,
        (
            countable_pledges.stopped_at is null
            or countable_pledges.stopped_at >= months.month_end_at
        ) as is_active_at_end
    from months
    inner join countable_pledges
        on months.creator_id = countable_pledges.creator_id
        and countable_pledges.started_at < months.month_end_at
        and (
            countable_pledges.stopped_at is null
            or countable_pledges.stopped_at > months.month_start_at
        )

),

active_stats as (

    select
        creator_id,
        month_start_date,
        count(distinct case when is_active_at_end then patron_id end) as active_patrons,
        count(distinct patron_id) as total_patrons,
        sum(case when is_active_at_end then pledge_amount_usd else 0 end) as gross_mrr_usd,
        sum(case when is_active_at_end then 1 else 0 end) as active_pledges,
        count(distinct case when is_active_at_end and tier_rank = 1 then patron_id end) as tier_1_patrons,
        count(distinct case when is_active_at_end and tier_rank = 2 then patron_id end) as tier_2_patrons,
        count(distinct case when is_active_at_end and tier_rank >= 3 then patron_id end) as tier_3_plus_patrons
    from pledge_months
    group by
        creator_id,
        month_start_date

),

active_at_end as (

    select distinct
        creator_id,
        month_start_date,
        patron_id
    from pledge_months
    where is_active_at_end

),

first_pledges as (

    select
        creator_id,
        patron_id,
        {{ month_start('min(started_at)') }} as first_pledge_month
    from countable_pledges
    group by
        creator_id,
        patron_id

),

new_patrons as (

    select
        creator_id,
        first_pledge_month as month_start_date,
        count(distinct patron_id) as new_patrons
    from first_pledges
    group by
        creator_id,
        first_pledge_month

),

new_mrr as (

    select
        creator_id,
        {{ month_start('started_at') }} as month_start_date,
        sum(pledge_amount_usd) as new_mrr_usd
    from countable_pledges
    group by
        creator_id,
        {{ month_start('started_at') }}

),

churned_pledges as (

    select
        creator_id,
        patron_id,
        pledge_amount_usd,
        {{ month_start('ended_at') }} as month_start_date
    from pledges
    where pledge_status = 'churned'
        and ended_at is not null

),

churned_mrr as (

    select
        creator_id,
        month_start_date,
        sum(pledge_amount_usd) as churned_mrr_usd
    from churned_pledges
    group by
        creator_id,
        month_start_date

),

churned_patrons as (

    select
        churned_pledges.creator_id,
        churned_pledges.month_start_date,
        count(distinct churned_pledges.patron_id) as churned_patrons
    from churned_pledges
    left join active_at_end
        on churned_pledges.creator_id = active_at_end.creator_id
        and churned_pledges.month_start_date = active_at_end.month_start_date
        and churned_pledges.patron_id = active_at_end.patron_id
    where active_at_end.patron_id is null
    group by
        churned_pledges.creator_id,
        churned_pledges.month_start_date

),

joined as (

    select
        months.creator_id,
        months.month_start_date,
        {{ zero_if_null('active_stats.active_patrons') }} as active_patrons,
        {{ zero_if_null('active_stats.total_patrons') }} as total_patrons,
        {{ zero_if_null('new_patrons.new_patrons') }} as new_patrons,
        {{ zero_if_null('churned_patrons.churned_patrons') }} as churned_patrons,
        {{ money('coalesce(active_stats.gross_mrr_usd, 0)') }} as gross_mrr_usd,
        {{ money('coalesce(new_mrr.new_mrr_usd, 0)') }} as new_mrr_usd,
        {{ money('coalesce(churned_mrr.churned_mrr_usd, 0)') }} as churned_mrr_usd,
        {{ zero_if_null('active_stats.active_pledges') }} as active_pledges,
        {{ zero_if_null('active_stats.tier_1_patrons') }} as tier_1_patrons,
        {{ zero_if_null('active_stats.tier_2_patrons') }} as tier_2_patrons,
        {{ zero_if_null('active_stats.tier_3_plus_patrons') }} as tier_3_plus_patrons
    from months
    left join active_stats
        on months.creator_id = active_stats.creator_id
        and months.month_start_date = active_stats.month_start_date
    left join new_patrons
        on months.creator_id = new_patrons.creator_id
        and months.month_start_date = new_patrons.month_start_date
    left join new_mrr
        on months.creator_id = new_mrr.creator_id
        and months.month_start_date = new_mrr.month_start_date
    left join churned_mrr
        on months.creator_id = churned_mrr.creator_id
        and months.month_start_date = churned_mrr.month_start_date
    left join churned_patrons
        on months.creator_id = churned_patrons.creator_id
        and months.month_start_date = churned_patrons.month_start_date

),

with_previous as (

    select
        *,
        coalesce(lag(active_patrons) over (partition by creator_id order by month_start_date), 0) as previous_active_patrons,
        coalesce(lag(gross_mrr_usd) over (partition by creator_id order by month_start_date), 0) as previous_gross_mrr_usd
    from joined

),

final as (

    select
        creator_id,
        month_start_date,
        active_patrons,
        total_patrons,
        new_patrons,
        churned_patrons,
        new_patrons - churned_patrons as net_patron_change,
        {{ safe_pct('churned_patrons', 'previous_active_patrons') }} as patron_churn_rate_pct,
        gross_mrr_usd,
        new_mrr_usd,
        churned_mrr_usd,
        {{ money('gross_mrr_usd - previous_gross_mrr_usd') }} as mrr_change_usd,
        {{ safe_pct('gross_mrr_usd - previous_gross_mrr_usd', 'previous_gross_mrr_usd') }} as mrr_growth_rate_pct,
        tier_1_patrons,
        tier_2_patrons,
        tier_3_plus_patrons,
        active_pledges,
        round({{ safe_divide('gross_mrr_usd', 'active_pledges') }}, 2) as avg_pledge_amount_usd
    from with_previous

)

select * from final
