with

source as (

    {{ dedupe(source('bronze', 'creators'), ['creator_id']) }}

),

renamed as (

    select
        -- ids
        creator_id,

        -- strings
        creator_name,
        {{ hash_email('email') }} as email_hash,
        category,
        subcategory,
        country_code,
        currency_code,
        plan_type,
        creator_tier,
        status as creator_status,

        -- numerics
        datediff(first_pledge_received_at, created_at) as days_to_first_pledge,
        cast(floor(months_between({{ as_of(source('bronze', 'creators')) }}, created_at)) as int) as account_age_months,

        -- booleans
        is_nsfw,
        is_verified,

        -- timestamps
        created_at,
        first_pledge_received_at,
        last_post_at,
        comments_enabled_at,
        analytics_enabled_at,
        join_date,
        -- A file without updated_at: its landing time stands in.
        coalesce(updated_at, _ingested_at) as updated_at,
        _ingested_at

    from source

)

select * from renamed
