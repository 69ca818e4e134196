"""The static scan of submissions: attacks on the grader are flagged, honest work is not."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from coursekit.grade.scan import CHEATING, KINDS, Flag, scan, summary

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "solutions").glob("*.ipynb")) + sorted(
    (ROOT / "exercises").glob("*.ipynb"))

# The first code cells of an exercise notebook, as the course ships them.
SETUP = [
    "world = None  # folder of a generated world, or None for the data that ships with the course",
    "import os\nimport sys\nimport glob\nimport subprocess\nfrom pathlib import Path\n\n"
    "import nbformat\nimport pandas as pd\n\nimport coursekit\n"
    "from coursekit.exercises import m00, m05, m06\n\n"
    "coursekit.setup(world=world)\n"
    "q1, q2, q3 = m00.EXERCISES.bind(globals())\n"
    "orders = coursekit.load('orders')",
]
CELL = len(SETUP) + 1  # the number of the cell under test, after the setup cells


def code_cells(path: Path) -> list[str]:
    nb = json.loads(path.read_text(encoding="utf-8"))
    return ["".join(c["source"]) if isinstance(c["source"], list) else c["source"]
            for c in nb["cells"] if c["cell_type"] == "code"]


def found(*cells: str) -> set[tuple[str, int, int]]:
    """(kind, cell, line) of the flags raised by cells added after the setup cells."""
    return {(f.kind, f.cell, f.line) for f in scan([*SETUP, *cells]) if f.cell > len(SETUP)}


# --------------------------------------------------------------------------
# The course's own notebooks are clean
# --------------------------------------------------------------------------


def test_the_course_notebooks_are_found() -> None:
    assert len(NOTEBOOKS) >= 8
    assert {p.parent.name for p in NOTEBOOKS} == {"solutions", "exercises"}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_course_notebooks_are_clean(path: Path) -> None:
    assert scan(code_cells(path)) == []


def test_the_setup_cells_are_clean() -> None:
    # the imports the tests' setup makes are flagged on their own (subprocess,
    # nbformat) but nothing else of it
    assert {(f.kind, f.cell) for f in scan(SETUP)} == {("processes", 2), ("notebooks", 2)}


# --------------------------------------------------------------------------
# internals: the checks and the grader
# --------------------------------------------------------------------------


@pytest.mark.parametrize("attack", [
    "x = q1.expected()",  # the expected answer, computed by the check
    "x = q1._expected()",
    "q1.last_result = None",  # what the grader reads for a checked question
    "answer = q2.mistakes()[0][0]",
    "q3.__dict__['evaluate'] = print",
    "cls = q1.__class__",
    "m00.EXERCISES.exercises[0]",  # the classes of the set
    "m06._draw",  # a private helper of an exercise module
    "m05.RepairChart",  # a question class of an exercise module
    "m00.EXERCISES.__class__.outcomes = None",
    "getattr(q1, '_exp' + 'ected')()",
    "globals()['q1']._expected()",
    "vars(q1)",
    "dir(m00.EXERCISES)",
    "setattr(q1, 'compare', None)",
    "import coursekit.exercises.core",
    "from coursekit.exercises import Exercise",
    "import importlib; importlib.import_module('coursekit.exercises.core')",
    "import importlib; importlib.reload(sys.modules['coursekit.grade'])",
    "import gc; qs = gc.get_objects()",
    "import gc; gc.get_referrers(q1)",
    "import inspect; inspect.getsource(m00)",
    "import inspect; inspect.getmembers(q1)",
    "orders.sum.__globals__",
    "f.__closure__[0].cell_contents",
    "f.__wrapped__",
    "f.__code__ = g.__code__",
    "coursekit.load = lambda name: orders",  # the checks compute with coursekit.load
    "pd.Series.value_counts = lambda self, **k: self",
    "display({'application/vnd.coursekit.answers+json': {}}, raw=True)",  # forged answers
    "exec(bytes.fromhex(code).decode())",  # code the scan cannot read
])
def test_internals_are_flagged(attack: str) -> None:
    assert ("internals", CELL, 1) in found(attack)


def test_calling_an_internal_method() -> None:
    assert found("signups = 1\nx = q1.expected()\nq1.check()") == {("internals", CELL, 2)}
    assert found("x = q1._expected()") == {("internals", CELL, 1)}


def test_setting_the_last_result() -> None:
    attack = "from coursekit.exercises.core import Result\nq1.last_result = Result('correct', '')"
    assert found(attack) == {("internals", CELL, 1), ("internals", CELL, 2)}


def test_patching_the_exercise_class() -> None:
    attack = ("from coursekit.exercises.core import Exercise, Result\n"
              "Exercise.evaluate = lambda self, **a: Result('correct', '')")
    assert found(attack) == {("internals", CELL, 1), ("internals", CELL, 2)}


def test_patching_the_grader() -> None:
    assert found("import coursekit.grade as g\ng.collect = lambda ns: []") == {
        ("internals", CELL, 1), ("internals", CELL, 2)}
    assert found("from coursekit import grade") == {("internals", CELL, 1)}


def test_patching_the_question_class() -> None:
    assert found("x = 1\ntype(q2).compare = lambda self, **a: None") == {("internals", CELL, 2)}


def test_the_exercise_set_internals() -> None:
    assert found("first = m00.EXERCISES.exercises[0]") == {("internals", CELL, 1)}


def test_sys_modules() -> None:
    assert found("g = sys.modules['coursekit.grade']") == {("internals", CELL, 1)}
    assert found("g = sys.modules.get('coursekit.exercises.m00')") == {("internals", CELL, 1)}


def test_questions_bound_any_way_are_followed() -> None:
    # parenthesised over lines, starred, a single name, a loop variable, an alias
    assert found("(a,\n *rest) = m00.EXERCISES.bind(globals())\nrest[0]._expected()") == {
        ("internals", CELL, 3)}
    assert found("qs = m00.EXERCISES.bind(globals())\nqs[1].compare") == {("internals", CELL, 2)}
    assert found("for q in (q1, q2):\n    q._expected()") == {("internals", CELL, 2)}
    assert found("question = q3\nquestion.expected()") == {("internals", CELL, 2)}
    assert found("ex = m00.EXERCISES\nex.exercises") == {("internals", CELL, 2)}


def test_exercise_modules_imported_any_way() -> None:
    assert found("import coursekit.exercises.m06 as m\nm._draw()") == {("internals", CELL, 2)}
    assert found("from coursekit.exercises.m05 import RepairChart") == {("internals", CELL, 1)}
    assert found("from coursekit.exercises.m05 import ASOF, EXERCISES") == set()


def test_source_of_the_checks_in_help() -> None:
    # q1?? is %pinfo2 q1: the source of the question's class, expected() included
    assert found("q1??") == {("internals", CELL, 1)}
    assert found("q1.expected?") == {("internals", CELL, 1)}
    assert found("q1?") == set()  # the docstring only
    assert found("coursekit.load??") == set()


# --------------------------------------------------------------------------
# solutions
# --------------------------------------------------------------------------


@pytest.mark.parametrize("attack", [
    "text = open('../../solutions/00_welcome_exercises.ipynb').read()",
    "p = Path(sys.executable).parents[2] / 'solutions'",
    "folder = 'sol' + 'utions'",
    "folder = f\"../{'sol'}utions\"",
    "folder = ''.join(['sol', 'utions'])",
    "folder = 'snoitulos'[::-1]",
    "folder = '../SOLUTIONS'",
    "from coursekit.build.exercises import solution_regions",
    "from coursekit.build import exercises",
    "import coursekit.build",
    "from coursekit.exercises import find_course_root",
    "code = q1._solution_code()",
    "!cat solutions/x.ipynb",
])
def test_solutions_are_flagged(attack: str) -> None:
    assert ("solutions", CELL, 1) in found(attack)


def test_reading_a_solution_notebook() -> None:
    attack = "x = 1\ntext = open('../../solutions/00_welcome_exercises.ipynb').read()"
    assert found(attack) == {("solutions", CELL, 2), ("notebooks", CELL, 2)}


def test_the_solutions_folder_next_to_the_environment() -> None:
    assert found("p = Path(sys.executable).parents[2] / 'solutions'") == {
        ("solutions", CELL, 1)}


def test_a_folded_name() -> None:
    assert found("x = 1\n\nfolder = 'sol' + 'utions'") == {("solutions", CELL, 3)}


def test_the_build_tools() -> None:
    assert found("from coursekit.build.exercises import solution_regions") == {
        ("solutions", CELL, 1)}


def test_a_multiline_string_is_flagged_on_its_line() -> None:
    assert found("path = '''\nsomewhere\n../solutions\n'''") == {("solutions", CELL, 3)}


# --------------------------------------------------------------------------
# notebooks
# --------------------------------------------------------------------------


@pytest.mark.parametrize("attack", [
    "nb = nbformat.read('../bo/00_welcome_exercises.ipynb', 4)",
    "paths = glob.glob('../*/*.ipynb')",
    "paths = list(Path('..').rglob('*.ipynb'))",
    "nb = json.load(open('../bo/00_welcome_exercises.ipynb'))",
    "%run ../bo/00_welcome_exercises.ipynb",
    "%load ../bo/answers.py",
    "import nbclient",
    "%store -r answers",
])
def test_notebooks_are_flagged(attack: str) -> None:
    assert ("notebooks", CELL, 1) in found(attack)


def test_reading_another_learners_notebook() -> None:
    assert found("nb = nbformat.read('../bo/00_welcome_exercises.ipynb', 4)") == {
        ("notebooks", CELL, 1)}
    assert found("x = 1\npaths = glob.glob('../*/*.ipynb')") == {("notebooks", CELL, 2)}


# --------------------------------------------------------------------------
# processes
# --------------------------------------------------------------------------


@pytest.mark.parametrize("attack", [
    "subprocess.Popen(['sleep', '1000'], start_new_session=True)",
    "os.kill(os.getppid(), 9)",
    "os.killpg(0, 9)",
    "os.system('ls ..')",
    "os.popen('ls')",
    "os.execv('/bin/sh', ['sh'])",
    "os.fork()",
    "os.setsid()",
    "os._exit(0)",
    "import multiprocessing",
    "import ctypes",
    "import pty",
    "from subprocess import run",
    "__import__('subprocess').run('ls')",
    "import signal; signal.signal(signal.SIGTERM, signal.SIG_IGN)",
    "import signal; signal.pthread_kill(1, 9)",
    "!ls",
    "files = !ls ..",
    "%system ls",
    "%sx ls",
    "%pip install requests",
    "get_ipython().system('ls')",
    "open('/tmp/grades.csv', 'w')",
    "open('../bo/answers.py', 'a')",
    "Path('/tmp/x').open('w')",
    "os.remove('../bo/x.csv')",
    "os.unlink('/tmp/grades.csv')",
    "Path('../bo/x.csv').unlink()",
    "import shutil; shutil.rmtree('..')",
    "import shutil; shutil.move('x.csv', '../bo/x.csv')",
    "orders.to_csv('/tmp/grades.csv')",
    "os.chdir('..')",
    "%cd ..",
    "ls -la",  # a one-line cell: IPython runs it as %ls (automagic)
    "cat ../bo/answers.py",
])
def test_processes_are_flagged(attack: str) -> None:
    assert ("processes", CELL, 1) in found(attack)


def test_a_shell_escape() -> None:
    assert found("x = 1\n!cat solutions/x.ipynb") == {
        ("solutions", CELL, 2), ("notebooks", CELL, 2), ("processes", CELL, 2)}


@pytest.mark.parametrize("magic", ["bash", "sh", "script bash", "python3"])
def test_a_shell_cell(magic: str) -> None:
    assert found(f"%%{magic}\necho hello\nls") == {("processes", CELL, 1)}


def test_a_cell_magic_after_blank_lines() -> None:
    assert found("\n\n%%bash\nls") == {("processes", CELL, 3)}


def test_starting_a_process() -> None:
    assert found("x = 1\nsubprocess.Popen(['sleep', '1000'], start_new_session=True)") == {
        ("processes", CELL, 2)}


def test_killing_the_grader() -> None:
    assert found("os.kill(os.getppid(), 9)") == {("processes", CELL, 1)}


def test_writing_outside_the_folder() -> None:
    assert found("with open('/tmp/grades.csv', 'w') as f:\n    f.write('bo,100')") == {
        ("processes", CELL, 1)}


def test_deleting_another_notebook() -> None:
    assert found("os.remove('../bo/x.ipynb')") == {("notebooks", CELL, 1), ("processes", CELL, 1)}


# --------------------------------------------------------------------------
# code inside magics is scanned too
# --------------------------------------------------------------------------


def test_python_inside_magics_is_scanned() -> None:
    assert found("%%capture\nx = 1\ny = q1._expected()") == {("internals", CELL, 3)}
    assert found("%%time\n!cat ../solutions/x") == {("solutions", CELL, 2),
                                                    ("processes", CELL, 2)}
    assert found("%timeit -n1 -r1 q1._expected()") == {("internals", CELL, 1)}
    assert found("x = 1\n%time y = q1.expected()") == {("internals", CELL, 2)}
    assert found('exec("q1._expected()")') == {("internals", CELL, 1)}
    assert found('/exec "q1._expected()"') == {("internals", CELL, 1)}  # autocall escape


def test_a_comment_inside_a_timed_cell_is_not_flagged() -> None:
    assert found("%%time\n# see ../solutions\nx = 1") == set()


# --------------------------------------------------------------------------
# look-alikes that stay clean
# --------------------------------------------------------------------------


@pytest.mark.parametrize("innocent", [
    "signups = orders['channel'].value_counts()\nq1.check()",
    "q1.hint()",
    "q1.hint(2)",
    "q1.solution()",
    "print(q1.title, q1.qid, q1.variables, q1.hints[0].upper())",
    "m00.EXERCISES.progress(globals())",
    "m00.EXERCISES.qids, m00.EXERCISES.notebook",
    "cutoff = pd.Timestamp(m05.ASOF)",
    "targets = pd.Series(m06.TARGETS)",
    "left.compare(right)",  # DataFrame.compare, not the question's
    # a column named "solution": the rule is about the folder, "solutions", plural
    "orders['solution'] = 1\nsolution = orders['solution'].sum()",
    "open('my_notes.csv', 'w').write('notes')",  # relative, inside the folder
    "orders.to_csv('orders_2025.csv')",
    "with open('data/my.csv') as f:\n    text = f.read()",  # reading is fine
    "# q1.expected()\n# q1._expected()",
    "# see ../solutions/00_welcome_exercises.ipynb for the answer\nx = 1",
    "x = (1,\n",  # a syntax error: fails when run, nothing to flag
    "q1.expected(",
    "%matplotlib inline",
    "%timeit x = 1",
    "%%time\ntotal = orders['amount'].sum()",
    "pd.options.display.max_rows = 100",
    "import matplotlib.pyplot as plt\nplt.rcParams['figure.figsize'] = (8, 4)",
    "from coursekit import segments, churn\nrfm = segments.rfm(orders, asof=m05.ASOF)",
    "signal = orders['amount'].rolling(7).mean()\nsignal.max()",
    "q = orders['amount'].quantile([0.25, 0.75])",
    "ls = [1, 2]\nls",  # a variable that shadows the %ls alias
    "Path('figures').mkdir(exist_ok=True)",
    "rows = orders.query('amount > 100')",
    "import re\npattern = re.compile('a+')",
])
def test_look_alikes_are_not_flagged(innocent: str) -> None:
    assert found(innocent) == set()


# --------------------------------------------------------------------------
# the API
# --------------------------------------------------------------------------


def test_kinds() -> None:
    assert list(KINDS) == ["solutions", "internals", "notebooks", "processes"]
    assert CHEATING == {"solutions", "internals", "notebooks"}
    assert all(isinstance(v, str) and v for v in KINDS.values())


def test_flag_fields_and_text() -> None:
    [flag] = scan(["from coursekit.exercises import m00\nq1, q2, q3 = m00.EXERCISES.bind({})",
                   "x = 1",
                   "   y = q1.expected()   " + " " * 3 + "# " + "z" * 100])
    assert (flag.kind, flag.cell, flag.line) == ("internals", 3, 1)
    assert flag.text.startswith("y = q1.expected()")
    assert len(flag.text) == 80
    assert flag.is_cheating
    assert str(flag) == flag.message == (
        f"internals (cell 3, line 1): {flag.text} — {flag.reason}")
    assert flag.reason


def test_one_flag_per_kind_cell_and_line() -> None:
    flags = scan(["x = q1.expected() + q1._expected() + q2.expected()"])
    assert [(f.kind, f.cell, f.line) for f in flags] == [("internals", 1, 1)]


def test_flags_are_in_cell_and_line_order() -> None:
    flags = scan(["os.system('x')", "y = 1\nq1._x\nimport ctypes", "open('../solutions')"])
    assert [(f.cell, f.line) for f in flags] == [(1, 1), (2, 2), (2, 3), (3, 1)]


def test_empty() -> None:
    assert scan([]) == []
    assert scan(["", "   \n"]) == []


def test_summary_is_empty_without_flags() -> None:
    assert summary([]) == ""


def test_summary_groups_by_kind_in_the_order_of_kinds() -> None:
    flags = [Flag("internals", 3, 1, "q1.expected()", "r"),
             Flag("solutions", 4, 2, "open('../solutions/x')", "r"),
             Flag("processes", 5, 1, "!ls", "r")]
    assert summary(flags) == ("solutions: cell 4 line 2 (open('../solutions/x')); "
                              "internals: cell 3 line 1 (q1.expected()); "
                              "processes: cell 5 line 1 (!ls)")


def test_summary_lists_three_places_then_counts() -> None:
    flags = [Flag("internals", n, 1, f"q{n}._expected()", "r") for n in range(1, 6)]
    assert summary(flags) == ("internals: cell 1 line 1 (q1._expected()), "
                              "cell 2 line 1 (q2._expected()), "
                              "cell 3 line 1 (q3._expected()) and 2 more")


def test_summary_shortens_long_lines() -> None:
    text = "answer = open('../../solutions/00_welcome_exercises.ipynb').read()"
    line = summary([Flag("solutions", 2, 1, text, "r")])
    assert line.startswith("solutions: cell 2 line 1 (answer = open(")
    assert line.endswith("...)")
    assert len(line) < len(text) + 25


def test_summary_of_a_scan() -> None:
    flags = scan(["from coursekit.exercises import m00\nq1, q2, q3 = m00.EXERCISES.bind({})",
                  "x = q1.expected()",
                  "y = 2\ntext = open('../solutions/x.ipynb').read()"])
    assert summary(flags) == (
        "solutions: cell 3 line 2 (text = open('../solutions/x.ipynb').r...); "
        "internals: cell 2 line 1 (x = q1.expected()); "
        "notebooks: cell 3 line 2 (text = open('../solutions/x.ipynb').r...)")


def test_solutions_counts_as_a_path_part_not_as_a_word() -> None:
    assert scan(['ax.set_title("Three solutions compared")']) == []
    assert [f.kind for f in scan(['p = root + "/solutions"'])] == ["solutions"]


def test_a_learners_own_qN_is_not_a_question_when_the_bind_cell_names_the_questions() -> None:
    bind = "from coursekit.exercises import m00\nq1, q2, q3 = m00.EXERCISES.bind(globals())"
    assert scan([bind, "q4 = s.quantile(0.75)\nq4.round(2)"]) == []  # a quartile
    assert [f.kind for f in scan([bind, "x = q1.expected()"])] == ["internals"]
    assert [f.kind for f in scan(["x = q1.expected()"])] == ["internals"]  # nothing bound
