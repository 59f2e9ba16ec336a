with

source as (

    {{ dedupe(source('bronze', 'episodes'), ['episode_id']) }}

),

renamed as (

    select
        -- ids
        episode_id,
        show_id,
        creator_id,

        -- strings
        title as episode_title,
        access_level,

        -- numerics
        duration_s,

        -- booleans
        comments_enabled as has_comments_enabled,

        -- timestamps
        publish_ts,
        cast(publish_ts as date) as publish_date,
        {{ week_start('publish_ts') }} as publish_week,
        _ingested_at

    from source

)

select * from renamed
