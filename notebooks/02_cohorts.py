# Databricks notebook source
# MAGIC %md
# MAGIC # 02 · Cohorts: Partner Program activations and creator tiers
# MAGIC
# MAGIC Second stop: follow groups of creators over time. Partner Program cohorts (creators by the
# MAGIC week they activated) from `fct_partner_cohort_revenue`, and creator tiers month by month from
# MAGIC `fct_creator_monthly_performance`. The numbers are computed when the notebook runs.
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

from creatorlake.notebooks.tables import gold_namer

gold = gold_namer(dbutils.widgets.get("catalog"), dbutils.widgets.get("schema_prefix"))
cohorts = spark.table(gold("fct_partner_cohort_revenue"))
cohorts.createOrReplaceTempView("partner_cohort_revenue")
monthly = spark.table(gold("fct_creator_monthly_performance"))
monthly.createOrReplaceTempView("creator_monthly_performance")

# COMMAND ----------

# MAGIC %md
# MAGIC ## Partner Program cohorts
# MAGIC
# MAGIC A cohort is the creators who activated the Partner Program in the same week; each row
# MAGIC follows it week by week after activation.

# COMMAND ----------

# MAGIC %sql
# MAGIC select
# MAGIC     cohort_week_start_date,
# MAGIC     max(cohort_creators) as creators_activated,
# MAGIC     max(weeks_since_activation) as weeks_observed,
# MAGIC     sum(creator_revenue_usd) as creator_revenue_usd,
# MAGIC     sum(partner_payout_usd) as partner_payout_usd
# MAGIC from partner_cohort_revenue
# MAGIC group by cohort_week_start_date
# MAGIC order by cohort_week_start_date

# COMMAND ----------

# Pooled over cohorts: revenue per creator observed that many weeks after activation.
curve = (
    cohorts.groupBy("weeks_since_activation")
    .agg(
        F.sum("creator_revenue_usd").cast("double").alias("creator_revenue_usd"),
        F.sum("creators_observed").alias("creators_observed"),
    )
    .where(F.col("creators_observed") > 0)
    .orderBy("weeks_since_activation")
    .toPandas()
)
by_cohort = cohorts.select("cohort_week_start_date", "weeks_since_activation", "avg_creator_revenue_usd").orderBy("weeks_since_activation").toPandas()
fig = Figure(figsize=(8, 4))
ax = fig.subplots()
for cohort, rows in by_cohort.groupby("cohort_week_start_date"):
    ax.plot(rows["weeks_since_activation"], rows["avg_creator_revenue_usd"].astype(float), color="lightgrey", lw=1)
if not curve.empty:
    ax.plot(curve["weeks_since_activation"], curve["creator_revenue_usd"] / curve["creators_observed"], marker="o", label="all cohorts")
    ax.legend()
ax.set_xlabel("weeks since Partner Program activation")
ax.set_ylabel("creator revenue per creator (USD)")
ax.set_title("Partner Program cohorts (grey: one cohort each)")
display(fig)

# COMMAND ----------

# MAGIC %md
# MAGIC ## Creator tiers, month by month
# MAGIC
# MAGIC Membership columns (patrons, MRR) cover each creator's whole history; podcast columns only
# MAGIC the generated window, so they are null before it.

# COMMAND ----------

# MAGIC %sql
# MAGIC select
# MAGIC     month_start_date,
# MAGIC     creator_tier,
# MAGIC     count(distinct creator_id) as creators,
# MAGIC     sum(active_patrons) as active_patrons,
# MAGIC     sum(gross_mrr_usd) as gross_mrr_usd,
# MAGIC     sum(gross_mrr_usd) / count(distinct creator_id) as gross_mrr_per_creator_usd,
# MAGIC     sum(creator_revenue_usd) as creator_revenue_usd
# MAGIC from creator_monthly_performance
# MAGIC group by month_start_date, creator_tier
# MAGIC order by month_start_date desc, creator_tier

# COMMAND ----------

tiers = (
    monthly.groupBy("month_start_date", "creator_tier")
    .agg((F.sum("gross_mrr_usd") / F.countDistinct("creator_id")).cast("double").alias("gross_mrr_per_creator_usd"))
    .orderBy("month_start_date")
    .toPandas()
)
fig = Figure(figsize=(8, 4))
ax = fig.subplots()
for tier, rows in tiers.groupby("creator_tier"):
    ax.plot(rows["month_start_date"], rows["gross_mrr_per_creator_usd"], marker=".", label=tier)
ax.set_ylabel("gross MRR per creator (USD)")
ax.set_title("Gross MRR per creator, by creator tier")
ax.legend()
fig.autofmt_xdate()
display(fig)

# COMMAND ----------

# MAGIC %md
# MAGIC ## What the data says

# COMMAND ----------

sizes = cohorts.groupBy("cohort_week_start_date").agg(F.max("cohort_creators").alias("creators")).agg(
    F.count("*").alias("cohorts"), F.sum("creators").alias("creators")).first()
if sizes["cohorts"]:
    first, last = curve.iloc[0], curve.iloc[-1]
    print(f"{sizes['cohorts']} Partner Program cohort(s), {sizes['creators']} creator(s) activated in the window.")
    opening = f"An activated creator earned ${first['creator_revenue_usd'] / first['creators_observed']:,.2f} in its activation week"
    if last["weeks_since_activation"] > first["weeks_since_activation"]:
        opening += (f" and ${last['creator_revenue_usd'] / last['creators_observed']:,.2f} {int(last['weeks_since_activation'])} week(s) later "
                    f"({int(last['creators_observed'])} creator(s) observed that far)")
    print(opening + ".")
else:
    print("No creator activated the Partner Program in this window: there are no cohorts to follow.")
latest = tiers["month_start_date"].max()
ranked = tiers[tiers["month_start_date"] == latest].sort_values("gross_mrr_per_creator_usd", ascending=False)
print(f"In {latest:%B %Y}, gross MRR per creator: "
      + ", ".join(f"{row.creator_tier} ${row.gross_mrr_per_creator_usd:,.2f}" for row in ranked.itertuples()) + ".")
