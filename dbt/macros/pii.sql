{#-
    Salted SHA-256 of a normalised email (trimmed, lower case). The salt is the
    `pii_salt` var (env CREATORLAKE_PII_SALT); a null email stays null.
-#}
{% macro hash_email(column) -%}
    case
        when {{ column }} is null then null
        else sha2(concat('{{ var("pii_salt") }}', lower(trim({{ column }}))), 256)
    end
{%- endmacro %}
