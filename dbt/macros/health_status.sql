{#-
    healthy / warning / critical from a row of the health_thresholds seed
    (joined in as `thresholds_alias`). The bands: for lower_is_better,
    healthy below warning, critical above critical, warning in between
    (boundaries included); higher_is_better mirrors it. Null metric -> null.
-#}
{% macro health_status(metric_column, thresholds_alias) -%}
    case
        when {{ metric_column }} is null then null
        when {{ thresholds_alias }}.direction = 'lower_is_better' then
            case
                when {{ metric_column }} < {{ thresholds_alias }}.warning_threshold_pct then 'healthy'
                when {{ metric_column }} > {{ thresholds_alias }}.critical_threshold_pct then 'critical'
                else 'warning'
            end
        else
            case
                when {{ metric_column }} > {{ thresholds_alias }}.warning_threshold_pct then 'healthy'
                when {{ metric_column }} < {{ thresholds_alias }}.critical_threshold_pct then 'critical'
                else 'warning'
            end
    end
{%- endmacro %}
