"""The semantic layer's dbt side: `dbt/models/semantic/_semantic_models.yml`, the MetricFlow
semantic models and metrics, rendered from `creatorlake.metrics.catalog`.

Regenerate after changing the catalog or the models below, from the repository root:

    python -m creatorlake.metrics.semantic       # writes dbt/models/semantic/_semantic_models.yml

A test renders it again and fails when the committed file is stale.

Each semantic model reads one gold mart and joins the others through the `creator`
entity (`dim_creator`), so every metric can be grouped by the creator's attributes
(`creator__country_code`). Its measures are the catalog's `MEASURES`. Every measure is
also a simple metric of the same name; a ratio is MetricFlow's ratio metric of two of
them, so it is computed from sums at whatever grain it is queried. A ratio with a
scale (RPM's 1000) divides a scaled measure, `<numerator>_x<scale>`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from creatorlake.metrics.catalog import MEASURE_BY_NAME, MEASURES, SEMANTIC_BY_NAME, SEMANTIC_METRICS, Measure, Metric
from creatorlake.metrics.dbt import write_generated

YAML_PATH = Path("dbt") / "models" / "semantic" / "_semantic_models.yml"
COMMAND = "python -m creatorlake.metrics.semantic"


@dataclass(frozen=True)
class SemanticModel:
    """One gold mart as MetricFlow sees it: its own entity, the time its measures are counted
    at (`time_column`, of `grain`), and categorical dimensions."""

    name: str
    mart: str
    description: str
    entity: str | None = None        # a primary key column of the mart, named as the entity
    entity_column: str | None = None
    time_column: str | None = None
    grain: str = "day"
    dimensions: tuple[str, ...] = ()
    joins_creator: bool = True


CREATOR_DIMENSIONS = ("country_code", "category", "category_group", "region", "creator_tier", "plan_type")

MODELS: tuple[SemanticModel, ...] = (
    SemanticModel("creator", "dim_creator", "One row per creator: the attributes every metric can be grouped by (creator__<attribute>).",
                  entity="creator", entity_column="creator_id", dimensions=CREATOR_DIMENSIONS, joins_creator=False),
    SemanticModel("creator_week", "fct_creator_weekly_revenue", "Podcast and revenue metrics per creator per Monday week.",
                  time_column="week_start_date", grain="week"),
    SemanticModel("listen_event", "fct_events", "Podcast app events, for distinct listeners.",
                  entity="event", entity_column="event_id", time_column="event_date", dimensions=("event_type",)),
    SemanticModel("subscription_transaction", "fct_subscriptions", "Membership transactions: payments, refunds and chargebacks.",
                  entity="transaction", entity_column="transaction_id", time_column="sub_date",
                  dimensions=("transaction_type", "transaction_status")),
    SemanticModel("creator_month", "fct_creator_monthly_performance", "Patrons and MRR per creator per month.",
                  time_column="month_start_date", grain="month"),
    SemanticModel("partner_lifecycle", "fct_partner_program", "Partner-program lifecycle rows.",
                  entity="partner_event", entity_column="partner_event_id", time_column="lifecycle_date",
                  dimensions=("partner_status",)),
)
MODEL_BY_NAME = {m.name: m for m in MODELS}


def scaled_name(measure: str, scale: int) -> str:
    return measure if scale == 1 else f"{measure}_x{scale}"


def _scaled_measures() -> list[tuple[Measure, int]]:
    """Every measure a metric divides, with its scale (1 for the measure itself)."""
    needed: dict[str, tuple[Measure, int]] = {m.name: (m, 1) for m in MEASURES}
    for name, _ in SEMANTIC_METRICS:
        metric = SEMANTIC_BY_NAME.get(name)
        if metric is not None and metric.kind == "ratio" and metric.scale != 1:
            measure = MEASURE_BY_NAME[metric.numerator]
            assert measure.agg == "sum", f"{name}: only a sum can be scaled"
            needed[scaled_name(measure.name, metric.scale)] = (measure, metric.scale)
    return list(needed.values())


def _measure_yaml(measure: Measure, scale: int, model: SemanticModel) -> dict:
    entry = {
        "name": scaled_name(measure.name, scale),
        "description": measure.description if scale == 1 else f"{scale} * {measure.name}: {measure.description}",
        "agg": measure.agg,
        "expr": measure.expr if scale == 1 else f"{scale} * ({measure.expr})",
    }
    if measure.stock:
        entry["non_additive_dimension"] = {"name": model.time_column, "window_choice": "max"}
    return entry


def _model_yaml(model: SemanticModel, measures: list[tuple[Measure, int]]) -> dict:
    entities = []
    if model.entity:
        entities.append({"name": model.entity, "type": "primary", "expr": model.entity_column})
    if model.joins_creator:
        entities.append({"name": "creator", "type": "foreign", "expr": "creator_id"})
    dimensions = [{"name": d, "type": "categorical"} for d in model.dimensions]
    entry: dict = {"name": model.name, "description": model.description, "model": f"ref('{model.mart}')"}
    if model.time_column:
        dimensions.insert(0, {"name": model.time_column, "type": "time", "type_params": {"time_granularity": model.grain}})
        entry["defaults"] = {"agg_time_dimension": model.time_column}
    if not model.entity:
        # A mart keyed by creator and period: MetricFlow needs a primary entity to hang its dimensions on.
        entry["primary_entity"] = model.name
    entry["entities"] = entities
    if dimensions:
        entry["dimensions"] = dimensions
    own = [_measure_yaml(m, scale, model) for m, scale in measures if m.model == model.name]
    if own:
        entry["measures"] = own
    return entry


def _simple_metric(measure: Measure, scale: int) -> dict:
    name = scaled_name(measure.name, scale)
    return {
        "name": name,
        "label": name,
        "description": measure.description if scale == 1 else f"{scale} * {measure.name}: the numerator of a scaled ratio.",
        "type": "simple",
        "type_params": {"measure": name},
    }


def _ratio_metric(metric: Metric, label: str) -> dict:
    denominator: dict = {"name": metric.denominator}
    if metric.denominator_offset:
        denominator = {"name": metric.denominator, "offset_window": metric.denominator_offset, "alias": f"{metric.denominator}_before"}
    return {
        "name": metric.name,
        "label": label,
        "description": metric.definition,
        "type": "ratio",
        "type_params": {"numerator": scaled_name(metric.numerator, metric.scale), "denominator": denominator},
    }


def render_yaml() -> str:
    measures = _scaled_measures()
    labels = dict(SEMANTIC_METRICS)
    metrics = []
    for measure, scale in measures:
        entry = _simple_metric(measure, scale)
        if measure.name in labels and scale == 1:
            entry["label"] = labels[measure.name]
        metrics.append(entry)
    for name, label in SEMANTIC_METRICS:
        metric = SEMANTIC_BY_NAME.get(name)
        if metric is not None and metric.kind == "ratio":
            metrics.append(_ratio_metric(metric, label))
    document = {
        "version": 2,
        "semantic_models": [_model_yaml(model, measures) for model in MODELS],
        "metrics": metrics,
    }
    header = (
        f"# Generated from creatorlake.metrics.catalog and creatorlake.metrics.semantic by `{COMMAND}`:\n"
        f"# do not edit, change the catalog and regenerate.\n"
    )
    return header + yaml.safe_dump(document, sort_keys=False, width=120)


def main(argv: list[str] | None = None) -> int:
    return write_generated(render_yaml(), YAML_PATH, argv)


if __name__ == "__main__":
    raise SystemExit(main())
