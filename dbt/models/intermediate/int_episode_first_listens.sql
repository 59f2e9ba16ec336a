{{ config(**date_partitioned_incremental('first_listen_date')) }}
-- One row per listener and episode: the listener's first listen of it and
-- whether they listened to the same creator again within the return horizon
-- after it (the `return_horizon_days` var, 7: the 7-day return, the input of
-- fct_episode_comments_impact).
-- Incremental by whole days. A listen on day D can only change the return of
-- first listens made from D - horizon on, so a run rewrites the first listens
-- from (lookback cutoff - horizon) and reads only the listens from that day on.
-- A pair first heard before that day keeps its older row: the anti-join stops
-- a later listen of it from passing for a first one.
{%- set return_days = var('return_horizon_days') %}
{%- set rewrite_from = 'date_sub(' ~ incremental_cutoff() ~ ', ' ~ return_days ~ ')' if is_incremental() else none %}

with

listens as (

    select
        listener_id,
        creator_id,
        episode_id,
        event_ts,
        event_date
    from {{ ref('stg_events') }}
    where is_listen
    {%- if rewrite_from %}
        and event_date >= {{ rewrite_from }}
    {%- endif %}

),

-- For every listen: how many listens of the same listener to the same creator
-- fall in (this listen, this listen + 7 days]. One sort per listener and
-- creator, with a bounded range frame, instead of pairing listens.
listens_ahead as (

    select
        *,
        count(event_ts) over (
            partition by listener_id, creator_id
            order by unix_micros(event_ts)
            range between 1 following and {{ return_days * 24 * 3600 * 1000000 }} following
        ) as listens_within_7d_after
    from listens

),

-- Each listener's first listen of each episode (on the same shuffle as above:
-- the episode refines the listener-creator partition).
first_listens as (

    select
        listener_id,
        episode_id,
        creator_id,
        event_ts as first_listen_ts,
        event_date as first_listen_date,
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

)

{%- if rewrite_from %},

heard_before as (

    select
        listener_id,
        episode_id
    from {{ this }}
    where first_listen_date < {{ rewrite_from }}

)

select first_listens.*
from first_listens
left anti join heard_before
    on first_listens.listener_id = heard_before.listener_id
    and first_listens.episode_id = heard_before.episode_id

{%- else %}

select * from first_listens

{%- endif %}
