-- One row per change of a creator's plan, size tier or status, from the
-- creators' snapshot: when it happened and the values before and after.
with

versions as (

    select * from {{ ref('snp_creators') }}

),

compared as (

    select
        creator_id,
        dbt_valid_from,
        plan_type,
        creator_tier,
        creator_status,
        lag(plan_type) over (partition by creator_id order by dbt_valid_from) as previous_plan_type,
        lag(creator_tier) over (partition by creator_id order by dbt_valid_from) as previous_creator_tier,
        lag(creator_status) over (partition by creator_id order by dbt_valid_from) as previous_creator_status,
        row_number() over (partition by creator_id order by dbt_valid_from) as version_number

    from versions

),

flagged as (

    select
        *,
        version_number > 1 and not (plan_type <=> previous_plan_type) as is_plan_change,
        version_number > 1 and not (creator_tier <=> previous_creator_tier) as is_creator_tier_change,
        version_number > 1 and not (creator_status <=> previous_creator_status) as is_status_change

    from compared

),

final as (

    select
        -- ids
        creator_id,

        -- strings
        previous_plan_type as from_plan_type,
        plan_type as to_plan_type,
        previous_creator_tier as from_creator_tier,
        creator_tier as to_creator_tier,
        previous_creator_status as from_creator_status,
        creator_status as to_creator_status,

        -- booleans
        is_plan_change,
        is_creator_tier_change,
        is_status_change,

        -- timestamps
        dbt_valid_from as changed_at

    from flagged
    -- Versions that changed none of the three (a new post, say) are not changes here.
    where is_plan_change or is_creator_tier_change or is_status_change

)

select * from final
