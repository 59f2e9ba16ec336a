-- The Partner Program funnel: one row per stage (eligible -> applied ->
-- approved -> active -> payout, then rejected), with the creators who reached
-- it, stage-to-stage conversion, days from eligibility (percentiles) and the
-- creators who stopped there.
with

partner_program as (

    select * from {{ ref('fct_partner_program') }}

),

stages as (

    select
        stage,
        stage_order
    from values
        ('eligible', 1),
        ('applied', 2),
        ('approved', 3),
        ('active', 4),
        ('payout', 5),
        ('rejected', 6)
        as stages(stage, stage_order)

),

creator_stages as (

    select
        creator_id,
        partner_status as stage,
        min(days_since_eligible) as days_since_eligible
    from partner_program
    group by
        creator_id,
        partner_status

),

reached as (

    select
        stage,
        count(distinct creator_id) as creators_reached,
        percentile_approx(cast(days_since_eligible as double), 0.5) as median_days_from_eligible,
        percentile_approx(cast(days_since_eligible as double), 0.25) as p25_days_from_eligible,
        percentile_approx(cast(days_since_eligible as double), 0.75) as p75_days_from_eligible,
        percentile_approx(cast(days_since_eligible as double), 0.9) as p90_days_from_eligible
    from creator_stages
    group by stage

),

furthest as (

    select
        creator_id,
        max(case when stage != 'rejected' then stage_order end) as furthest_stage_order,
        max(case when stage = 'rejected' then 1 else 0 end) as was_rejected
    from creator_stages
    inner join stages
        using (stage)
    group by creator_id

),

stopped as (

    select
        stages.stage,
        count(distinct furthest.creator_id) as creators_stopped_here
    from furthest
    inner join stages
        on furthest.furthest_stage_order = stages.stage_order
    where furthest.furthest_stage_order < 5
    group by stages.stage

),

joined as (

    select
        stages.stage,
        stages.stage_order,
        {{ zero_if_null('reached.creators_reached') }} as creators_reached,
        {{ zero_if_null('stopped.creators_stopped_here') }} as creators_stopped_here,
        reached.median_days_from_eligible,
        reached.p25_days_from_eligible,
        reached.p75_days_from_eligible,
        reached.p90_days_from_eligible
    from stages
    left join reached
        on stages.stage = reached.stage
    left join stopped
        on stages.stage = stopped.stage

),

final as (

    select
        stage,
        stage_order,
        creators_reached,
        case
            when stage = 'rejected' then max(case when stage = 'applied' then creators_reached end) over ()
            else lag(creators_reached) over (order by stage_order)
        end as previous_stage_creators,
        {{ safe_pct(
            'creators_reached',
            "case when stage = 'rejected' then max(case when stage = 'applied' then creators_reached end) over () else lag(creators_reached) over (order by stage_order) end"
        ) }} as stage_conversion_pct,
        {{ safe_pct('creators_reached', "max(case when stage = 'eligible' then creators_reached end) over ()") }} as conversion_from_eligible_pct,
        creators_stopped_here,
        median_days_from_eligible,
        p25_days_from_eligible,
        p75_days_from_eligible,
        p90_days_from_eligible
    from joined

)

select * from final
