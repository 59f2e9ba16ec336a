"""`creatorlake databricks status` and `databricks sql` through the real databricks-sdk.

This is the test suite's one mock: no Databricks workspace can exist here, so a local
HTTP server on 127.0.0.1 answers the few REST endpoints the commands use (the current
user, jobs list, runs list, SQL statements). Its payloads are built with the SDK's own
dataclasses (`.as_dict()`), so they have the shapes the SDK parses; its tiny
"warehouse" answers only for the tables of the schemas it holds, so a command that
asks the wrong catalog or schemas gets nothing back.
"""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from databricks.sdk.service import iam, jobs, sql

from creatorlake.cli import main
from creatorlake.databricks.bundle import User, load_target

REPO_ROOT = Path(__file__).resolve().parents[1]
USER = "jane.doe@example.com"
TOKEN = "dapi-local-test"
WAREHOUSE = "0123456789abcdef"
DEV = load_target(REPO_ROOT, "dev", User(USER), {"warehouse_id": WAREHOUSE})
JOB_NAME = DEV.resource("jobs", "creatorlake_daily")["name"]
JOB_ID = 4242
# The dev target's tables and their row counts, as the warehouse holds them.
TABLES = {
    (DEV.schema("bronze"), "events"): 120_000,
    (DEV.schema("silver"), "stg_events"): 119_500,
    (DEV.schema("gold"), "fct_creator_weekly_revenue"): 312,
    # A table of another deployment, which status must not report.
    ("bronze", "events"): 7,
}


def run_payload(run_id: int, start_ms: int, result: jobs.RunResultState, failed_task: str | None) -> dict:
    done = jobs.RunLifeCycleState.TERMINATED
    keys = [t["task_key"] for t in DEV.resource("jobs", "creatorlake_daily")["tasks"]]
    failed_at = keys.index(failed_task) if failed_task else len(keys)
    results = {key: jobs.RunResultState.SUCCESS if i < failed_at else jobs.RunResultState.UPSTREAM_FAILED for i, key in enumerate(keys)}
    if failed_task:
        results[failed_task] = jobs.RunResultState.FAILED
    tasks = [jobs.RunTask(task_key=key, state=jobs.RunState(life_cycle_state=done, result_state=results[key])) for key in keys]
    return jobs.BaseRun(run_id=run_id, job_id=JOB_ID, start_time=start_ms, state=jobs.RunState(life_cycle_state=done, result_state=result), tasks=tasks).as_dict()


RUNS = [
    run_payload(902, 1_796_187_600_000, jobs.RunResultState.FAILED, "dbt"),
    run_payload(901, 1_796_101_200_000, jobs.RunResultState.SUCCESS, None),
]


class Workspace(BaseHTTPRequestHandler):
    statements: dict[str, dict] = {}
    requests: list[tuple[str, str]] = []

    def log_message(self, *args):  # keep pytest output clean
        pass

    def reply(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def authorized(self) -> bool:
        if self.headers.get("Authorization") == f"Bearer {TOKEN}":
            return True
        self.reply(401, {"error_code": "UNAUTHENTICATED", "message": "Invalid access token."})
        return False

    def do_GET(self):
        url = urlparse(self.path)
        query = parse_qs(url.query)
        self.requests.append(("GET", url.path))
        if not self.authorized():
            return
        if url.path == "/api/2.0/preview/scim/v2/Me":
            return self.reply(200, iam.User(user_name=USER, id="1").as_dict())
        if url.path == "/api/2.2/jobs/list":
            found = [jobs.BaseJob(job_id=JOB_ID, settings=jobs.JobSettings(name=JOB_NAME))] if query.get("name") == [JOB_NAME] else []
            return self.reply(200, jobs.ListJobsResponse(jobs=found).as_dict())
        if url.path == "/api/2.2/jobs/runs/list":
            assert query["job_id"] == [str(JOB_ID)]
            limit = int(query.get("limit", ["20"])[0])
            return self.reply(200, {"runs": RUNS[:limit]})
        match = re.fullmatch(r"/api/2.0/sql/statements/([\w-]+)", url.path)
        if match:
            return self.reply(200, self.statements[match.group(1)])
        self.reply(404, {"error_code": "ENDPOINT_NOT_FOUND", "message": f"no {url.path}"})

    def do_POST(self):
        url = urlparse(self.path)
        self.requests.append(("POST", url.path))
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if not self.authorized():
            return
        assert url.path == "/api/2.0/sql/statements"
        assert body["warehouse_id"] == WAREHOUSE
        statement_id = f"s{len(self.statements)}"
        final = execute(body)
        final["statement_id"] = statement_id
        self.statements[statement_id] = final
        if "pending" in body["statement"]:
            # First answer still running: the client must poll GET /statements/{id}.
            return self.reply(200, sql.StatementResponse(statement_id=statement_id, status=sql.StatementStatus(state=sql.StatementState.PENDING)).as_dict())
        self.reply(200, final)


def response(columns: list[str], rows: list[list]) -> dict:
    return sql.StatementResponse(
        status=sql.StatementStatus(state=sql.StatementState.SUCCEEDED),
        manifest=sql.ResultManifest(schema=sql.ResultSchema(columns=[sql.ColumnInfo(name=c, position=i) for i, c in enumerate(columns)])),
        result=sql.ResultData(data_array=[[None if v is None else str(v) for v in row] for row in rows]),
    ).as_dict()


def execute(body: dict) -> dict:
    """The few statements the commands send, answered from TABLES in the target's catalog."""
    text = body["statement"]
    info = re.search(r"from `([^`]+)`\.`information_schema`\.`tables` where table_schema in \(([^)]*)\)", text)
    if info:
        schemas = set(re.findall(r"'([^']+)'", info.group(2)))
        rows = sorted([s, t] for s, t in TABLES if info.group(1) == DEV.catalog and s in schemas)
        return response(["table_schema", "table_name"], rows)
    counts = re.findall(r"count\(\*\) as row_count from `([^`]+)`\.`([^`]+)`\.`([^`]+)`", text)
    if counts:
        return response(["schema_name", "table_name", "row_count"], [[s, t, TABLES[(s, t)]] for c, s, t in counts if c == DEV.catalog])
    if text.startswith("select 'x'"):
        return response(["catalog", "schema", "answer"], [[body.get("catalog"), body.get("schema"), 42]])
    return sql.StatementResponse(status=sql.StatementStatus(state=sql.StatementState.FAILED, error=sql.ServiceError(message=f"[PARSE_SYNTAX_ERROR] Syntax error at or near '{text.split()[0]}'.\nline 1, pos 0"))).as_dict()


@pytest.fixture()
def workspace(monkeypatch, tmp_path):
    server = ThreadingHTTPServer(("127.0.0.1", 0), Workspace)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Workspace.statements, Workspace.requests = {}, []
    for key in [k for k in __import__("os").environ if k.startswith(("DATABRICKS_", "BUNDLE_VAR_"))]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("DATABRICKS_HOST", f"http://127.0.0.1:{server.server_port}")
    monkeypatch.setenv("DATABRICKS_TOKEN", TOKEN)
    monkeypatch.setenv("BUNDLE_VAR_warehouse_id", WAREHOUSE)
    monkeypatch.setenv("DATABRICKS_CONFIG_FILE", str(tmp_path / "no.databrickscfg"))
    monkeypatch.setenv("CREATORLAKE_HOME", str(tmp_path / "lakehouse"))
    yield server
    server.shutdown()
    server.server_close()


def test_status_lists_the_last_runs_with_task_states_and_the_targets_row_counts(workspace, capsys):
    assert main(["databricks", "status", "--target", "dev", "--runs", "2"]) == 0
    out = capsys.readouterr().out
    assert f"job {JOB_NAME} (id {JOB_ID}), target dev" in out
    assert out.index("run 902") < out.index("run 901"), "newest run first"
    latest = out[out.index("run 902"):out.index("run 901")]
    assert "TERMINATED FAILED" in latest and re.search(r"dbt\s+TERMINATED FAILED", latest)
    assert re.search(r"generate\s+TERMINATED SUCCESS", latest) and re.search(r"verify\s+TERMINATED UPSTREAM_FAILED", latest)
    assert re.search(r"memo\s+TERMINATED UPSTREAM_FAILED", latest), "the memo task is the job's last"
    for (schema, table), rows in TABLES.items():
        line = re.search(rf"^{re.escape(schema)}\s+\|\s+{re.escape(table)}\s+\|\s+(\d+)$", out, re.M)
        if schema == "bronze":
            assert line is None, "status reported another deployment's table"
        else:
            assert line and int(line.group(1)) == rows, (schema, table)


def test_status_without_a_deployed_job_is_one_line(workspace, capsys):
    assert main(["databricks", "status", "--target", "prod", "--warehouse-id", WAREHOUSE]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("creatorlake: error: no job named 'creatorlake-daily'") and "\n" not in err


def test_sql_runs_on_the_warehouse_in_the_targets_catalog_and_waits_for_a_pending_statement(workspace, capsys):
    assert main(["databricks", "sql", "select 'x' /* pending */", "--format", "json"]) == 0
    row = json.loads(capsys.readouterr().out.strip())
    assert row == {"catalog": DEV.catalog, "schema": DEV.schema("gold"), "answer": "42"}
    assert ("GET", "/api/2.0/sql/statements/s0") in Workspace.requests, "the pending statement was not polled"


def test_a_failed_statement_and_a_rejected_token_are_one_line_errors(workspace, monkeypatch, capsys):
    assert main(["databricks", "sql", "selec 1"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == "creatorlake: error: SQL error: [PARSE_SYNTAX_ERROR] Syntax error at or near 'selec'."
    monkeypatch.setenv("DATABRICKS_TOKEN", "wrong")
    assert main(["databricks", "status"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("creatorlake: error: ") and "Invalid access token" in err and "\n" not in err


def test_a_missing_warehouse_is_named(workspace, monkeypatch, capsys):
    monkeypatch.delenv("BUNDLE_VAR_warehouse_id")
    assert main(["databricks", "status"]) == 2
    assert "no value for variable 'warehouse_id'" in capsys.readouterr().err
