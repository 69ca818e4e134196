"""Grade a class: run every submitted exercise notebook and tabulate its checks.

``coursekit grade SUBMISSIONS...`` (or :func:`grade`) executes each submitted
notebook from the top in a fresh kernel, the way the learner would with
"Restart and run all", and records the outcome of every question: correct,
incorrect or not attempted, with the message the learner saw. What counts is
the outcome of the question's own ``qN.check()`` cell at the moment it ran, so
a variable reused further down does not change an earlier answer; a question
whose check cell was deleted is judged on the variables at the end.

One submission never stops the others: a cell that raises is counted and the
run goes on; a cell over its time limit is interrupted and the run goes on; a
notebook over its whole budget has its remaining cells skipped and is still
judged; a file that is not a notebook, a notebook with no questions, or a
kernel that dies gives a row that says so.

The grade trusts the notebook it runs: a learner who rewrites the checks
themselves can fake a result. It is made for feedback in a course, not for an
exam.

Executing notebooks is nbclient's job (the library Jupyter itself uses); this
module only adds the per-cell bookkeeping and one last cell that reports the
questions (:func:`report`).
"""

from __future__ import annotations

import importlib
import json
import multiprocessing
import os
import pkgutil
import subprocess
import time
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from coursekit.errors import ArgumentError
from coursekit.exercises.core import Exercise, ExerciseSet

__all__ = [
    "GRADE_MIME",
    "Graded",
    "collect",
    "exercise_sets",
    "find_submissions",
    "grade",
    "grade_notebook",
    "report",
    "summary_by_question",
    "tabulate",
]

#: The output type of the grading cell's report.
GRADE_MIME = "application/vnd.coursekit.grade+json"

_REPORT_CELL = (
    "from coursekit.grade import report as _coursekit_grade_report\n"
    "_coursekit_grade_report(globals())"
)
_TIMEOUT_NAME = "CellTimeout"


def exercise_sets() -> dict[str, ExerciseSet]:
    """Every exercise set of the course, by notebook name.

    Examples
    --------
    >>> sets = exercise_sets()
    >>> sets["00_welcome_exercises"].qids
    ('q1', 'q2', 'q3')
    """
    import coursekit.exercises as package

    found: dict[str, ExerciseSet] = {}
    for info in pkgutil.iter_modules(package.__path__):
        if info.name.startswith("m") and info.name[1:].isdigit():
            module = importlib.import_module(f"{package.__name__}.{info.name}")
            ex = getattr(module, "EXERCISES", None)
            if isinstance(ex, ExerciseSet):
                found[ex.notebook] = ex
    return found


def collect(namespace: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The outcome of every question bound in a notebook's namespace.

    Each question of each exercise set that has a question bound in
    ``namespace`` gives one record: the last outcome of its ``check()`` when
    it was checked, otherwise the outcome of judging the variables now;
    questions of the set that were never bound are not attempted.

    Parameters
    ----------
    namespace
        The notebook's globals.

    Returns
    -------
    list of dict
        ``notebook``, ``question``, ``status``, ``message``, ``checked``
        (whether the learner ran the check), in question order.

    Examples
    --------
    >>> from coursekit.exercises import m00
    >>> ns = {}  # a notebook's globals, where q1, q2, q3 = m00.EXERCISES.bind(globals()) ran
    >>> ns["q1"], ns["q2"], ns["q3"] = m00.EXERCISES.bind(ns)
    >>> [(r["question"], r["status"]) for r in collect(ns)]
    [('q1', 'not_attempted'), ('q2', 'not_attempted'), ('q3', 'not_attempted')]
    """
    notebooks = dict.fromkeys(
        v.notebook for v in list(namespace.values()) if isinstance(v, Exercise) and v.notebook
    )
    sets = exercise_sets()
    records = []
    for notebook in notebooks:
        ex = sets.get(notebook)
        if ex is None:  # a set defined outside coursekit.exercises: the questions bound
            classes = list(dict.fromkeys(
                type(v) for v in list(namespace.values())
                if isinstance(v, Exercise) and v.notebook == notebook
            ))
            ex = ExerciseSet(notebook, classes)
        for cls, result, checked in ex.outcomes(namespace):
            records.append(
                {"notebook": notebook, "question": cls.qid, "status": result.status,
                 "message": result.message, "checked": checked}
            )
    return records


def report(namespace: Mapping[str, Any]) -> None:
    """Display :func:`collect` as one output of type :data:`GRADE_MIME`.

    The grader appends a cell calling this to every submission it runs.

    Examples
    --------
    >>> report({})  # outside a notebook it prints the JSON
    []
    """
    records = collect(namespace)
    try:
        from IPython import get_ipython

        shell = get_ipython()
    except ImportError:  # pragma: no cover - IPython comes with Jupyter
        shell = None
    if shell is None:
        print(json.dumps(records, ensure_ascii=False))
        return
    from IPython.display import display

    display({GRADE_MIME: records, "text/plain": f"{len(records)} questions"}, raw=True)


@dataclass
class Graded:
    """The grading of one submitted notebook.

    Attributes
    ----------
    path
        The submitted file.
    records
        One dict per question (see :func:`collect`).
    cells
        Code cells in the submission.
    cell_errors
        Cells that raised an error (time-outs included).
    timeouts
        Cells interrupted at their time limit.
    skipped
        Cells not run because the notebook's budget was spent.
    seconds
        Wall time of the run.
    problem
        Why the notebook could not be graded fully, or "".
    """

    path: Path
    records: list[dict[str, Any]] = field(default_factory=list)
    cells: int = 0
    cell_errors: int = 0
    timeouts: int = 0
    skipped: int = 0
    seconds: float = 0.0
    problem: str = ""


def grade_notebook(
    path: str | Path,
    *,
    cell_timeout: float = 60,
    budget: float = 600,
    kernel: str = "python3",
) -> Graded:
    """Run one submitted notebook in a fresh kernel and judge its questions.

    The notebook runs in its own folder; the file is not changed.

    Parameters
    ----------
    path
        The submitted ``.ipynb`` file.
    cell_timeout
        Seconds one cell may run before it is interrupted.
    budget
        Seconds the whole notebook may run; cells after that are skipped.
    kernel
        The Jupyter kernel to run it with.

    Returns
    -------
    Graded
        Never raises for a broken submission: :attr:`Graded.problem` says
        what went wrong.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     bad = Path(tmp) / "bad.ipynb"
    ...     _ = bad.write_text("not json", encoding="utf-8")
    ...     grade_notebook(bad).problem
    'not a readable notebook (NotJSONError)'
    """
    import nbformat

    path = Path(path)
    out = Graded(path=path)
    start = time.perf_counter()
    if not path.is_file():
        out.problem = "no such file"
        return out
    try:
        with path.open(encoding="utf-8") as f:
            nb = nbformat.read(f, as_version=4)
    except Exception as exc:  # noqa: BLE001 - any unreadable file is one row, not a crash
        out.problem = f"not a readable notebook ({type(exc).__name__})"
        return out
    code = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    out.cells = len(code)
    for i in code:
        nb.cells[i].outputs, nb.cells[i].execution_count = [], None
    report_cell = nbformat.v4.new_code_cell(_REPORT_CELL)
    nb.cells.append(report_cell)
    try:
        _run(nb, code, report_cell, path.parent, out, cell_timeout, budget, kernel)
    except Exception as exc:  # noqa: BLE001 - a dead or missing kernel is one row
        out.problem = f"the run stopped: {type(exc).__name__}: {exc}".strip()
    out.seconds = time.perf_counter() - start
    if not out.problem:
        out.records = _records(report_cell)
        if not out.records:
            out.problem = "no checked questions found (no EXERCISES.bind(globals()) cell ran)"
    return out


def _run(nb: Any, code: list[int], report_cell: Any, folder: Path, out: Graded,
         cell_timeout: float, budget: float, kernel: str) -> None:
    from nbclient import NotebookClient

    client = NotebookClient(
        nb,
        kernel_name=kernel,
        allow_errors=True,
        interrupt_on_timeout=True,
        error_on_timeout={"ename": _TIMEOUT_NAME, "evalue": "interrupted", "traceback": []},
        resources={"metadata": {"path": str(folder)}},
    )

    def on_error(cell: Any, cell_index: int, execute_reply: dict[str, Any]) -> None:
        out.cell_errors += cell is not report_cell
        out.timeouts += execute_reply["content"].get("ename") == _TIMEOUT_NAME

    client.on_cell_error = on_error
    with client.setup_kernel(stderr=subprocess.DEVNULL):  # the kernel's own log, not the learner's
        deadline = time.monotonic() + budget
        for done, index in enumerate(code):
            left = deadline - time.monotonic()
            if left <= 0:
                out.skipped = len(code) - done
                break
            client.timeout = max(1, int(min(cell_timeout, left)))
            client.execute_cell(nb.cells[index], index)
        client.timeout = max(1, int(cell_timeout))
        client.execute_cell(report_cell, len(nb.cells) - 1)


def _records(cell: Any) -> list[dict[str, Any]]:
    for output in cell.get("outputs", []):
        data = output.get("data", {})
        if GRADE_MIME in data:
            value = data[GRADE_MIME]
            return json.loads(value) if isinstance(value, str) else list(value)
    return []


def find_submissions(paths: Iterable[str | Path]) -> list[tuple[Path, str]]:
    """The notebooks to grade, each with the name it is reported under.

    Folders are searched for ``.ipynb`` files (Jupyter's
    ``.ipynb_checkpoints`` left out); files are taken as they are. Each
    notebook is named by its path from the folder all of them share, so
    ``submissions/`` holding ``ana/`` and ``bo/`` gives
    ``ana/05_fine_grained_ops_exercises.ipynb`` and
    ``bo/05_fine_grained_ops_exercises.ipynb``.

    Parameters
    ----------
    paths
        Notebook files and folders of them.

    Returns
    -------
    list of (Path, str)
        Each notebook's path and the name it is reported under.

    Raises
    ------
    ArgumentError
        When any of ``paths`` does not exist (a mistyped name): it is named,
        and nothing is graded.

    Examples
    --------
    >>> find_submissions([])
    []
    >>> find_submissions(["no/such/folder"])
    Traceback (most recent call last):
    ...
    coursekit.errors.ArgumentError: argument paths: no such file or folder: no/such/folder
    How to fix: check the spelling; nothing was graded
    """
    given = [Path(p) for p in paths]
    missing = [p.as_posix() for p in given if not p.exists()]
    if missing:
        raise ArgumentError(
            "no such file or folder: " + ", ".join(missing),
            name="paths",
            fix="check the spelling; nothing was graded",
        )
    files: list[Path] = []
    for p in given:
        if p.is_dir():
            files += [nb for nb in sorted(p.rglob("*.ipynb"))
                      if ".ipynb_checkpoints" not in nb.parts]
        else:
            files.append(p)
    if not files:
        return []
    folders = [str(f.resolve().parent) for f in files]
    try:
        base = Path(os.path.commonpath(folders))
    except ValueError:  # no folder in common (e.g. two drives)
        return [(f, f.as_posix()) for f in files]
    return [(f, f.resolve().relative_to(base).as_posix()) for f in files]


def _grade_one(args: tuple[Path, float, float, str]) -> Graded:
    path, cell_timeout, budget, kernel = args
    return grade_notebook(path, cell_timeout=cell_timeout, budget=budget, kernel=kernel)


def grade(
    paths: Sequence[str | Path],
    *,
    cell_timeout: float = 60,
    budget: float = 600,
    jobs: int = 1,
    kernel: str = "python3",
    progress: bool = False,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Grade every submission under ``paths``.

    Parameters
    ----------
    paths
        Notebook files and folders of them (see :func:`find_submissions`).
    cell_timeout, budget, kernel
        As in :func:`grade_notebook`.
    jobs
        Notebooks run at the same time (each in its own process and kernel).
    progress
        Print one line per graded notebook.

    Returns
    -------
    grades : pandas.DataFrame
        One row per submission: ``submission``, ``notebook``, ``correct``,
        ``questions``, ``score`` (share correct), one column per question
        with its status (``q1``; ``05 q1``, ``06 q1`` when the submissions
        hold more than one exercise notebook), then ``cell_errors``,
        ``timeouts``, ``skipped_cells``, ``seconds`` and ``problem``.
    details : pandas.DataFrame
        One row per submission and question, with the message the learner
        saw and whether they ran the check.

    Raises
    ------
    ArgumentError
        When any of ``paths`` does not exist (before any notebook runs).

    Examples
    --------
    >>> grades, details = grade([])
    >>> list(grades.columns[:5]), len(details)
    (['submission', 'notebook', 'correct', 'questions', 'score'], 0)
    """
    subs = find_submissions(paths)
    tasks = [(p, float(cell_timeout), float(budget), kernel) for p, _ in subs]
    if jobs > 1 and len(tasks) > 1:
        # spawn, not fork: a forked child would inherit this process's ZeroMQ
        # context (from earlier kernels) and can hang talking to its own kernel
        spawn = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=jobs, mp_context=spawn) as pool:
            results = []
            for (_, name), g in zip(subs, pool.map(_grade_one, tasks), strict=True):
                results.append(g)
                if progress:
                    print(_line(name, g), flush=True)
    else:
        results = []
        for (_, name), task in zip(subs, tasks, strict=True):
            results.append(_grade_one(task))
            if progress:
                print(_line(name, results[-1]), flush=True)
    return tabulate([(name, g) for (_, name), g in zip(subs, results, strict=True)])


def tabulate(graded: Sequence[tuple[str, Graded]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The two tables of :func:`grade` from graded notebooks, each with its name.

    Examples
    --------
    >>> g = Graded(Path("ana.ipynb"), records=[
    ...     {"notebook": "00_welcome_exercises", "question": "q1", "status": "correct",
    ...      "message": "", "checked": True}])
    >>> grades, details = tabulate([("ana.ipynb", g)])
    >>> grades[["submission", "correct", "score", "q1"]]
      submission  correct  score       q1
    0  ana.ipynb        1    1.0  correct
    """
    rows, details = [], []
    qcols: list[str] = []
    mixed = len({r["notebook"] for _, g in graded for r in g.records}) > 1

    def column(record: dict[str, Any]) -> str:
        # with several exercise notebooks, "05 q1" and "06 q1" are different questions
        return f"{record['notebook'][:2]} {record['question']}" if mixed else record["question"]

    for name, g in graded:
        notebooks = sorted({r["notebook"] for r in g.records})
        n_ok = sum(r["status"] == "correct" for r in g.records)
        row: dict[str, Any] = {
            "submission": name,
            "notebook": ", ".join(notebooks),
            "correct": n_ok,
            "questions": len(g.records),
            "score": n_ok / len(g.records) if g.records else float("nan"),
        }
        for r in g.records:
            if column(r) not in qcols:
                qcols.append(column(r))
            row[column(r)] = r["status"]
            details.append({"submission": name, **r})
        row.update(cell_errors=g.cell_errors, timeouts=g.timeouts, skipped_cells=g.skipped,
                   seconds=round(g.seconds, 1), problem=g.problem)
        rows.append(row)
    head = ["submission", "notebook", "correct", "questions", "score"]
    tail = ["cell_errors", "timeouts", "skipped_cells", "seconds", "problem"]
    grades = pd.DataFrame(rows, columns=head + qcols + tail)
    detail = pd.DataFrame(
        details, columns=["submission", "notebook", "question", "status", "message", "checked"]
    )
    return grades, detail


def _line(name: str, g: Graded) -> str:
    ok = sum(r["status"] == "correct" for r in g.records)
    text = f"{name}: {ok}/{len(g.records)} correct in {g.seconds:.1f} s"
    if g.cell_errors:
        text += f", {g.cell_errors} cell(s) with errors"
    if g.skipped:
        text += f", {g.skipped} cell(s) skipped (budget spent)"
    return text + (f" [{g.problem}]" if g.problem else "")


def summary_by_question(details: pd.DataFrame) -> pd.DataFrame:
    """The class's result per question: how many correct, incorrect, not attempted.

    Parameters
    ----------
    details
        The second table of :func:`grade`.

    Returns
    -------
    pandas.DataFrame
        One row per notebook and question (in question order), with the
        counts and ``share_correct``.

    Examples
    --------
    >>> d = pd.DataFrame({"notebook": ["n"] * 3, "question": ["q1", "q1", "q2"],
    ...                   "status": ["correct", "incorrect", "correct"]})
    >>> summary_by_question(d)[["question", "correct", "incorrect", "share_correct"]]
      question  correct  incorrect  share_correct
    0       q1        1          1            0.5
    1       q2        1          0            1.0
    """
    statuses = ["correct", "incorrect", "not_attempted"]
    if details.empty:
        return pd.DataFrame(columns=["notebook", "question", *statuses, "share_correct"])
    order = {q: i for i, q in enumerate(dict.fromkeys(details["question"]))}
    counts = (
        pd.crosstab([details["notebook"], details["question"]], details["status"])
        .reindex(columns=statuses, fill_value=0)
        .reset_index()
    )
    counts.columns.name = None
    counts["share_correct"] = counts["correct"] / counts[statuses].sum(axis=1)
    counts = counts.sort_values(["notebook", "question"], key=lambda s: (
        s.map(order) if s.name == "question" else s))
    return counts.reset_index(drop=True)
