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

listens as (

    select
        listener_id,
        creator_id,
        episode_id,
        event_ts
    from events
    where is_listen

),

first_listens as (

    select
        listener_id,
        creator_id,
        episode_id,
        min(event_ts) as first_listen_at
    from listens
    group by
        listener_id,
        creator_id,
        episode_id

),

-- Each listener's listen instants per creator, with the next one after it: a
-- listener returned within 7 days of a first listen when that next listen falls
-- in (first listen, first listen + 7 days]. One sort instead of pairing every
-- first listen with every later listen.
listen_instants as (

    select distinct
        listener_id,
        creator_id,
        event_ts
    from listens

),

next_listens as (

    select
        listener_id,
        creator_id,
        event_ts,
        lead(event_ts) over (partition by listener_id, creator_id order by event_ts) as next_listen_at
    from listen_instants

),

returns as (

    select
        first_listens.episode_id,
        first_listens.listener_id,
        case
            when next_listens.next_listen_at <= first_listens.first_listen_at + interval 7 days then 1 else 0
        end as has_returned_7d
    from first_listens
    inner join next_listens
        on first_listens.listener_id = next_listens.listener_id
        and first_listens.creator_id = next_listens.creator_id
        and first_listens.first_listen_at = next_listens.event_ts

),

episode_events as (

    select
        episode_id,
        sum(case when is_listen then 1 else 0 end) as listens,
        count(distinct case when is_listen then listener_id end) as listeners,
        sum(case when event_type = 'follow' then 1 else 0 end) as follows,
        sum(case when event_type = 'comment' then 1 else 0 end) as comments
    from events
    group by episode_id

),

episode_returns as (

    select
        episode_id,
        sum(has_returned_7d) as returning_listeners_7d
    from returns
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
        cast(coalesce(episode_events.listens, 0) as bigint) as listens,
        cast(coalesce(episode_events.listeners, 0) as bigint) as listeners,
        cast(coalesce(episode_events.follows, 0) as bigint) as follows,
        cast(coalesce(episode_events.comments, 0) as bigint) as comments,
        cast(coalesce(episode_returns.returning_listeners_7d, 0) as bigint) as returning_listeners_7d,
        {{ safe_divide('episode_returns.returning_listeners_7d', 'episode_events.listeners') }} as listener_7d_return_rate,
        {{ safe_divide('episode_events.follows', 'episode_events.listeners') }} as follows_per_listener
    from episodes
    left join episode_events
        on episodes.episode_id = episode_events.episode_id
    left join episode_returns
        on episodes.episode_id = episode_returns.episode_id

)

select * from final
