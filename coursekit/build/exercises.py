"""Write ``exercises/`` from ``solutions/``: answers become stubs, outputs go.

In a solution notebook, the answer to a question sits between two marker
lines inside a code cell::

    orders = coursekit.load("orders")          # kept
    # BEGIN SOLUTION q1
    top_channel = orders["channel"].value_counts().idxmax()
    # END SOLUTION
    q1.check()                                 # kept

The exercise notebook gets, in place of the region, the lines of the region
that start with ``# STUB: `` (prefix removed) when there are any, otherwise
one ``name = ____  # your code here`` line per name assigned at the top level
of the region, or ``# your code here`` when it assigns nothing. A cell holds
at most one region; a cell tagged ``solution-only`` is left out.

``coursekit build exercises`` writes the files; ``--check`` only compares. A
notebook in ``exercises/`` that holds a learner's work (a cell that was run,
or a placeholder ``____`` replaced by an answer) is never overwritten by the
build: ``coursekit reset exercises/NAME.ipynb`` keeps it under
``exercises/backup/`` with the date and time in its name and writes a clean
copy (:func:`reset_exercise`).

The site shows each solution notebook as a worked solution
(:func:`worked_solution`): the marker and stub lines go, and so do the cells
that only serve a learner at work (tagged ``exercise-only``, such as how to
use the checks and the progress table, and the commented ``qN.hint()`` cells).
"""

from __future__ import annotations

import ast
import datetime
import hashlib
import importlib
import json
import pkgutil
import re
import shutil
import sys
import textwrap
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbformat import NotebookNode
from nbformat.v4.rwbase import rejoin_lines

from coursekit.errors import ArgumentError, CourseError

__all__ = [
    "MarkerError",
    "build_exercises",
    "exercise_text",
    "make_exercise_notebook",
    "read_notebook",
    "has_learner_work",
    "reset_exercise",
    "solution_regions",
    "worked_solution",
]

#: Cells with one of these tags are left out of the exercise notebook.
DROP_CELL_TAGS = frozenset({"solution-only", "injected-parameters"})
#: Tags that only mean something in the solutions; removed from kept cells.
SOLUTION_TAGS = DROP_CELL_TAGS | {"solution"}

#: Cells that only serve a learner working the exercise; left out of the worked solution.
EXERCISE_ONLY_TAG = "exercise-only"

STUB_PREFIX = "# STUB:"
STUB_LINE = "{indent}{name} = ____  # your code here"
EMPTY_STUB = "{indent}# your code here"

_BEGIN = re.compile(r"^(?P<indent>\s*)#\s*BEGIN SOLUTION\b(?P<rest>.*)$")
_END = re.compile(r"^\s*#\s*END SOLUTION\b(?P<rest>.*)$")
#: A cell of commented help calls only, e.g. ``# q1.hint()`` and ``# q1.solution()``.
_HELP_CALLS = re.compile(r"^(\s*#\s*q\d+\.(hint|solution)\(\)\s*\n?)+$")
_QID = re.compile(r"^q\d+[a-z]?$")
_DEFAULT_KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python",
                       "name": "python3"}


class MarkerError(CourseError, ValueError):
    """Solution markers in a notebook are malformed (names notebook and cell)."""


@dataclass(frozen=True)
class _Region:
    qid: str
    begin: int  # line index of the BEGIN marker
    end: int  # line index of the END marker
    indent: str

    def body(self, lines: list[str]) -> list[str]:
        return lines[self.begin + 1 : self.end]


def _find_region(lines: list[str], where: str) -> _Region | None:
    """The one solution region of a cell's lines, or None; MarkerError if malformed."""
    found: _Region | None = None
    open_at: int | None = None
    qid = indent = ""
    for i, line in enumerate(lines):
        begin, end = _BEGIN.match(line), _END.match(line)
        if begin:
            if open_at is not None:
                raise MarkerError(
                    f"{where}, line {i + 1}: BEGIN SOLUTION inside the region opened on line "
                    f"{open_at + 1} (regions cannot be nested; close it with # END SOLUTION)"
                )
            if found is not None:
                raise MarkerError(
                    f"{where}, line {i + 1}: a second solution region; a cell holds one "
                    "(split the cell)"
                )
            qid = begin["rest"].strip()
            if not _QID.match(qid):
                raise MarkerError(
                    f"{where}, line {i + 1}: unknown question {qid!r} after BEGIN SOLUTION "
                    "(write e.g. '# BEGIN SOLUTION q1')"
                )
            open_at, indent = i, begin["indent"]
        elif end:
            if open_at is None:
                raise MarkerError(f"{where}, line {i + 1}: END SOLUTION without BEGIN SOLUTION")
            closing = end["rest"].strip()
            if closing and closing != qid:
                raise MarkerError(
                    f"{where}, line {i + 1}: END SOLUTION {closing} closes the region of {qid}"
                )
            found = _Region(qid, open_at, i, indent)
            open_at = None
    if open_at is not None:
        raise MarkerError(
            f"{where}, line {open_at + 1}: BEGIN SOLUTION {qid} without END SOLUTION"
        )
    return found


def _assigned_names(code: str, where: str) -> list[str]:
    """Names assigned at the top level of ``code``, in order of first assignment."""
    try:
        tree = ast.parse(textwrap.dedent(code))
    except SyntaxError as exc:
        raise MarkerError(
            f"{where}: the solution region does not parse ({exc.msg}, line {exc.lineno}); "
            f"give the stub explicitly with '{STUB_PREFIX} ...' lines"
        ) from None
    names: list[str] = []

    def collect(target: ast.expr) -> None:
        if isinstance(target, ast.Name):
            if target.id not in names:
                names.append(target.id)
        elif isinstance(target, ast.Tuple | ast.List):
            for elt in target.elts:
                collect(elt)
        elif isinstance(target, ast.Starred):
            collect(target.value)

    for stmt in tree.body:
        if isinstance(stmt, ast.Assign):
            for target in stmt.targets:
                collect(target)
        elif isinstance(stmt, ast.AnnAssign | ast.AugAssign):
            collect(stmt.target)
    return names


def _stub(body: list[str], indent: str, where: str) -> list[str]:
    """The lines that replace a solution region in the exercise notebook."""
    explicit = [line for line in body if line.lstrip().startswith(STUB_PREFIX)]
    if explicit:
        out = []
        for line in explicit:
            lead = line[: len(line) - len(line.lstrip())]
            rest = line.lstrip()[len(STUB_PREFIX) :]
            out.append((lead + rest.removeprefix(" ")).rstrip())
        return out
    names = _assigned_names("\n".join(body), where)
    if not names:
        return [EMPTY_STUB.format(indent=indent)]
    return [STUB_LINE.format(indent=indent, name=name) for name in names]


def _tags(cell: NotebookNode) -> list[str]:
    tags = cell.get("metadata", {}).get("tags", [])
    return [t for t in tags if isinstance(t, str)]


def _cell_id(cell: NotebookNode, name: str, index: int) -> str:
    cid = cell.get("id")
    if isinstance(cid, str) and re.fullmatch(r"[a-zA-Z0-9-_]{1,64}", cid):
        return cid
    return hashlib.sha1(f"{name}\n{index}".encode()).hexdigest()[:12]


def _where(name: str, index: int, cell: NotebookNode) -> str:
    cid = cell.get("id")
    return f"{name}, cell index {index}" + (f" (id {cid})" if cid else "")


def make_exercise_notebook(
    nb: NotebookNode, *, name: str = "notebook", qids: Collection[str] | None = None
) -> NotebookNode:
    """The exercise version of a solution notebook.

    Parameters
    ----------
    nb
        The solution notebook (nbformat 4).
    name
        The notebook's file name, used in error messages and for cell ids
        when the solution has none.
    qids
        Question ids the notebook may mark (its ``ExerciseSet``); when given,
        any other id is an error and so is a question without a region.

    Returns
    -------
    NotebookNode
        Stubs instead of answers, no outputs or execution counts, cells tagged
        ``solution-only`` left out, metadata reduced to the kernel and
        language, cell metadata to ``tags``, cell ids kept from the solution.

    Raises
    ------
    MarkerError
        Malformed markers, naming the notebook and the cell index.

    Examples
    --------
    >>> from nbformat.v4 import new_code_cell, new_notebook
    >>> sol = new_notebook(cells=[new_code_cell(
    ...     "# BEGIN SOLUTION q1\\nn = len(orders)\\n# END SOLUTION\\nq1.check()", id="c1")])
    >>> print(make_exercise_notebook(sol).cells[0].source)
    n = ____  # your code here
    q1.check()
    """
    cells = []
    marked: set[str] = set()
    for index, cell in enumerate(nb.cells):
        tags = _tags(cell)
        if DROP_CELL_TAGS.intersection(tags):
            continue
        source = cell.source if isinstance(cell.source, str) else "".join(cell.source)
        if cell.cell_type == "code":
            where = _where(name, index, cell)
            lines = source.split("\n")
            region = _find_region(lines, where)
            if region is not None:
                if qids is not None and region.qid not in qids:
                    raise MarkerError(
                        f"{where}: unknown question {region.qid!r}; this notebook's questions "
                        f"are {', '.join(sorted(qids)) or 'none'}"
                    )
                marked.add(region.qid)
                stub = _stub(region.body(lines), region.indent, where)
                lines = lines[: region.begin] + stub + lines[region.end + 1 :]
                source = "\n".join(lines)
        new: dict[str, object] = {
            "id": _cell_id(cell, name, index),
            "cell_type": cell.cell_type,
            "metadata": {},
            "source": source,
        }
        kept = [t for t in dict.fromkeys(tags) if t not in SOLUTION_TAGS]
        if kept:
            new["metadata"] = {"tags": kept}
        if cell.cell_type == "code":
            new["outputs"] = []
            new["execution_count"] = None
        if cell.cell_type in ("markdown", "raw") and cell.get("attachments"):
            new["attachments"] = cell["attachments"]
        cells.append(new)
    if qids is not None:
        unmarked = [q for q in qids if q not in marked]
        if unmarked:
            raise MarkerError(
                f"{name}: no solution region for {', '.join(sorted(unmarked))} "
                "(mark the answer with '# BEGIN SOLUTION <qid>' ... '# END SOLUTION')"
            )
    meta = nb.get("metadata", {})
    kernelspec = {k: v for k, v in meta.get("kernelspec", {}).items()
                  if k in ("display_name", "language", "name")}
    language = meta.get("language_info", {}).get("name") or "python"
    out = nbformat.from_dict({
        "nbformat": 4,
        "nbformat_minor": max(int(nb.get("nbformat_minor", 5)), 5),
        "metadata": {
            "kernelspec": kernelspec or dict(_DEFAULT_KERNELSPEC),
            "language_info": {"name": language},
        },
        "cells": cells,
    })
    nbformat.validate(out)
    return out


def worked_solution(nb: NotebookNode, *, name: str = "notebook") -> NotebookNode:
    """A solution notebook as the site shows it: a worked solution.

    Marker lines (``# BEGIN SOLUTION``, ``# END SOLUTION``) and ``# STUB:``
    lines leave the code cells; cells tagged ``exercise-only`` and cells that
    hold nothing but commented ``qN.hint()`` / ``qN.solution()`` calls leave
    the notebook. Outputs stay (the page shows the reference run).

    Parameters
    ----------
    nb
        A solution notebook (not changed).
    name
        How to name it in a message about malformed markers.

    Returns
    -------
    nbformat.NotebookNode
        A new notebook.

    Raises
    ------
    MarkerError
        When the markers of a cell are malformed.

    Examples
    --------
    >>> from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook
    >>> nb = new_notebook(cells=[
    ...     new_markdown_cell("Run the checks below.", metadata={"tags": ["exercise-only"]}),
    ...     new_code_cell("# BEGIN SOLUTION q1\\nn = 3\\n# STUB: n = ____\\n"
    ...                   "# END SOLUTION\\nq1.check()"),
    ...     new_code_cell("# q1.hint()\\n# q1.solution()")])
    >>> [c.source for c in worked_solution(nb).cells]
    ['n = 3\\nq1.check()']
    """
    out = nbformat.from_dict(json.loads(json.dumps(nb)))
    kept = []
    for index, cell in enumerate(out.cells):
        if EXERCISE_ONLY_TAG in _tags(cell):
            continue
        if cell.cell_type == "code":
            source = rejoin_lines(cell.source) if isinstance(cell.source, list) else cell.source
            if _HELP_CALLS.match(source):
                continue
            lines = source.split("\n")
            _find_region(lines, _where(name, index, cell))  # malformed markers are an error
            cell.source = "\n".join(
                line for line in lines
                if not (_BEGIN.match(line) or _END.match(line)
                        or line.lstrip().startswith(STUB_PREFIX)))
        kept.append(cell)
    out.cells = kept
    return out


def solution_regions(nb: NotebookNode, *, name: str = "notebook") -> dict[str, str]:
    """The answer code of every question marked in a solution notebook.

    Parameters
    ----------
    nb
        The solution notebook.
    name
        Its file name, for error messages.

    Returns
    -------
    dict
        Question id to the code between its markers (dedented); a question
        marked in several cells gets their regions joined by a blank line.

    Examples
    --------
    >>> from nbformat.v4 import new_code_cell, new_notebook
    >>> sol = new_notebook(cells=[new_code_cell(
    ...     "# BEGIN SOLUTION q2\\narpu = revenue / users\\n# END SOLUTION")])
    >>> solution_regions(sol)
    {'q2': 'arpu = revenue / users'}
    """
    found: dict[str, list[str]] = {}
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        source = cell.source if isinstance(cell.source, str) else "".join(cell.source)
        lines = source.split("\n")
        region = _find_region(lines, _where(name, index, cell))
        if region is not None:
            body = [line for line in region.body(lines)
                    if not line.lstrip().startswith(STUB_PREFIX)]
            code = textwrap.dedent("\n".join(body)).strip("\n")
            found.setdefault(region.qid, []).append(code)
    return {qid: "\n\n".join(parts) for qid, parts in found.items()}


def read_notebook(path: Path) -> NotebookNode:
    """Read a notebook as nbformat 4 without repairing it on the way in.

    nbformat's own reader gives random ids to cells that lack one; reading
    the JSON directly keeps the build deterministic (ids missing in the
    solution are then derived from the file name and cell index).

    Examples
    --------
    >>> import tempfile
    >>> from nbformat.v4 import new_markdown_cell, new_notebook
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     p = Path(tmp) / "a.ipynb"
    ...     nbformat.write(new_notebook(cells=[new_markdown_cell("# 标题", id="t")]), str(p))
    ...     read_notebook(p).cells[0].source
    '# 标题'
    """
    text = Path(path).read_text(encoding="utf-8")
    data = json.loads(text)
    if data.get("nbformat") == 4:
        return rejoin_lines(nbformat.from_dict(data))
    return nbformat.reads(text, as_version=4)


def exercise_text(path: Path, *, qids: Collection[str] | None = None) -> str:
    """The exact text of the exercise notebook for the solution at ``path``.

    Examples
    --------
    >>> import tempfile
    >>> from nbformat.v4 import new_code_cell, new_notebook
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     p = Path(tmp) / "00_demo_exercises.ipynb"
    ...     nbformat.write(new_notebook(cells=[new_code_cell("x = 1", id="a")]), str(p))
    ...     text = exercise_text(p)
    >>> text.endswith("\\n"), '"outputs": []' in text
    (True, True)
    """
    nb = read_notebook(path)
    text = nbformat.writes(make_exercise_notebook(nb, name=Path(path).name, qids=qids))
    return text if text.endswith("\n") else text + "\n"


#: Where ``reset_exercise`` keeps a learner's notebook before restoring a clean copy.
BACKUP_DIR = "backup"


def has_learner_work(existing: NotebookNode, clean: NotebookNode) -> bool:
    """Whether an exercise notebook holds a learner's work, against its clean version.

    Work is a code cell that was run (an execution count or an output) or a
    placeholder ``____`` of the clean notebook replaced in the cell of the
    same id. A notebook that only differs because the solutions changed (new
    wording, a new question) holds no work and may be rewritten.

    Examples
    --------
    >>> from nbformat.v4 import new_code_cell, new_notebook
    >>> clean = new_notebook(cells=[new_code_cell("n = ____  # your code here", id="q1")])
    >>> answered = new_notebook(cells=[new_code_cell("n = len(orders)", id="q1")])
    >>> has_learner_work(clean, clean), has_learner_work(answered, clean)
    (False, True)
    """
    blanks = {c.get("id"): c.source for c in clean.cells
              if c.cell_type == "code" and "____" in c.source}
    for cell in existing.cells:
        if cell.cell_type != "code":
            continue
        if cell.get("execution_count") is not None or cell.get("outputs"):
            return True
        source = rejoin_lines(cell.source) if isinstance(cell.source, list) else cell.source
        if cell.get("id") in blanks and "____" not in source:
            return True
    return False


def reset_exercise(root: Path, name: str, *, now: datetime.datetime | None = None) -> Path | None:
    """Restore a clean copy of one exercise notebook, keeping the learner's copy first.

    Parameters
    ----------
    root
        The course folder.
    name
        The exercise notebook's file name (``03_arpu_lifetime_value_exercises.ipynb``).
    now
        The time written into the backup's name (default: now).

    Returns
    -------
    pathlib.Path or None
        Where the learner's notebook was kept
        (``exercises/backup/NAME-YYYYMMDD-HHMMSS.ipynb``), or None when there
        was no notebook to keep.

    Raises
    ------
    ArgumentError
        When no solution notebook of that name exists.

    Examples
    --------
    >>> import tempfile
    >>> from nbformat.v4 import new_code_cell, new_notebook
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     root = Path(tmp); (root / "solutions").mkdir(); (root / "exercises").mkdir()
    ...     nbformat.write(new_notebook(cells=[new_code_cell("x = 1", id="a")]),
    ...                    str(root / "solutions" / "00_demo_exercises.ipynb"))
    ...     _ = (root / "exercises" / "00_demo_exercises.ipynb").write_text("{}", encoding="utf-8")
    ...     kept = reset_exercise(root, "00_demo_exercises.ipynb",
    ...                           now=datetime.datetime(2026, 12, 2, 9, 30))
    ...     kept.relative_to(root).as_posix()
    'exercises/backup/00_demo_exercises-20261202-093000.ipynb'
    """
    root = Path(root)
    solution = root / "solutions" / name
    if not solution.is_file():
        raise ArgumentError(
            f"no solutions/{name}: there is no clean copy to restore",
            name="path", value=name,
            fix="give an exercise notebook of the course, e.g. "
                "exercises/00_welcome_exercises.ipynb")
    target = root / "exercises" / name
    kept = None
    if target.is_file():
        stamp = (now or datetime.datetime.now()).strftime("%Y%m%d-%H%M%S")
        kept = root / "exercises" / BACKUP_DIR / f"{Path(name).stem}-{stamp}.ipynb"
        kept.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(target, kept)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(exercise_text(solution, qids=_registered_qids().get(solution.stem)),
                      encoding="utf-8")
    return kept


def _registered_qids() -> dict[str, frozenset[str]]:
    """Question ids of every ``ExerciseSet`` in ``coursekit.exercises``, by notebook stem."""
    import coursekit.exercises as package
    from coursekit.exercises.core import ExerciseSet

    found: dict[str, frozenset[str]] = {}
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        if info.name == "core" or info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        for value in vars(module).values():
            if isinstance(value, ExerciseSet):
                found[value.notebook] = frozenset(value.qids)
    return found


def _count(n: int) -> str:
    return f"{n} notebook" if n == 1 else f"{n} notebooks"


def build_exercises(
    root: Path,
    *,
    check: bool = False,
    qids: Mapping[str, Collection[str]] | None = None,
) -> int:
    """Write (or, with ``check``, compare) ``exercises/`` from ``solutions/``.

    Parameters
    ----------
    root
        The course folder holding ``solutions/*_exercises.ipynb``.
    check
        Write nothing; report exercise notebooks that are missing, out of date
        or orphaned (no solution).
    qids
        Question ids allowed per solution notebook stem. By default they are
        read from the ``ExerciseSet`` objects of ``coursekit.exercises``;
        notebooks without a set only get the marker syntax checked.

    Returns
    -------
    int
        0 when written or in sync, 1 when ``check`` finds a difference or
        when a notebook holding a learner's work was kept instead of rewritten
        (see :func:`has_learner_work`), 2 when a solution notebook has
        malformed markers.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     (Path(tmp) / "solutions").mkdir()
    ...     build_exercises(Path(tmp), check=True)
    exercises/ in sync with solutions/ (0 notebooks)
    0
    """
    root = Path(root)
    sol_dir, ex_dir = root / "solutions", root / "exercises"
    solutions = sorted(sol_dir.glob("*_exercises.ipynb")) if sol_dir.is_dir() else []
    allowed = _registered_qids() if qids is None else qids
    try:
        wanted = {p.name: exercise_text(p, qids=allowed.get(p.stem)) for p in solutions}
    except MarkerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    existing = sorted(ex_dir.glob("*.ipynb")) if ex_dir.is_dir() else []
    orphans = [p.name for p in existing if p.name not in wanted]

    if check:
        missing = [n for n in wanted if not (ex_dir / n).is_file()]
        stale = [
            n for n, text in wanted.items()
            if (ex_dir / n).is_file() and (ex_dir / n).read_bytes() != text.encode("utf-8")
        ]
        for n in missing:
            print(f"missing: exercises/{n}")
        for n in stale:
            print(f"out of date: exercises/{n}")
        for n in orphans:
            print(f"orphaned: exercises/{n} has no solutions/{n}")
        if missing or stale or orphans:
            print("exercises/ is out of sync with solutions/: run `coursekit build exercises`"
                  + (" and delete the orphaned notebooks" if orphans else ""))
            return 1
        print(f"exercises/ in sync with solutions/ ({_count(len(wanted))})")
        return 0

    if wanted:
        ex_dir.mkdir(parents=True, exist_ok=True)
    kept: list[str] = []
    for n, text in wanted.items():
        target = ex_dir / n
        data = text.encode("utf-8")
        if target.is_file() and target.read_bytes() == data:
            continue
        if target.is_file() and _holds_work(target, text):
            kept.append(n)
            continue
        target.write_bytes(data)
        print(f"wrote exercises/{n}")
    for n in orphans:
        print(f"warning: exercises/{n} has no solutions/{n}; delete it if it is obsolete")
    for n in kept:
        print(f"kept exercises/{n}: it holds a learner's work (answers or outputs) and was not "
              f"overwritten; `coursekit reset exercises/{n}` keeps a dated copy in "
              f"exercises/{BACKUP_DIR}/ and writes a clean one", file=sys.stderr)
    print(f"exercises/ built from solutions/ ({_count(len(wanted) - len(kept))} of "
          f"{len(wanted)} written or already current)" if kept else
          f"exercises/ built from solutions/ ({_count(len(wanted))})")
    return 1 if kept else 0


def _holds_work(target: Path, clean_text: str) -> bool:
    try:
        existing = nbformat.reads(target.read_text(encoding="utf-8"), as_version=4)
    except Exception:  # noqa: BLE001 - an unreadable notebook is kept, never overwritten
        return True
    return has_learner_work(existing, nbformat.reads(clean_text, as_version=4))
