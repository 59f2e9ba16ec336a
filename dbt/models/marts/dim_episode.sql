with

episodes as (

    select * from {{ ref('stg_episodes') }}

),

final as (

    select
        episode_id,
        show_id,
        creator_id,
        episode_title,
        access_level,
        duration_s,
        has_comments_enabled,
        publish_ts,
        publish_date,
        publish_week
    from episodes

)

select * from final
