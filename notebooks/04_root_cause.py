# Databricks notebook source
# MAGIC %md
# MAGIC # 04 · Root cause: what moved, and why
# MAGIC
# MAGIC Last stop: the anomalies `creatorlake detect` flagged in `fct_segment_daily_metrics`
# MAGIC (`metric_anomalies`), their explanations (`anomaly_explanations`), and every week's change of
# MAGIC creator revenue split exactly into its drivers (`revenue_change_drivers`). Labels and driver
# MAGIC names come from the package's root-cause code; the numbers from the tables when this runs.
# MAGIC
# MAGIC Widgets: `catalog` and `schema_prefix` name the gold schema, as in the other notebooks.

# COMMAND ----------

# MAGIC %pip install --quiet ..

# COMMAND ----------

# MAGIC %restart_python

# COMMAND ----------

dbutils.widgets.text("catalog", "", "Catalog")
dbutils.widgets.text("schema_prefix", "", "Schema prefix")

from functools import reduce

from matplotlib.figure import Figure
from pyspark.sql import functions as F

from creatorlake.anomaly.config import load_anomaly_config
from creatorlake.metrics import catalog
from creatorlake.notebooks.tables import gold_namer
from creatorlake.rootcause.decompose import CONTRIBUTION, contribution_columns
from creatorlake.rootcause.explain import DRIVER_LABELS

gold = gold_namer(dbutils.widgets.get("catalog"), dbutils.widgets.get("schema_prefix"))
tables = load_anomaly_config()
daily = spark.table(gold(tables.source_table))
anomalies = spark.table(gold(tables.anomalies_table))
explanations = spark.table(gold(tables.explanations_table))
drivers = spark.table(gold(tables.drivers_table))
anomalies.createOrReplaceTempView("metric_anomalies")
# A segment key that is null means "all": the platform is the row with every key null.
is_platform = reduce(lambda a, b: a & b, [F.col(key).isNull() for key in catalog.SEGMENT_KEYS])

# COMMAND ----------

# MAGIC %md
# MAGIC ## What was flagged

# COMMAND ----------

# MAGIC %sql
# MAGIC select
# MAGIC     metric,
# MAGIC     direction,
# MAGIC     count(*) as anomalies,
# MAGIC     count(distinct metric_date) as days,
# MAGIC     max(abs(z_score)) as largest_abs_z_score
# MAGIC from metric_anomalies
# MAGIC group by metric, direction
# MAGIC order by anomalies desc, metric, direction

# COMMAND ----------

platform = daily.where(is_platform).select("metric_date", F.col(catalog.NORTH_STAR).cast("double").alias("value")).orderBy("metric_date").toPandas()
flagged = (
    anomalies.where(is_platform & (F.col("metric") == catalog.NORTH_STAR))
    .select("metric_date", "value", "expected").orderBy("metric_date").toPandas()
)
fig = Figure(figsize=(9, 4))
ax = fig.subplots()
ax.plot(platform["metric_date"], platform["value"], lw=1, label="creator revenue")
if not flagged.empty:
    ax.scatter(flagged["metric_date"], flagged["value"], color="red", zorder=3, label="flagged")
    ax.scatter(flagged["metric_date"], flagged["expected"], color="grey", marker="_", s=200, zorder=3, label="expected")
ax.set_ylabel("creator revenue per day (USD)")
ax.set_title("Platform creator revenue, with the days flagged as anomalies")
ax.legend()
fig.autofmt_xdate()
display(fig)

# COMMAND ----------

# MAGIC %md
# MAGIC ## Why: the explanations
# MAGIC
# MAGIC Each revenue anomaly with the driver that explains most of it and the segment that moved most.

# COMMAND ----------

display(explanations.orderBy(F.abs("z_score").desc(), "metric_date").select("metric_date", "metric", "z_score", "dominant_driver", "dominant_share", "why"))

# COMMAND ----------

# MAGIC %md
# MAGIC ## Every week's change, split into its drivers (the whole platform)

# COMMAND ----------

weeks = drivers.where(is_platform).orderBy("week_start_date").toPandas()
driver_names = [column.removeprefix(CONTRIBUTION.format("")) for column in contribution_columns()]
# A driver without a contribution (its chain could not be split that week) adds nothing to the bars.
weeks[contribution_columns()] = weeks[contribution_columns()].astype(float).fillna(0.0)
fig = Figure(figsize=(9, 4))
ax = fig.subplots()
bottom_pos = [0.0] * len(weeks)
bottom_neg = [0.0] * len(weeks)
for name, column in zip(driver_names, contribution_columns()):
    values = weeks[column].tolist()
    base = [bp if v >= 0 else bn for v, bp, bn in zip(values, bottom_pos, bottom_neg)]
    ax.bar(weeks["week_start_date"], values, bottom=base, width=5, label=DRIVER_LABELS.get(name, name))
    bottom_pos = [bp + max(v, 0) for v, bp in zip(values, bottom_pos)]
    bottom_neg = [bn + min(v, 0) for v, bn in zip(values, bottom_neg)]
ax.axhline(0, color="grey", lw=0.8)
ax.set_ylabel("change of creator revenue vs the week before (USD)")
ax.set_title("Week-over-week change of creator revenue, by driver")
ax.legend(fontsize="small", ncol=2)
fig.autofmt_xdate()
display(fig)

# COMMAND ----------

# MAGIC %md
# MAGIC ## What the data says

# COMMAND ----------

counts = anomalies.agg(F.count("*").alias("anomalies"), F.countDistinct("metric").alias("metrics")).first()
print(f"{counts['anomalies']} anomalies flagged across {counts['metrics']} metric(s).")
top = explanations.orderBy(F.abs("z_score").desc(), "metric_date").select("why").first()
if top is not None:
    print(f"The largest explained one: {top['why']}")
if weeks.empty:
    print("No week-over-week change to split: the window holds fewer than two weeks.")
else:
    last = weeks.iloc[-1]
    shares = {name: float(last[column]) for name, column in zip(driver_names, contribution_columns())}
    biggest = max(shares, key=lambda name: abs(shares[name]))
    print(f"Week of {last['week_start_date']}: creator revenue changed by ${float(last['change_usd']):,.2f} on the week before; "
          f"the biggest driver was {DRIVER_LABELS.get(biggest, biggest)} (${shares[biggest]:,.2f}).")
