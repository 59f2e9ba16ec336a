{#-
    METRICS section 5. `podcast_raw_aggregates` turns rows of int_podcast_activity
    into the raw columns of a period (counts bigint, money decimal(18,2));
    `podcast_ratios` derives every ratio from those raw columns, unrounded, so
        ad_revenue_usd           = listens * ad_load * fill_rate * cpm / 1000
        subscription_revenue_usd = active_listeners * sub_conversion * arppu_usd
    hold row by row. A 0 denominator gives null.
-#}
{% macro podcast_raw_aggregates() -%}
        cast(coalesce(sum(listens), 0) as bigint) as listens,
        cast(coalesce(sum(completed_listens), 0) as bigint) as completed_listens,
        cast(count(distinct listening_listener_id) as bigint) as active_listeners,
        cast(coalesce(sum(ad_opportunities), 0) as bigint) as ad_opportunities,
        cast(coalesce(sum(filled_impressions), 0) as bigint) as filled_impressions,
        {{ money('coalesce(sum(ad_revenue_usd), 0)') }} as ad_revenue_usd,
        {{ money('coalesce(sum(subscription_revenue_usd), 0)') }} as subscription_revenue_usd,
        cast(count(distinct paying_patron_id) as bigint) as paying_patrons,
        {{ money('coalesce(sum(partner_payout_usd), 0)') }} as partner_payout_usd,
        {{ money('coalesce(sum(ad_revenue_usd), 0) + coalesce(sum(subscription_revenue_usd), 0) + coalesce(sum(partner_payout_usd), 0)') }} as creator_revenue_usd,
        cast(coalesce(sum(follows), 0) as bigint) as follows,
        cast(coalesce(sum(shares), 0) as bigint) as shares,
        cast(coalesce(sum(comments), 0) as bigint) as comments,
        cast(coalesce(sum(episodes_published), 0) as bigint) as episodes_published
{%- endmacro %}

{% macro podcast_raw_columns() -%}
    {{ return(['listens', 'completed_listens', 'active_listeners', 'ad_opportunities', 'filled_impressions',
               'ad_revenue_usd', 'subscription_revenue_usd', 'paying_patrons', 'partner_payout_usd',
               'creator_revenue_usd', 'follows', 'shares', 'comments', 'episodes_published']) }}
{%- endmacro %}

{% macro podcast_ratio_columns() -%}
    {{ return(['completion_rate', 'ad_load', 'fill_rate', 'cpm', 'sub_conversion', 'arppu_usd', 'rpm',
               'follows_per_listener', 'shares_per_listener', 'comments_per_episode']) }}
{%- endmacro %}

{% macro podcast_ratios(prefix='') -%}
        {{ safe_divide(prefix ~ 'completed_listens', prefix ~ 'listens') }} as completion_rate,
        {{ safe_divide(prefix ~ 'ad_opportunities', prefix ~ 'listens') }} as ad_load,
        {{ safe_divide(prefix ~ 'filled_impressions', prefix ~ 'ad_opportunities') }} as fill_rate,
        {{ safe_divide('1000 * ' ~ prefix ~ 'ad_revenue_usd', prefix ~ 'filled_impressions') }} as cpm,
        {{ safe_divide(prefix ~ 'paying_patrons', prefix ~ 'active_listeners') }} as sub_conversion,
        {{ safe_divide(prefix ~ 'subscription_revenue_usd', prefix ~ 'paying_patrons') }} as arppu_usd,
        {{ safe_divide('1000 * ' ~ prefix ~ 'creator_revenue_usd', prefix ~ 'listens') }} as rpm,
        {{ safe_divide(prefix ~ 'follows', prefix ~ 'active_listeners') }} as follows_per_listener,
        {{ safe_divide(prefix ~ 'shares', prefix ~ 'active_listeners') }} as shares_per_listener,
        {{ safe_divide(prefix ~ 'comments', prefix ~ 'episodes_published') }} as comments_per_episode
{%- endmacro %}

{#-
    One row of int_podcast_activity: every contribution column in a fixed order,
    each a typed zero (or a null id) unless the source row carries it, so the
    union of the sources lines up column by column.
-#}
{% macro podcast_activity_row(carried) -%}
    {%- set neutral = {
        'listens': '0',
        'completed_listens': '0',
        'listening_listener_id': 'cast(null as string)',
        'ad_opportunities': 'cast(0 as bigint)',
        'filled_impressions': 'cast(0 as bigint)',
        'ad_revenue_usd': 'cast(0 as decimal(18, 2))',
        'subscription_revenue_usd': 'cast(0 as decimal(18, 2))',
        'paying_patron_id': 'cast(null as string)',
        'partner_payout_usd': 'cast(0 as decimal(18, 2))',
        'follows': '0',
        'shares': '0',
        'comments': '0',
        'episodes_published': '0',
    } -%}
    {%- for column in carried if column not in neutral -%}
        {{ exceptions.raise_compiler_error("podcast_activity_row: unknown column " ~ column) }}
    {%- endfor -%}
    {%- for column, zero in neutral.items() %}
        {{ carried.get(column, zero) }} as {{ column }}{{ "," if not loop.last }}
    {%- endfor %}
{%- endmacro %}
