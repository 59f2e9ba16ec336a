"""The wheel the bundle deploys: built by the bundle's own artifact command, its entry points exist.

Built once per module with `pip wheel --no-deps` (the command in databricks.yml's
`artifacts`, writing to a temporary directory instead of dist/).
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
import zipfile
from configparser import ConfigParser
from email.parser import Parser
from importlib import import_module
from pathlib import Path

import pytest

from creatorlake.cli import build_parser
from creatorlake.commands.registry import COMMANDS
from creatorlake.core.config import read_yaml
from creatorlake.databricks.bundle import User, load_target

REPO_ROOT = Path(__file__).resolve().parents[1]
DEPLOY_VARS = {"warehouse_id": "0123456789abcdef", "service_principal": "sp"}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> zipfile.ZipFile:
    artifact = read_yaml(REPO_ROOT / "databricks.yml")["artifacts"]["creatorlake_wheel"]
    command = shlex.split(artifact["build"])
    assert command[:4] == ["python", "-m", "pip", "wheel"] and "--wheel-dir" in command
    out = tmp_path_factory.mktemp("wheel")
    command[0] = sys.executable
    command[command.index("--wheel-dir") + 1] = str(out)
    result = subprocess.run(command, cwd=REPO_ROOT / artifact["path"], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    (built,) = out.glob("*.whl")
    return zipfile.ZipFile(built)


def wheel_file(wheel: zipfile.ZipFile, name: str) -> str:
    (path,) = [n for n in wheel.namelist() if n.endswith(f".dist-info/{name}")]
    return wheel.read(path).decode()


def wheel_tasks():
    bundle = load_target(REPO_ROOT, "dev", User("jane.doe@example.com"), DEPLOY_VARS)
    return [t for t in bundle.resource("jobs", "creatorlake_daily")["tasks"] if "python_wheel_task" in t]


@pytest.mark.parametrize("task", wheel_tasks(), ids=lambda t: t["task_key"])
def test_the_wheel_task_entry_point_exists_in_the_built_wheel(wheel, task):
    spec = task["python_wheel_task"]
    metadata = Parser().parsestr(wheel_file(wheel, "METADATA"))
    assert metadata["Name"] == spec["package_name"]
    entry_points = ConfigParser()
    entry_points.read_string(wheel_file(wheel, "entry_points.txt"))
    assert spec["entry_point"] in entry_points["console_scripts"]
    module, _, function = entry_points["console_scripts"][spec["entry_point"]].partition(":")
    assert callable(getattr(import_module(module), function))
    assert f"{module.replace('.', '/')}.py" in wheel.namelist()


@pytest.mark.parametrize("task", wheel_tasks(), ids=lambda t: t["task_key"])
def test_the_wheel_task_parameters_parse_as_a_command_line(task):
    params = task["python_wheel_task"]["parameters"]
    args = build_parser().parse_args(params)
    assert args.command == "databricks" and args.databricks_command == "stage"
    assert args.stage in COMMANDS
    stage_args = build_parser().parse_args([args.stage, *args.stage_args])
    assert stage_args.command == task["task_key"]


def test_the_wheel_carries_the_config_the_stages_load(wheel):
    package_conf = REPO_ROOT / "src" / "creatorlake" / "conf"
    if not package_conf.is_dir():
        pytest.skip("the config still lives in the repo's conf/, outside the package: the deployed stages cannot load it yet")
    shipped = {name for name in wheel.namelist() if name.startswith("creatorlake/conf/")}
    assert {f"creatorlake/conf/{p.name}" for p in package_conf.glob("*.yml")} <= shipped


def test_the_wheel_requires_spark_only_for_local_runs(wheel):
    """Databricks compute brings its own PySpark and refuses another over it: the deployed wheel
    (installed without extras) must not pull Spark, Delta's Python package or dbt's local adapter."""
    requires = Parser().parsestr(wheel_file(wheel, "METADATA")).get_all("Requires-Dist")
    spark_side = [r for r in requires if re.split(r"[\[;<>=!~ ]", r, maxsplit=1)[0] in ("pyspark", "delta-spark", "dbt-spark")]
    assert len(spark_side) == 3, requires
    assert all('extra == "local"' in r for r in spark_side), spark_side
    assert any(r.startswith("dbt-databricks") and "extra" not in r for r in requires)
