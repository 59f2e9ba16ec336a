# Two commands: `make run` and `make test`. Each sets up everything it needs on
# a fresh machine (virtualenv, pinned packages, Delta Lake jars) and then does
# its job; once set up, neither touches the network again.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# dbt and the tests find the repo's profiles here.
export DBT_PROFILES_DIR := $(CURDIR)/dbt

.PHONY: quick run test bench accuracy impact-accuracy crash setup jars chromium submit clean help

help:
	@echo "make quick  a small world (42 days, 50 creators) through the whole pipeline, in ./lakehouse"
	@echo "make run    the whole pipeline at the default scale (generate ... memo) and the dashboards site, in ./lakehouse"
	@echo "make test   run the test suite (pytest + chispa, real Spark, Delta and dbt)"
	@echo "make bench  run the benchmarks in bench/ (not the campaigns that build worlds for hours)"
	@echo "make accuracy  detection accuracy against planted incidents at default scale (builds what is missing, under an hour)"
	@echo "make impact-accuracy  coverage of the planted effects by the impact stage's CIs over 20 small worlds and their zero-lift twins (hours; CALIBRATE_ARGS=...)"
	@echo "make crash  SIGKILL stages at random points and check every table converges on rerun (about an hour)"

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[local,test,bench]"
	touch $(STAMP)

setup: $(STAMP) jars

# The browser tests drive Debian's Chromium (Playwright cannot download its own here);
# only `make test` needs it.
CHROMIUM := /usr/bin/chromium
chromium:
	@test -x $(CHROMIUM) || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium)

# The Delta Lake jars, resolved once into a directory every session loads them from.
jars: $(STAMP)
	$(BIN)/python -m creatorlake.core.jars > /dev/null

# A first look in minutes: the whole pipeline on a small world.
QUICK_WORLD = --days 42 --n-creators 50 --n-listeners 20000

quick: setup
	$(BIN)/creatorlake generate $(QUICK_WORLD)
	$(BIN)/creatorlake transform --full-refresh
	$(BIN)/creatorlake run --skip generate --skip transform
	$(BIN)/creatorlake dashboards render

run: setup
	$(BIN)/creatorlake run
	$(BIN)/creatorlake sql "show tables in bronze"
	$(BIN)/creatorlake dashboards render

test: setup chromium
	$(BIN)/python -m pytest

# The campaigns that build many worlds for hours run on their own (the impact one as make impact-accuracy).
CAMPAIGNS := bench/bench_detection_campaign.py bench/bench_impact_calibration.py
bench: setup
	@for script in $(filter-out $(CAMPAIGNS),$(wildcard bench/bench_*.py)); do echo "== $$script"; $(BIN)/python $$script || exit 1; done

# Detection accuracy (`creatorlake evaluate`) needs default-scale segments: the
# lakehouse `make run` builds (default incidents) and one generated without
# incidents; each is built here if its segment mart is missing.
ACCURACY_LAKEHOUSE ?= lakehouse
QUIET_LAKEHOUSE ?= lakehouse_quiet
SEGMENT_MART = warehouse/gold.db/fct_segment_daily_metrics

accuracy: setup
	test -d $(ACCURACY_LAKEHOUSE)/$(SEGMENT_MART) || $(BIN)/creatorlake run --lakehouse $(ACCURACY_LAKEHOUSE)
	test -d $(QUIET_LAKEHOUSE)/$(SEGMENT_MART) || ( $(BIN)/creatorlake generate --lakehouse $(QUIET_LAKEHOUSE) --incidents none \
	  && $(BIN)/creatorlake transform --lakehouse $(QUIET_LAKEHOUSE) --select +fct_segment_daily_metrics )
	CREATORLAKE_ACCURACY_LAKEHOUSE=$(abspath $(ACCURACY_LAKEHOUSE)) CREATORLAKE_QUIET_LAKEHOUSE=$(abspath $(QUIET_LAKEHOUSE)) \
	  $(BIN)/python -m pytest -m accuracy tests/test_anomaly_accuracy.py

# Impact calibration: small worlds with drawn lifts through the impact stage (docs/feature-impact.md, Calibration).
# Built worlds are kept under bench/results/impact_calibration and re-scored on later runs.
CALIBRATE_ARGS ?= --worlds 20 --twins
impact-accuracy: setup
	nice -n 19 $(BIN)/python bench/bench_impact_calibration.py $(CALIBRATE_ARGS)

# Crash trials: each stage killed at a random point and rerun; every table must equal a clean run's.
crash: setup
	$(BIN)/python bench/crash_trials.py $(ARGS)

# spark-submit a job with the Delta jars resolved at set-up: make submit JOB=generate_bronze ARGS="--days 30"
submit: setup
	PYSPARK_PYTHON=$(CURDIR)/$(BIN)/python $(BIN)/spark-submit --master local[2] \
	  --jars $$($(BIN)/python -m creatorlake.core.jars) \
	  jobs/$(JOB).py $(ARGS)

clean:
	rm -rf lakehouse lakehouse_quiet dbt/target dbt/logs .pytest_cache
