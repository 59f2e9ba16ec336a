"""What `creatorlake databricks status` reports: the deployed job's last runs, and the tables' row counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Sequence

from creatorlake.core.errors import CreatorLakeError
from creatorlake.databricks.client import one_line
from creatorlake.databricks.statements import qualified, run_statement, table_counts_statement

if TYPE_CHECKING:
    from databricks.sdk import WorkspaceClient
    from databricks.sdk.service.jobs import BaseRun

LAYERS = ("bronze", "silver", "gold")


@dataclass(frozen=True)
class TaskState:
    task_key: str
    state: str


@dataclass(frozen=True)
class RunSummary:
    run_id: int
    started: str
    state: str
    tasks: list[TaskState]
    url: str | None


@dataclass(frozen=True)
class TableCount:
    schema: str
    table: str
    rows: int


def state_text(state, status=None) -> str:
    """'TERMINATED SUCCESS', 'RUNNING', ... from a run's or task's state."""
    if state is not None and state.life_cycle_state is not None:
        parts = [state.life_cycle_state.value]
        if state.result_state is not None:
            parts.append(state.result_state.value)
        return " ".join(parts)
    if status is not None and status.state is not None:
        return status.state.value
    return "UNKNOWN"


def started_text(millis: int | None) -> str:
    if not millis:
        return "-"
    return datetime.fromtimestamp(millis / 1000, tz=timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def summarize(run: "BaseRun") -> RunSummary:
    tasks = [TaskState(t.task_key, state_text(t.state, t.status)) for t in run.tasks or []]
    return RunSummary(run.run_id, started_text(run.start_time), state_text(run.state, run.status), tasks, run.run_page_url)


def find_job_id(client: "WorkspaceClient", job_name: str) -> int:
    try:
        jobs = [j for j in client.jobs.list(name=job_name) if j.settings is None or j.settings.name == job_name]
    except Exception as exc:
        raise CreatorLakeError(f"cannot list jobs: {one_line(exc)}") from None
    if not jobs:
        raise CreatorLakeError(f"no job named '{job_name}' in the workspace; deploy the bundle first (databricks bundle deploy)")
    if len(jobs) > 1:
        raise CreatorLakeError(f"{len(jobs)} jobs are named '{job_name}'; remove the stale ones")
    return jobs[0].job_id


def last_runs(client: "WorkspaceClient", job_id: int, limit: int = 5) -> list[RunSummary]:
    try:
        runs = client.jobs.list_runs(job_id=job_id, expand_tasks=True, limit=limit)
        return [summarize(run) for _, run in zip(range(limit), runs)]
    except Exception as exc:
        raise CreatorLakeError(f"cannot list runs of job {job_id}: {one_line(exc)}") from None


def list_tables(client: "WorkspaceClient", warehouse_id: str, catalog: str, schemas: Sequence[str]) -> list[tuple[str, str]]:
    """(schema, table) of every table in the schemas, through the catalog's information schema."""
    names = ", ".join(f"'{s}'" for s in schemas)
    result = run_statement(
        client, warehouse_id,
        f"select table_schema, table_name from {qualified(catalog, 'information_schema', 'tables')} "
        f"where table_schema in ({names}) order by table_schema, table_name",
    )
    return [(row[0], row[1]) for row in result.rows]


def table_counts(client: "WorkspaceClient", warehouse_id: str, catalog: str, schemas: Sequence[str]) -> list[TableCount]:
    tables = list_tables(client, warehouse_id, catalog, schemas)
    if not tables:
        return []
    result = run_statement(client, warehouse_id, table_counts_statement(catalog, tables))
    return [TableCount(row[0], row[1], int(row[2])) for row in result.rows]
