-- Partner Program drop-off reasons: rejected applications by reason.
with

partner_program as (

    select * from {{ ref('fct_partner_program') }}

),

rejections as (

    select
        coalesce(rejection_reason, 'unknown') as rejection_reason,
        count(distinct creator_id) as creators_rejected
    from partner_program
    where partner_status = 'rejected'
    group by coalesce(rejection_reason, 'unknown')

),

final as (

    select
        rejection_reason,
        cast(creators_rejected as bigint) as creators_rejected,
        {{ safe_pct('creators_rejected', 'sum(creators_rejected) over ()') }} as share_of_rejections_pct
    from rejections

)

select * from final
