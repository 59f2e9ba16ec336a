"""`creatorlake ingest` on files of the membership export layout, with planted bad rows.

Runs on its own bronze schema of the suite's lakehouse, so the generated
bronze other tests share is never touched.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from creatorlake.ingest.land import ingest_files, read_all

CREATOR_COLS = ["creator_id", "creator_name", "email", "category", "subcategory", "country_code", "currency_code",
                "plan_type", "is_nsfw", "is_verified", "created_at", "first_pledge_received_at", "last_post_at", "status"]
PATRON_COLS = ["patron_id", "patron_name", "email", "country_code", "created_at", "first_pledge_at", "lifetime_spend_usd", "status"]
TIER_COLS = ["tier_id", "creator_id", "tier_name", "tier_rank", "price_usd", "description", "is_active", "created_at", "archived_at"]
PLEDGE_COLS = ["pledge_id", "patron_id", "creator_id", "tier_id", "pledge_amount_usd", "pledge_status", "is_first_pledge",
               "started_at", "ended_at", "pause_started_at", "churn_reason"]
TX_COLS = ["transaction_id", "pledge_id", "patron_id", "creator_id", "transaction_type", "transaction_status", "gross_amount_usd",
           "platform_fee_usd", "processing_fee_usd", "net_amount_usd", "payment_method", "failure_reason", "transaction_at"]
POST_COLS = ["post_id", "creator_id", "title", "post_type", "access_level", "minimum_tier_id", "published_at", "is_pinned"]
ENGAGEMENT_COLS = ["event_id", "patron_id", "creator_id", "post_id", "event_type", "event_at"]


def creator(cid, plan="pro", nsfw="false", created="2023-01-15 10:00:00"):
    return [cid, "Ana", f"{cid}@example.com", "podcasts", "comedy", "US", "USD", plan, nsfw, "true", created, "", "", "active"]


def tx(tid, kind, gross, platform, processing, net, pledge="pl_000001", at="2024-01-05 08:00:00"):
    return [tid, pledge, "pa_00001", "cr_0001", kind, "succeeded", gross, platform, processing, net, "card", "", at]


# Each file: header, rows; a planted bad row carries the reason it must be quarantined with.
FILES = {
    "creators.csv": (CREATOR_COLS, [
        (creator("cr_0001"), None),
        (creator("cr_0002", plan="lite"), None),
        (creator("cr_0003", plan="gold"), "bad_enum"),
        (creator("cr_0004", nsfw="maybe"), "bad_type"),
        (creator(""), "missing_required"),
        (creator("cr_0001", plan="premium"), "duplicate_key"),
        (creator("cr_0005", created="2999-01-01 00:00:00"), "bad_timestamp"),
        (["cr_0006", "too", "few"], "unparseable"),
    ]),
    "patrons.csv": (PATRON_COLS, [
        (["pa_00001", "Sam", "s@example.net", "DE", "2023-05-01 00:00:00", "2023-06-01 00:00:00", "120.50", "active"], None),
        (["pa_00002", "Kim", "k@example.net", "NL", "2023-05-01T00:00:00", "", "0", "inactive"], None),
        (["pa_00003", "Lee", "l@example.net", "NL", "2023-05-01 00:00:00", "", "12.345", "active"], "bad_type"),
    ]),
    "tiers.csv": (TIER_COLS, [
        (["ti_00001", "cr_0001", "Supporter", "1", "5.00", "thanks", "true", "2023-01-20 00:00:00", ""], None),
        (["ti_00002", "cr_0002", "Plus", "1", "10.00", "more", "true", "2023-01-20 00:00:00", ""], None),
        (["ti_00003", "cr_9999", "VIP", "1", "25.00", "all", "true", "2023-01-20 00:00:00", ""], "orphan_fk"),
        (["ti_00004", "cr_0001", "Odd", "2", "-5.00", "odd", "true", "2023-01-20 00:00:00", ""], "negative_amount"),
    ]),
    "pledges.csv": (PLEDGE_COLS, [
        (["pl_000001", "pa_00001", "cr_0001", "ti_00001", "5.00", "active", "true", "2023-06-01 00:00:00", "", "", ""], None),
        (["pl_000002", "pa_00002", "cr_0001", "ti_00001", "5.00", "active", "true", "2020-01-01 00:00:00", "", "", ""], "bad_timestamp"),
        (["pl_000003", "pa_00002", "cr_0002", "ti_00002", "10.00", "sleeping", "false", "2023-07-01 00:00:00", "", "", ""], "bad_enum"),
    ]),
    "transactions.csv": (TX_COLS, [
        (tx("tx_0000001", "pledge_payment", "10.00", "0.80", "0.59", "8.61"), None),
        (tx("tx_0000002", "refund", "-10.00", "-0.80", "0.00", "-9.20", at="2024-01-09 08:00:00"), None),
        (tx("tx_0000003", "pledge_payment", "10.00", "0.80", "0.59", "8.60"), "money_mismatch"),
        (tx("tx_0000004", "pledge_payment", "-10.00", "-0.80", "-0.59", "-8.61"), "negative_amount"),
        (tx("tx_0000005", "pledge_payment", "10.00", "0.80", "0.59", "8.61", pledge="pl_999999"), "orphan_fk"),
        (tx("tx_0000006", "pledge_payment", "10.00", "0.80", "0.59", "8.61", at="2023-05-01 00:00:00"), "bad_timestamp"),
    ]),
    "posts.csv": (POST_COLS, [
        (["po_00001", "cr_0001", "Hello, \"world\"\nsecond line", "article", "public", "", "2024-01-02 00:00:00", "false"], None),
        (["po_00002", "cr_0001", "=HYPERLINK(\"x\")", "video", "tier_specific", "ti_00001", "2024-01-03 00:00:00", "true"], None),
        (["po_00003", "cr_0001", "x", "podcast", "public", "", "2024-01-03 00:00:00", "true"], "bad_enum"),
    ]),
    "engagement_events.csv": (ENGAGEMENT_COLS, [
        (["ev_0000001", "pa_00001", "cr_0001", "po_00001", "like", "2024-01-04 00:00:00"], None),
        (["ev_0000002", "pa_00001", "cr_0001", "po_00001", "poke", "2024-01-04 00:00:00"], "bad_enum"),
        (["ev_0000003", "pa_00001", "cr_0001", "po_99999", "view", "2024-01-04 00:00:00"], "orphan_fk"),
        (["ev_0000004", "pa_00001", "cr_0001", "po_00001", "view", "2023-12-01 00:00:00"], "bad_timestamp"),
    ]),
}


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)


def _physical_lines(row: list[str]) -> int:
    return 1 + sum(v.count("\n") for v in row)


def expected(name: str) -> tuple[list[int], dict[int, str]]:
    header, rows = FILES[name]
    n, good, bad = 2, [], {}
    for row, reason in rows:
        if reason is None:
            good.append(n)
        else:
            bad[n] = reason
        n += _physical_lines(row)
    return good, bad


@pytest.fixture(scope="module")
def ingest_settings(settings, spark):
    from creatorlake.core.spark import ensure_schemas

    s = settings.with_schemas(bronze="bronze_ingest_files")
    ensure_schemas(spark, s)
    return s


@pytest.fixture(scope="module")
def drop(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("drop")
    for name, (header, rows) in FILES.items():
        write_csv(root / name, header, [r for r, _ in rows])
    return root


def _ingest(spark, settings, paths, ratio=1.0, entity=None):
    return ingest_files(spark, settings, read_all([str(p) for p in paths], entity, 10**8), ratio)


def _versions(spark, settings) -> dict[str, int]:
    # `show tables` also lists the session's temporary views (dbt leaves its `__dbt_tmp` ones): tables only.
    names = [r.tableName for r in spark.sql(f"show tables in {settings.schema('bronze')}").collect() if not r.isTemporary]
    return {n: spark.sql(f"describe history {settings.table('bronze', n)} limit 1").collect()[0]["version"] for n in names}


@pytest.fixture(scope="module")
def landed(spark, ingest_settings, drop):
    return _ingest(spark, ingest_settings, sorted(drop.iterdir()))


def test_every_good_row_lands_and_every_bad_row_is_quarantined_with_its_reason(spark, ingest_settings, drop, landed):
    from creatorlake.bronze.schemas import table

    quarantine = spark.table(ingest_settings.table("bronze", "_quarantine"))
    for name, (header, rows) in FILES.items():
        entity = name.removesuffix(".csv")
        key = table(entity).key[0]
        good_lines, bad = expected(name)
        got = {r["line_number"]: r["reason_code"] for r in quarantine.where(f"source_file = '{drop / name}'").collect()}
        assert got == bad, name
        want_keys = sorted(row[0] for row, reason in rows if reason is None)
        have = sorted(r[0] for r in spark.table(ingest_settings.table("bronze", entity)).select(key).collect())
        assert have == want_keys, name


def test_seed_layout_values_land_typed_with_lineage(spark, ingest_settings, landed):
    from pyspark.sql import functions as F

    post = spark.table(ingest_settings.table("bronze", "posts")).where("post_id = 'po_00001'").collect()[0]
    assert post["title"] == 'Hello, "world"\nsecond line'
    assert str(post["published_at"]) == "2024-01-02 00:00:00"  # no zone in the file: UTC
    tx = spark.table(ingest_settings.table("bronze", "transactions")).where("transaction_id = 'tx_0000002'").collect()[0]
    assert str(tx["gross_amount_usd"]) == "-10.00" and str(tx["transaction_date"]) == "2024-01-09"
    assert tx["_batch_id"].startswith("ingest/transactions/transactions.csv/")
    patron = spark.table(ingest_settings.table("bronze", "patrons")).where("patron_id = 'pa_00002'").collect()[0]
    assert patron["listener_id"] == "" and str(patron["lifetime_spend_usd"]) == "0.00"
    assert spark.table(ingest_settings.table("bronze", "creators")).where(F.col("_ingested_at").isNull()).count() == 0


def test_summary_counts_match_the_tables(landed):
    by_entity = {r.entity: r for r in landed}
    for name in FILES:
        good, bad = expected(name)
        r = by_entity[name.removesuffix(".csv")]
        assert (r.read, r.loaded, sum(r.quarantined.values())) == (len(good) + len(bad), len(good), len(bad))


def test_the_same_files_again_change_no_table(spark, ingest_settings, drop, landed):
    before = _versions(spark, ingest_settings)
    again = _ingest(spark, ingest_settings, sorted(drop.iterdir()))
    assert {r.status for r in again} == {"unchanged"}
    assert _versions(spark, ingest_settings) == before


def test_a_corrected_file_replaces_its_batch_and_its_quarantine(spark, ingest_settings, tmp_path, landed):
    header, _ = FILES["engagement_events.csv"]
    path = tmp_path / "engagement_events.csv"
    write_csv(path, header, [["ev_1000001", "pa_00001", "cr_0001", "po_00001", "view", "2024-01-05 00:00:00"],
                             ["ev_1000002", "pa_00001", "cr_0001", "po_00001", "poke", "2024-01-05 00:00:00"]])
    _ingest(spark, ingest_settings, [path])
    write_csv(path, header, [["ev_1000001", "pa_00001", "cr_0001", "po_00001", "view", "2024-01-05 00:00:00"],
                             ["ev_1000003", "pa_00001", "cr_0001", "po_00001", "share", "2024-01-05 00:00:00"]])
    _ingest(spark, ingest_settings, [path])
    events = spark.table(ingest_settings.table("bronze", "engagement_events"))
    ids = sorted(r[0] for r in events.where("event_id like 'ev_1%'").select("event_id").collect())
    assert ids == ["ev_1000001", "ev_1000003"]
    assert spark.table(ingest_settings.table("bronze", "_quarantine")).where(f"source_file = '{path}'").count() == 0


def test_a_file_over_the_bad_ratio_lands_nothing(spark, ingest_settings, tmp_path, landed):
    header, _ = FILES["posts.csv"]
    path = tmp_path / "posts_bad.csv"
    write_csv(path, header, [["po_20001", "cr_0001", "ok", "article", "public", "", "2024-01-02 00:00:00", "false"],
                             ["po_20002", "cr_0001", "bad", "gif", "public", "", "2024-01-02 00:00:00", "false"]])
    before = _versions(spark, ingest_settings)
    [result] = _ingest(spark, ingest_settings, [path], ratio=0.4)
    assert result.status == "rejected" and result.quarantined == {"bad_enum": 1}
    assert _versions(spark, ingest_settings) == before


def test_retry_lands_an_orphan_once_its_parent_arrived(spark, ingest_settings, tmp_path, landed):
    from creatorlake.commands.quarantine import _retry

    header, _ = FILES["tiers.csv"]
    child = tmp_path / "tiers.csv"
    write_csv(child, header, [["ti_30001", "cr_3000", "Late", "1", "5.00", "x", "true", "2023-02-01 00:00:00", ""]])
    assert _ingest(spark, ingest_settings, [child])[0].quarantined == {"orphan_fk": 1}
    parent = tmp_path / "creators.csv"
    write_csv(parent, CREATOR_COLS, [creator("cr_3000")])
    _ingest(spark, ingest_settings, [parent])
    quarantine = spark.table(ingest_settings.table("bronze", "_quarantine"))
    assert _retry(spark, ingest_settings, quarantine.where(f"source_file = '{child}'")) == 0
    assert spark.table(ingest_settings.table("bronze", "tiers")).where("tier_id = 'ti_30001'").count() == 1
    assert spark.table(ingest_settings.table("bronze", "_quarantine")).where(f"source_file = '{child}'").count() == 0


def test_json_lines_land_like_csv(spark, ingest_settings, tmp_path, landed):
    path = tmp_path / "engagement_events.jsonl"
    path.write_text(
        '{"event_id": "ev_4000001", "patron_id": "pa_00001", "creator_id": "cr_0001", "post_id": "po_00001", "event_type": "comment", "event_at": "2024-01-06T00:00:00"}\n'
        '{"event_id": "ev_4000002", "patron_id": "pa_00001"\n'
        '["not", "an", "object"]\n'
    )
    [result] = _ingest(spark, ingest_settings, [path], entity="engagement_events")
    assert (result.loaded, result.quarantined) == (1, {"unparseable": 2})


@pytest.mark.parametrize("content, problem", [
    (None, "no such file"),
    (b"event_id,nonsense\nev_1,x\n", "unknown column"),
    (b"patron_id,event_type\nx,view\n", "lacks required column"),
    (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "not a CSV file"),
])
def test_an_unreadable_file_is_one_line_exit_2_and_nothing_written(tmp_path, capsys, content, problem, lakehouse):
    from creatorlake.cli import main

    path = tmp_path / "engagement_events.csv"
    if content is not None:
        path.write_bytes(content)
    assert main(["ingest", "--auto", str(path), "--lakehouse", str(lakehouse)]) == 2
    err = capsys.readouterr().err.strip()
    assert problem in err and len(err.splitlines()) == 1
