# Databricks notebook source
# MAGIC %md
# MAGIC # 01 · Creator revenue at a glance
# MAGIC
# MAGIC The first stop of the analysis path: how much creators earn, from which stream, in which
# MAGIC segments, and how concentrated the money is. Every number below is computed from the gold
# MAGIC tables when the notebook runs (`fct_creator_weekly_revenue`, `fct_segment_daily_metrics`);
# MAGIC metric definitions come from the package's metric catalog.
# MAGIC
# MAGIC Widgets: `catalog` and `schema_prefix` name the gold schema (`<catalog>.<schema_prefix>gold`);
# MAGIC leave both empty for the session's own catalog and `gold`.

# COMMAND ----------

# MAGIC %pip install --quiet ..

# COMMAND ----------

# MAGIC %restart_python

# COMMAND ----------

dbutils.widgets.text("catalog", "", "Catalog")
dbutils.widgets.text("schema_prefix", "", "Schema prefix")

import pandas as pd
from matplotlib.figure import Figure
from pyspark.sql import functions as F

from creatorlake.metrics import catalog
from creatorlake.notebooks.tables import gold_namer

gold = gold_namer(dbutils.widgets.get("catalog"), dbutils.widgets.get("schema_prefix"))
weekly = spark.table(gold("fct_creator_weekly_revenue"))
weekly.createOrReplaceTempView("creator_weekly_revenue")
STREAMS = [stream.value for stream in catalog.STREAMS]

# COMMAND ----------

# MAGIC %md
# MAGIC ## The metrics
# MAGIC
# MAGIC One definition of every metric, shared by dbt, the anomaly detector and these notebooks.

# COMMAND ----------

display(pd.DataFrame([(m.name, m.kind, m.definition) for m in catalog.METRICS], columns=["metric", "kind", "definition"]))

# COMMAND ----------

# MAGIC %md
# MAGIC ## Creator revenue per week, by stream

# COMMAND ----------

# MAGIC %sql
# MAGIC select
# MAGIC     week_start_date,
# MAGIC     count(distinct creator_id) as creators,
# MAGIC     sum(ad_revenue_usd) as ad_revenue_usd,
# MAGIC     sum(subscription_revenue_usd) as subscription_revenue_usd,
# MAGIC     sum(partner_payout_usd) as partner_payout_usd,
# MAGIC     sum(creator_revenue_usd) as creator_revenue_usd
# MAGIC from creator_weekly_revenue
# MAGIC group by week_start_date
# MAGIC order by week_start_date

# COMMAND ----------

# A stream without a row in a week (no payout yet) is zero that week, not a gap in the bars.
by_week = (
    weekly.groupBy("week_start_date")
    .agg(*[F.coalesce(F.sum(stream), F.lit(0)).cast("double").alias(stream) for stream in STREAMS])
    .orderBy("week_start_date")
    .toPandas()
)
fig = Figure(figsize=(8, 4))
ax = fig.subplots()
bottom = pd.Series(0.0, index=by_week.index)
for stream in catalog.STREAMS:
    ax.bar(by_week["week_start_date"], by_week[stream.value], width=5, bottom=bottom, label=stream.name)
    bottom = bottom + by_week[stream.value]
ax.set_ylabel("creator revenue (USD)")
ax.set_title("Creator revenue per week, by stream")
ax.legend()
fig.autofmt_xdate()
display(fig)

# COMMAND ----------

# MAGIC %md
# MAGIC ## Where the money is: segments and creators

# COMMAND ----------

# MAGIC %sql
# MAGIC select
# MAGIC     category,
# MAGIC     creator_tier,
# MAGIC     count(distinct creator_id) as creators,
# MAGIC     sum(creator_revenue_usd) as creator_revenue_usd,
# MAGIC     sum(creator_revenue_usd) / count(distinct creator_id) as creator_revenue_per_creator_usd
# MAGIC from creator_weekly_revenue
# MAGIC group by category, creator_tier
# MAGIC order by creator_revenue_usd desc

# COMMAND ----------

per_creator = (
    weekly.groupBy("creator_id")
    .agg(F.coalesce(F.sum("creator_revenue_usd"), F.lit(0)).cast("double").alias("creator_revenue_usd"))
    .toPandas()
    .sort_values("creator_revenue_usd", ascending=False, ignore_index=True)
)
fig = Figure(figsize=(8, 4))
ax = fig.subplots()
cumulative_share = per_creator["creator_revenue_usd"].cumsum() / per_creator["creator_revenue_usd"].sum()
ax.plot(range(1, len(per_creator) + 1), cumulative_share, marker=".")
ax.set_xlabel("creators, highest earning first")
ax.set_ylabel("share of all creator revenue")
ax.set_title("How concentrated creator revenue is")
display(fig)

# COMMAND ----------

# MAGIC %md
# MAGIC ## What the data says

# COMMAND ----------

totals = weekly.agg(
    F.sum("creator_revenue_usd").alias("creator_revenue_usd"),
    *[F.sum(stream).alias(stream) for stream in STREAMS],
    F.countDistinct("creator_id").alias("creators"),
    F.countDistinct("week_start_date").alias("weeks"),
    F.min("week_start_date").alias("first_week"),
    F.max("week_start_date").alias("last_week"),
).first()
total = float(totals["creator_revenue_usd"] or 0)
shares = {stream.name: float(totals[stream.value] or 0) / total if total else 0.0 for stream in catalog.STREAMS}
top = max(1, -(-len(per_creator) // 10))  # the top tenth of creators, at least one
top_share = per_creator["creator_revenue_usd"].head(top).sum() / total if total else 0.0
print(f"Creator revenue, {totals['weeks']} weeks from {totals['first_week']} to {totals['last_week']}: "
      f"${total:,.2f} earned by {totals['creators']} creators.")
print("By stream: " + ", ".join(f"{name} {share:.0%}" for name, share in shares.items()) + ".")
print(f"The top {top} creator(s), a tenth of them, earned {top_share:.0%} of it.")
