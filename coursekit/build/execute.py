"""Execute lessons and solutions in place, the way they are committed.

Lessons and solution notebooks are committed executed, outputs kept, so the
site and a reader on GitHub see them. ``coursekit build run PATH ...``
executes each notebook top to bottom in its own folder with a fresh kernel
(nbclient) and writes it back, with the volatile metadata that would make
every run a new diff (execution timings, widget state) removed. A cell that
fails stops that notebook, which is then left unchanged on disk.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

__all__ = ["execute_notebook", "run_notebooks"]

#: Notebook metadata keys that change on every run and carry nothing for readers.
VOLATILE_NOTEBOOK_KEYS = ("widgets", "papermill")
#: Cell metadata keys of the same kind.
VOLATILE_CELL_KEYS = ("execution", "ExecuteTime", "papermill")


def _clean(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    for key in VOLATILE_NOTEBOOK_KEYS:
        nb.metadata.pop(key, None)
    for cell in nb.cells:
        for key in VOLATILE_CELL_KEYS:
            cell.metadata.pop(key, None)
    return nb


def execute_notebook(path: Path, *, timeout: int = 300, kernel: str = "python3") -> float:
    """Execute the notebook at ``path`` in its folder and write it back.

    Parameters
    ----------
    path
        The notebook file.
    timeout
        Seconds allowed per cell.
    kernel
        Name of the Jupyter kernel.

    Returns
    -------
    float
        Wall time of the execution in seconds.

    Raises
    ------
    nbclient.exceptions.CellExecutionError
        When a cell fails; the file on disk is then left as it was.

    Examples
    --------
    >>> import tempfile
    >>> from nbformat.v4 import new_code_cell, new_notebook
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     p = Path(tmp) / "demo.ipynb"
    ...     nbformat.write(new_notebook(cells=[new_code_cell("1 + 1", id="a")]), str(p))
    ...     _ = execute_notebook(p)
    ...     nbformat.read(str(p), as_version=4).cells[0].outputs[0]["data"]["text/plain"]
    '2'
    """
    path = Path(path)
    with path.open(encoding="utf-8") as f:
        nb = nbformat.read(f, as_version=4)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name=kernel,
        resources={"metadata": {"path": str(path.parent)}},
    )
    start = time.perf_counter()
    client.execute()
    took = time.perf_counter() - start
    text = nbformat.writes(_clean(nb))
    path.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    return took


def run_notebooks(paths: Iterable[Path], *, timeout: int = 300) -> int:
    """Execute every notebook in ``paths``; print one line each; 1 if any failed.

    Examples
    --------
    >>> run_notebooks([])
    0
    """
    failed = 0
    for path in paths:
        try:
            took = execute_notebook(Path(path), timeout=timeout)
        except CellExecutionError as exc:
            failed += 1
            print(f"FAILED {path}:\n{exc}", file=sys.stderr)
            continue
        print(f"ran {path} in {took:.1f} s")
    return 1 if failed else 0
