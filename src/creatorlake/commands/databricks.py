"""`creatorlake databricks status | sql | stage`: the deployed bundle, seen and run from here.

status  the daily job's last runs and task states (Jobs API), and the row counts of the
        target's bronze, silver and gold tables (SQL Statement Execution API).
sql     a query on the target's SQL warehouse: the remote twin of `creatorlake sql`.
stage   what the bundle's Python tasks run: a pipeline stage pointed at a catalog and
        prefixed schemas (`stage --catalog C --schema-prefix P detect`).
"""

from __future__ import annotations

import argparse
import importlib
import os

from creatorlake.commands.registry import COMMANDS, build_parser
from creatorlake.core.config import CHECKOUT, Settings
from creatorlake.core.errors import CreatorLakeError
from creatorlake.core.sql import FORMATS, format_rows
from creatorlake.core.spark import get_spark
from creatorlake.core.tables import with_catalog
from creatorlake.databricks.bundle import User, env_overrides, load_target
from creatorlake.databricks.client import one_line, workspace_client
from creatorlake.databricks.statements import run_statement
from creatorlake.databricks.status import find_job_id, last_runs, table_counts

JOB_KEY = "creatorlake_daily"
LAYERS = ("bronze", "silver", "gold")
# Commands that are not pipeline stages, so `stage` refuses them.
NOT_STAGES = {"sql", "serve", "databricks", "run", "docs", "notebooks", "metrics"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="databricks_command", metavar="SUBCOMMAND", required=True)
    status = sub.add_parser("status", help="the deployed job's last runs and the tables' row counts")
    add_workspace_arguments(status)
    status.add_argument("--runs", type=int, default=5, help="runs to list (default 5)")
    sql = sub.add_parser("sql", help="run a SQL query on the target's SQL warehouse")
    sql.add_argument("query", help='a Databricks SQL statement, e.g. "show tables"')
    add_workspace_arguments(sql)
    sql.add_argument("--format", choices=FORMATS, default="table", help="output format (default: table)")
    sql.add_argument("--limit", type=int, default=1000, help="rows to print at most (default: 1000)")
    stage = sub.add_parser("stage", help="run a pipeline stage against a catalog and prefixed schemas (the bundle's tasks)")
    stage.add_argument("--catalog", default="", help="Unity Catalog catalog of the tables (default: the session's)")
    stage.add_argument("--schema-prefix", default="", help="prepended to the bronze, silver and gold schema names")
    stage.add_argument("stage", help="the stage: generate, detect, explain, ...")
    stage.add_argument("stage_args", nargs=argparse.REMAINDER, help="the stage's own arguments")


def add_workspace_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--target", "-t", help="bundle target (default: the bundle's default, dev)")
    parser.add_argument("--profile", "-p", help="~/.databrickscfg profile (default: DATABRICKS_* environment, else DEFAULT)")
    parser.add_argument("--warehouse-id", help="SQL warehouse (default: $BUNDLE_VAR_warehouse_id, as for `databricks bundle`)")


def run(args: argparse.Namespace, settings: Settings) -> int:
    if args.databricks_command == "stage":
        return run_stage(args, settings)
    client = workspace_client(args.profile)
    overrides = env_overrides(os.environ)
    if args.warehouse_id:
        overrides["warehouse_id"] = args.warehouse_id
    target = load_target(CHECKOUT, args.target, User(current_user_name(client)), overrides)
    if args.databricks_command == "status":
        return show_status(client, target, args.runs)
    return run_sql(client, target, args)


def current_user_name(client) -> str:
    try:
        return client.current_user.me().user_name
    except Exception as exc:
        raise CreatorLakeError(f"cannot reach Databricks: {one_line(exc)}") from None


def show_status(client, target, runs: int) -> int:
    if runs < 1:
        raise CreatorLakeError(f"--runs must be 1 or more, got {runs}")
    job_name = target.resource("jobs", JOB_KEY)["name"]
    job_id = find_job_id(client, job_name)
    print(f"job {job_name} (id {job_id}), target {target.target}")
    summaries = last_runs(client, job_id, runs)
    if not summaries:
        print("  no runs yet: databricks bundle run -t {} {}".format(target.target, JOB_KEY))
    for summary in summaries:
        print(f"  run {summary.run_id}  {summary.started}  {summary.state}")
        for task in summary.tasks:
            print(f"    {task.task_key:<10} {task.state}")
    schemas = [target.schema(layer) for layer in LAYERS]
    counts = table_counts(client, target.variables["warehouse_id"], target.catalog, schemas)
    print(f"tables in {target.catalog} ({', '.join(schemas)}):")
    if not counts:
        print("  none yet")
    print(format_rows(["schema", "table", "rows"], [(c.schema, c.table, c.rows) for c in counts], "table"))
    return 0


def run_sql(client, target, args: argparse.Namespace) -> int:
    if args.limit < 0:
        raise CreatorLakeError(f"--limit must be 0 or more, got {args.limit}")
    result = run_statement(
        client, target.variables["warehouse_id"], args.query,
        catalog=target.catalog, schema=target.schema("gold"), row_limit=args.limit or None,
    )
    print(format_rows(result.columns, result.rows, args.format))
    return 0


def staged_settings(settings: Settings, catalog: str, schema_prefix: str) -> Settings:
    """The settings of a stage run by the bundle: its catalog, and the prefixed medallion schemas."""
    prefixed = settings.with_schemas(**{layer: schema_prefix + settings.schema(layer) for layer in LAYERS})
    return with_catalog(prefixed, catalog or None)


def run_stage(args: argparse.Namespace, settings: Settings) -> int:
    if args.stage in NOT_STAGES or args.stage not in COMMANDS:
        stages = [name for name in COMMANDS if name not in NOT_STAGES]
        raise CreatorLakeError(f"unknown stage '{args.stage}' (known: {', '.join(stages)})")
    settings = staged_settings(settings, args.catalog, args.schema_prefix)
    stage_args = build_parser().parse_args([args.stage, *args.stage_args])
    if args.catalog:
        # Every table name the stages write today is <schema>.<table>: the session's
        # current catalog makes it <catalog>.<schema>.<table> on Unity Catalog.
        get_spark(settings).catalog.setCurrentCatalog(args.catalog)
    return importlib.import_module(COMMANDS[args.stage][0]).run(stage_args, settings)
