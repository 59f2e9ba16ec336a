"""Run the analysis notebooks headless: each in a kernel of its own, as each is its own task on
Databricks, written as an executed `.ipynb` and as HTML."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

from creatorlake.core.config import CHECKOUT, CONF_ENV, Settings
from creatorlake.core.errors import CreatorLakeError, WorkFailed
from creatorlake.notebooks.kernel import preamble
from creatorlake.notebooks.source import SOURCE_CELL, NotNotebookSource, parse_cells, to_notebook

NOTEBOOKS_DIR = "notebooks"
NOTEBOOK_GLOB = "[0-9][0-9]_*.py"
# A cell that runs longer than this has hung (the slowest takes seconds on the tiny world).
CELL_TIMEOUT_SECONDS = 600
# Set in the kernel by the runner: what only a headless run needs (the session factory's are inherited).
LAKEHOUSE_ENV = "CREATORLAKE_HOME"


# The kernel logs errors only: at its default level it warns on stderr that its local TCP channel
# is not encrypted, a line that is not this command's to print.
KERNEL_ARGUMENTS = ["--log-level=ERROR"]
# A kernel that is not ready by then (an interpreter and its imports on a busy machine) has failed.
KERNEL_START_SECONDS = 180


@dataclass(frozen=True)
class Executed:
    name: str
    ipynb: Path
    html: Path
    seconds: float


def notebooks_dir(flag: str | None = None) -> Path:
    """--notebooks, else notebooks/ of the checkout, else of the current directory."""
    candidates = [Path(flag).expanduser()] if flag else [CHECKOUT / NOTEBOOKS_DIR, Path.cwd() / NOTEBOOKS_DIR]
    for candidate in candidates:
        if any(candidate.glob(NOTEBOOK_GLOB)):
            return candidate.resolve()
    raise CreatorLakeError(f"no notebooks ({NOTEBOOK_GLOB}) in {candidates[0]}: pass --notebooks DIR, the notebooks/ folder of a CreatorLake checkout")


def kernel_env(settings: Settings) -> dict[str, str]:
    """The runner's environment, pointing the kernel's session factory at the same lakehouse and config."""
    env = {**os.environ, LAKEHOUSE_ENV: str(settings.lakehouse_root), CONF_ENV: str(settings.conf_dir)}
    # A kernel started under spark-submit must start its own driver, not talk to this one's gateway.
    env.pop("PYSPARK_GATEWAY_PORT", None)
    return env


def failed_cell(nb: nbformat.NotebookNode) -> tuple[str, str]:
    """(where, what) of the first cell with an error output: the cell's number in the Databricks
    source and its first line, and the exception's name and first line."""
    for cell in nb.cells:
        error = next((o for o in cell.get("outputs", []) if o.get("output_type") == "error"), None)
        if error is None:
            continue
        number = cell.metadata.get(SOURCE_CELL)
        first_line = next((line.strip() for line in cell.source.splitlines() if line.strip()), "")
        where = f"cell {number} ({first_line[:60]})" if number else "the runner's first cell (the Spark session)"
        message = (error.get("evalue") or "").strip().splitlines()
        return where, f"{error.get('ename')}: {message[0] if message else ''}".rstrip(": ")
    return "an unknown cell", "no error output"


def write_html(nb: nbformat.NotebookNode, path: Path) -> None:
    from nbconvert import HTMLExporter

    body, _ = HTMLExporter().from_notebook_node(nb)
    path.write_text(body)


def run_notebook(source: Path, out: Path, widgets: Mapping[str, str], env: Mapping[str, str],
                 timeout: int = CELL_TIMEOUT_SECONDS) -> Executed:
    """Execute one notebook; a failing cell is a one-line error naming the notebook and the cell
    (the notebook as far as it ran is still written, for its traceback)."""
    try:
        nb = to_notebook(parse_cells(source.read_text()), preamble(widgets))
    except NotNotebookSource as exc:
        raise CreatorLakeError(f"{source.name}: {exc}") from None
    started = time.perf_counter()
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", extra_arguments=KERNEL_ARGUMENTS,
                            startup_timeout=KERNEL_START_SECONDS, resources={"metadata": {"path": str(source.parent)}})
    ipynb, html = out / f"{source.stem}.ipynb", out / f"{source.stem}.html"
    try:
        client.execute(env=dict(env))
    except CellExecutionError:
        nbformat.write(nb, ipynb)
        where, what = failed_cell(nb)
        raise WorkFailed(f"notebook {source.name} failed in {where}: {what} (the run so far: {ipynb})") from None
    except (CellTimeoutError, DeadKernelError, RuntimeError) as exc:
        nbformat.write(nb, ipynb)
        raise WorkFailed(f"notebook {source.name} did not finish: {str(exc).splitlines()[0]} (the run so far: {ipynb})") from None
    nbformat.write(nb, ipynb)
    write_html(nb, html)
    return Executed(source.name, ipynb, html, time.perf_counter() - started)


def run_all(sources: list[Path], out: Path, widgets: Mapping[str, str], env: Mapping[str, str],
            progress: Callable[[str], None] = lambda _: None) -> list[Executed]:
    out.mkdir(parents=True, exist_ok=True)
    done = []
    for number, source in enumerate(sources, 1):
        progress(f"{source.name} ({number}/{len(sources)}): running")
        executed = run_notebook(source, out, widgets, env)
        progress(f"{source.name}: done in {executed.seconds:.0f}s")
        done.append(executed)
    return done
