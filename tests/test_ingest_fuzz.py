"""Hostile files: ingestion never crashes, lands every good row as written, quarantines every bad one,
and never runs input as SQL."""

from __future__ import annotations

import csv
import io
import itertools

import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from creatorlake.ingest.land import ingest_files, read_all

HEADER = ["creator_id", "creator_name", "email", "category", "subcategory", "country_code", "currency_code",
          "plan_type", "is_nsfw", "is_verified", "created_at", "first_pledge_received_at", "last_post_at", "status"]
HOSTILE = [
    "=cmd|' /C calc'!A0", "+SUM(A1:A9)", "@import", "-2+3",
    "'; DROP TABLE bronze_ingest_fuzz.creators; --", "x' OR '1'='1", "`creator_id`) --", "${jndi:ldap://x}",
    'say "hi", then\nleave', "\t\ttabs", "漢字 é 🎙️",
]
text = st.one_of(
    st.sampled_from(HOSTILE),
    st.lists(st.sampled_from(list("ab ,\"'\n;=+-@\té漢🎙\\") + ["%s", "{}", "--", "/*"]), min_size=1, max_size=40).map("".join),
    st.integers(min_value=1000, max_value=20000).map(lambda n: "z" * n),  # huge field
).filter(lambda s: s.strip() != "")
BAD_KINDS = ("nul", "encoding", "columns", "type", "enum")
REASON = {"nul": "unparseable", "encoding": "unparseable", "columns": "unparseable", "type": "bad_type", "enum": "bad_enum"}
counter = itertools.count()


def good_row(cid: str, name: str, category: str) -> list[str]:
    return [cid, name, f"{cid}@example.com", category, "misc", "US", "USD", "pro", "false", "true", "2023-01-15 10:00:00", "", "", "active"]


def csv_bytes(row: list[str]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerow(row)
    return out.getvalue().encode()


def bad_row(cid: str, kind: str) -> bytes:
    row = good_row(cid, "bad", "podcasts")
    if kind == "nul":
        row[1] = "na\x00me"
    elif kind == "columns":
        row = row[:5]
    elif kind == "type":
        row[8] = "perhaps"
    elif kind == "enum":
        row[7] = "platinum"
    line = csv_bytes(row)
    return line.replace(b"bad", b"b\xff\xfed") if kind == "encoding" else line


@pytest.fixture(scope="module")
def fuzz_settings(settings, spark):
    from creatorlake.core.spark import ensure_schemas

    s = settings.with_schemas(bronze="bronze_ingest_fuzz")
    ensure_schemas(spark, s)
    return s


@hsettings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(rows=st.lists(st.one_of(st.tuples(st.just("good"), text, text), st.tuples(st.just("bad"), st.sampled_from(BAD_KINDS), st.none())), min_size=1, max_size=12))
def test_hostile_files_land_good_rows_and_quarantine_bad_ones(spark, fuzz_settings, tmp_path, rows):
    n = next(counter)
    path = tmp_path / f"creators_{n}.csv"
    body, good, bad, line = [csv_bytes(HEADER)], {}, {}, 2
    for i, (kind, a, b) in enumerate(rows):
        cid = f"cr_f{n}_{i}"
        if kind == "good":
            chunk = csv_bytes(good_row(cid, a, b))
            good[cid] = (a, b)
        else:
            chunk = bad_row(cid, a)
            bad[line] = REASON[a]
        body.append(chunk)
        line += chunk.count(b"\n")
    path.write_bytes(b"".join(body))
    tables_before = {r.tableName for r in spark.sql(f"show tables in {fuzz_settings.schema('bronze')}").collect()}

    [result] = ingest_files(spark, fuzz_settings, read_all([str(path)], "creators", 10**8), max_bad_ratio=1.0)

    creators = spark.table(fuzz_settings.table("bronze", "creators")).where(f"creator_id like 'cr_f{n}_%'")
    landed = {r["creator_id"]: (r["creator_name"], r["category"]) for r in creators.collect()}
    assert landed == good
    quarantined = spark.table(fuzz_settings.table("bronze", "_quarantine")).where(f"source_file = '{path}'")
    assert {r["line_number"]: r["reason_code"] for r in quarantined.collect()} == bad
    assert (result.read, result.loaded) == (len(rows), len(good))
    # No input ran as SQL: every table is still there (the DROP TABLE strings are data).
    tables_after = {r.tableName for r in spark.sql(f"show tables in {fuzz_settings.schema('bronze')}").collect()}
    assert tables_before <= tables_after
