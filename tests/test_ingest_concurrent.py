"""Two writers on one bronze table at once: each either lands its file or fails on one line, safe to retry;
in the end every row is there exactly once (Delta's optimistic concurrency)."""

from __future__ import annotations

import csv
from concurrent.futures import ThreadPoolExecutor

from creatorlake.ingest.land import ingest_files, read_all
from creatorlake.core.errors import CreatorLakeError

HEADER = ["creator_id", "creator_name", "email", "category", "subcategory", "country_code", "currency_code",
          "plan_type", "is_nsfw", "is_verified", "created_at", "first_pledge_received_at", "last_post_at", "status"]


def _file(path, prefix, n):
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(HEADER)
        w.writerows([[f"{prefix}{i:04d}", "x", "x@example.com", "podcasts", "misc", "US", "USD", "pro", "false", "true",
                      "2023-01-15 10:00:00", "", "", "active"] for i in range(n)])
    return path


def test_two_concurrent_ingests_land_every_row_exactly_once(spark, settings, tmp_path):
    from creatorlake.core.spark import ensure_schemas

    s = settings.with_schemas(bronze="bronze_ingest_concurrent")
    ensure_schemas(spark, s)
    files = [_file(tmp_path / "creators_a.csv", "cr_a", 40), _file(tmp_path / "creators_b.csv", "cr_b", 40)]
    ingest_files(spark, s, [], 1.0)  # the quarantine and ledger tables exist before the race
    _file(tmp_path / "creators_seed.csv", "cr_s", 1)
    ingest_files(spark, s, read_all([str(tmp_path / "creators_seed.csv")], None, 10**8), 1.0)

    def land(path):
        try:
            ingest_files(spark, s, read_all([str(path)], None, 10**8), 1.0)
            return None
        except CreatorLakeError as exc:
            return str(exc)

    with ThreadPoolExecutor(max_workers=2) as pool:
        errors = list(pool.map(land, files))
    for path, error in zip(files, errors):
        if error is not None:
            assert "rerun the same command" in error and "\n" not in error
            assert land(path) is None  # the retry finishes the file
    ids = [r[0] for r in spark.table(s.table("bronze", "creators")).select("creator_id").collect()]
    assert len(ids) == len(set(ids)) == 81
