"""How long each module takes, estimated from its notebooks (``coursekit agenda``).

The live course gives every module a slot of the two-day agenda (the syllabus's
times, :data:`SLOTS`). Whether a module fits its slot is computed from the
notebooks themselves, so the figures cannot drift from the lessons:

* **reading**: the words of every markdown cell the learner sees, at
  :data:`WORDS_PER_MINUTE` (a careful reading of technical prose in a second
  language; two Chinese characters count as one word);
* **code**: :data:`MINUTES_PER_CELL` for every code cell the learner sees
  (read it, run it, look at what it prints) and :data:`MINUTES_PER_FIGURE` more
  for each figure it draws;
* **exercises**: :data:`MINUTES_PER_QUESTION` for every checked question of the
  module's exercise notebook (read, answer, check, retry once).

Cells hidden from the site (tagged ``remove-cell``, e.g. the claim checks) are
not counted. A section whose level-2 heading cell is tagged ``optional`` (and
says "(optional)" in its heading, so the reader sees it) belongs to the
deeper path: it runs until the next level-1 or level-2 heading and is left
out of the core time. The core path of a module (its lessons and exercises
without the optional sections) must fit the longer end of its slot.

The model is a plain sum rather than anything fitted: every constant is a
stated assumption an instructor can argue with and change in one place.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

__all__ = [
    "MINUTES_PER_CELL",
    "MINUTES_PER_FIGURE",
    "DAYS",
    "MINUTES_PER_QUESTION",
    "OPTIONAL_TAG",
    "SLOTS",
    "WORDS_PER_MINUTE",
    "agenda",
    "agenda_markdown",
    "notebook_sections",
]

#: Words of prose read per minute.
WORDS_PER_MINUTE = 100
#: Minutes for one visible code cell: read it, run it, read its output.
MINUTES_PER_CELL = 1.5
#: Extra minutes for each figure a cell draws.
MINUTES_PER_FIGURE = 1.0
#: Minutes for one checked exercise question.
MINUTES_PER_QUESTION = 6.0
#: Cell tag of a heading cell that starts an optional (deeper) section.
OPTIONAL_TAG = "optional"
#: Hidden cells (not on the site, not read by the learner).
HIDDEN_TAGS = frozenset({"remove-cell"})
#: The syllabus's slot of each module, in minutes (shortest, longest).
SLOTS: dict[int, tuple[int, int]] = {
    0: (30, 30),
    1: (120, 120),
    2: (120, 180),
    3: (60, 120),
    4: (180, 180),
    5: (120, 180),
    6: (60, 120),
    7: (60, 90),
    8: (60, 120),
}

#: The day of the two-day agenda on which each module is taught; the data-governance
#: thread (module 8) is outside the live agenda, read on one's own after module 6.
DAYS: dict[int, int | str] = {0: 1, 1: 1, 2: 1, 3: 1, 4: 2, 5: 2, 6: 2, 7: 2,
                              8: "self-study"}

_HEADING = re.compile(r"^(#{1,2})\s+(.*\S)\s*$", re.MULTILINE)
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’.,%-]*")
_CJK = re.compile(r"[\u3400-\u9fff]")
_QUESTION = re.compile(r"\bq(\d+)\.check\(\)")
_MODULE = re.compile(r"^(\d{2})")


@dataclass(frozen=True)
class _Cell:
    kind: str
    text: str
    tags: tuple[str, ...]
    figures: int


def _cells(path: Path) -> list[_Cell]:
    nb = json.loads(path.read_text(encoding="utf-8"))
    cells = []
    for c in nb["cells"]:
        figures = sum("image/png" in o.get("data", {}) or "image/svg+xml" in o.get("data", {})
                      for o in c.get("outputs", []))
        cells.append(_Cell(c["cell_type"], "".join(c["source"]),
                           tuple(c.get("metadata", {}).get("tags", [])), figures))
    return cells


def _words(markdown: str) -> float:
    text = re.sub(r"```.*?```", " ", markdown, flags=re.DOTALL)   # code shown in prose
    text = re.sub(r"\]\([^)]*\)", "]", text)                         # link targets
    text = re.sub(r"\{[a-z]+\}`([^`<]*)[^`]*`", r"\1", text)          # {term}`x <y>`
    return len(_WORD.findall(text)) + len(_CJK.findall(text)) / 2


def notebook_sections(path: str | Path) -> pd.DataFrame:
    """Time of each section of one notebook under the stated reading model.

    Parameters
    ----------
    path
        A lesson or exercise notebook.

    Returns
    -------
    pandas.DataFrame
        One row per section (the text before the first level-2 heading is the
        section named by the level-1 title), in notebook order, with columns
        ``section``, ``optional`` (bool), ``words``, ``code_cells``,
        ``figures``, ``questions`` and ``minutes``.

    Examples
    --------
    >>> import json, tempfile
    >>> cells = [{"cell_type": "markdown", "metadata": {}, "source": "# Title\\n" + "word " * 200},
    ...          {"cell_type": "code", "metadata": {}, "source": "x = 1", "outputs": []}]
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = Path(tmp) / "lesson.ipynb"
    ...     _ = path.write_text(json.dumps({"cells": cells}), encoding="utf-8")
    ...     notebook_sections(path)[["section", "words", "code_cells", "minutes"]]
      section  words  code_cells  minutes
    0   Title    201           1     3.51
    """
    rows: list[dict] = []
    current = {"section": Path(path).stem, "optional": False, "words": 0.0,
               "code_cells": 0, "figures": 0, "questions": set()}
    for cell in _cells(Path(path)):
        if HIDDEN_TAGS & set(cell.tags):
            continue
        if cell.kind == "markdown":
            headings = _HEADING.findall(cell.text)
            if headings:
                if current["words"] or current["code_cells"]:
                    rows.append(current)
                current = {"section": headings[0][1], "optional": OPTIONAL_TAG in cell.tags,
                           "words": 0.0, "code_cells": 0, "figures": 0, "questions": set()}
            current["words"] += _words(cell.text)
        elif cell.kind == "code":
            current["code_cells"] += 1
            current["figures"] += cell.figures
            current["questions"].update(_QUESTION.findall(cell.text))
    rows.append(current)
    frame = pd.DataFrame(rows)
    frame["questions"] = frame["questions"].map(len)
    frame["words"] = frame["words"].round().astype(int)
    frame["minutes"] = (frame["words"] / WORDS_PER_MINUTE
                        + frame["code_cells"] * MINUTES_PER_CELL
                        + frame["figures"] * MINUTES_PER_FIGURE
                        + frame["questions"] * MINUTES_PER_QUESTION)
    # In an exercise notebook the questions carry the time: the code cells of a
    # question are part of answering it, not cells to read and run.
    exercise = frame["questions"] > 0
    frame.loc[exercise, "minutes"] = (frame.loc[exercise, "words"] / WORDS_PER_MINUTE
                                      + frame.loc[exercise, "questions"] * MINUTES_PER_QUESTION)
    return frame


def agenda(root: str | Path) -> pd.DataFrame:
    """Core and optional minutes of every module, against its slot.

    Parameters
    ----------
    root
        The course folder (with ``notebooks/`` and ``exercises/``).

    Returns
    -------
    pandas.DataFrame
        One row per module that has notebooks, indexed by module number, with
        columns ``lessons`` (minutes of the lessons' core sections),
        ``exercises`` (minutes of the exercise notebook's core sections),
        ``core`` (their sum), ``optional`` (minutes of the optional sections),
        ``slot_min``, ``slot_max`` and ``fits`` (core within ``slot_max``).

    Examples
    --------
    >>> import json, tempfile
    >>> cells = [{"cell_type": "markdown", "metadata": {},
    ...           "source": "# Welcome\\n" + "word " * 999}]
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     (Path(tmp) / "notebooks").mkdir()
    ...     path = Path(tmp) / "notebooks" / "00_welcome.ipynb"
    ...     _ = path.write_text(json.dumps({"cells": cells}), encoding="utf-8")
    ...     row = agenda(tmp).loc[0]
    >>> float(row["core"]), int(row["slot_max"]), bool(row["fits"])
    (10.0, 30, True)
    """
    rows: dict[int, dict[str, float]] = {}
    for module, path in _notebooks(Path(root)):
        kind = "lessons" if path.parent.name == "notebooks" else "exercises"
        row = rows.setdefault(module, {"lessons": 0.0, "exercises": 0.0, "optional": 0.0})
        sections = notebook_sections(path)
        row[kind] += sections.loc[~sections["optional"], "minutes"].sum()
        row["optional"] += sections.loc[sections["optional"], "minutes"].sum()
    table = pd.DataFrame.from_dict(rows, orient="index",
                                   columns=["lessons", "exercises", "optional"]).sort_index()
    table.index.name = "module"
    table["core"] = table["lessons"] + table["exercises"]
    table["slot_min"] = [SLOTS.get(m, (0, 0))[0] for m in table.index]
    table["slot_max"] = [SLOTS.get(m, (0, 0))[1] for m in table.index]
    table["fits"] = table["core"] <= table["slot_max"]
    cols = ["lessons", "exercises", "core", "optional", "slot_min", "slot_max", "fits"]
    return table[cols].round({"lessons": 0, "exercises": 0, "core": 0, "optional": 0})


def agenda_markdown(root: str | Path) -> str:
    """The agenda page of the site: the estimate per module and the model behind it.

    Parameters
    ----------
    root
        The course folder.

    Returns
    -------
    str
        A MyST markdown page.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     agenda_markdown(tmp).splitlines()[0]
    '# Timing: the core path of each module'
    """
    table = agenda(root)
    lines = [
        "# Timing: the core path of each module",
        "",
        "Each module has a core path that fits its slot of the two-day agenda and",
        "optional sections, marked *(optional)* in their headings, for those who go",
        "deeper or work on their own. The minutes below are computed from the",
        "notebooks when the site is built (`coursekit agenda`), with this model:",
        "",
        f"- reading: {WORDS_PER_MINUTE} words of prose a minute;",
        f"- code: {MINUTES_PER_CELL:g} minute for each code cell (read, run, look at the",
        f"  output), {MINUTES_PER_FIGURE:g} more for each figure;",
        f"- exercises: {MINUTES_PER_QUESTION:g} minutes for each checked question.",
        "",
        "| Day | Module | Lessons (core) | Exercises | Core path | Slot | Optional sections |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for module, r in table.iterrows():
        slot = (f"{r.slot_max:.0f} min" if r.slot_min == r.slot_max
                else f"{r.slot_min:.0f}-{r.slot_max:.0f} min")
        lines.append(f"| {DAYS.get(module, '')} | {module} | {r.lessons:.0f} min | "
                     f"{r.exercises:.0f} min | **{r.core:.0f} min** | {slot} | "
                     f"{r.optional:.0f} min |")
    lines += [
        "",
        "An instructor running the live course takes the core path and leaves the",
        "optional sections as reading for after the session. A module marked",
        "*self-study* (the data-governance thread) is outside the two days: trainees",
        "take it on their own, after module 6. The notebooks of each module, in the",
        "order they are taken:",
        "",
        "| Day | Module | Notebook | Core | Optional |",
        "| ---: | --- | --- | ---: | ---: |",
    ]
    for module, path in _notebooks(Path(root)):
        sections = notebook_sections(path)
        core = sections.loc[~sections["optional"], "minutes"].sum()
        deeper = sections.loc[sections["optional"], "minutes"].sum()
        lines.append(f"| {DAYS.get(module, '')} | {module} | `{path.parent.name}/{path.name}` | "
                     f"{core:.0f} min | {deeper:.0f} min |")
    return "\n".join(lines) + "\n"


def _notebooks(root: Path) -> list[tuple[int, Path]]:
    """Every module's lessons then its exercises, by module number."""
    found = []
    for order, folder in enumerate(("notebooks", "exercises")):
        for path in sorted((root / folder).glob("*.ipynb")):
            match = _MODULE.match(path.name)
            if match:
                found.append((int(match.group(1)), order, path))
    return [(module, path) for module, _, path in sorted(found)]
