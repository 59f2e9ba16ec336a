# Databricks notebook source
# MAGIC %md
# MAGIC # 03 · Feature impact: did Comments, Creator Analytics and the Partner Program work?
# MAGIC
# MAGIC Third stop: the causal estimates `creatorlake impact` writes (`feature_impact`, its event
# MAGIC studies, covariate balance and the Partner Program trajectories). Naive comparisons sit next
# MAGIC to the causal designs on purpose: the gap between them is the confounding. The estimands and
# MAGIC methods are described in the project's `docs/feature-impact.md`.
# MAGIC
# MAGIC Widgets: `catalog` and `schema_prefix` name the gold schema, as in the other notebooks.

# COMMAND ----------

# MAGIC %pip install --quiet ..

# COMMAND ----------

# MAGIC %restart_python

# COMMAND ----------

dbutils.widgets.text("catalog", "", "Catalog")
dbutils.widgets.text("schema_prefix", "", "Schema prefix")

from matplotlib.figure import Figure
from pyspark.sql import functions as F

from creatorlake.impact import charts
from creatorlake.impact.tables import RESULT_SCHEMAS
from creatorlake.notebooks.tables import gold_namer

gold = gold_namer(dbutils.widgets.get("catalog"), dbutils.widgets.get("schema_prefix"))
# The impact stage writes a table only when it could estimate something for it.
present = {name: spark.catalog.tableExists(gold(name)) for name in RESULT_SCHEMAS}
missing = [gold(name) for name, exists in present.items() if not exists]
if missing:
    print(f"Not there (yet): {', '.join(missing)}. `creatorlake impact` (the daily job's impact task) writes them; "
          "the cells below show what exists and skip the rest.")
else:
    print("Every feature-impact table is there: " + ", ".join(gold(name) for name in RESULT_SCHEMAS) + ".")

# COMMAND ----------

# MAGIC %md
# MAGIC ## The estimates
# MAGIC
# MAGIC One row per feature, outcome and method; `is_causal` marks the designs that adjust for
# MAGIC confounding. A relative lift of 0.10 is +10%.

# COMMAND ----------

if present["feature_impact"]:
    impact = spark.table(gold("feature_impact"))
    display(impact.orderBy("feature", "outcome", "method"))
else:
    print(f"{gold('feature_impact')} does not exist: no estimates to show.")

# COMMAND ----------

if present["feature_impact"]:
    rows = impact.where("is_causal").orderBy("feature", "outcome", "method").toPandas()
    fig = Figure(figsize=(8, 0.5 * len(rows) + 1.5))
    ax = fig.subplots()
    labels = [f"{r.feature} · {r.outcome} · {r.method}" for r in rows.itertuples()]
    ax.errorbar(rows["estimate"], range(len(rows)), xerr=[rows["estimate"] - rows["ci_low"], rows["ci_high"] - rows["estimate"]],
                fmt="o", capsize=3)
    ax.axvline(0, color="grey", lw=0.8)
    ax.set_yticks(range(len(rows)), labels)
    ax.invert_yaxis()
    ax.set_xlabel("estimate (each on its estimand's scale), 95% CI")
    ax.set_title("Causal estimates of the features' effects")
    fig.tight_layout()
    display(fig)

# COMMAND ----------

# MAGIC %md
# MAGIC ## Event studies
# MAGIC
# MAGIC Effects by week since adoption; the weeks before adoption are the pre-trend check.

# COMMAND ----------

if present["feature_impact_event_study"]:
    event_study = spark.table(gold("feature_impact_event_study")).orderBy("feature", "outcome", "method", "event_week").toPandas()
    for (feature, outcome, method), rows in event_study.groupby(["feature", "outcome", "method"]):
        display(charts.event_study_figure(rows, f"{feature}: {outcome} ({method})"))
else:
    print(f"{gold('feature_impact_event_study')} does not exist: no event study in this world.")

# COMMAND ----------

# MAGIC %md
# MAGIC ## Matching quality and the Partner Program trajectories

# COMMAND ----------

# MAGIC %md
# MAGIC Standardised mean differences of the covariates before and after matching: below 0.1 is
# MAGIC balanced.

# COMMAND ----------

if present["feature_impact_balance"]:
    balance = spark.table(gold("feature_impact_balance"))
    display(balance.orderBy("feature", "outcome", "covariate"))
    worst = balance.agg(F.max(F.abs("smd_after")).alias("worst")).first()["worst"]
    if worst is not None:
        print(f"Largest absolute standardised difference after matching: {worst:.3f}.")
else:
    print(f"{gold('feature_impact_balance')} does not exist: no matched design in this world.")

# COMMAND ----------

if present["partner_cohort_trajectory"]:
    display(charts.trajectory_figure(spark.table(gold("partner_cohort_trajectory")).toPandas()))
else:
    print(f"{gold('partner_cohort_trajectory')} does not exist: too few Partner Program activations to match.")

# COMMAND ----------

# MAGIC %md
# MAGIC ## What the data says

# COMMAND ----------

def shown(value: float, estimand: str) -> str:
    """A relative lift as a percentage, any other estimand (growth, in log points) as a number."""
    return f"{value:+.1%}" if estimand.startswith("relative lift") else f"{value:+.4f}"


if present["feature_impact"]:
    causal = impact.where("is_causal").orderBy("feature", "outcome", "method").collect()
    print(f"{len(causal)} causal estimate(s) of {impact.count()}:")
    for r in causal:
        verdict = "above zero" if r["ci_low"] > 0 else "below zero" if r["ci_high"] < 0 else "not distinguishable from zero"
        print(f"- {r['feature']} on {r['outcome']} ({r['method']}): {shown(r['estimate'], r['estimand'])} "
              f"(95% CI {shown(r['ci_low'], r['estimand'])} to {shown(r['ci_high'], r['estimand'])}), {verdict}.")
else:
    print("No feature-impact estimates: run `creatorlake impact` to write them.")
