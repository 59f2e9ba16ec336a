{{ config(materialized='view', meta={'lookback_column': 'activity_date', 'rows_of': 'stg_events'}) }}
-- Every contribution to the catalog's podcast metrics as one row per source row, tagged with
-- its creator and UTC day, so each grain (creator-week, creator-month,
-- segment-day) aggregates the same rows with podcast_raw_aggregates().
-- A view, not a table: a table was one more copy of the whole event stream on
-- every full build. Its readers are incremental, and their date filter on
-- activity_date reaches every source's date partitions through the union.

with

events as (

    select * from {{ ref('stg_events') }}

),

episode_durations as (

    select
        episode_id,
        duration_s
    from {{ ref('stg_episodes') }}

),

listen_events as (

    select
        events.*,
        {{ is_completed_listen('events.event_type', 'events.listened_s', 'episode_durations.duration_s') }} as is_completed_listen
    from events
    left join episode_durations
        on events.episode_id = episode_durations.episode_id

),

ads as (

    select * from {{ ref('stg_ad_impressions') }}

),

transactions as (

    select * from {{ ref('stg_transactions') }}

),

partner_program as (

    select * from {{ ref('stg_partner_program') }}

),

episodes as (

    select * from {{ ref('stg_episodes') }}

),

churn as (

    select * from {{ ref('int_creator_daily_churn') }}

),

event_rows as (

    select
        creator_id,
        event_date as activity_date,
        {{ podcast_activity_row({
            'listens': 'case when is_listen then 1 else 0 end',
            'completed_listens': 'case when is_completed_listen then 1 else 0 end',
            'listening_listener_id': 'case when is_listen then listener_id end',
            'follows': "case when event_type = 'follow' then 1 else 0 end",
            'shares': "case when event_type = 'share' then 1 else 0 end",
            'comments': "case when event_type = 'comment' then 1 else 0 end",
            'spam_comments': "case when event_type = 'comment' and is_spam then 1 else 0 end",
            'removed_comments': "case when event_type = 'comment' and is_removed then 1 else 0 end",
            'negative_feedback': 'case when is_negative_feedback then 1 else 0 end',
        }) }}
    from listen_events
    where event_type in ('listen', 'follow', 'share', 'comment', 'report')

),

ad_rows as (

    select
        creator_id,
        ad_date as activity_date,
        {{ podcast_activity_row({
            'ad_opportunities': 'impressions',
            'filled_impressions': 'filled_impressions',
            'ad_revenue_usd': 'revenue_usd',
        }) }}
    from ads

),

transaction_rows as (

    select
        creator_id,
        transaction_date as activity_date,
        {{ podcast_activity_row({
            'subscription_revenue_usd': 'net_amount_usd',
            'paying_patron_id': "case when transaction_type = 'pledge_payment' then patron_id end",
        }) }}
    from transactions
    where transaction_status = 'succeeded'

),

payout_rows as (

    select
        creator_id,
        lifecycle_date as activity_date,
        {{ podcast_activity_row({'partner_payout_usd': 'coalesce(payout_usd, 0)'}) }}
    from partner_program
    where partner_status = 'payout'

),

episode_rows as (

    select
        creator_id,
        publish_date as activity_date,
        {{ podcast_activity_row({'episodes_published': '1'}) }}
    from episodes

),

churn_rows as (

    select
        creator_id,
        activity_date,
        {{ podcast_activity_row({
            'listeners_at_risk': 'listeners_at_risk',
            'churned_listeners': 'churned_listeners',
            'pledges_at_risk': 'pledges_at_risk',
            'churned_pledges': 'churned_pledges',
        }) }}
    from churn

),

final as (

    select * from event_rows
    union all
    select * from ad_rows
    union all
    select * from transaction_rows
    union all
    select * from payout_rows
    union all
    select * from episode_rows
    union all
    select * from churn_rows

)

select * from final
