-- Feature mart for Podcast Comments: per episode, whether comments were on,
-- its listens, listeners, follows and the listeners' 7-day return rate (share
-- of the episode's listeners who listen to any episode of the same creator
-- again within 7 days after their first listen to this one).
with

episodes as (

    select * from {{ ref('stg_episodes') }}

),

events as (

    select * from {{ ref('fct_events') }}

),

first_listens as (

    select * from {{ ref('int_episode_first_listens') }}

),

episode_listeners as (

    select
        episode_id,
        count(listener_id) as listeners,
        sum(case when has_returned_7d then 1 else 0 end) as returning_listeners_7d
    from first_listens
    group by episode_id

),

episode_events as (

    select
        episode_id,
        sum(case when is_listen then 1 else 0 end) as listens,
        sum(case when event_type = 'follow' then 1 else 0 end) as follows,
        sum(case when event_type = 'comment' then 1 else 0 end) as comments
    from events
    group by episode_id

),

final as (

    select
        episodes.episode_id,
        episodes.show_id,
        episodes.creator_id,
        episodes.has_comments_enabled,
        episodes.publish_date,
        episodes.publish_week,
        {{ zero_if_null('episode_events.listens') }} as listens,
        {{ zero_if_null('episode_listeners.listeners') }} as listeners,
        {{ zero_if_null('episode_events.follows') }} as follows,
        {{ zero_if_null('episode_events.comments') }} as comments,
        {{ zero_if_null('episode_listeners.returning_listeners_7d') }} as returning_listeners_7d,
        {{ safe_divide('episode_listeners.returning_listeners_7d', 'episode_listeners.listeners') }} as listener_7d_return_rate,
        {{ safe_divide('episode_events.follows', 'episode_listeners.listeners') }} as follows_per_listener
    from episodes
    left join episode_events
        on episodes.episode_id = episode_events.episode_id
    left join episode_listeners
        on episodes.episode_id = episode_listeners.episode_id

)

select * from final
