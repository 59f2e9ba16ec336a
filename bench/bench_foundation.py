"""Foundation benchmark: SparkSession start, and a 10M-row Delta write beside the same Parquet write.

    .venv/bin/python bench/bench_foundation.py [--rows 10000000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _harness import figure, header, median_seconds, ratio  # noqa: E402

START_SESSION = (
    "from creatorlake.core.config import load_config; from creatorlake.core.spark import get_spark; "
    "get_spark(load_config({root!r})).range(1).count()"
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    header("foundation", args.repeats)

    with tempfile.TemporaryDirectory(prefix="creatorlake-bench-") as tmp:
        root = Path(tmp)
        # A cold start is a new JVM: measure it in a fresh process each time.
        cold = median_seconds(
            lambda: subprocess.run([sys.executable, "-c", START_SESSION.format(root=str(root / "cold"))], check=True,
                                   capture_output=True),
            args.repeats,
        )
        figure("spark session cold start", cold, "s")

        from pyspark.sql import functions as F

        from creatorlake.core.config import load_config
        from creatorlake.core.spark import get_spark

        spark = get_spark(load_config(root / "warm"))
        frame = spark.range(args.rows).select(
            "id",
            (F.col("id") % 997).cast("int").alias("bucket"),
            F.xxhash64("id").alias("hash"),
            (F.col("id") * 0.01).cast("decimal(18,2)").alias("amount"),
        )
        delta = median_seconds(lambda: frame.write.format("delta").mode("overwrite").save(str(root / "delta")),
                               args.repeats, warmup=1)
        parquet = median_seconds(lambda: frame.write.format("parquet").mode("overwrite").save(str(root / "parquet")),
                                 args.repeats, warmup=1)
        figure(f"delta write {args.rows:,} rows", delta, "s")
        figure(f"parquet write {args.rows:,} rows", parquet, "s")
        figure("delta write rate", args.rows / delta, "rows/s")
        ratio("delta / parquet write time", delta, parquet)
        spark.stop()


if __name__ == "__main__":
    main()
