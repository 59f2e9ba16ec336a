-- The partner program's lifecycle rows, with each creator's
-- eligibility time so every stage's delay is at hand.
with

partner_program as (

    select * from {{ ref('stg_partner_program') }}

),

eligibility as (

    select
        creator_id,
        min(lifecycle_ts) as eligible_at
    from partner_program
    where partner_status = 'eligible'
    group by creator_id

),

final as (

    select
        partner_program.partner_event_id,
        partner_program.creator_id,
        partner_program.partner_status,
        partner_program.stage_order,
        partner_program.rejection_reason,
        partner_program.payout_usd,
        round(
            (unix_timestamp(partner_program.lifecycle_ts) - unix_timestamp(eligibility.eligible_at)) / 86400.0,
            2
        ) as days_since_eligible,
        partner_program.lifecycle_ts,
        partner_program.lifecycle_date,
        partner_program.lifecycle_week
    from partner_program
    left join eligibility
        on partner_program.creator_id = eligibility.creator_id

)

select * from final
