"""Building exercise notebooks from solution notebooks."""

from __future__ import annotations

import json

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from coursekit.build.exercises import (
    MarkerError,
    build_exercises,
    make_exercise_notebook,
    solution_regions,
)

NAME = "01_demo_exercises.ipynb"


def solution_notebook() -> nbformat.NotebookNode:
    """A small solution notebook with everything the build must handle."""
    executed = {"execution": {"iopub.execute_input": "2026-11-02T10:00:00Z"}, "collapsed": True}
    return new_notebook(
        metadata={
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python", "version": "3.11.9", "mimetype": "text/x-python"},
            "papermill": {"duration": 3.2, "parameters": {}},
            "widgets": {"application/vnd.jupyter.widget-state+json": {}},
        },
        cells=[
            new_markdown_cell("# 练习 · Exercises\nARPU = 收入 / 用户", id="intro"),
            new_code_cell(
                "import pandas as pd\nfrom coursekit.exercises import ____",
                id="setup",
                execution_count=1,
                metadata={"tags": ["parameters"], **executed},
            ),
            new_code_cell(
                "orders = pd.DataFrame({'amount': [10.0, 30.0]})\n"
                "# BEGIN SOLUTION q1\n"
                "revenue = orders['amount'].sum()\n"
                "arpu: float = revenue / 4\n"
                "a, (b, *c) = 1, (2, 3, 4)\n"
                "revenue += 0\n"
                "orders['x'] = 1\n"
                "# END SOLUTION\n"
                "print(arpu)",
                id="q1-cell",
                execution_count=2,
                outputs=[new_output("stream", name="stdout", text="10.0\n")],
                metadata={"tags": ["solution"], **executed},
            ),
            new_code_cell(
                "# BEGIN SOLUTION q2\n"
                "# STUB: top = orders.groupby(____)['amount'].sum()\n"
                "# STUB:\n"
                "top = orders.groupby('channel')['amount'].sum()\n"
                "# END SOLUTION",
                id="q2-cell",
            ),
            new_code_cell(
                "def helper():\n"
                "    # BEGIN SOLUTION q3\n"
                "    print('done')\n"
                "    # END SOLUTION\n"
                "    return 1",
                id="q3-cell",
            ),
            new_code_cell(
                "assert arpu == 10.0",
                id="only-here",
                metadata={"tags": ["solution-only"]},
                outputs=[new_output("execute_result", data={"text/plain": "1"}, execution_count=5)],
                execution_count=5,
            ),
        ],
    )


def write(path, nb) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))


def course(tmp_path, nb=None):
    write(tmp_path / "solutions" / NAME, nb or solution_notebook())
    return tmp_path


# --- stubs -----------------------------------------------------------------------


def test_region_becomes_stubs_for_assigned_names():
    ex = make_exercise_notebook(solution_notebook(), name=NAME)
    assert ex.cells[2].source == (
        "orders = pd.DataFrame({'amount': [10.0, 30.0]})\n"
        "revenue = ____  # your code here\n"
        "arpu = ____  # your code here\n"
        "a = ____  # your code here\n"
        "b = ____  # your code here\n"
        "c = ____  # your code here\n"
        "print(arpu)"
    )


def test_explicit_stub_lines_win():
    ex = make_exercise_notebook(solution_notebook(), name=NAME)
    assert ex.cells[3].source == "top = orders.groupby(____)['amount'].sum()\n"


def test_region_without_assignment_keeps_indentation():
    ex = make_exercise_notebook(solution_notebook(), name=NAME)
    assert ex.cells[4].source == "def helper():\n    # your code here\n    return 1"


def test_cells_without_markers_are_kept_as_they_are():
    sol, ex = solution_notebook(), make_exercise_notebook(solution_notebook(), name=NAME)
    assert ex.cells[0].source == sol.cells[0].source
    assert ex.cells[1].source == sol.cells[1].source


# --- hygiene ---------------------------------------------------------------------


def test_outputs_and_counts_cleared_solution_only_dropped():
    ex = make_exercise_notebook(solution_notebook(), name=NAME)
    assert [c.id for c in ex.cells] == ["intro", "setup", "q1-cell", "q2-cell", "q3-cell"]
    code = [c for c in ex.cells if c.cell_type == "code"]
    assert all(c.outputs == [] and c.execution_count is None for c in code)
    assert "assert arpu" not in json.dumps(ex)


def test_metadata_is_reduced():
    ex = make_exercise_notebook(solution_notebook(), name=NAME)
    assert ex.metadata == {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    assert ex.cells[1].metadata == {"tags": ["parameters"]}
    assert ex.cells[2].metadata == {}  # "solution" tag and execution timing gone
    assert ex.nbformat == 4 and ex.nbformat_minor >= 5


def test_missing_kernelspec_defaults_to_python3():
    nb = new_notebook(cells=[new_code_cell("x = 1", id="a")])
    ex = make_exercise_notebook(nb)
    assert ex.metadata.kernelspec["name"] == "python3"


def test_cells_without_ids_get_stable_derived_ids(tmp_path):
    nb = new_notebook(cells=[new_code_cell("x = 1"), new_code_cell("y = 2")])
    nb.nbformat_minor = 4
    for cell in nb.cells:
        del cell["id"]
    course(tmp_path, nb)
    assert build_exercises(tmp_path, qids={}) == 0
    first = (tmp_path / "exercises" / NAME).read_bytes()
    ids = [c.id for c in nbformat.reads(first.decode("utf-8"), as_version=4).cells]
    assert len(set(ids)) == 2
    assert build_exercises(tmp_path, qids={}) == 0
    assert (tmp_path / "exercises" / NAME).read_bytes() == first


# --- build and check ---------------------------------------------------------------


def test_build_writes_utf8_with_trailing_newline_and_is_byte_identical(tmp_path, capsys):
    root = course(tmp_path)
    assert build_exercises(root) == 0
    target = root / "exercises" / NAME
    first = target.read_bytes()
    text = first.decode("utf-8")
    assert text.endswith("}\n") and "练习" in text and "\r\n" not in text
    nbformat.validate(nbformat.reads(text, as_version=4))
    assert f"wrote exercises/{NAME}" in capsys.readouterr().out
    assert build_exercises(root) == 0
    assert target.read_bytes() == first
    assert "wrote" not in capsys.readouterr().out
    target.unlink()
    assert build_exercises(root) == 0
    assert target.read_bytes() == first


def test_check_in_sync(tmp_path, capsys):
    root = course(tmp_path)
    build_exercises(root)
    capsys.readouterr()
    assert build_exercises(root, check=True) == 0
    assert "in sync" in capsys.readouterr().out


def test_check_reports_missing_without_writing(tmp_path, capsys):
    root = course(tmp_path)
    assert build_exercises(root, check=True) == 1
    assert f"missing: exercises/{NAME}" in capsys.readouterr().out
    assert not (root / "exercises").exists()


def test_check_reports_stale(tmp_path, capsys):
    root = course(tmp_path)
    build_exercises(root)
    nb = solution_notebook()
    nb.cells[0].source += "\nOne more sentence."
    write(root / "solutions" / NAME, nb)
    before = (root / "exercises" / NAME).read_bytes()
    capsys.readouterr()
    assert build_exercises(root, check=True) == 1
    assert f"out of date: exercises/{NAME}" in capsys.readouterr().out
    assert (root / "exercises" / NAME).read_bytes() == before


def test_check_reports_orphan(tmp_path, capsys):
    root = course(tmp_path)
    build_exercises(root)
    write(root / "exercises" / "09_gone_exercises.ipynb", new_notebook())
    capsys.readouterr()
    assert build_exercises(root, check=True) == 1
    out = capsys.readouterr().out
    assert "orphaned: exercises/09_gone_exercises.ipynb" in out
    assert build_exercises(root) == 0
    assert "warning: exercises/09_gone_exercises.ipynb" in capsys.readouterr().out
    assert (root / "exercises" / "09_gone_exercises.ipynb").exists()


def test_only_exercise_solutions_are_built(tmp_path):
    root = course(tmp_path)
    write(root / "solutions" / "notes.ipynb", new_notebook())
    build_exercises(root)
    assert sorted(p.name for p in (root / "exercises").iterdir()) == [NAME]


def test_empty_course_is_in_sync(tmp_path, capsys):
    assert build_exercises(tmp_path, check=True) == 0
    assert "(0 notebooks)" in capsys.readouterr().out


# --- solution regions ------------------------------------------------------------------


def test_solution_regions():
    regions = solution_regions(solution_notebook())
    assert regions["q1"].startswith("revenue = orders['amount'].sum()\narpu: float")
    assert regions["q2"] == "top = orders.groupby('channel')['amount'].sum()"
    assert regions["q3"] == "print('done')"


def test_a_question_over_two_cells_joins_its_regions():
    nb = new_notebook(cells=[
        new_code_cell("# BEGIN SOLUTION q1\nx = 1\n# END SOLUTION"),
        new_code_cell("# BEGIN SOLUTION q1\ny = x + 1\n# END SOLUTION q1"),
    ])
    assert solution_regions(nb) == {"q1": "x = 1\n\ny = x + 1"}


# --- malformed markers ------------------------------------------------------------------

MALFORMED = {
    "begin without end": ("# BEGIN SOLUTION q1\nx = 1", "without END SOLUTION"),
    "end without begin": ("x = 1\n# END SOLUTION", "END SOLUTION without BEGIN"),
    "nested": (
        "# BEGIN SOLUTION q1\n# BEGIN SOLUTION q2\nx = 1\n# END SOLUTION\n# END SOLUTION",
        "cannot be nested",
    ),
    "two regions": (
        "# BEGIN SOLUTION q1\nx = 1\n# END SOLUTION\n# BEGIN SOLUTION q2\ny = 1\n# END SOLUTION",
        "a cell holds one",
    ),
    "no question id": ("# BEGIN SOLUTION\nx = 1\n# END SOLUTION", "unknown question ''"),
    "bad question id": ("# BEGIN SOLUTION question one\nx = 1\n# END SOLUTION", "unknown question"),
    "end names another": ("# BEGIN SOLUTION q1\nx = 1\n# END SOLUTION q2", "closes the region"),
    "does not parse": ("# BEGIN SOLUTION q1\n%timeit x = 1\n# END SOLUTION", "# STUB:"),
}


@pytest.mark.parametrize("source, message", MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_markers_name_notebook_and_cell(source, message):
    nb = new_notebook(cells=[new_markdown_cell("intro"), new_code_cell(source, id="bad")])
    where = r"01_demo_exercises.ipynb, cell index 1 \(id bad\)"
    with pytest.raises(MarkerError, match=where) as e:
        make_exercise_notebook(nb, name=NAME)
    assert message in str(e.value)


def test_markers_in_markdown_are_text():
    nb = new_notebook(cells=[new_markdown_cell("Write `# BEGIN SOLUTION q1` to mark an answer.")])
    assert make_exercise_notebook(nb).cells[0].source == nb.cells[0].source


def test_unknown_question_for_the_exercise_set():
    nb = solution_notebook()
    with pytest.raises(MarkerError, match="cell index 3.*unknown question 'q2'"):
        make_exercise_notebook(nb, name=NAME, qids={"q1", "q3"})
    with pytest.raises(MarkerError, match="no solution region for q4"):
        make_exercise_notebook(nb, name=NAME, qids={"q1", "q2", "q3", "q4"})


def test_build_reports_malformed_markers_and_writes_nothing(tmp_path, capsys):
    nb = new_notebook(cells=[new_code_cell("# BEGIN SOLUTION q1\nx = 1", id="c0")])
    root = course(tmp_path, nb)
    assert build_exercises(root) == 2
    err = capsys.readouterr().err
    assert NAME in err and "cell index 0" in err
    assert not (root / "exercises").exists()
    assert build_exercises(root, qids={"01_demo_exercises": {"q1"}}, check=True) == 2


# --------------------------------------------------------------------------- a learner's work


def _course_with_one_exercise(tmp_path):
    from nbformat.v4 import new_code_cell, new_notebook

    sol = new_notebook(cells=[new_code_cell("# BEGIN SOLUTION q1\nn = 3\n# END SOLUTION\n"
                                            "q1.check()", id="q1")])
    (tmp_path / "solutions").mkdir()
    nbformat.write(sol, str(tmp_path / "solutions" / "00_demo_exercises.ipynb"))
    assert build_exercises(tmp_path, qids={"00_demo_exercises": {"q1"}}) == 0
    return tmp_path / "exercises" / "00_demo_exercises.ipynb"


def test_the_build_keeps_a_learners_answers_and_reset_restores_with_a_dated_copy(
        tmp_path, capsys):
    import datetime

    from coursekit.build.exercises import reset_exercise
    from coursekit.cli import main

    target = _course_with_one_exercise(tmp_path)
    clean = target.read_text(encoding="utf-8")
    assert "n = ____" in clean
    answered = clean.replace("n = ____  # your code here", "n = 3")
    target.write_text(answered, encoding="utf-8")
    solution = tmp_path / "solutions" / "00_demo_exercises.ipynb"
    solution.write_text(solution.read_text(encoding="utf-8").replace("q1.check()",
                                                                     "q1.check()  # changed"),
                        encoding="utf-8")
    capsys.readouterr()
    assert build_exercises(tmp_path, qids={"00_demo_exercises": {"q1"}}) == 1
    assert "holds a learner's work" in capsys.readouterr().err
    assert target.read_text(encoding="utf-8") == answered          # the answers survive
    kept = reset_exercise(tmp_path, target.name, now=datetime.datetime(2026, 12, 2, 9, 30))
    assert kept.read_text(encoding="utf-8") == answered
    assert kept.name == "00_demo_exercises-20261202-093000.ipynb"
    assert "n = ____" in target.read_text(encoding="utf-8")
    assert "# changed" in target.read_text(encoding="utf-8")
    # from the command line, and refusing what is not an exercise notebook
    assert main(["reset", str(target)]) == 0
    assert "kept as" in capsys.readouterr().out
    assert main(["reset", str(solution)]) == 2


def test_a_notebook_that_was_only_run_counts_as_work_and_a_clean_one_is_rewritten(tmp_path):
    target = _course_with_one_exercise(tmp_path)
    nb = nbformat.read(str(target), as_version=4)
    nb.cells[0].execution_count = 1
    nbformat.write(nb, str(target))
    assert build_exercises(tmp_path, qids={"00_demo_exercises": {"q1"}}) == 1
    nb.cells[0].execution_count = None
    nb.cells[0].source = "n = ____  # your code here\nq1.check()  # older wording"
    nbformat.write(nb, str(target))
    assert build_exercises(tmp_path, qids={"00_demo_exercises": {"q1"}}) == 0
    assert "older wording" not in target.read_text(encoding="utf-8")
