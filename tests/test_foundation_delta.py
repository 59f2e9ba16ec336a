"""The factory's session is real Spark with real Delta Lake and a persistent catalog."""

from __future__ import annotations

import os
from pathlib import Path

from chispa import assert_df_equality

from creatorlake.core.jars import jar_files
from creatorlake.core.spark import DRIVER_LOGGING


def test_session_has_delta_extension_and_catalog(spark):
    assert "DeltaSparkSessionExtension" in spark.conf.get("spark.sql.extensions")
    assert spark.conf.get("spark.sql.catalog.spark_catalog").endswith("DeltaCatalog")


def test_schemas_are_created_on_first_use(spark, settings):
    schemas = {row[0] for row in spark.sql("show schemas").collect()}
    assert {"bronze", "silver", "gold"} <= schemas
    assert set(settings.schemas.values()) <= schemas


def test_table_written_is_delta_with_history(spark, settings):
    name = settings.table("bronze", "foundation_history_probe")
    spark.range(5).write.format("delta").mode("overwrite").saveAsTable(name)
    spark.range(3).write.format("delta").mode("append").saveAsTable(name)

    history = spark.sql(f"describe history {name}").orderBy("version").collect()
    assert [h["version"] for h in history] == [0, 1]
    assert [h["operation"] for h in history] == ["CREATE OR REPLACE TABLE AS SELECT", "WRITE"]
    assert spark.sql(f"describe detail {name}").first()["format"] == "delta"
    # Time travel only works on a real Delta log.
    assert spark.sql(f"select * from {name} version as of 0").count() == 5
    assert spark.table(name).count() == 8


def test_table_lives_under_the_lakehouse_warehouse(spark, settings):
    name = settings.table("bronze", "foundation_location_probe")
    spark.range(1).write.format("delta").mode("overwrite").saveAsTable(name)
    location = spark.sql(f"describe detail {name}").first()["location"]
    assert str(settings.warehouse_dir) in location


def test_delta_overwrite_replaces_rows(spark, settings):
    name = settings.table("bronze", "foundation_overwrite_probe")
    spark.createDataFrame([(1, "a"), (2, "b")], "id int, v string").write.format("delta").mode("overwrite").saveAsTable(name)
    replacement = spark.createDataFrame([(3, "c")], "id int, v string")
    replacement.write.format("delta").mode("overwrite").saveAsTable(name)
    assert_df_equality(spark.table(name), replacement, ignore_row_order=True)


def test_an_existing_session_is_used_untouched(spark, settings, tmp_path):
    from creatorlake.core.config import load_config
    from creatorlake.core.spark import get_spark

    shuffle = spark.conf.get("spark.sql.shuffle.partitions")
    spark.conf.set("spark.sql.shuffle.partitions", "3")
    try:
        again = get_spark(load_config(tmp_path / "another_lakehouse"))
        assert again is spark
        assert again.conf.get("spark.sql.shuffle.partitions") == "3"
        assert again.conf.get("spark.sql.warehouse.dir").endswith(str(settings.warehouse_dir))
    finally:
        spark.conf.set("spark.sql.shuffle.partitions", shuffle)


def test_concurrent_jobs_share_the_cores_instead_of_queueing(spark):
    # dbt's two threads submit jobs at once: in FIFO order a small model would wait
    # for every stage of a big one. The default pool must schedule its jobs fairly.
    context = spark.sparkContext._jsc.sc()
    assert context.getSchedulingMode().toString() == "FAIR"
    assert context.getPoolForName("default").get().schedulingMode().toString() == "FAIR"


def test_driver_jvm_runs_with_the_configured_java_options(spark, settings):
    # JVM options (the JIT thresholds, Derby's) only act when the driver starts: the
    # session must launch its JVM with them, not merely carry them in its conf. Spark
    # also passes -XX:+IgnoreUnrecognizedVMOptions, so a misspelled flag would sit among
    # the arguments doing nothing: the JIT flag is read back as the JVM applied it.
    configured = settings.spark_conf["spark.driver.extraJavaOptions"].split()
    jvm = spark.sparkContext._jvm
    management = jvm.java.lang.management.ManagementFactory
    assert set(configured) <= set(management.getRuntimeMXBean().getInputArguments())

    flag = "-XX:CompileThresholdScaling="
    [scaling] = [option.removeprefix(flag) for option in configured if option.startswith(flag)]
    diagnostics = management.getPlatformMXBean(jvm.java.lang.Class.forName("com.sun.management.HotSpotDiagnosticMXBean"))
    applied = diagnostics.getVMOption("CompileThresholdScaling")
    assert applied.getOrigin().toString() == "VM_CREATION"
    assert float(applied.getValue()) == float(scaling)


def test_delta_is_loaded_from_the_jars_resolved_at_set_up(spark, settings):
    # Nothing is resolved when a session starts: the jars are files from the set-up's directory.
    conf = spark.sparkContext.getConf()
    assert conf.get("spark.jars.packages", None) is None
    loaded = conf.get("spark.jars").split(",")
    assert {Path(uri.removeprefix("file:")).name for uri in loaded} == {jar.name for jar in jar_files(settings)}
    assert any(Path(uri).name.startswith("io.delta_delta-spark") for uri in loaded)


def test_the_driver_logs_through_the_packaged_log4j_config(spark):
    jvm = spark.sparkContext._jvm
    assert jvm.java.lang.System.getProperty("log4j.configurationFile") == str(DRIVER_LOGGING)
    root = jvm.org.apache.logging.log4j.LogManager.getRootLogger()
    assert root.getLevel().toString() == os.environ.get("CREATORLAKE_LOG_LEVEL", "ERROR").upper()
