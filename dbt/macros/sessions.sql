{#-
    The inactivity that ends a listening session, as an interval literal: the
    `listening_session_gap_minutes` var. A listen more than this long after the
    listener's previous listen starts a new session.
-#}
{% macro listening_session_gap() -%}
    interval {{ var('listening_session_gap_minutes') }} minutes
{%- endmacro %}

{#-
    The first session_date an incremental run of fct_listening_sessions
    rewrites, as a date literal. A listen landing on or after the lookback
    cutoff can extend (or join two) sessions that end less than one gap before
    the cutoff, and those may have started days earlier (a session crossing
    midnight, or a long one): the rewrite starts on the start date of the
    earliest such session, never later than the cutoff. Sessions that start on
    that date or later are recomputed whole; the ones before it end more than a
    gap before any listen the run can see, so no new listen touches them.
    Looked up before the model's SQL runs, like incremental_cutoff, so the
    literal prunes stg_events' date partitions through the fct_events view.
-#}
{% macro listening_session_rewrite_from() -%}
    {%- if not execute -%}
        {{ return("cast(null as date)") }}
    {%- endif -%}
    {%- set cutoff = incremental_cutoff() -%}
    {%- set query -%}
        select cast(coalesce(least(to_date(min(session_start_at)), {{ cutoff }}), {{ cutoff }}) as string)
        from {{ this }}
        where session_end_at >= cast({{ cutoff }} as timestamp) - {{ listening_session_gap() }}
    {%- endset -%}
    {{ return("date'" ~ run_query(query).columns[0].values()[0] ~ "'") }}
{%- endmacro %}
