"""Tables registered on conftest's Spark Connect server, for the tests that run jobs or notebooks there."""

from __future__ import annotations

import json
import os
import subprocess
import sys


def register_on_connect(url: str, statements: list[str]) -> None:
    """Run SQL statements on the Connect server, all from one process of its own (a Connect session in
    this process would become the active one for the tests after it; one process, not one per statement,
    as each start of Python and of a Connect session takes seconds)."""
    script = "import json, sys\nfrom creatorlake.core.spark import get_spark\nspark = get_spark()\n" \
             "for statement in json.loads(sys.argv[1]):\n    spark.sql(statement)\n"
    env = {**os.environ, "SPARK_REMOTE": url}
    env.pop("PYSPARK_GATEWAY_PORT", None)
    done = subprocess.run([sys.executable, "-c", script, json.dumps(statements)], capture_output=True, text=True, timeout=180, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
