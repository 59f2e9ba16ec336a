# Two commands: `make run` and `make test`. Each sets up everything it needs on
# a fresh machine (virtualenv, pinned packages, Delta Lake jars) and then does
# its job; once set up, neither touches the network again.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# dbt and the tests find the repo's profiles here.
export DBT_PROFILES_DIR := $(CURDIR)/dbt

.PHONY: run test bench setup jars submit clean help

help:
	@echo "make run    generate bronze, build silver/gold with dbt, detect and explain (lakehouse in ./lakehouse)"
	@echo "make test   run the test suite (pytest + chispa, real Spark, Delta and dbt)"
	@echo "make bench  run the benchmarks in bench/"

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test,bench]"
	touch $(STAMP)

setup: $(STAMP) jars

jars: $(STAMP)
	$(BIN)/python -m creatorlake.jars

run: setup
	$(BIN)/creatorlake run
	$(BIN)/creatorlake sql "show tables in bronze"

test: setup
	$(BIN)/python -m pytest

bench: setup
	@for script in bench/bench_*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

# spark-submit a job with the cached Delta jars: make submit JOB=generate_bronze ARGS="--days 30"
submit: setup
	PYSPARK_PYTHON=$(CURDIR)/$(BIN)/python $(BIN)/spark-submit --master local[2] \
	  --packages $$($(BIN)/python -c "from creatorlake.spark import delta_package; print(delta_package())") \
	  --conf spark.jars.ivy=$${CREATORLAKE_CACHE:-$$HOME/.cache/creatorlake}/ivy \
	  jobs/$(JOB).py $(ARGS)

clean:
	rm -rf lakehouse dbt/target dbt/logs .pytest_cache
