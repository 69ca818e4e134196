"""The time model of coursekit.build.agenda, and the course held to it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from coursekit.build.agenda import (
    MINUTES_PER_CELL,
    MINUTES_PER_FIGURE,
    MINUTES_PER_QUESTION,
    OPTIONAL_TAG,
    WORDS_PER_MINUTE,
    agenda,
    agenda_markdown,
    notebook_sections,
)
from coursekit.cli import main

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb")) + sorted(
    (ROOT / "exercises").glob("*.ipynb")) + sorted((ROOT / "solutions").glob("*.ipynb"))


def _md(text, tags=()):
    return {"cell_type": "markdown", "metadata": {"tags": list(tags)}, "source": text}


def _code(text, tags=(), figures=0):
    outputs = [{"output_type": "display_data", "data": {"image/png": ""}}] * figures
    return {"cell_type": "code", "metadata": {"tags": list(tags)}, "source": text,
            "outputs": outputs, "execution_count": 1}


def _write(path: Path, cells) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4,
                                "nbformat_minor": 5}), encoding="utf-8")
    return path


def test_minutes_follow_the_stated_model(tmp_path):
    words = " ".join(["word"] * 200)
    path = _write(tmp_path / "notebooks" / "09_x.ipynb", [
        _md("# Title\n" + words),
        _code("x = 1", figures=1),
        _code("assert x", tags=["claim", "remove-cell"]),          # hidden: not counted
        _md("## 1. Core\n" + words),
        _code("y = 2"),
        _md("## 2. Deeper *(optional)*\n" + words, tags=[OPTIONAL_TAG]),
        _code("z = 3", figures=2),
        _md("### a sub-heading stays in its section"),
    ])
    s = notebook_sections(path)
    assert s["section"].tolist() == ["Title", "1. Core", "2. Deeper *(optional)*"]
    assert s["optional"].tolist() == [False, False, True]
    assert s["code_cells"].tolist() == [1, 1, 1]
    first = 201 / WORDS_PER_MINUTE + MINUTES_PER_CELL + MINUTES_PER_FIGURE
    assert s["minutes"].iloc[0] == pytest.approx(first)
    assert s["minutes"].iloc[2] == pytest.approx(
        s["words"].iloc[2] / WORDS_PER_MINUTE + MINUTES_PER_CELL + 2 * MINUTES_PER_FIGURE)


def test_exercise_questions_carry_the_time(tmp_path):
    _write(tmp_path / "notebooks" / "09_x.ipynb", [_md("# L\nread this"), _code("a = 1")])
    _write(tmp_path / "exercises" / "09_x_exercises.ipynb", [
        _md("# E"), _md("## Question 1\nask"), _code("x = ..."), _code("q1.check()"),
        _md("## Question 2 *(optional)*\nask", tags=[OPTIONAL_TAG]), _code("q2.check()"),
    ])
    table = agenda(tmp_path)
    assert table.loc[9, "exercises"] == pytest.approx(MINUTES_PER_QUESTION, abs=0.5)
    assert table.loc[9, "optional"] == pytest.approx(MINUTES_PER_QUESTION, abs=0.5)
    assert "|  | 9 |" in agenda_markdown(tmp_path)   # a module without a day in the agenda


def test_chinese_characters_count_as_half_a_word(tmp_path):
    path = _write(tmp_path / "n.ipynb", [_md("# T\n精细化运营 fine-grained operations")])
    assert notebook_sections(path)["words"].iloc[0] == round(1 + 2.5 + 2)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_optional_sections_are_marked_where_the_reader_sees_them(path):
    for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        text = "".join(cell["source"])
        heading = re.match(r"#{1,2} (.*)", text)
        tagged = OPTIONAL_TAG in cell.get("metadata", {}).get("tags", [])
        said = bool(heading) and "(optional)" in heading.group(1)
        assert tagged == said, (
            f"{path.name}: a section is optional when its heading cell is tagged "
            f"'{OPTIONAL_TAG}' and its heading says '(optional)'; this one has only one: "
            f"{text.splitlines()[0]!r}")


def test_every_module_core_path_fits_its_slot():
    table = agenda(ROOT)
    late = table[~table["fits"]]
    assert late.empty, "core path longer than the slot (minutes):\n" + late.to_string()


def test_the_command_prints_the_table_and_fails_when_a_module_runs_late(tmp_path, capsys):
    words = " ".join(["word"] * 4000)
    _write(tmp_path / "notebooks" / "00_x.ipynb", [_md("# T\n" + words)])
    assert main(["agenda", "--root", str(tmp_path)]) == 1
    assert "runs past its slot" in capsys.readouterr().out
    _write(tmp_path / "notebooks" / "00_x.ipynb", [_md("# T\nshort")])
    assert main(["agenda", "--root", str(tmp_path), "--sections"]) == 0
    assert "slot_max" in capsys.readouterr().out
