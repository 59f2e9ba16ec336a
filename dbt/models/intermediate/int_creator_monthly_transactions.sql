-- The creator-month revenue and payment-health columns per creator-month.
with

months as (

    select * from {{ ref('int_creator_months') }}

),

transactions as (

    select * from {{ ref('stg_transactions') }}

),

monthly as (

    select
        creator_id,
        transaction_month as month_start_date,
        sum(case when is_successful then gross_amount_usd else 0 end) as gross_revenue_usd,
        sum(case when is_successful then platform_fee_usd else 0 end) as platform_fees_usd,
        sum(case when is_successful then processing_fee_usd else 0 end) as processing_fees_usd,
        sum(case when is_successful then net_amount_usd else 0 end) as net_creator_earnings_usd,
        sum(case when transaction_type = 'pledge_payment' and transaction_status = 'succeeded' then gross_amount_usd else 0 end) as collected_gross_usd,
        sum(case when transaction_type = 'pledge_payment' and transaction_status = 'failed' then gross_amount_usd else 0 end) as declined_amount_usd,
        sum(case when transaction_type = 'pledge_payment' and transaction_status = 'succeeded' then 1 else 0 end) as successful_transactions,
        sum(case when transaction_type = 'pledge_payment' and transaction_status = 'failed' then 1 else 0 end) as failed_transactions
    from transactions
    group by
        creator_id,
        transaction_month

),

joined as (

    select
        months.creator_id,
        months.month_start_date,
        {{ money('coalesce(monthly.gross_revenue_usd, 0)') }} as gross_revenue_usd,
        {{ money('coalesce(monthly.platform_fees_usd, 0)') }} as platform_fees_usd,
        {{ money('coalesce(monthly.processing_fees_usd, 0)') }} as processing_fees_usd,
        {{ money('coalesce(monthly.net_creator_earnings_usd, 0)') }} as net_creator_earnings_usd,
        {{ money('coalesce(monthly.collected_gross_usd, 0)') }} as collected_gross_usd,
        {{ money('coalesce(monthly.declined_amount_usd, 0)') }} as declined_amount_usd,
        {{ zero_if_null('monthly.successful_transactions') }} as successful_transactions,
        {{ zero_if_null('monthly.failed_transactions') }} as failed_transactions
    from months
    left join monthly
        on months.creator_id = monthly.creator_id
        and months.month_start_date = monthly.month_start_date

),

final as (

    select
        creator_id,
        month_start_date,
        gross_revenue_usd,
        platform_fees_usd,
        processing_fees_usd,
        net_creator_earnings_usd,
        {{ safe_pct('collected_gross_usd', 'collected_gross_usd + declined_amount_usd') }} as collection_rate_pct,
        successful_transactions,
        failed_transactions,
        declined_amount_usd,
        {{ safe_pct('failed_transactions', 'successful_transactions + failed_transactions') }} as decline_rate_pct
    from joined

)

select * from final
