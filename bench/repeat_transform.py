"""Run `creatorlake transform` (incremental `dbt build`) N times in one process; print the seconds of each.

bench_dbt.py's helper for what a cold JVM costs: the first build pays the JVM's
warm-up (class loading, JIT compilation of Spark and of each query's generated
code); the next ones do the same work (same cutoffs, same days rewritten, every
table rebuilt and every test run again) in a warm JVM. Prints one JSON line:
{"seconds": [first, second, ...]} with dbt's own seconds per build.

    .venv/bin/python bench/repeat_transform.py --lakehouse DIR [--repeat 2]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from creatorlake.config import load_config
from creatorlake.spark import get_spark
from creatorlake.transform import transform


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lakehouse", type=Path, required=True, help="a lakehouse whose gold is already built")
    parser.add_argument("--repeat", type=int, default=2, help="builds in this process (default: 2)")
    args = parser.parse_args()
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    settings = load_config(str(args.lakehouse))
    spark = get_spark(settings, app_name="creatorlake-bench-repeat-transform")
    seconds = [round(transform(spark, settings).seconds, 1) for _ in range(args.repeat)]
    print(json.dumps({"seconds": seconds}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
