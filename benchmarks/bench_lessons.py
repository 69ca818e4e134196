"""Time every cell of every lesson and solution notebook, as an instructor runs them.

The course promises that every cell runs in under 3 seconds and every lesson
in under a minute on the default data, on a 2-core laptop. This script checks
the promise where it can be measured: it executes each notebook of
``notebooks/`` and ``solutions/`` top to bottom in a fresh kernel (nbclient,
as ``coursekit build run`` does, but without writing the notebook back),
reads each code cell's start and end from the kernel's messages, and keeps
for the notebook and for each cell the fastest of ``--repeat`` runs (other
work on the machine only ever adds time, and the import cell varies most).
The first cell of a lesson pays for importing pandas and matplotlib (about
2 s on its own); it is reported like any other.

Writes the section "lessons" of ``benchmarks/RESULTS.md``: per notebook the
wall time, the number of code cells, the slowest cell and how many cells took
3 s or more.

Run from the repository root::

    python benchmarks/bench_lessons.py                 # every notebook, best of 3 (about 5 minutes)
    python benchmarks/bench_lessons.py --repeat 1 --no-write notebooks/05b_targeting_campaigns.ipynb
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CELL_LIMIT = 3.0  # seconds a cell may take
LESSON_LIMIT = 60.0  # seconds a lesson may take


def _seconds(cell: nbformat.NotebookNode) -> float:
    """The cell's run time from the kernel's own timestamps (execute_input to reply)."""
    meta = cell.metadata.get("execution", {})
    start, end = meta.get("iopub.execute_input"), meta.get("shell.execute_reply")
    if not (start and end):
        return float("nan")
    parse = dt.datetime.fromisoformat
    return (parse(end.replace("Z", "+00:00")) - parse(start.replace("Z", "+00:00"))).total_seconds()


def time_notebook(path: Path) -> tuple[float, list[tuple[int, float, str]]]:
    """Run ``path`` once in a fresh kernel: wall time, and (cell number, seconds,
    first line) for each code cell, numbered from 1 among the code cells."""
    nb = nbformat.read(str(path), as_version=4)
    client = NotebookClient(nb, timeout=600, kernel_name="python3", record_timing=True,
                            resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    client.execute()
    wall = time.perf_counter() - start
    cells = [c for c in nb.cells if c.cell_type == "code"]
    return wall, [(i, _seconds(c), c.source.split("\n", 1)[0]) for i, c in enumerate(cells, 1)]


def import_seconds(repeat: int = 3) -> float:
    """Fastest of ``repeat`` fresh processes importing pandas and matplotlib's pyplot:
    the floor under every lesson's first cell, and a gauge of the machine's speed."""
    import subprocess

    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import pandas, matplotlib.pyplot"], check=True)
        best = min(best, time.perf_counter() - start)
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", help="notebooks (default: notebooks/ and solutions/)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each notebook, fastest kept")
    parser.add_argument("--no-write", action="store_true", help="print, do not touch RESULTS.md")
    args = parser.parse_args(argv)
    command = _common.command_line("bench_lessons.py", argv)
    paths = [Path(p) for p in args.paths] or [
        *sorted((ROOT / "notebooks").glob("*.ipynb")), *sorted((ROOT / "solutions").glob("*.ipynb"))
    ]

    gauge = import_seconds()
    print(f"importing pandas and matplotlib in a fresh process: {gauge:.2f} s", flush=True)
    rows = []
    for path in paths:
        runs = [time_notebook(path) for _ in range(max(1, args.repeat))]
        wall = min(r[0] for r in runs)
        cells = [(i, min(r[1][k][1] for r in runs), src)
                 for k, (i, _, src) in enumerate(runs[0][1])]
        by_time = sorted(cells, key=lambda c: c[1], reverse=True)
        slow_i, slow_s, slow_src = by_time[0]
        next_i, next_s, next_src = by_time[1] if len(by_time) > 1 else (0, float("nan"), "")
        over = [c for c in cells if c[1] >= CELL_LIMIT]
        name = path.resolve().relative_to(ROOT).as_posix()
        rows.append((name, wall, len(cells), slow_i, slow_s, slow_src, over,
                     next_i, next_s, next_src))
        print(f"{name}: {wall:.1f} s, {len(cells)} code cells, slowest cell {slow_i} "
              f"{slow_s:.2f} s ({slow_src[:40]}), {len(over)} at {CELL_LIMIT:.0f} s or more",
              flush=True)

    total = sum(r[1] for r in rows)
    worst = max(rows, key=lambda r: r[4])
    lines = [
        "## Lessons: every cell of every lesson and solution notebook",
        *_common.produced_by(command),
        f"Each notebook run top to bottom in a fresh kernel (nbclient), {max(1, args.repeat)} "
        "times; for the notebook and for each cell the fastest run is kept, cell times from the "
        "kernel's own timestamps. Limits: "
        f"{CELL_LIMIT:.0f} s a cell, {LESSON_LIMIT:.0f} s a lesson, on the default data.",
        "",
        "| notebook | wall time, s | code cells | slowest cell | s | next slowest | s "
        "| cells >= 3 s |",
        "| --- | ---: | ---: | --- | ---: | --- | ---: | ---: |",
    ]
    for name, wall, n, slow_i, slow_s, slow_src, over, next_i, next_s, next_src in rows:
        first = slow_src.replace("|", "\\|")[:40]
        second = next_src.replace("|", "\\|")[:40]
        lines.append(f"| `{name}` | {wall:.1f} | {n} | {slow_i}: `{first}` | {slow_s:.2f} "
                     f"| {next_i}: `{second}` | {next_s:.2f} | {len(over)} |")
    lines += [
        "",
        f"All {len(rows)} notebooks: {total:.0f} s in all; the slowest cell anywhere took "
        f"{worst[4]:.2f} s (`{worst[0]}`, cell {worst[3]}); "
        f"{sum(len(r[6]) for r in rows)} cells took {CELL_LIMIT:.0f} s or more; the longest "
        f"notebook took {max(r[1] for r in rows):.1f} s.",
        "",
        f"The machine's pace in the same run: a fresh Python process importing pandas and "
        f"matplotlib took {gauge:.2f} s (best of 3). On a shared machine this varies from "
        "run to run, and every import cell moves with it: read a cell's time against it.",
    ]
    if not args.no_write:
        _common.write_section("lessons", "\n".join(lines))
        print(f"wrote the lessons section of {_common.RESULTS.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
