-- patron_name never leaves bronze; the email leaves only as a salted hash.
with

source as (

    {{ dedupe(source('bronze', 'patrons'), ['patron_id']) }}

),

renamed as (

    select
        -- ids
        patron_id,
        listener_id,

        -- strings
        {{ hash_email('email') }} as email_hash,
        country_code,
        status as patron_status,
        {{ patron_value_tier('lifetime_spend_usd') }} as patron_value_tier,

        -- numerics
        lifetime_spend_usd,

        -- timestamps
        created_at,
        first_pledge_at,
        _ingested_at

    from source

)

select * from renamed
