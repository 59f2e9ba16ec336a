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

-- For every listen: how many listens of the same listener to the same creator
-- fall in (this listen, this listen + 7 days]. One sort per listener and
-- creator, with a bounded range frame, instead of pairing listens.
listens_ahead as (

    select
        listener_id,
        creator_id,
        episode_id,
        event_ts,
        count(event_ts) over (
            partition by listener_id, creator_id
            order by unix_micros(event_ts)
            range between 1 following and {{ 7 * 24 * 3600 * 1000000 }} following
        ) as listens_within_7d_after
    from listens

),

-- Each listener's first listen of each episode (on the same shuffle as above:
-- the episode refines the listener-creator partition).
first_listens as (

    select
        episode_id,
        listener_id,
        listens_within_7d_after > 0 as has_returned_7d
    from (
        select
            *,
            row_number() over (
                partition by listener_id, creator_id, episode_id
                order by event_ts asc nulls last
            ) as episode_listen_number
        from listens_ahead
    ) as numbered
    where episode_listen_number = 1

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
        cast(coalesce(episode_events.listens, 0) as bigint) as listens,
        cast(coalesce(episode_listeners.listeners, 0) as bigint) as listeners,
        cast(coalesce(episode_events.follows, 0) as bigint) as follows,
        cast(coalesce(episode_events.comments, 0) as bigint) as comments,
        cast(coalesce(episode_listeners.returning_listeners_7d, 0) as bigint) as returning_listeners_7d,
        {{ safe_divide('episode_listeners.returning_listeners_7d', 'episode_listeners.listeners') }} as listener_7d_return_rate,
        {{ safe_divide('episode_events.follows', 'episode_listeners.listeners') }} as follows_per_listener
    from episodes
    left join episode_events
        on episodes.episode_id = episode_events.episode_id
    left join episode_listeners
        on episodes.episode_id = episode_listeners.episode_id

)

select * from final
