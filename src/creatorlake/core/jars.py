"""Resolve the Delta Lake jars from Maven Central once, into a cache every later run reads offline.

`python -m creatorlake.core.jars` is the set-up step `make run` and `make test` call.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from creatorlake.core.config import Settings, load_config
from creatorlake.core.spark import delta_package, ivy_dir


def cached_jar(settings: Settings) -> Path:
    """Where Ivy retrieves the Delta jar for the pinned packages."""
    group, artifact, version = delta_package().split(":")
    return Path(ivy_dir(settings)) / "jars" / f"{group}_{artifact}-{version}.jar"


def resolve(settings: Settings) -> Path:
    jar = cached_jar(settings)
    if jar.exists():
        return jar
    from pyspark.sql import SparkSession

    print(f"resolving {delta_package()} from Maven Central into {ivy_dir(settings)} (once) ...", flush=True)
    started = time.perf_counter()
    spark = (
        SparkSession.builder.master("local[1]")
        .appName("creatorlake-resolve-jars")
        .config("spark.jars.packages", delta_package())
        .config("spark.jars.ivy", ivy_dir(settings))
        .config("spark.ui.enabled", "false")
        .getOrCreate()
    )
    spark.stop()
    if not jar.exists():
        raise SystemExit(f"creatorlake: error: {delta_package()} was not resolved into {jar.parent}")
    print(f"resolved in {time.perf_counter() - started:.0f}s", flush=True)
    return jar


def main() -> int:
    jar = resolve(load_config())
    print(f"Delta Lake jars: {jar.parent} ({delta_package()})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
