with

shows as (

    select * from {{ ref('stg_shows') }}

),

episodes as (

    select * from {{ ref('stg_episodes') }}

),

episode_counts as (

    select
        show_id,
        count(*) as episodes,
        min(publish_ts) as first_episode_at,
        max(publish_ts) as last_episode_at
    from episodes
    group by show_id

),

final as (

    select
        shows.show_id,
        shows.creator_id,
        shows.show_name,
        shows.show_category as category,
        shows.language,
        {{ zero_if_null('episode_counts.episodes') }} as episodes,
        shows.created_at,
        episode_counts.first_episode_at,
        episode_counts.last_episode_at
    from shows
    left join episode_counts
        on shows.show_id = episode_counts.show_id

)

select * from final
