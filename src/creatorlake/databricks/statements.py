"""SQL on a Databricks SQL warehouse through the Statement Execution API."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Sequence

from creatorlake.core.errors import CreatorLakeError
from creatorlake.databricks.client import one_line

if TYPE_CHECKING:
    from databricks.sdk import WorkspaceClient

# The API waits this long inline before answering PENDING; then we poll.
INLINE_WAIT = "30s"
POLL_SECONDS = 2.0
GIVE_UP_SECONDS = 600.0


@dataclass(frozen=True)
class Result:
    columns: list[str]
    rows: list[list[Any]]


def run_statement(
    client: "WorkspaceClient",
    warehouse_id: str,
    statement: str,
    *,
    catalog: str | None = None,
    schema: str | None = None,
    row_limit: int | None = None,
) -> Result:
    """Run one statement and return every row of its result (values as the API sends them: strings)."""
    from databricks.sdk.service.sql import StatementState

    try:
        response = client.statement_execution.execute_statement(
            statement=statement, warehouse_id=warehouse_id, catalog=catalog, schema=schema,
            wait_timeout=INLINE_WAIT, row_limit=row_limit,
        )
        deadline = time.monotonic() + GIVE_UP_SECONDS
        while response.status.state in (StatementState.PENDING, StatementState.RUNNING):
            if time.monotonic() > deadline:
                client.statement_execution.cancel_execution(response.statement_id)
                raise CreatorLakeError(f"SQL statement still running after {GIVE_UP_SECONDS:.0f} s; cancelled")
            time.sleep(POLL_SECONDS)
            response = client.statement_execution.get_statement(response.statement_id)
        if response.status.state != StatementState.SUCCEEDED:
            error = response.status.error
            detail = error.message if error is not None and error.message else response.status.state.value
            raise CreatorLakeError(f"SQL error: {detail.strip().splitlines()[0]}")
        columns = [c.name for c in response.manifest.schema.columns or []] if response.manifest else []
        rows = list(response.result.data_array or []) if response.result else []
        chunk = response.result.next_chunk_index if response.result else None
        while chunk is not None:
            part = client.statement_execution.get_statement_result_chunk_n(response.statement_id, chunk)
            rows += part.data_array or []
            chunk = part.next_chunk_index
        return Result(columns=columns, rows=rows)
    except CreatorLakeError:
        raise
    except Exception as exc:
        raise CreatorLakeError(f"SQL statement failed on warehouse {warehouse_id}: {one_line(exc)}") from None


def quote(identifier: str) -> str:
    return "`" + identifier.replace("`", "``") + "`"


def qualified(*parts: str) -> str:
    return ".".join(quote(p) for p in parts)


def table_counts_statement(catalog: str, tables: Sequence[tuple[str, str]]) -> str:
    """One statement counting the rows of every (schema, table)."""
    return "\nunion all\n".join(
        f"select '{schema}' as schema_name, '{table}' as table_name, count(*) as row_count from {qualified(catalog, schema, table)}"
        for schema, table in tables
    )
