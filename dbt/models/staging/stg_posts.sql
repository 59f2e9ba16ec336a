with

source as (

    {{ dedupe(source('bronze', 'posts'), ['post_id']) }}

),

renamed as (

    select
        -- ids
        post_id,
        creator_id,
        minimum_tier_id,

        -- strings
        title as post_title,
        post_type,
        access_level,
        case access_level
            when 'public' then 'free'
            when 'patron_only' then 'paywalled'
            when 'tier_specific' then 'premium'
        end as content_access_type,

        -- booleans
        access_level in ('patron_only', 'tier_specific') as is_paywalled,
        is_pinned,

        -- timestamps
        published_at,
        cast(published_at as date) as published_date,
        {{ month_start('published_at') }} as published_month,
        _ingested_at

    from source

)

select * from renamed
