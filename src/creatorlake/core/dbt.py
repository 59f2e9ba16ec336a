"""`creatorlake transform`: dbt on the local target, in this process, on the factory's SparkSession."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Mapping, Sequence

from pyspark.sql import SparkSession

from creatorlake.core.config import Settings
from creatorlake.core.errors import CreatorLakeError, WorkFailed
from creatorlake.core.progress import say
from creatorlake.core.spark import ensure_schemas

if TYPE_CHECKING:
    from dbt.cli.main import dbtRunnerResult

STAGE = "transform"
SESSION_CONF_DBT_CHANGES = ("spark.sql.ansi.enabled", "spark.sql.sources.partitionOverwriteMode")


@dataclass(frozen=True)
class DbtOutcome:
    success: bool
    counts: dict[str, int]
    failures: list[str]
    seconds: float


def dbt_vars(settings: Settings) -> dict[str, str]:
    """The schema names dbt builds into come from conf, like everything else."""
    return {f"{layer}_schema": name for layer, name in settings.schemas.items()}


def dbt_args(settings: Settings, command: Sequence[str], target: str | None = None, extra_vars: Mapping[str, str] | None = None) -> list[str]:
    dbt_home = settings.lakehouse_root / "dbt"
    return [
        *command,
        "--project-dir", str(settings.dbt_project_dir),
        "--profiles-dir", str(settings.dbt_project_dir),
        "--target", target or settings.dbt.local_target,
        "--target-path", str(dbt_home / "target"),
        "--log-path", str(dbt_home / "logs"),
        "--vars", json.dumps({**dbt_vars(settings), **(extra_vars or {})}),
    ]


def invoke_dbt(spark: SparkSession, settings: Settings, command: Sequence[str], extra_vars: Mapping[str, str] | None = None) -> dbtRunnerResult:
    """Invoke dbt in-process. dbt-spark's session method picks up the running session via getOrCreate."""
    # Imported on use: dbt takes seconds to import, and every command's parser loads this module.
    from dbt.cli.main import dbtRunner

    ensure_schemas(spark, settings)
    # dbt-spark changes these on the shared session (ANSI off; dynamic partition
    # overwrite for insert_overwrite models); the other stages want ours back.
    restored = {key: spark.conf.get(key, None) for key in SESSION_CONF_DBT_CHANGES}
    say(STAGE, f"dbt {' '.join(command)} (project {settings.dbt_project_dir})")
    try:
        return dbtRunner().invoke(dbt_args(settings, command, extra_vars=extra_vars))
    finally:
        for key, value in restored.items():
            if value is None:
                spark.conf.unset(key)
            else:
                spark.conf.set(key, value)


def run_dbt(spark: SparkSession, settings: Settings, command: Sequence[str]) -> DbtOutcome:
    """Run a dbt command: its node counts by status and failures; raises if dbt could not run at all."""
    started = time.perf_counter()
    result = invoke_dbt(spark, settings, command)
    seconds = time.perf_counter() - started
    counts: dict[str, int] = {}
    failures: list[str] = []
    for node_result in getattr(result.result, "results", None) or []:
        status = str(node_result.status)
        if status in {"error", "fail"}:
            failures.append(f"{node_result.node.unique_id}: {node_result.message}")
        # The project's on-run-start hook (macros/snapshots.sql) reports as a result too: not a node built or tested.
        if getattr(node_result.node, "resource_type", None) == "operation":
            continue
        counts[status] = counts.get(status, 0) + 1
    if result.exception is not None:
        raise CreatorLakeError(f"dbt {command[0]} could not run: {result.exception}")
    return DbtOutcome(success=bool(result.success), counts=counts, failures=failures, seconds=seconds)


def transform(spark: SparkSession, settings: Settings, select: str | None = None, full_refresh: bool = False) -> DbtOutcome:
    command = ["build"]
    if select:
        # Cautious: a test that also depends on a node outside the selection (a relationship
        # to a seed, say) is left out instead of failing on a table that is not built yet.
        command += ["--select", select, "--indirect-selection", "cautious"]
    if full_refresh:
        command.append("--full-refresh")
    outcome = run_dbt(spark, settings, command)
    summary = ", ".join(f"{n} {status}" for status, n in sorted(outcome.counts.items())) or "nothing to do"
    say(STAGE, f"dbt build: {summary} in {outcome.seconds:.1f}s; models in schemas "
        f"{settings.schema('silver')}, {settings.schema('gold')} under {settings.warehouse_dir}")
    for failure in outcome.failures:
        say(STAGE, f"FAILED {failure}")
    if not outcome.success:
        raise WorkFailed(f"dbt build failed: {len(outcome.failures)} node(s) failed (see above)")
    return outcome
