-- Every METRICS section 5 contribution as one row per source row, tagged with
-- its creator and UTC day, so each grain (creator-week, creator-month,
-- segment-day) aggregates the same rows with podcast_raw_aggregates().
with

events as (

    select * from {{ ref('stg_events') }}

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

event_rows as (

    select
        creator_id,
        event_date as activity_date,
        case when is_listen then 1 else 0 end as listens,
        case when is_completed_listen then 1 else 0 end as completed_listens,
        case when is_listen then listener_id end as listening_listener_id,
        cast(0 as bigint) as ad_opportunities,
        cast(0 as bigint) as filled_impressions,
        cast(0 as decimal(18, 2)) as ad_revenue_usd,
        cast(0 as decimal(18, 2)) as subscription_revenue_usd,
        cast(null as string) as paying_patron_id,
        cast(0 as decimal(18, 2)) as partner_payout_usd,
        case when event_type = 'follow' then 1 else 0 end as follows,
        case when event_type = 'share' then 1 else 0 end as shares,
        case when event_type = 'comment' then 1 else 0 end as comments,
        0 as episodes_published
    from events
    where event_type in ('listen', 'follow', 'share', 'comment')

),

ad_rows as (

    select
        creator_id,
        ad_date as activity_date,
        0 as listens,
        0 as completed_listens,
        cast(null as string) as listening_listener_id,
        impressions as ad_opportunities,
        filled_impressions,
        revenue_usd as ad_revenue_usd,
        cast(0 as decimal(18, 2)) as subscription_revenue_usd,
        cast(null as string) as paying_patron_id,
        cast(0 as decimal(18, 2)) as partner_payout_usd,
        0 as follows,
        0 as shares,
        0 as comments,
        0 as episodes_published
    from ads

),

transaction_rows as (

    select
        creator_id,
        transaction_date as activity_date,
        0 as listens,
        0 as completed_listens,
        cast(null as string) as listening_listener_id,
        cast(0 as bigint) as ad_opportunities,
        cast(0 as bigint) as filled_impressions,
        cast(0 as decimal(18, 2)) as ad_revenue_usd,
        net_amount_usd as subscription_revenue_usd,
        case when transaction_type = 'pledge_payment' then patron_id end as paying_patron_id,
        cast(0 as decimal(18, 2)) as partner_payout_usd,
        0 as follows,
        0 as shares,
        0 as comments,
        0 as episodes_published
    from transactions
    where transaction_status = 'succeeded'

),

payout_rows as (

    select
        creator_id,
        lifecycle_date as activity_date,
        0 as listens,
        0 as completed_listens,
        cast(null as string) as listening_listener_id,
        cast(0 as bigint) as ad_opportunities,
        cast(0 as bigint) as filled_impressions,
        cast(0 as decimal(18, 2)) as ad_revenue_usd,
        cast(0 as decimal(18, 2)) as subscription_revenue_usd,
        cast(null as string) as paying_patron_id,
        coalesce(payout_usd, 0) as partner_payout_usd,
        0 as follows,
        0 as shares,
        0 as comments,
        0 as episodes_published
    from partner_program
    where partner_status = 'payout'

),

episode_rows as (

    select
        creator_id,
        publish_date as activity_date,
        0 as listens,
        0 as completed_listens,
        cast(null as string) as listening_listener_id,
        cast(0 as bigint) as ad_opportunities,
        cast(0 as bigint) as filled_impressions,
        cast(0 as decimal(18, 2)) as ad_revenue_usd,
        cast(0 as decimal(18, 2)) as subscription_revenue_usd,
        cast(null as string) as paying_patron_id,
        cast(0 as decimal(18, 2)) as partner_payout_usd,
        0 as follows,
        0 as shares,
        0 as comments,
        1 as episodes_published
    from episodes

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

)

select * from final
