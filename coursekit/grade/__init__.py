"""Grade a class: run every submitted exercise notebook and judge its answers.

``coursekit grade SUBMISSIONS...`` (or :func:`grade`) executes each submitted
notebook from the top in a fresh kernel, the way the learner would with
"Restart and run all", and records the outcome of every question: correct,
incorrect or not attempted, with the message the learner would see. What
counts is the value of the question's variables when its ``qN.check()`` cell
ran, so a variable reused further down does not change an earlier answer; a
question whose check cell was deleted is judged on the variables at the end.

A grade you can trust:

- each notebook runs in its own throwaway copy of the course (the package,
  with stand-in checks that cannot compute an answer, and the world), fenced
  in as :mod:`coursekit.grade.isolation` describes, so it cannot touch
  another submission, the package, the data or the grades file, and every
  process it started ends with it;
- the grader decides: the answer values are taken out of the kernel as JSON
  data (:mod:`coursekit.grade.answers`) and judged here, by checks whose right
  values were computed before any submission ran; what the notebook's own
  kernel says about correctness is never read;
- ``world=`` grades on another world than the learners saw, so numbers typed
  in from a run on the course's data fail where code that computes them
  passes;
- code that reads the solutions, reaches into the checks, reads other
  notebooks or starts processes is flagged (:mod:`coursekit.grade.scan`); a
  notebook flagged for the first three scores 0 until someone reads it.

One submission never stops the others: a cell that raises is counted and the
run goes on; a cell over its time limit is interrupted and the run goes on; a
notebook over its whole budget has its remaining cells skipped and is still
judged; a file that is not a notebook, a notebook with no questions, or a
kernel that dies gives a row that says so.

Executing notebooks is nbclient's job (the library Jupyter itself uses);
this package adds the fence, the bookkeeping and the judging.
"""

from __future__ import annotations

import ast
import contextlib
import json
import os
import re
import secrets
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from coursekit.errors import ArgumentError
from coursekit.exercises.core import Exercise, ExerciseSet, Result

__all__ = [
    "Graded",
    "exercise_sets",
    "find_submissions",
    "grade",
    "grade_notebook",
    "summary_by_question",
    "tabulate",
    "write_table",
]

_BIND = re.compile(r"\b(m\d\d)\s*\.\s*EXERCISES\s*\.\s*bind\b")
_REPORT_LIMIT = 64_000_000  # bytes of a runner's report read back at most
_WORK_SIZE = "1g"  # the notebook's folder, in memory, while it is graded


def _exercise_modules() -> dict[str, ExerciseSet]:
    """Every exercise set of the course, by module name (``"m00"``)."""
    import importlib
    import pkgutil

    import coursekit.exercises as package

    found: dict[str, ExerciseSet] = {}
    for info in pkgutil.iter_modules(package.__path__):
        if info.name.startswith("m") and info.name[1:].isdigit():
            module = importlib.import_module(f"{package.__name__}.{info.name}")
            ex = getattr(module, "EXERCISES", None)
            if isinstance(ex, ExerciseSet):
                found[info.name] = ex
    return found


def exercise_sets() -> dict[str, ExerciseSet]:
    """Every exercise set of the course, by notebook name.

    Examples
    --------
    >>> sets = exercise_sets()
    >>> sets["00_welcome_exercises"].qids
    ('q1', 'q2', 'q3')
    """
    return {ex.notebook: ex for ex in _exercise_modules().values()}


@dataclass
class Graded:
    """The grading of one submitted notebook.

    Attributes
    ----------
    path
        The submitted file.
    records
        One dict per question: ``notebook``, ``question``, ``status``,
        ``message``, ``checked`` (whether the learner ran its check).
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
    flags
        What the code scan found (:func:`coursekit.grade.scan.summary`), or "".
    cheating
        True when a flag makes the score 0 until someone reads the notebook.
    isolation
        How the notebook was fenced in (see :mod:`coursekit.grade.isolation`).
    """

    path: Path
    records: list[dict[str, Any]] = field(default_factory=list)
    cells: int = 0
    cell_errors: int = 0
    timeouts: int = 0
    skipped: int = 0
    seconds: float = 0.0
    problem: str = ""
    flags: str = ""
    cheating: bool = False
    isolation: str = ""


class _Checks:
    """One exercise set's checks with their right values computed on the grading world."""

    def __init__(self, exercises: ExerciseSet, world: Path | None) -> None:
        self.exercises, self.world = exercises, world
        self.questions: list[Exercise] = [cls(notebook=exercises.notebook) for cls in exercises]
        with _on_world(world):
            for q in self.questions:  # now, before any submission runs
                if type(q)._expected is not Exercise._expected:
                    q._expected()
                q.mistakes()

    def judge(self, answers: dict[str, Any], checked: Iterable[str],
              stopped: bool) -> list[dict[str, Any]]:
        from coursekit.grade.answers import Unsupported, read_answers

        checked = set(checked)
        records = []
        with _on_world(self.world):
            for q in self.questions:
                raw = answers.get(q.qid)
                if raw is None:
                    why = ("the run stopped before its answer was recorded" if stopped else
                           f"{q.qid} is not bound: run the first cells, with "
                           "EXERCISES.bind(globals()), unchanged")
                    result = Result("not_attempted", why + ".")
                else:
                    try:
                        values = read_answers({q.qid: raw})[q.qid]
                    except ValueError as exc:
                        values = {v: Unsupported(f"an unreadable answer ({exc})")
                                  for v in q.variables}
                    odd = [(v, x) for v, x in values.items()
                           if v in q.variables and isinstance(x, Unsupported)]
                    if odd:
                        v, x = odd[0]
                        result = q.incorrect(
                            f"`{v}` is {x.description}, which the grader cannot read back; "
                            "store a number, text, list, table or figure.")
                    else:
                        result = q.evaluate(**{v: x for v, x in values.items()
                                               if v in q.variables})
                records.append({"notebook": self.exercises.notebook, "question": q.qid,
                                "status": result.status, "message": result.message,
                                "checked": q.qid in checked})
        return records


@contextlib.contextmanager
def _on_world(world: Path | None) -> Iterator[None]:
    """Point :func:`coursekit.load` at ``world`` (None: the course's data) for a while."""
    import coursekit.data as data

    before = data._current
    data.use_world(world)
    try:
        yield
    finally:
        data._current = before


def _checked_cells(nb: Any, qids: Sequence[str]) -> dict[str, list[str]]:
    """Code cell index -> the questions whose ``qN.check()`` that cell calls."""
    from IPython.core.inputtransformer2 import TransformerManager

    transform = TransformerManager().transform_cell
    out: dict[str, list[str]] = {}
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        try:
            tree = ast.parse(transform(cell.source))
        except (SyntaxError, ValueError, RecursionError):
            continue
        called = [node.func.value.id for node in ast.walk(tree)
                  if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                  and node.func.attr == "check" and isinstance(node.func.value, ast.Name)
                  and node.func.value.id in qids]
        if called:
            out[str(index)] = list(dict.fromkeys(called))
    return out


def _which_set(name: str, nb: Any, modules: dict[str, ExerciseSet]) -> ExerciseSet | None:
    by_notebook = {ex.notebook: ex for ex in modules.values()}
    stem = Path(name).stem
    if stem in by_notebook:
        return by_notebook[stem]
    for cell in nb.cells:
        if cell.cell_type == "code":
            found = _BIND.search(cell.source)
            if found and found.group(1) in modules:
                return modules[found.group(1)]
    return None


class _Grader:
    """One grading run: the course copy, the checks and the sandboxes' folder."""

    def __init__(self, *, world: str | os.PathLike | None, cell_timeout: float, budget: float,
                 kernel: str) -> None:
        from coursekit.grade.course_copy import CourseCopy
        from coursekit.grade.isolation import isolation_level, new_run_dir

        self.world = None if world is None else Path(world).resolve()
        self.cell_timeout, self.budget, self.kernel = float(cell_timeout), float(budget), kernel
        self.level = isolation_level()
        self.copy = CourseCopy.from_install(self.world)
        self.modules = _exercise_modules()
        self.checks: dict[str, _Checks] = {}
        self.run_dir = new_run_dir()

    def close(self) -> None:
        from coursekit.grade.course_copy import make_writable

        make_writable(self.run_dir)
        shutil.rmtree(self.run_dir, ignore_errors=True)

    def read(self, path: Path, name: str) -> tuple[Graded, Any, ExerciseSet | None]:
        """The submission read into memory, with its exercise set (checks built now)."""
        import nbformat

        out = Graded(path=path, isolation=self.level)
        if not path.is_file():
            out.problem = "no such file"
            return out, None, None
        try:
            nb = nbformat.reads(path.read_bytes().decode("utf-8"), as_version=4)
        except Exception as exc:  # noqa: BLE001 - any unreadable file is one row, not a crash
            out.problem = f"not a readable notebook ({type(exc).__name__})"
            return out, None, None
        out.cells = sum(c.cell_type == "code" for c in nb.cells)
        from coursekit.grade.scan import CHEATING, scan, summary

        flags = scan([c.source for c in nb.cells if c.cell_type == "code"])
        out.flags, out.cheating = summary(flags), any(f.kind in CHEATING for f in flags)
        ex = _which_set(name, nb, self.modules)
        if ex is not None and ex.notebook not in self.checks:
            self.checks[ex.notebook] = _Checks(ex, self.world)
        return out, nb, ex

    def run(self, number: int, out: Graded, nb: Any, ex: ExerciseSet | None) -> dict[str, Any]:
        """Run one notebook in its sandbox; the runner's report (answers as data)."""
        import nbformat

        import coursekit
        from coursekit.grade import isolation

        sandbox = self.run_dir / f"{number:04d}"
        work = sandbox / "work"
        work.mkdir(parents=True)
        paths = self.copy.write(sandbox / "course")
        notebook = work / (out.path.name if out.path.suffix == ".ipynb" else "submission.ipynb")
        nbformat.write(nb, str(notebook))
        spec = {
            "notebook": str(notebook), "work": str(work), "sandbox": str(sandbox),
            "kernel": self.kernel,
            "cell_timeout": self.cell_timeout, "budget": self.budget,
            "questions": {cls.qid: list(cls.variables) for cls in ex} if ex else {},
            "captures": _checked_cells(nb, ex.qids) if ex else {},
            # the installed package (real checks) where an allowed folder holds it
            "hide_dirs": [str(Path(coursekit.__file__).resolve().parent)],
            "work_size": _WORK_SIZE,
            "isolated": self.level == "namespaces",
            "token": secrets.token_hex(16),
        }
        (sandbox / "root").mkdir()  # where the notebook's own root is built (namespaces)
        spec_path = sandbox / "spec.json"
        spec_path.write_text(json.dumps(spec), encoding="utf-8")
        env = isolation.environment(sandbox, paths["package"], paths["data"], work)
        runner = paths["package"] / "coursekit" / "grade" / "runner.py"
        cmd = isolation.command(self.level, runner, spec_path)
        log, result = sandbox / "runner.err", sandbox / "runner.out"
        with result.open("wb") as stdout, log.open("wb") as stderr:
            proc = subprocess.Popen(cmd, cwd=work, env=env, stdin=subprocess.DEVNULL,
                                    stdout=stdout, stderr=stderr, start_new_session=True)
            try:
                proc.wait(timeout=self.budget + self.cell_timeout + 120)
            except subprocess.TimeoutExpired:
                out.problem = "the run went over its budget and was stopped"
            finally:
                isolation.kill_group(proc.pid)
                proc.wait()
                isolation.kill_leftovers(sandbox)
        return _report(result, log, spec["token"])


def _report(result: Path, log: Path, token: str) -> dict[str, Any]:
    with result.open("rb") as f:
        f.seek(max(0, result.stat().st_size - _REPORT_LIMIT))
        text = f.read().decode("utf-8", errors="replace")
    for line in reversed(text.splitlines()):
        if line.startswith(token):
            try:  # whatever a notebook managed to write there is one row's problem
                report = json.loads(line[len(token):])
            except (ValueError, RecursionError, MemoryError):
                break
            if isinstance(report, dict):
                return report
    tail = log.read_bytes()[-2000:].decode("utf-8", errors="replace").strip().splitlines()
    why = tail[-1] if tail else "no report"
    return {"problem": f"the grader could not run the notebook ({why})"}


def _count(report: dict[str, Any], key: str) -> int:
    value = report.get(key, 0)
    return value if isinstance(value, int) and value >= 0 else 0


def _finish(out: Graded, report: dict[str, Any], ex: ExerciseSet | None,
            checks: _Checks | None, started: float) -> Graded:
    out.cell_errors, out.timeouts = _count(report, "cell_errors"), _count(report, "timeouts")
    out.skipped = _count(report, "skipped")
    problem = report.get("problem", "")
    out.problem = out.problem or (problem if isinstance(problem, str) else "")
    if ex is None or checks is None:
        out.problem = out.problem or (
            "no exercise set found (no mNN.EXERCISES.bind(globals()) cell, and the file "
            "name is not an exercise notebook's)")
    else:
        answers = report.get("answers")
        checked = report.get("checked")
        out.records = checks.judge(
            answers if isinstance(answers, dict) else {},
            [c for c in checked if isinstance(c, str)] if isinstance(checked, list) else [],
            stopped=bool(out.problem))
    out.seconds = time.perf_counter() - started
    return out


def grade_notebook(
    path: str | Path,
    *,
    cell_timeout: float = 60,
    budget: float = 600,
    kernel: str = "python3",
    world: str | os.PathLike | None = None,
) -> Graded:
    """Run one submitted notebook in its own sandbox and judge its questions.

    Parameters
    ----------
    path
        The submitted ``.ipynb`` file; it is not changed.
    cell_timeout
        Seconds one cell may run before it is interrupted.
    budget
        Seconds the whole notebook may run; cells after that are skipped.
    kernel
        The Jupyter kernel to run it with.
    world
        Folder of a generated world to grade on (None: the course's data).

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
    grades = _grade_all([(Path(path), Path(path).name)], cell_timeout=cell_timeout,
                        budget=budget, jobs=1, kernel=kernel, world=world)
    return grades[0][1]


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


def _grade_all(
    subs: Sequence[tuple[Path, str]], *, cell_timeout: float, budget: float, jobs: int,
    kernel: str, world: str | os.PathLike | None,
    on_graded: Callable[[list[tuple[str, Graded]]], None] | None = None,
    progress: bool = False,
) -> list[tuple[str, Graded]]:
    if not subs:
        return []
    grader = _Grader(world=world, cell_timeout=cell_timeout, budget=budget, kernel=kernel)
    try:
        # everything is read, scanned and its checks computed before any notebook runs
        read = [grader.read(path, name) for path, name in subs]
        done: dict[int, Graded] = {}

        def one(i: int) -> tuple[int, dict[str, Any], float]:
            out, nb, _ = read[i]
            started = time.perf_counter()
            try:
                return i, (grader.run(i, out, nb, read[i][2]) if nb is not None else {}), started
            except Exception as exc:  # noqa: BLE001 - the grader's own trouble: one row
                return i, {"problem": f"the grader could not run it ({type(exc).__name__}: "
                                      f"{exc})"}, started

        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            futures = [pool.submit(one, i) for i in range(len(subs))]
            for future in as_completed(futures):
                i, report, started = future.result()
                out, nb, ex = read[i]
                if nb is None:
                    done[i] = out
                else:
                    checks = grader.checks.get(ex.notebook) if ex is not None else None
                    try:
                        done[i] = _finish(out, report, ex, checks, started)
                    except Exception as exc:  # noqa: BLE001 - one notebook, one row
                        out.problem = f"its report could not be judged ({type(exc).__name__})"
                        out.records = []
                        done[i] = out
                if progress:
                    print(_line(subs[i][1], done[i]), flush=True)
                if on_graded is not None:
                    on_graded([(subs[k][1], done[k]) for k in sorted(done)])
        return [(subs[i][1], done[i]) for i in range(len(subs))]
    finally:
        grader.close()


def grade(
    paths: Sequence[str | Path],
    *,
    cell_timeout: float = 60,
    budget: float = 600,
    jobs: int = 1,
    kernel: str = "python3",
    world: str | os.PathLike | None = None,
    progress: bool = False,
    on_graded: Callable[[list[tuple[str, Graded]]], None] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Grade every submission under ``paths``.

    Parameters
    ----------
    paths
        Notebook files and folders of them (see :func:`find_submissions`).
    cell_timeout, budget, kernel, world
        As in :func:`grade_notebook`.
    jobs
        Notebooks run at the same time (each in its own sandbox and kernel).
    progress
        Print one line per graded notebook.
    on_graded
        Called after each notebook with the ``(name, Graded)`` pairs graded so
        far, in submission order (the command line keeps them in a partial
        CSV, so an interrupted run loses nothing graded).

    Returns
    -------
    grades : pandas.DataFrame
        One row per submission: ``submission``, ``notebook``, ``correct``,
        ``questions``, ``score`` (share correct; 0 for a notebook flagged for
        cheating), one column per question with its status (``q1``; ``05
        q1``, ``06 q1`` when the submissions hold more than one exercise
        notebook), then ``cell_errors``, ``timeouts``, ``skipped_cells``,
        ``seconds``, ``problem``, ``flags`` and ``isolation``.
    details : pandas.DataFrame
        One row per submission and question, with the message the learner
        would see and whether they ran the check.

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
    graded = _grade_all(subs, cell_timeout=cell_timeout, budget=budget, jobs=jobs,
                        kernel=kernel, world=world, on_graded=on_graded, progress=progress)
    return tabulate(graded)


def write_table(table: pd.DataFrame, path: str | Path) -> Path:
    """Write ``table`` as CSV all at once: a reader sees the old file or the new, never half.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     p = write_table(pd.DataFrame({"a": [1]}), Path(tmp) / "t.csv")
    ...     p.read_text(encoding="utf-8").splitlines()
    ['a', '1']
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            table.to_csv(f, index=False)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


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
            "score": (0.0 if g.cheating else n_ok / len(g.records)) if g.records
            else float("nan"),
        }
        for r in g.records:
            if column(r) not in qcols:
                qcols.append(column(r))
            row[column(r)] = r["status"]
            details.append({"submission": name, **r})
        row.update(cell_errors=g.cell_errors, timeouts=g.timeouts, skipped_cells=g.skipped,
                   seconds=round(g.seconds, 1), problem=g.problem, flags=g.flags,
                   isolation=g.isolation)
        rows.append(row)
    head = ["submission", "notebook", "correct", "questions", "score"]
    tail = ["cell_errors", "timeouts", "skipped_cells", "seconds", "problem", "flags",
            "isolation"]
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
    if g.cheating:
        text += ", flagged: score 0 until read"
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
