"""The wheel built from the repository runs outside it, with the config it ships.

The wheel goes into a fresh venv without its dependencies; a .pth file lends it the
project venv's site-packages for those (pyspark, delta-spark, dbt: installing them
again would take minutes and the network). That directory's own .pth files are not
read through a .pth line, so the editable install's path to `src/` stays out and
`creatorlake` can only come from the wheel.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

from creatorlake.bronze import schemas

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
PACKAGED = ("creatorlake.yml", "generator.yml", "incidents.yml", "anomaly.yml")


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A venv outside the repository holding the wheel; returns its bin directory."""
    root = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(REPO), "--no-deps", "-q", "-w", str(root / "dist")],
                   check=True, capture_output=True, timeout=600)
    wheel = next((root / "dist").glob("creatorlake-*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        assert {f"creatorlake/conf/{name}" for name in PACKAGED} <= set(archive.namelist())
    env_dir = root / "venv"
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index", "-q", str(wheel)],
                   check=True, capture_output=True, timeout=600)
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                               check=True, capture_output=True, text=True).stdout.strip())
    (site / "_project_dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    return env_dir / "bin"


def outside_env(root: Path) -> dict[str, str]:
    """The environment of a user outside the repository: no config, lakehouse, dbt project or Python path of ours."""
    ours = ("PYTHONPATH", "DBT_PROFILES_DIR", "CREATORLAKE_CONF", "CREATORLAKE_HOME", "CREATORLAKE_DBT_PROJECT")
    return {k: v for k, v in os.environ.items() if k not in ours}


def test_the_wheel_imports_from_its_own_files_and_reads_its_packaged_config(installed, tmp_path):
    probe = "import creatorlake.core.config as c; print(c.__file__); print(c.load_config().conf_dir)"
    out = subprocess.run([str(installed / "python"), "-c", probe], cwd=tmp_path, env=outside_env(tmp_path),
                         check=True, capture_output=True, text=True).stdout.split()
    module, conf = Path(out[0]), Path(out[1])
    assert installed.parent in module.parents and REPO not in module.parents
    assert conf == module.parents[1] / "conf"


def test_generate_runs_outside_the_repository_with_the_packaged_config(installed, tmp_path):
    lakehouse = tmp_path / "lh"
    done = subprocess.run(
        [str(installed / "creatorlake"), "generate", "--days", "7", "--n-creators", "5", "--n-listeners", "500", "--lakehouse", str(lakehouse)],
        cwd=tmp_path, env=outside_env(tmp_path), capture_output=True, text=True, timeout=900,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    warehouse = lakehouse / "warehouse" / "bronze.db"
    missing = [t.name for t in schemas.TABLES if not (warehouse / t.name / "_delta_log").is_dir()]
    assert not missing, f"bronze tables not written: {missing}"


def test_transform_without_a_dbt_project_says_how_to_point_at_one(installed, tmp_path):
    done = subprocess.run([str(installed / "creatorlake"), "transform", "--lakehouse", str(tmp_path / "lh")],
                          cwd=tmp_path, env=outside_env(tmp_path), capture_output=True, text=True, timeout=300)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "dbt.project_dir" in lines[0] and "CREATORLAKE_DBT_PROJECT" in lines[0], lines
    assert not (tmp_path / "lh").exists()
