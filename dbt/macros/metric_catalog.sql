{#- Generated from creatorlake.metrics.catalog by `python -m creatorlake.metrics.dbt`: do not edit,
    change the catalog and regenerate. -#}

{#- The raw metrics in column order: (column, kind, the int_podcast_activity column a count/money sums or a distinct counts; for the total, the columns it adds). -#}
{% macro metric_catalog_raw() -%}
    {{ return([
        ['listens', 'count', 'listens'],
        ['completed_listens', 'count', 'completed_listens'],
        ['active_listeners', 'distinct', 'listening_listener_id'],
        ['ad_opportunities', 'count', 'ad_opportunities'],
        ['filled_impressions', 'count', 'filled_impressions'],
        ['ad_revenue_usd', 'money', 'ad_revenue_usd'],
        ['subscription_revenue_usd', 'money', 'subscription_revenue_usd'],
        ['paying_patrons', 'distinct', 'paying_patron_id'],
        ['partner_payout_usd', 'money', 'partner_payout_usd'],
        ['creator_revenue_usd', 'total', ['ad_revenue_usd', 'subscription_revenue_usd', 'partner_payout_usd']],
        ['follows', 'count', 'follows'],
        ['shares', 'count', 'shares'],
        ['comments', 'count', 'comments'],
        ['spam_comments', 'count', 'spam_comments'],
        ['removed_comments', 'count', 'removed_comments'],
        ['negative_feedback', 'count', 'negative_feedback'],
        ['listeners_at_risk', 'count', 'listeners_at_risk'],
        ['churned_listeners', 'count', 'churned_listeners'],
        ['pledges_at_risk', 'count', 'pledges_at_risk'],
        ['churned_pledges', 'count', 'churned_pledges'],
        ['episodes_published', 'count', 'episodes_published'],
    ]) }}
{%- endmacro %}

{#- The ratios in column order: (column, numerator, denominator, scale), column = scale * numerator / denominator. -#}
{% macro metric_catalog_ratios() -%}
    {{ return([
        ['completion_rate', 'completed_listens', 'listens', 1],
        ['ad_load', 'ad_opportunities', 'listens', 1],
        ['fill_rate', 'filled_impressions', 'ad_opportunities', 1],
        ['cpm', 'ad_revenue_usd', 'filled_impressions', 1000],
        ['sub_conversion', 'paying_patrons', 'active_listeners', 1],
        ['arppu_usd', 'subscription_revenue_usd', 'paying_patrons', 1],
        ['rpm', 'creator_revenue_usd', 'listens', 1000],
        ['follows_per_listener', 'follows', 'active_listeners', 1],
        ['shares_per_listener', 'shares', 'active_listeners', 1],
        ['comments_per_episode', 'comments', 'episodes_published', 1],
        ['spam_share_of_comments', 'spam_comments', 'comments', 1],
        ['removed_share_of_comments', 'removed_comments', 'comments', 1],
        ['negative_feedback_per_1k_listens', 'negative_feedback', 'listens', 1000],
        ['listener_churn_pct', 'churned_listeners', 'listeners_at_risk', 100],
        ['pledge_churn_pct', 'churned_pledges', 'pledges_at_risk', 100],
    ]) }}
{%- endmacro %}

{#- The creator attributes a segment is a value of (null meaning all). -#}
{% macro metric_catalog_segment_keys() -%}
    {{ return([
        'country_code',
        'category',
        'creator_tier',
    ]) }}
{%- endmacro %}
