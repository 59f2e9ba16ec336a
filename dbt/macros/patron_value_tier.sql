{#-
    A patron's value tier by lifetime spend (USD): the first tier of the
    `patron_value_tiers` var (tier: minimum spend, highest first) whose minimum
    the spend reaches, else casual.
-#}
{% macro patron_value_tier(spend_column) -%}
    case
        {%- for tier, minimum_usd in var('patron_value_tiers').items() %}
        when {{ spend_column }} >= {{ minimum_usd }} then '{{ tier }}'
        {%- endfor %}
        else 'casual'
    end
{%- endmacro %}
