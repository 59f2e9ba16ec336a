{#-
    A completed listen covers at least the `completion_threshold` var (a share
    of the episode's duration) of its episode. False, never null, for other
    events and for a listen whose episode is unknown.
-#}
{% macro is_completed_listen(event_type, listened_s, duration_s) -%}
    coalesce(
        {{ event_type }} = 'listen' and {{ listened_s }} >= {{ var('completion_threshold') }} * {{ duration_s }},
        false
    )
{%- endmacro %}
