{#-
    Every row satisfies each SQL boolean check in `expressions` (a check fails
    where it is false or null). A check is a string, or {expression, where} to
    apply it only to the rows where `where` holds. One scan for all the checks
    of a model; failing rows name the checks they broke.
-#}
{% test expressions_are_true(model, expressions, column_name=none) %}

{%- set checks = [] -%}
{%- for check in expressions -%}
    {%- set expression = check if check is string else check['expression'] -%}
    {%- set where = '1 = 1' if check is string else check.get('where', '1 = 1') -%}
    {%- do checks.append({
        'label': expression ~ ('' if check is string else ' (where ' ~ where ~ ')'),
        'broken': 'coalesce(' ~ where ~ ', false) and not coalesce(' ~ expression ~ ', false)'}) -%}
{%- endfor %}

select
    concat_ws('; '
        {%- for check in checks %},
        case when {{ check.broken }} then '{{ check.label | replace("\\", "\\\\") | replace("'", "\\'") }}' end
        {%- endfor %}
    ) as broken_checks,
    *
from {{ model }}
where
    {% for check in checks -%}
    ({{ check.broken }}){{ ' or' if not loop.last }}
    {% endfor %}

{% endtest %}
