"""Semantic-layer queries on the local lakehouse: MetricFlow compiles, Spark runs.

MetricFlow cannot execute on dbt-spark's session target, so a query is compiled, not run,
by MetricFlow: `dbt parse` writes the semantic manifest of `dbt/models/semantic`, its
semantic models are pointed at the lakehouse's tables (`creatorlake.core.tables.qualified_name`),
and MetricFlow's engine renders the query in its Databricks dialect (Spark SQL). The
statement then runs on the factory's Spark session, the same SQL a Databricks SQL
warehouse would run.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from creatorlake.core.config import Settings
from creatorlake.core.dbt import dbt_args
from creatorlake.core.errors import CreatorLakeError
from creatorlake.core.tables import qualified_name

if TYPE_CHECKING:
    from metricflow.engine.metricflow_engine import MetricFlowEngine

GOLD = "gold"
SEMANTIC_MANIFEST = "semantic_manifest.json"


@dataclass(frozen=True)
class MetricQuery:
    metrics: tuple[str, ...]
    group_by: tuple[str, ...] = ()
    where: tuple[str, ...] = ()
    order: tuple[str, ...] = ()
    limit: int | None = None


def parse_semantic_manifest(settings: Settings) -> dict:
    """`dbt parse` of the project (no connection, partial parsing after the first): the semantic manifest as JSON."""
    # Imported on use: dbt takes seconds to import.
    from dbt.cli.main import dbtRunner

    args = dbt_args(settings, ["parse", "--quiet"])
    result = dbtRunner().invoke(args)
    if not result.success:
        raise CreatorLakeError(f"dbt parse of {settings.dbt_project_dir} failed: {result.exception or 'see dbt.log'}")
    target = Path(args[args.index("--target-path") + 1])
    return json.loads((target / SEMANTIC_MANIFEST).read_text())


def point_at_lakehouse(manifest: dict, settings: Settings) -> dict:
    """The semantic models and the time spine read the gold tables as the lakehouse names them."""
    relations = [model["node_relation"] for model in manifest["semantic_models"]]
    relations += [spine["node_relation"] for spine in manifest["project_configuration"].get("time_spines", [])]
    for relation in relations:
        name = qualified_name(settings, GOLD, relation["alias"])
        *database, schema, _ = name.split(".")
        relation.update(relation_name=name, schema_name=schema, database=database[0] if database else None)
    return manifest


class _RenderOnly:
    """The SQL client MetricFlow's engine wants, only for its dialect: the engine renders, Spark executes."""

    def __init__(self) -> None:
        from metricflow.protocols.sql_client import SqlEngine
        from metricflow.sql.render.databricks import DatabricksSqlPlanRenderer

        self.sql_engine_type = SqlEngine.DATABRICKS
        self.sql_plan_renderer = DatabricksSqlPlanRenderer()


def engine(manifest: dict) -> MetricFlowEngine:
    from metricflow.engine.metricflow_engine import MetricFlowEngine
    from metricflow_semantics.model.dbt_manifest_parser import parse_manifest_from_dbt_generated_manifest
    from metricflow_semantics.model.semantic_manifest_lookup import SemanticManifestLookup

    semantic_manifest = parse_manifest_from_dbt_generated_manifest(manifest_json_string=json.dumps(manifest))
    return MetricFlowEngine(SemanticManifestLookup(semantic_manifest), _RenderOnly())


def metric_names(manifest: dict) -> list[str]:
    return sorted(metric["name"] for metric in manifest["metrics"])


def _one_line(message: str) -> str:
    """MetricFlow's multi-line resolution error as one line: what was wrong, with what, and its suggestions."""
    said = re.search(r"Message:\s*\n(.*?)(?:\n\s*\n\s*(?:Suggestions|Query Input|Issue Location):|\Z)", message, re.S)
    text = " ".join((said.group(1) if said else message).split())
    text = text.split(" Common issues are:")[0]
    given = re.search(r"Query Input:\s*\n\s*(.+)", message)
    suggestions = re.search(r"Suggestions:\s*\n\s*\[(.*?)\]", message, re.S)
    line = f"{given.group(1).strip()}: {text}" if given else text
    if suggestions:
        line += f" (did you mean one of: {', '.join(s.strip(' ,') for s in suggestions.group(1).split() if s.strip(' ,'))})"
    return line.replace("'", "")


def compile_query(mf: MetricFlowEngine, manifest: dict, query: MetricQuery) -> str:
    """The query in Spark SQL, or a one-line error naming an unknown metric or group-by item."""
    from metricflow.engine.metricflow_engine import MetricFlowQueryRequest
    from metricflow_semantics.errors.error_classes import MetricFlowException

    known = metric_names(manifest)
    for name in query.metrics:
        if name not in known:
            raise CreatorLakeError(f"unknown metric {name!r}; the metrics are: {', '.join(known)}")
    request = MetricFlowQueryRequest.create(
        metric_names=list(query.metrics),
        group_by_names=list(query.group_by) or None,
        where_constraints=list(query.where) or None,
        order_by_names=list(query.order) or None,
        limit=query.limit,
    )
    try:
        explained = mf.explain(request)
    except MetricFlowException as exc:
        raise CreatorLakeError(f"bad metrics query: {_one_line(str(exc))}") from exc
    return explained.sql_statement.without_descriptions.sql


def compile_for_lakehouse(settings: Settings, query: MetricQuery) -> str:
    manifest = point_at_lakehouse(parse_semantic_manifest(settings), settings)
    return compile_query(engine(manifest), manifest, query)


def parse_list(values: Sequence[str] | None) -> tuple[str, ...]:
    """Repeated or comma-separated flag values, in order."""
    return tuple(item.strip() for value in values or () for item in value.split(",") if item.strip())
