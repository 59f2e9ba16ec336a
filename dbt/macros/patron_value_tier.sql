{#- Seed B's patron value tiers by lifetime spend (USD): whale >= 1000, high_value >= 250, regular >= 50, else casual. -#}
{% macro patron_value_tier(spend_column) -%}
    case
        when {{ spend_column }} >= 1000 then 'whale'
        when {{ spend_column }} >= 250 then 'high_value'
        when {{ spend_column }} >= 50 then 'regular'
        else 'casual'
    end
{%- endmacro %}
