"""The Delta Lake jars: resolved from Maven Central once, at set-up, into a directory of jar
files that every later session loads as they are, with no resolution (and none of Ivy's
output) at its start.

`python -m creatorlake.core.jars` is the set-up step (`make setup`); it prints the value
for `spark.jars` (or spark-submit's `--jars`) on stdout.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path
from urllib.parse import unquote, urlparse

from pyspark.sql import SparkSession

from creatorlake.core.config import Settings, load_config
from creatorlake.core.errors import CreatorLakeError
from creatorlake.core.progress import say, timed

STAGE = "setup"
SCALA_VERSION = "2.13"


def delta_package() -> str:
    """The Maven artifact delta.pip_utils.configure_spark_with_delta_pip names for the installed packages."""
    spark_minor = ".".join(version("pyspark").split(".")[:2])
    return f"io.delta:delta-spark_{spark_minor}_{SCALA_VERSION}:{version('delta-spark')}"


def ivy_dir(settings: Settings) -> Path:
    """Ivy's cache, filled once from Maven Central and read again only to resolve another version."""
    return settings.cache_dir / "ivy"


def jars_dir(settings: Settings) -> Path:
    """The resolved jars of the pinned Delta package, and only those: one directory per version."""
    _, artifact, release = delta_package().split(":")
    return settings.cache_dir / "jars" / f"{artifact}-{release}"


def jar_files(settings: Settings) -> list[Path]:
    return sorted(jars_dir(settings).glob("*.jar"))


def spark_jars(settings: Settings) -> str:
    """The `spark.jars` value (spark-submit's `--jars`) that loads them."""
    return ",".join(str(jar) for jar in jar_files(settings))


def is_resolved(settings: Settings) -> bool:
    return bool(jar_files(settings))


def _resolved_by_ivy(settings: Settings) -> list[Path]:
    """Let Spark's own Ivy resolution fetch the package and its dependencies; the files it chose are in spark.jars."""
    spark = (
        SparkSession.builder.master("local[1]")
        .appName("creatorlake-resolve-jars")
        .config("spark.jars.packages", delta_package())
        .config("spark.jars.ivy", str(ivy_dir(settings)))
        .config("spark.ui.enabled", "false")
        .getOrCreate()
    )
    try:
        uris = spark.conf.get("spark.jars", "") or ""
    finally:
        spark.stop()
    return [Path(unquote(urlparse(uri).path)) for uri in uris.split(",") if uri]


def _link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:  # another file system, or links not allowed
        shutil.copy2(source, target)


def resolve(settings: Settings) -> Path:
    """Fill `jars_dir` once; a directory written half-way is never taken for a resolved one."""
    target = jars_dir(settings)
    if is_resolved(settings):
        return target
    with timed(STAGE, f"resolve {delta_package()} and its dependencies into {target} (once)"):
        jars = _resolved_by_ivy(settings)
        if not any(jar.name.startswith("io.delta_delta-spark") for jar in jars):
            raise CreatorLakeError(f"{delta_package()} was not resolved (Spark's jars: {', '.join(map(str, jars)) or 'none'})")
        partial = target.with_name(target.name + f".partial-{os.getpid()}")
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir(parents=True)
        for jar in jars:
            _link_or_copy(jar, partial / jar.name)
        try:
            partial.rename(target)
        except OSError:  # another process resolved them meanwhile
            shutil.rmtree(partial, ignore_errors=True)
    return target


def ensure_resolved(settings: Settings) -> str:
    """`spark.jars` for a session; jars missing (set-up never ran) are resolved first, in a process
    of their own so that Ivy's output and its JVM stay out of this one."""
    if not is_resolved(settings):
        say(STAGE, f"the Delta Lake jars are not in {jars_dir(settings)}: resolving them once (`make setup` does this)")
        env = {**os.environ, "CREATORLAKE_CACHE": str(settings.cache_dir)}
        finished = subprocess.run([sys.executable, "-m", __name__], capture_output=True, text=True, env=env)
        if finished.returncode != 0 or not is_resolved(settings):
            last = (finished.stderr.strip().splitlines() or ["no output"])[-1]
            raise CreatorLakeError(f"the Delta Lake jars could not be resolved ({last}); run `python -m {__name__}` to see why")
    return spark_jars(settings)


def main() -> int:
    try:
        settings = load_config()
        resolve(settings)
    except CreatorLakeError as exc:
        print(f"creatorlake: error: {exc}", file=sys.stderr)
        return 1
    print(spark_jars(settings))
    return 0


if __name__ == "__main__":
    sys.exit(main())
