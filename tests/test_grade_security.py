"""A class of honest, blank, cheating and sabotaging submissions, graded on another world.

Honest notebooks keep full marks, cheats get none, and saboteurs change
nothing outside their own folder: not a classmate's notebook, not the
installed package or the data, not the grades file, and no process of theirs
outlives their run. The fence these tests rely on needs Linux namespaces
(:mod:`coursekit.grade.isolation`); where a machine has none, the attacks on
files and processes are skipped and the others still run.
"""

from __future__ import annotations

import hashlib
import site
import socket
import sys
import time
from pathlib import Path

import nbformat
import pandas as pd
import psutil
import pytest
from nbformat.v4 import new_code_cell

from coursekit import cli
from coursekit.exercises import m00
from coursekit.exercises.core import find_course_root
from coursekit.grade.isolation import isolation_level
from coursekit.world import write_world

ROOT = find_course_root()
EXERCISE = "00_welcome_exercises.ipynb"
PACKAGE = Path(m00.__file__).resolve().parents[1]
MARKER = "coursekit-detached-saboteur"
FENCED = isolation_level() == "namespaces"

pytestmark = pytest.mark.skipif(ROOT is None, reason="needs the course's exercises/ and solutions/")


def _digest(paths: list[Path]) -> dict[str, str]:
    return {p.as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in paths if p.is_file()}


def _from(source: Path, target: Path, replace: dict[str, str], extra: list[str] = (),
          first: list[str] = ()) -> Path:
    """A learner's copy of ``source`` with some text replaced and cells added."""
    nb = nbformat.read(str(source), as_version=4)
    for cell in nb.cells:
        for old, new in replace.items():
            cell.source = cell.source.replace(old, new)
    nb.cells = [new_code_cell(s) for s in first] + nb.cells + [new_code_cell(s) for s in extra]
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(target))
    return target


def _typed_answers() -> dict[str, str]:
    """The right answers on the course's data, typed in as literals."""
    q1, q2, q3 = (cls() for cls in m00.EXERCISES)
    signups, peak, share = q1._expected(), q2._expected(), q3._expected()
    return {
        "signups = ____": f"signups = pd.Series({signups.to_dict()!r}, name='count')",
        "peak_day = ____": f"peak_day = pd.Timestamp('{peak['peak_day'].date()}')",
        "peak_ratio = ____": f"peak_ratio = {peak['peak_ratio']!r}",
        "buyer_share = ____": f"buyer_share = {share!r}",
    }


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory: pytest.TempPathFactory) -> dict:
    tmp = tmp_path_factory.mktemp("grading")
    world = tmp / "world7"
    write_world(world, users=3_000, seed=7, progress=False)
    subs, out = tmp / "class", tmp / "marks" / "grades.csv"
    solution, blank = ROOT / "solutions" / EXERCISE, ROOT / "exercises" / EXERCISE
    ana, bo = subs / "ana" / EXERCISE, subs / "bo" / EXERCISE
    for who in ("ana", "bo"):  # honest: the reference code, which computes every answer
        _from(solution, subs / who / EXERCISE, {})
    _from(blank, subs / "cy" / EXERCISE, {})  # handed in untouched
    answers = {"signups = ____": "signups = users['channel'].value_counts()"}
    cheats = {
        "expected": {"signups = ____": "signups = q1._expected()",
                     "buyer_share = ____": "buyer_share = q3.expected()"},
        "last_result": {"q1.check()": "from coursekit.exercises.core import Result\n"
                        "q1.last_result = Result('correct', 'forged')"},
        "patch_checks": {**answers, "q1.check()":
                         "from coursekit.exercises.core import Exercise, Result\n"
                         "Exercise.evaluate = lambda self, **a: Result('correct', 'patched')\n"
                         "Exercise.compare = lambda self, **a: None\nq1.check()"},
        "patch_grader": {"q1.check()": "import coursekit.grade as g\n"
                         "g.tabulate = g.collect = lambda *a, **k: None\nq1.check()"},
        "typed": _typed_answers(),
    }
    for who, replace in cheats.items():
        _from(blank, subs / who / EXERCISE, replace)
    # reads the solutions from disk and runs their code
    read_solutions = (
        "import json\n"
        f"nb = json.load(open({str(solution)!r}, encoding='utf-8'))\n"
        "for c in nb['cells']:\n"
        "    if c['cell_type'] == 'code' and 'BEGIN SOLUTION' in ''.join(c['source']):\n"
        "        exec(''.join(c['source']))"
    )
    _from(blank, subs / "solutions_reader" / EXERCISE, {"# q1.hint()": read_solutions})
    pth = Path(site.getsitepackages()[0]) / "zz_coursekit_sabotage.pth"
    sabotage = [
        f"open({str(ana)!r}, 'w').write('{{}}')",
        f"import os\nos.remove({str(bo)!r})",
        f"import shutil\nshutil.rmtree({str(subs)!r})",
        f"open({str(PACKAGE / 'exercises' / 'm00.py')!r}, 'a').write('\\nraise SystemExit')",
        f"open({str(PACKAGE / 'grade' / 'scan.py')!r}, 'w').write('')",
        f"open({str(ROOT / 'datasets' / 'checksums.json')!r}, 'w').write('{{}}')",
        f"open({str(pth)!r}, 'w').write('import os; os._exit(1)')",
        f"open({str(out)!r}, 'w').write('hacked')",
    ]
    _from(solution, subs / "vandal" / EXERCISE, {}, extra=sabotage)
    # a new session, then a fork whose parent exits: an orphan outside every group
    writer = (f"import os, time\nif os.fork():\n    os._exit(0)\ntime.sleep(6)\n"
              f"open({str(out)!r}, 'w').write('hacked')")
    detached = (
        "import subprocess, sys\n"
        f"subprocess.Popen([sys.executable, '-c', {writer!r}, {MARKER!r}],\n"
        "                 start_new_session=True, stdout=subprocess.DEVNULL,\n"
        "                 stderr=subprocess.DEVNULL)"
    )
    _from(solution, subs / "daemon" / EXERCISE, {}, first=[detached])
    killer = ("import os, signal\nfor pid in range(2, 4096):\n    try:\n"
              "        os.kill(pid, signal.SIGKILL)\n    except OSError:\n        pass\n"
              "os.kill(-1, signal.SIGKILL)")
    _from(solution, subs / "killer" / EXERCISE, {}, extra=[killer])

    # a prober: every cell reaches for something outside the sandbox, and must fail
    listener = socket.create_server(("127.0.0.1", 0))
    probes = [
        f"open({str(PACKAGE / 'exercises' / 'm00.py')!r}).read()",  # the real checks
        f"open({str(ROOT / '.git' / 'HEAD')!r}).read()",  # the history holds the solutions
        f"open({str(solution)!r}).read()",
        f"open({str(ana)!r}).read()",  # a classmate
        f"import os\nos.listdir({str(subs)!r})",
        "open('/proc/1/fd/1', 'a').write('forged report')",  # the runner's report
        f"import socket\nsocket.create_connection(('127.0.0.1', "
        f"{listener.getsockname()[1]}), timeout=5)",  # the network
        f"open({str(Path(sys.base_prefix) / 'lib' / 'os.py')!r}, 'a')",  # the Python install
    ]
    _from(solution, subs / "prober" / EXERCISE, {}, extra=probes)
    watched = sorted(PACKAGE.rglob("*.py")) + sorted((ROOT / "datasets").glob("*.json"))
    before = {**_digest(watched), **_digest([ana, bo])}
    started = time.monotonic()
    code = cli.main(["grade", str(subs), "--out", str(out), "--jobs", "2", "--timeout", "120",
                     "--world", str(world)])
    listener.close()
    written = out.read_text(encoding="utf-8") if out.exists() else ""
    time.sleep(max(0.0, 8 - (time.monotonic() - started)))  # past the detached writer's time
    return {"code": code, "out": out, "attempts": len(sabotage), "probes": len(probes),
            "written": written, "pth": pth,
            "before": before,
            "after": {**_digest(watched), **_digest([ana, bo])},
            "grades": pd.read_csv(out, keep_default_na=False).set_index("submission"),
            "partial": out.with_name("grades.partial.csv")}


def _row(grades: pd.DataFrame, who: str) -> pd.Series:
    return grades.loc[f"{who}/{EXERCISE}"]


def test_honest_notebooks_keep_full_marks_on_another_world(graded_class: dict) -> None:
    grades = graded_class["grades"]
    assert graded_class["code"] == 0
    for who in ("ana", "bo"):
        row = _row(grades, who)
        assert (row["score"], row["flags"], row["problem"]) == (1.0, "", ""), row.to_dict()


def test_a_blank_notebook_is_not_attempted(graded_class: dict) -> None:
    row = _row(graded_class["grades"], "cy")
    assert [row[q] for q in ("q1", "q2", "q3")] == ["not_attempted"] * 3 and row["score"] == 0


@pytest.mark.parametrize("who", ["expected", "last_result", "patch_checks", "patch_grader",
                                 "typed", "solutions_reader"])
def test_cheats_get_nothing(graded_class: dict, who: str) -> None:
    row = _row(graded_class["grades"], who)
    assert row["score"] == 0, row.to_dict()
    if who == "typed":  # right on the course's data, wrong on the world graded
        assert row["correct"] == 0 and row["flags"] == ""
        assert {row["q1"], row["q2"], row["q3"]} == {"incorrect"}
    else:
        assert row["flags"], f"{who} was not flagged"


def test_reading_the_solutions_fails_as_well_as_being_flagged(graded_class: dict) -> None:
    row = _row(graded_class["grades"], "solutions_reader")
    assert "solutions" in row["flags"]
    if FENCED:  # the solutions are hidden from the notebook: its code found nothing to run
        assert row["correct"] == 0 and row["cell_errors"] >= 1


@pytest.mark.skipif(not FENCED, reason="needs Linux namespaces to fence notebooks in")
def test_saboteurs_change_nothing_outside_their_folder(graded_class: dict) -> None:
    before, after = graded_class["before"], graded_class["after"]
    changed = sorted(k for k in before if after.get(k) != before[k])
    assert not changed, f"changed outside the sandbox: {changed}"
    assert not graded_class["pth"].exists()
    grades = graded_class["grades"]
    assert graded_class["out"].read_text(encoding="utf-8") == graded_class["written"]
    assert not graded_class["partial"].exists()
    vandal, daemon, killer = (_row(grades, who) for who in ("vandal", "daemon", "killer"))
    assert "notebooks" in vandal["flags"] and vandal["score"] == 0  # it went for classmates
    # every try failed, and its own answers were still judged
    assert vandal["correct"] == 3 and vandal["cell_errors"] == graded_class["attempts"]
    assert "processes" in daemon["flags"] and daemon["score"] == 1.0  # flagged, not zeroed
    assert daemon["cell_errors"] == 0  # the detached process started: it was the fence that won
    assert killer["problem"].startswith("the run stopped") and killer["correct"] == 3
    assert len(grades) == 13


@pytest.mark.skipif(not FENCED, reason="needs Linux namespaces to fence notebooks in")
def test_no_process_outlives_its_run(graded_class: dict) -> None:
    alive = [p.pid for p in psutil.process_iter(["cmdline"])
             if MARKER in " ".join(p.info["cmdline"] or [])]
    assert alive == []


def test_the_grades_file_has_every_row_and_no_partial_file_is_left(graded_class: dict) -> None:
    grades = graded_class["grades"]
    assert {"flags", "isolation"} <= set(grades.columns)
    assert set(grades["isolation"]) == {isolation_level()}
    assert not graded_class["partial"].exists()
    assert len(grades) == 13 and grades["seconds"].gt(0).all()


def test_without_namespaces_the_grader_still_decides_and_ends_every_process(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The "copy" level, where a machine has no namespaces: forced here."""
    import coursekit.grade.isolation as isolation
    from coursekit.grade import grade

    monkeypatch.setattr(isolation, "isolation_level", lambda: "copy")
    solution, blank = ROOT / "solutions" / EXERCISE, ROOT / "exercises" / EXERCISE
    victim = tmp_path / "victim.txt"
    victim.write_text("intact", encoding="utf-8")
    # it would act long after its run (a loaded machine may take a while to run it)
    writer = (f"import os, time\nif os.fork():\n    os._exit(0)\ntime.sleep(30)\n"
              f"open({str(victim)!r}, 'w').write('hacked')")
    _from(solution, tmp_path / "class" / "daemon" / EXERCISE, {}, first=[
        f"import subprocess, sys\nsubprocess.Popen([sys.executable, '-c', {writer!r}, "
        f"{MARKER!r}], start_new_session=True)"])
    _from(blank, tmp_path / "class" / "cheat" / EXERCISE,
          {"buyer_share = ____": "buyer_share = q3._expected()"})
    grades, _ = grade([tmp_path / "class"], jobs=2)
    grades = grades.set_index("submission")
    assert set(grades["isolation"]) == {"copy"}
    assert _row(grades, "daemon")["score"] == 1.0
    cheat = _row(grades, "cheat")
    assert cheat["q3"] == "not_attempted" and cheat["score"] == 0 and "internals" in cheat["flags"]
    # the detached writer did not outlive its run (it sleeps 30 s before writing)
    assert not [p for p in psutil.process_iter(["cmdline"])
                if MARKER in " ".join(p.info["cmdline"] or [])]
    assert victim.read_text(encoding="utf-8") == "intact"


@pytest.mark.skipif(not FENCED, reason="needs Linux namespaces to fence notebooks in")
def test_nothing_outside_the_sandbox_can_be_reached(graded_class: dict) -> None:
    """The course's checks, history and solutions, classmates, the runner's report,
    the network and the Python installation: each probe cell fails."""
    row = _row(graded_class["grades"], "prober")
    assert row["cell_errors"] == graded_class["probes"], row.to_dict()
    assert row["correct"] == 3  # its own answers are still judged
