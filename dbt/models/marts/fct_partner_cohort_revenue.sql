-- Creator revenue in weeks 0-12 after partner-program activation, per
-- activation cohort (the Monday week of the first `active` row).
with

partner_program as (

    select * from {{ ref('fct_partner_program') }}

),

weekly_revenue as (

    select * from {{ ref('fct_creator_weekly_revenue') }}

),

activations as (

    select
        creator_id,
        {{ week_start('min(lifecycle_ts)') }} as cohort_week_start_date
    from partner_program
    where partner_status = 'active'
    group by creator_id

),

week_offsets as (

    select explode(sequence(0, 12)) as weeks_since_activation

),

cohort_sizes as (

    select
        cohort_week_start_date,
        count(*) as cohort_creators
    from activations
    group by cohort_week_start_date

),

creator_weeks as (

    select
        activations.creator_id,
        activations.cohort_week_start_date,
        week_offsets.weeks_since_activation,
        date_add(activations.cohort_week_start_date, 7 * week_offsets.weeks_since_activation) as week_start_date
    from activations
    cross join week_offsets

),

observed as (

    select
        creator_weeks.cohort_week_start_date,
        creator_weeks.weeks_since_activation,
        count(weekly_revenue.creator_id) as creators_observed,
        sum(weekly_revenue.creator_revenue_usd) as creator_revenue_usd,
        sum(weekly_revenue.ad_revenue_usd) as ad_revenue_usd,
        sum(weekly_revenue.subscription_revenue_usd) as subscription_revenue_usd,
        sum(weekly_revenue.partner_payout_usd) as partner_payout_usd
    from creator_weeks
    left join weekly_revenue
        on creator_weeks.creator_id = weekly_revenue.creator_id
        and creator_weeks.week_start_date = weekly_revenue.week_start_date
    group by
        creator_weeks.cohort_week_start_date,
        creator_weeks.weeks_since_activation

),

final as (

    select
        observed.cohort_week_start_date,
        observed.weeks_since_activation,
        cast(cohort_sizes.cohort_creators as bigint) as cohort_creators,
        cast(observed.creators_observed as bigint) as creators_observed,
        {{ money('coalesce(observed.creator_revenue_usd, 0)') }} as creator_revenue_usd,
        {{ money('coalesce(observed.ad_revenue_usd, 0)') }} as ad_revenue_usd,
        {{ money('coalesce(observed.subscription_revenue_usd, 0)') }} as subscription_revenue_usd,
        {{ money('coalesce(observed.partner_payout_usd, 0)') }} as partner_payout_usd,
        round({{ safe_divide('observed.creator_revenue_usd', 'observed.creators_observed') }}, 2) as avg_creator_revenue_usd
    from observed
    inner join cohort_sizes
        on observed.cohort_week_start_date = cohort_sizes.cohort_week_start_date
    -- weeks that lie after the data (no creator observed) are not shown as zeros
    where observed.creators_observed > 0

)

select * from final
