"""Benchmark: a full `dbt build` at the default scale vs an incremental one after one appended day.

Steps on a scratch lakehouse, each a `creatorlake` subprocess:

1. `creatorlake generate`                  default scale (180 days, 500 creators)
2. `creatorlake serve`                     the lakehouse's long-lived Spark session, started cold
3. `creatorlake transform --full-refresh`  the full build, timed
4. `--days` times (default 3), a day of a schedule:
   `creatorlake generate --append-days 1`  one more day of bronze
   `creatorlake transform`                 the incremental build, timed
5. `creatorlake serve --stop`, then `creatorlake transform` again in a fresh process

Steps 3-4 run in the server (README, "Daily runs"), as a daily dbt job runs against
a SQL warehouse that outlives each build. The figure of merit is the median of the
daily incremental builds over the full build (target <= 0.15); each day's
time is reported too (the first follows the full build, the next ones the day
before's incremental build, as on a schedule). Step 5 does the last incremental
build again (same cutoffs, same days rewritten) in a process of its own, whose JVM
starts cold: its ratio to the full build is printed beside, as what a daily run
costs without a server. Times are dbt's own (`dbt build: ... in Ns`, as
`creatorlake transform` reports it) and the wall time of the subprocess. The
slowest nodes of the full and the last incremental build (dbt's run_results.json)
are printed beside them: they say where the time goes. Results go to
bench/results/bench_dbt.json.

    .venv/bin/python bench/bench_dbt.py [--lakehouse DIR [--reuse-bronze]] [--keep] [--days 3]

--reuse-bronze skips step 1 on a lakehouse that already holds a default-scale
bronze (its own `creatorlake generate` run): step 4 then appends days to it.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from creatorlake.server import running_server

REPO_ROOT = Path(__file__).resolve().parents[1]
RESULTS = REPO_ROOT / "bench" / "results"
CLI = [sys.executable, "-m", "creatorlake.cli"]
DBT_SECONDS = re.compile(r"dbt build: .* in ([0-9.]+)s")


def lakehouse_env(lakehouse: Path) -> dict[str, str]:
    return {**os.environ, "CREATORLAKE_HOME": str(lakehouse), "DBT_PROFILES_DIR": str(REPO_ROOT / "dbt")}


def creatorlake(lakehouse: Path, *args: str) -> tuple[float, str]:
    started = time.perf_counter()
    result = subprocess.run([*CLI, *args, "--lakehouse", str(lakehouse)], cwd=REPO_ROOT, env=lakehouse_env(lakehouse), capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        sys.stderr.write(result.stdout[-4000:] + result.stderr[-4000:])
        raise SystemExit(f"creatorlake {' '.join(args)} failed with exit code {result.returncode}")
    return seconds, result.stderr


@contextmanager
def server(lakehouse: Path) -> Iterator[None]:
    """`creatorlake serve` on the lakehouse for the block; its log goes to <lakehouse>/serve.log."""
    log_path = lakehouse / "serve.log"
    with log_path.open("w") as log:
        process = subprocess.Popen([*CLI, "serve", "--lakehouse", str(lakehouse)], cwd=REPO_ROOT, env=lakehouse_env(lakehouse), stdout=log, stderr=log)
    try:
        while running_server(lakehouse.resolve()) is None:
            if process.poll() is not None:
                raise SystemExit(f"creatorlake serve exited with code {process.returncode}: see {log_path}")
            time.sleep(1)
        yield
    finally:
        if process.poll() is None:
            creatorlake(lakehouse, "serve", "--stop")
            process.wait(timeout=300)


def daily_run(lakehouse: Path) -> dict:
    """One day of a schedule: one more day of bronze, then the incremental build, timed."""
    append_wall, _ = creatorlake(lakehouse, "generate", "--append-days", "1")
    wall, log = creatorlake(lakehouse, "transform")
    return {"append_seconds": round(append_wall, 1), "dbt_seconds": dbt_seconds(log), "wall_seconds": round(wall, 1), "slowest_nodes": slowest_nodes(lakehouse)}


def slowest_nodes(lakehouse: Path, top: int = 12) -> list[dict[str, float | str]]:
    """The build's slowest nodes, from the run_results.json dbt wrote under the lakehouse."""
    results = json.loads((lakehouse / "dbt" / "target" / "run_results.json").read_text())["results"]
    ranked = sorted(results, key=lambda r: r["execution_time"], reverse=True)[:top]
    return [{"node": r["unique_id"], "seconds": round(r["execution_time"], 1)} for r in ranked]


def dbt_seconds(log: str) -> float | None:
    found = DBT_SECONDS.findall(log)
    return float(found[-1]) if found else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lakehouse", type=Path, help="scratch lakehouse (default: a fresh temporary directory)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch lakehouse")
    parser.add_argument("--days", type=int, default=3, help="daily runs (append a day, build) after the full build; the median counts (default: 3)")
    parser.add_argument("--reuse-bronze", action="store_true", help="use the bronze already in --lakehouse instead of generating it")
    args = parser.parse_args()
    if args.reuse_bronze and not (args.lakehouse and (args.lakehouse / "warehouse").is_dir()):
        parser.error("--reuse-bronze needs --lakehouse DIR holding a generated lakehouse")
    if args.days < 1:
        parser.error("--days must be at least 1")
    lakehouse = args.lakehouse or Path(tempfile.mkdtemp(prefix="creatorlake-bench-dbt-"))
    try:
        generate_s = None if args.reuse_bronze else creatorlake(lakehouse, "generate")[0]
        with server(lakehouse):
            full_wall, full_log = creatorlake(lakehouse, "transform", "--full-refresh")
            full_nodes = slowest_nodes(lakehouse)
            days = [daily_run(lakehouse) for _ in range(args.days)]
        fresh_wall, fresh_log = creatorlake(lakehouse, "transform")
    finally:
        if not args.keep and args.lakehouse is None:
            shutil.rmtree(lakehouse, ignore_errors=True)
    full_dbt, fresh_dbt = dbt_seconds(full_log), dbt_seconds(fresh_log)
    incremental_dbt = statistics.median(day["dbt_seconds"] for day in days)
    incremental_wall = statistics.median(day["wall_seconds"] for day in days)
    report = {
        "generate_seconds": round(generate_s, 1) if generate_s is not None else "reused",
        "full_build": {"dbt_seconds": full_dbt, "wall_seconds": round(full_wall, 1), "slowest_nodes": full_nodes},
        "daily_incremental_builds": days,
        "incremental_build_median": {"dbt_seconds": incremental_dbt, "wall_seconds": incremental_wall},
        "ratio_dbt": round(incremental_dbt / full_dbt, 3),
        "ratio_wall": round(incremental_wall / full_wall, 3),
        "target_ratio": 0.15,
        "incremental_build_in_a_fresh_process": {
            "dbt_seconds": fresh_dbt,
            "wall_seconds": round(fresh_wall, 1),
            "ratio_dbt": round(fresh_dbt / full_dbt, 3),
        },
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "bench_dbt.json").write_text(json.dumps(report, indent=2) + "\n")
    for name, nodes in (("full", full_nodes), ("last incremental", days[-1]["slowest_nodes"])):
        print(f"slowest nodes of the {name} build:")
        for node in nodes:
            print(f"  {node['seconds']:>8.1f}s  {node['node']}")
    print(f"results: {RESULTS / 'bench_dbt.json'}")
    print(f"full dbt build (server):        {full_dbt}s (wall {full_wall:.1f}s)")
    print(f"incremental dbt builds (server), day by day: {', '.join(str(day['dbt_seconds']) for day in days)}s; "
          f"median {incremental_dbt}s (wall {incremental_wall:.1f}s)")
    print(f"ratio incremental / full: {report['ratio_dbt']} (wall {report['ratio_wall']}; target <= 0.15)")
    fresh = report["incremental_build_in_a_fresh_process"]
    print(f"the same incremental build in a fresh process (no server): {fresh_dbt}s (wall {fresh_wall:.1f}s), "
          f"ratio {fresh['ratio_dbt']}: what a cold JVM adds")
    return 0


if __name__ == "__main__":
    sys.exit(main())
