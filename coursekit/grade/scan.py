"""Find code in a submitted notebook that games the grader, before it runs.

:func:`scan` reads the code cells of an exercise notebook the way IPython
would run them (magics and ``!`` shell escapes included) and flags what an
honest answer never needs: reading the reference solutions, calling into the
checks or the grader, reading other notebooks, and starting processes or
touching files outside the submission's folder. It only reads the code; the
notebook is not run.

The rules are written so that everything the course teaches stays clean:
``q1.check()``, ``q1.hint(2)``, ``q1.solution()``,
``m05.EXERCISES.progress(globals())``, module constants such as
``m05.ASOF`` and any pandas, numpy, matplotlib or coursekit analytics.

A static scan sees the code as written. Code that only exists while the
notebook runs (``exec`` of a string built at run time, names taken from a
directory listing) cannot be read beforehand; ``exec`` and friends of such
code are flagged for that reason.

Examples
--------
>>> flags = scan(["from coursekit.exercises import m00\\n"
...               "q1, q2, q3 = m00.EXERCISES.bind(globals())",
...               "signups = q1.expected()\\nq1.check()"])
>>> print(flags[0])
internals (cell 2, line 1): signups = q1.expected() — calls into the checks' internals \
(`expected` is not check, hint or solution)
>>> summary(flags)
'internals: cell 2 line 1 (signups = q1.expected())'
>>> list(KINDS), sorted(CHEATING)
(['solutions', 'internals', 'notebooks', 'processes'], ['internals', 'notebooks', 'solutions'])
"""

from __future__ import annotations

import ast
import builtins
import difflib
import functools
import keyword
import re
from collections.abc import Callable, Container, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

__all__ = ["CHEATING", "KINDS", "Flag", "scan", "summary"]

KINDS: Mapping[str, str] = MappingProxyType({
    "solutions": "reads the reference solutions",
    "internals": "reaches into the checks or the grader",
    "notebooks": "reads other notebooks",
    "processes": "starts processes, sends signals, or reaches outside the notebook's process "
                 "and folder",
})
"""Kinds of flag, in the order a report lists them, with a one-line description."""

CHEATING = frozenset({"solutions", "internals", "notebooks"})
"""Kinds that make a submission's score 0 until an instructor has read it."""


@dataclass(frozen=True)
class Flag:
    """One suspicious line of a submitted notebook.

    Parameters
    ----------
    kind
        One of :data:`KINDS`.
    cell
        1-based number of the code cell, counting code cells only.
    line
        1-based line in that cell's source.
    text
        The offending source line, stripped, cut to 80 characters.
    reason
        What the line does, for the instructor.

    Examples
    --------
    >>> f = Flag("internals", 3, 1, "q1.expected()", "calls into the checks' internals")
    >>> f.message
    "internals (cell 3, line 1): q1.expected() — calls into the checks' internals"
    >>> f.is_cheating
    True
    """

    kind: str
    cell: int
    line: int
    text: str
    reason: str

    @property
    def message(self) -> str:
        """``"<kind> (cell C, line L): <text> — <reason>"``."""
        return f"{self.kind} (cell {self.cell}, line {self.line}): {self.text} — {self.reason}"

    @property
    def is_cheating(self) -> bool:
        """True when the kind is in :data:`CHEATING`."""
        return self.kind in CHEATING

    def __str__(self) -> str:
        return self.message


# --------------------------------------------------------------------------
# Vocabulary
# --------------------------------------------------------------------------

# What a learner may use of a question (q1, q2, ... = m00.EXERCISES.bind(globals())).
_QUESTION_API = frozenset({"check", "hint", "solution", "qid", "title", "variables", "hints"})
# What a learner may use of an exercise set (m00.EXERCISES).
_EXERCISES_API = frozenset({"bind", "progress", "qids", "notebook"})

# Names that only the checks, the grader and the build tools use.
_INTERNAL_NAMES = {
    "Exercise": "internals", "ExerciseSet": "internals", "Result": "internals",
    "last_result": "internals", "GRADE_MIME": "internals", "_coursekit_grade_report": "internals",
    "solution_regions": "solutions", "_solution_code": "solutions", "find_course_root": "solutions",
}
# Attributes that expose a function's hidden state: its closure, globals, code or
# the function it wraps; __subclasses__ finds Exercise classes without naming them.
_HIDDEN_STATE = frozenset({"__closure__", "__globals__", "__code__", "__wrapped__",
                           "__subclasses__"})
# Built-ins that look inside an object.
_INTROSPECTION = frozenset({"type", "vars", "dir", "getattr", "setattr", "delattr"})
# Built-ins and IPython methods that run code given as a string.
_RUNS_STRINGS = frozenset({"exec", "eval", "compile"})
_IPYTHON_RUNS_STRINGS = frozenset({"run_cell", "ex", "ev", "run_code"})

# Magics whose argument or body is Python code (scanned like a cell of its own).
_PYTHON_LINE_MAGICS = frozenset({"time", "timeit", "prun", "debug",
                                 "pinfo", "pinfo2", "psource", "pdef", "pdoc", "pfile"})
_PYTHON_CELL_MAGICS = frozenset({"time", "timeit", "prun", "capture", "debug"})
# Magics that show source code (`q1??` is %pinfo2 q1).
_SOURCE_MAGICS = frozenset({"pinfo2", "psource", "pfile"})
# Magics that run a shell command or another program.
_SHELL_LINE_MAGICS = frozenset({
    "system", "sx", "sc", "alias", "rehashx", "edit", "ed",
    "pip", "conda", "mamba", "micromamba", "uv",
    # IPython's default shell aliases on posix
    "cat", "cp", "ldir", "lf", "lk", "ll", "ls", "lx", "mkdir", "mv", "rm", "rmdir",
})
_SHELL_CELL_MAGICS = frozenset({"!", "bash", "sh", "script", "system", "sx", "perl", "ruby",
                                "python", "python2", "python3", "pypy"})

# Dotted names (after following imports and aliases) that are flagged wherever they
# appear: imported, called or just referenced.
_REFERENCES: tuple[tuple[re.Pattern[str], str, str], ...] = tuple(
    (re.compile(pattern), kind, reason) for pattern, kind, reason in (
        # the build tools cut the solution regions out of solutions/*.ipynb
        (r"coursekit\.build\b", "solutions",
         "uses the course's build tools, which read the reference solutions"),
        # the checks' machinery: Exercise, Result, the comparison helpers
        (r"coursekit\.exercises\.core\b", "internals",
         "uses the checks' machinery (coursekit.exercises.core)"),
        # anything of coursekit.exercises but the mNN modules and the placeholder
        (r"coursekit\.exercises\.(?!m\d+\b|____$)\w+", "internals",
         "uses the checks' machinery instead of the exercise modules"),
        # the grader itself: collect, report
        (r"coursekit\.grade\b", "internals", "uses the grader (coursekit.grade)"),
        # find every object in memory, the questions and their cached answers among them
        (r"gc\.get_(objects|referrers|referents)$", "internals",
         "walks the objects in memory, which reaches the checks' answers"),
        # read the checks' source or members
        (r"inspect\.(getsource\w*|getmembers\w*|getclosurevars|getfile|getsourcefile)$",
         "internals", "reads the source or members of objects, the checks' among them"),
        # libraries that read or run notebooks
        (r"(nbformat|nbclient|nbconvert|papermill|jupytext)\b", "notebooks",
         "uses a library that reads or runs notebooks"),
        # modules that exist to start programs or call into C
        (r"(subprocess|multiprocessing|ctypes|pty|_posixsubprocess|posix|pexpect)\b",
         "processes", "uses a module that starts processes or calls into C"),
        (r"os\.(system|popen|exec\w*|spawn\w*|posix_spawn\w*|fork\w*|kill|killpg|setsid"
         r"|setpgrp|setpgid|_exit|abort|startfile)$", "processes",
         "starts a process, sends a signal or leaves the notebook's process"),
        (r"signal\.[a-z_]\w*$", "processes", "installs a signal handler or sends a signal"),
        (r"asyncio\.create_subprocess_\w+$", "processes", "starts a process"),
        (r"concurrent\.futures\.(process\b|ProcessPoolExecutor$)", "processes",
         "starts worker processes"),
        (r"IPython\.utils\.process\b", "processes", "runs a shell command"),
        # get_ipython().system("ls"), as !ls is run, or written out by hand
        (r"get_ipython\(\)\.(system|system_raw|system_piped|getoutput)$", "processes",
         "runs a shell command"),
    )
)

# Functions that delete, move or copy files, or change the working folder: flagged
# when a path they get points outside the submission's folder.
_FILE_FUNCTIONS = frozenset({
    "os.remove", "os.unlink", "os.rmdir", "os.removedirs", "os.rename", "os.renames",
    "os.replace", "os.truncate", "os.symlink", "os.link", "os.chmod", "os.chdir",
    "shutil.rmtree", "shutil.move", "shutil.copy", "shutil.copy2", "shutil.copyfile",
    "shutil.copytree",
})
# pathlib.Path methods that change the file they are called on.
_PATH_METHODS = frozenset({"unlink", "rmdir", "rename", "write_text", "write_bytes", "touch",
                           "symlink_to", "hardlink_to", "chmod"})
# Attributes and calls that lead out of the current folder.
_LEADS_OUT = frozenset({"parent", "parents", "home", "expanduser"})
# Methods of pandas, numpy and matplotlib that write a file, and the keyword of its path.
_WRITERS = frozenset({"to_csv", "to_parquet", "to_excel", "to_json", "to_pickle", "to_feather",
                      "to_hdf", "to_html", "to_latex", "to_markdown", "to_stata", "to_xml",
                      "to_orc", "tofile", "savefig", "save", "savez", "savez_compressed",
                      "savetxt"})
_PATH_KEYWORDS = ("path", "path_or_buf", "excel_writer", "fname", "file", "buf")
# Library settings a notebook may assign to: pd.options..., plt.rcParams[...], os.environ[...]
_SETTINGS = frozenset({"options", "rcParams", "environ"})

_QUESTION = re.compile(r"q\d+$")
_EXERCISE_MODULE = re.compile(r"coursekit\.exercises\.m\d+(?P<rest>(\.[\w*]+)*)$")
_ALL_CAPS = re.compile(r"[A-Z][A-Z0-9_]*$")
_OUTSIDE = re.compile(r"^(/|\\|~|[A-Za-z]:[\\/])|(^|[\\/])\.\.([\\/]|$)")


def _is_dunder(name: str) -> bool:
    return name.startswith("__") and name.endswith("__")


def _is_outside_path(text: str) -> bool:
    """True for an absolute path, a path under ``~`` or a path with a ``..`` part."""
    return bool(_OUTSIDE.search(text.strip()))


# --------------------------------------------------------------------------
# Reading a cell: IPython syntax to an AST, with the way back to the cell's lines
# --------------------------------------------------------------------------


@functools.cache
def _transformer() -> object:
    from IPython.core.inputtransformer2 import TransformerManager

    return TransformerManager()


@functools.cache
def _line_magic_names() -> frozenset[str]:
    """Every line magic of a fresh IPython kernel, shell aliases included (for automagic)."""
    from IPython.core import magics
    from IPython.core.alias import default_aliases

    names = {"store"}  # the storemagic extension a kernel loads by default
    for cls in vars(magics).values():
        table = getattr(cls, "magics", None)
        if isinstance(cls, type) and isinstance(table, dict):
            names.update(table.get("line", {}))
    names.update(name for name, _ in default_aliases())
    return frozenset(names)


def _transform(source: str) -> str | None:
    """IPython's static transformation of a cell (magics, ``!``, ``?``), or None."""
    try:
        return _transformer().transform_cell(source)  # type: ignore[attr-defined]
    except Exception:  # noqa: BLE001 - a cell IPython cannot read fails when run, like a SyntaxError
        return None


def _parse_python(code: str) -> ast.Module | None:
    try:
        return ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def _line_map(original: str, transformed: str) -> list[int]:
    """For each line of ``transformed``, the 1-based line of ``original`` it comes from.

    Line magics and ``!`` keep the line structure; a cell magic becomes one line,
    mapped to the line of its ``%%``; lines joined by ``\\`` map to the first.
    """
    old, new = original.splitlines(), transformed.splitlines()
    mapping = [1] * len(new)
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        for j in range(j1, j2):
            if tag == "equal":
                i = i1 + (j - j1)
            else:
                i = min(i1 + (j - j1), max(i1, i2 - 1))
                while i < i2 - 1 and not old[i].strip():  # skip blank lines before a %%magic
                    i += 1
            mapping[j] = min(i, max(len(old) - 1, 0)) + 1
    return mapping


@dataclass
class _Code:
    """One parsed piece of a cell: its AST and how its lines map to the cell's."""

    tree: ast.Module
    line: Callable[[int], int]
    skip: set[int] = field(default_factory=set)  # ids of strings scanned as code of their own


def _fold(node: ast.AST | None) -> str | None:
    """The value of a string expression built from constants, else None.

    Follows ``"a" + "b"``, f-strings (their constant parts, joined), ``"".join([...])``
    and ``"..."[::-1]``.
    """
    if isinstance(node, ast.Constant):
        return node.value if isinstance(node.value, str) else None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _fold(node.left), _fold(node.right)
        return None if left is None or right is None else left + right
    if isinstance(node, ast.JoinedStr):
        parts = [_fold(v.value) if isinstance(v, ast.FormattedValue) else _fold(v)
                 for v in node.values]
        return "".join(p or "" for p in parts)
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr == "join" and len(node.args) == 1 and not node.keywords
            and isinstance(node.args[0], ast.List | ast.Tuple)):
        sep = _fold(node.func.value)
        items = [_fold(e) for e in node.args[0].elts]
        if sep is not None and all(i is not None for i in items):
            return sep.join(items)  # type: ignore[arg-type]
    if (isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Slice)
            and node.slice.lower is None and node.slice.upper is None
            and isinstance(node.slice.step, ast.UnaryOp)
            and isinstance(node.slice.step.op, ast.USub)
            and isinstance(node.slice.step.operand, ast.Constant)
            and node.slice.step.operand.value == 1):
        text = _fold(node.value)
        return None if text is None else text[::-1]
    return None


def _magic_call(node: ast.AST, method: str) -> tuple[str, list[str]] | None:
    """``get_ipython().<method>('name', 'arg', ...)`` with constant strings: (name, args)."""
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr == method and node.args):
        return None
    values = [_fold(a) for a in node.args]
    if any(v is None for v in values):
        return None
    return values[0], values[1:]  # type: ignore[return-value]


def _strip_options(argument: str) -> str | None:
    """The Python statement at the end of ``-n 1 -r 3 x = f()``, or None."""
    rest = argument
    for _ in range(8):
        if _parse_python(rest) is not None:
            return rest
        parts = rest.split(None, 1)
        if len(parts) < 2:
            return None
        rest = parts[1]
    return None


def _embedded(tree: ast.Module) -> Iterator[tuple[ast.Call, str, int, bool, list[ast.AST]]]:
    """Code given as a string inside a cell: (call, code, first line offset, ipython?, nodes).

    The body of ``%%time``/``%%capture``..., the statement of ``%timeit``..., the target
    of ``q1??``, and constant strings given to ``exec``/``eval``/``compile``.
    """
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        cell = _magic_call(node, "run_cell_magic")
        if cell and cell[0] in _PYTHON_CELL_MAGICS and len(cell[1]) == 2:
            yield node, cell[1][1], 1, True, node.args[2:]
        line = _magic_call(node, "run_line_magic")
        if line and line[0] in _PYTHON_LINE_MAGICS and len(line[1]) == 1:
            statement = _strip_options(line[1][0])
            if statement is not None:
                yield node, statement, 0, True, node.args[1:]
        if node.args and (code := _fold(node.args[0])) is not None:
            if isinstance(node.func, ast.Name) and node.func.id in _RUNS_STRINGS:
                yield node, code, 0, False, node.args[:1]
            elif (isinstance(node.func, ast.Attribute)
                  and node.func.attr in _IPYTHON_RUNS_STRINGS):
                yield node, code, 0, True, node.args[:1]


def _parse(source: str, to_cell: Callable[[int], int], *, ipython: bool = True,
           dynamic: Callable[[str], str] | None = None) -> list[_Code]:
    """Parse ``source`` and the code embedded in it; [] when it does not parse.

    ``to_cell`` maps a line of ``source`` to a line of the cell; ``dynamic`` is
    applied to a one-line cell, the way IPython applies automagic and autocall.
    """
    python = _transform(source) if ipython else source
    if python is None:
        return []
    if dynamic is not None and len(python.splitlines()) == 1:
        python = _transform(dynamic(python)) or python
    tree = _parse_python(python)
    if tree is None:
        return []
    mapping = _line_map(source, python) if ipython else None

    def line(n: int) -> int:
        if mapping is None:  # plain Python: lines are the source's own
            return to_cell(n)
        return to_cell(mapping[min(max(n, 1), len(mapping)) - 1] if mapping else 1)

    codes = [_Code(tree, line)]
    for call, code, offset, is_ipython, nodes in _embedded(tree):
        base = line(call.lineno) + offset
        nested = _parse(code, lambda k, base=base: base + k - 1, ipython=is_ipython)
        if nested:
            codes[0].skip.update(id(n) for arg in nodes for n in ast.walk(arg))
            codes.extend(nested)
    return codes


def _dynamic_transform(shadowed: set[str], autocall: bool) -> Callable[[str], str]:
    """IPython's one-line transformations: ``/f x``, ``,f a b``, ``;f a b``, automagic
    (``ls ../x`` runs ``%ls``) and, once ``%autocall`` is on, ``f x`` as ``f(x)``."""
    from IPython.core.splitinput import split_user_input

    def transform(line: str) -> str:
        _, esc, ifun, raw_rest = split_user_input(line.rstrip("\n"))
        rest = raw_rest.lstrip()
        if esc == "/":
            return f"{ifun}({','.join(rest.split())})"
        if esc == ",":
            return '{}("{}")'.format(ifun, '", "'.join(rest.split()))
        if esc == ";":
            return f'{ifun}("{rest}")'
        if esc or (rest and rest[0] in "=,"):
            return line
        head = ifun.split(".", 1)[0]
        if ifun in _line_magic_names() and head not in shadowed:
            return f"%{ifun} {rest}"
        if autocall and ifun and rest and rest[0] != "(" and _parse_python(line) is None:
            return f"{ifun}({rest})"
        return line

    return transform


# --------------------------------------------------------------------------
# What the notebook binds: questions, exercise modules, imports and aliases
# --------------------------------------------------------------------------


def _dotted(node: ast.AST, aliases: Mapping[str, str],
            variables: Container[str] = ()) -> str | None:
    """The dotted name an expression stands for, following imports: ``sp.run`` is
    ``subprocess.run`` after ``import subprocess as sp``; None for an expression
    built on one of the notebook's own ``variables``."""
    if isinstance(node, ast.Name):
        if node.id in aliases:
            return aliases[node.id]
        return None if node.id in variables else node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value, aliases, variables)
        return None if base is None else f"{base}.{node.attr}"
    if isinstance(node, ast.Subscript):  # sys.modules["subprocess"]
        key = _fold(node.slice)
        if key is not None and _dotted(node.value, aliases, variables) == "sys.modules":
            return key
        return None
    if isinstance(node, ast.Call):
        name = _getattr_name(node)
        if name is not None:  # getattr(os, "system")
            base = _dotted(node.args[0], aliases, variables)
            return None if base is None else f"{base}.{name}"
        func = _dotted(node.func, aliases, variables)
        if func is None:
            return None
        if func.rsplit(".", 1)[-1] == "get_ipython" and not node.args:
            return "get_ipython()"
        if func in ("__import__", "importlib.import_module") and node.args:
            return _fold(node.args[0])  # __import__("subprocess")
    return None


def _getattr_name(node: ast.Call) -> str | None:
    """``"x"`` for ``getattr(obj, "x")``, else None."""
    if (isinstance(node.func, ast.Name) and node.func.id == "getattr"
            and len(node.args) >= 2):
        return _fold(node.args[1])
    return None


def _chain(node: ast.AST) -> tuple[str | None, list[str]]:
    """The root name of ``a.b[0].c`` and the attributes after it: ``("a", ["b", "c"])``.

    ``getattr(a, "b")`` counts as ``a.b`` and ``globals()["q1"]`` as ``q1``.
    """
    attrs: list[str] = []
    while True:
        if isinstance(node, ast.Attribute):
            attrs.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Subscript):
            value = node.value
            if (isinstance(value, ast.Call) and isinstance(value.func, ast.Name)
                    and value.func.id in ("globals", "vars", "locals") and not value.args):
                return _fold(node.slice), attrs[::-1]
            node = value
        elif isinstance(node, ast.Call) and (name := _getattr_name(node)) is not None:
            attrs.append(name)
            node = node.args[0]
        elif isinstance(node, ast.Name):
            return node.id, attrs[::-1]
        else:
            return None, attrs[::-1]


def _target_names(node: ast.AST) -> Iterator[str]:
    """Names bound by an assignment target: ``(a, *b), c``."""
    if isinstance(node, ast.Name):
        yield node.id
    elif isinstance(node, ast.Starred):
        yield from _target_names(node.value)
    elif isinstance(node, ast.Tuple | ast.List):
        for elt in node.elts:
            yield from _target_names(elt)


def _binds_questions(value: ast.AST) -> bool:
    """``m00.EXERCISES.bind(...)`` or ``EXERCISES.bind(...)``."""
    if not (isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute)
            and value.func.attr == "bind"):
        return False
    owner = value.func.value
    return ((isinstance(owner, ast.Attribute) and owner.attr == "EXERCISES")
            or (isinstance(owner, ast.Name) and owner.id == "EXERCISES"))


@dataclass
class _Names(ast.NodeVisitor):
    """What the notebook's cells bind, gathered over all cells before any rule runs."""

    questions: set[str] = field(default_factory=set)
    binds: int = 0  # cells' assignments from EXERCISES.bind(...)
    aliases: dict[str, str] = field(default_factory=dict)  # name -> dotted name
    imported: set[str] = field(default_factory=set)  # names bound by an import
    variables: set[str] = field(default_factory=set)  # names bound otherwise
    autocall: bool = False

    def is_question(self, name: str | None) -> bool:
        # the names the bind cell gives; only a notebook that binds none has every qN
        # taken for a question (a learner's own quartile q4 is not one)
        if name is None:
            return False
        return name in self.questions or (not self.bound and bool(_QUESTION.match(name)))

    @property
    def bound(self) -> bool:
        """Whether some cell binds questions with ``EXERCISES.bind``."""
        return self.binds > 0

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            name = alias.asname or alias.name.split(".")[0]
            self.aliases[name] = alias.name if alias.asname else name
            self.imported.add(name)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        for alias in node.names:
            if alias.name != "*" and node.module and not node.level:
                name = alias.asname or alias.name
                self.aliases[name] = f"{node.module}.{alias.name}"
                self.imported.add(name)

    def visit_Assign(self, node: ast.Assign) -> None:
        names = [n for t in node.targets for n in _target_names(t)]
        root, attrs = _chain(node.value)
        self.binds += _binds_questions(node.value)
        if _binds_questions(node.value) or (self.is_question(root) and not attrs):
            self.questions.update(names)  # q1, q2 = m00.EXERCISES.bind(...); q = q1
        elif len(names) == 1 and isinstance(node.targets[0], ast.Name):
            dotted = _dotted(node.value, self.aliases, self.variables)
            if dotted and (root in self.imported or dotted.startswith("get_ipython()")
                           or isinstance(node.value, ast.Call)):
                self.aliases[names[0]] = dotted  # ex = m00.EXERCISES; ip = get_ipython()
        self.generic_visit(node)

    def _loop(self, target: ast.AST, iterable: ast.AST) -> None:
        # for q in (q1, q2): ... makes q a question too
        if any(isinstance(n, ast.Name) and self.is_question(n.id) for n in ast.walk(iterable)):
            self.questions.update(_target_names(target))

    def visit_For(self, node: ast.For) -> None:
        self._loop(node.target, node.iter)
        self.generic_visit(node)

    def visit_comprehension(self, node: ast.comprehension) -> None:
        self._loop(node.target, node.iter)
        self.generic_visit(node)

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Store):
            self.variables.add(node.id)

    def visit_arg(self, node: ast.arg) -> None:
        self.variables.add(node.arg)

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.variables.add(node.name)
        self.generic_visit(node)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self.variables.add(node.name)
        self.generic_visit(node)

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        if node.name:
            self.variables.add(node.name)
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        magic = _magic_call(node, "run_line_magic")
        if magic and magic[0] == "autocall" and magic[1] and magic[1][0].strip() != "0":
            self.autocall = True
        self.generic_visit(node)


# --------------------------------------------------------------------------
# The rules
# --------------------------------------------------------------------------


class _Rules(ast.NodeVisitor):
    """Visit one parsed piece of a cell and record what it does that it should not."""

    def __init__(self, names: _Names, code: _Code, found: Callable[[str, int, str], None]):
        self.names = names
        self.code = code
        self._found = found

    def flag(self, kind: str, node: ast.AST, reason: str, *, offset: int = 0) -> None:
        self._found(kind, self.code.line(getattr(node, "lineno", 1)) + offset, reason)

    def dotted(self, node: ast.AST) -> str | None:
        return _dotted(node, self.names.aliases, self.names.variables)

    # -- strings -----------------------------------------------------------

    def check_string(self, node: ast.AST, text: str) -> None:
        lowered = text.lower()

        def found(needle: str, kind: str, reason: str, *, pattern: str | None = None) -> None:
            match = re.search(pattern, lowered) if pattern else None
            at = match.start() if match else (-1 if pattern else lowered.find(needle.lower()))
            if at < 0:
                return
            # in a string over several lines, the line the word is on
            spans = getattr(node, "end_lineno", None) not in (None, getattr(node, "lineno", 0))
            offset = text.count("\n", 0, at) if spans and isinstance(node, ast.Constant) else 0
            self.flag(kind, node, reason, offset=offset)

        # open("../../solutions/00_welcome_exercises.ipynb"), Path(...) / "solutions",
        # "sol" + "utions", !cat solutions/x.ipynb: "solutions" as a part of a path
        # ("solution" alone, as in a column named "solution" or q1.solution(), and
        # "solutions" inside a sentence, as in a chart title, are fine)
        found("solutions", "solutions", "names the reference solutions folder",
              pattern=r"(?:^|[/\\\s])solutions[/\\]|[/\\]solutions(?:$|[\s/\\])|^solutions$")
        for name in ("solution_regions", "_solution_code", "find_course_root"):
            found(name, "solutions", f"names `{name}`, which finds the solutions")
        # open("../bo/x.ipynb"), glob("../*/*.ipynb"), rglob("*.ipynb"), %run x.ipynb
        found("ipynb", "notebooks", "names a notebook file")
        # display({"application/vnd.coursekit.answers+json": ...}) forges the answers taken
        found("vnd.coursekit.answers", "internals", "writes the grader's answer format itself")
        # importlib.import_module("coursekit.grade"), sys.modules["coursekit.exercises.core"]
        found("coursekit.build", "solutions",
              "names the course's build tools, which read the reference solutions")
        found("coursekit.grade", "internals", "names the grader")
        found("coursekit.exercises.core", "internals", "names the checks' machinery")

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, str) and id(node) not in self.code.skip:
            self.check_string(node, node.value)

    def _folded(self, node: ast.AST) -> None:
        if id(node) not in self.code.skip and (text := _fold(node)) is not None:
            self.check_string(node, text)
        self.generic_visit(node)

    visit_JoinedStr = _folded  # f"../{'sol'}utions"

    def visit_BinOp(self, node: ast.BinOp) -> None:
        self._folded(node)  # "sol" + "utions"

    # -- names ---------------------------------------------------------------

    def check_name(self, node: ast.AST, name: str) -> None:
        # Exercise.evaluate = ..., q1.last_result = ..., solution_regions(...)
        kind = _INTERNAL_NAMES.get(name)
        if kind == "solutions":
            self.flag(kind, node, f"uses `{name}`, which finds the reference solutions")
        elif kind:
            self.flag(kind, node, f"uses `{name}`, part of the checks' or the grader's machinery")

    def check_reference(self, node: ast.AST, dotted: str | None) -> None:
        if dotted is None:
            return
        for pattern, kind, reason in _REFERENCES:
            if pattern.match(dotted):
                self.flag(kind, node, reason)
        # m05.ASOF and m05.EXERCISES.progress are fine; m06._draw, m05.RepairChart
        # and m00.EXERCISES.exercises reach into the checks
        match = _EXERCISE_MODULE.match(dotted)
        if match and match["rest"]:
            parts = match["rest"][1:].split(".")
            if len(parts) == 1 and not _ALL_CAPS.match(parts[0]):
                self.flag("internals", node,
                          f"uses `{parts[0]}` of an exercise module, which belongs to the checks")
            elif parts[0] == "EXERCISES" and len(parts) == 2 and parts[1] not in _EXERCISES_API:
                self.flag("internals", node, f"uses `EXERCISES.{parts[1]}`, which is not part "
                                             "of the exercise set's public methods")
            elif len(parts) >= 2 and _is_dunder(parts[-1]):
                self.flag("internals", node, f"reads `{parts[-1]}` of the checks")

    def visit_Name(self, node: ast.Name) -> None:
        self.check_name(node, node.id)
        if node.id in self.names.aliases:
            self.check_reference(node, self.dotted(node))

    def visit_Attribute(self, node: ast.Attribute) -> None:
        self.check_name(node, node.attr)
        self.check_reference(node, self.dotted(node))
        self.check_access(node, *_chain(node))
        self.generic_visit(node)

    def check_access(self, node: ast.AST, root: str | None, attrs: list[str]) -> None:
        """Rules on ``root.attr1.attr2...``, the last attribute being the one accessed."""
        if not attrs:
            return
        last = attrs[-1]
        # q1.expected(), q1._expected(), q1.last_result = ..., q1.__class__, q1.__dict__
        if self.names.is_question(root):
            if len(attrs) == 1 and last not in _QUESTION_API:
                self.flag("internals", node, f"calls into the checks' internals (`{last}` is "
                                             "not check, hint or solution)")
            elif len(attrs) > 1 and _is_dunder(last):
                self.flag("internals", node, f"reads `{last}` of a question's method")
        # m00.EXERCISES.exercises[0], EXERCISES._by_qid (by name, whatever the import)
        seq = [root or "", *attrs]
        if "EXERCISES" in seq[:-1]:
            after = seq.index("EXERCISES") + 1
            if after == len(seq) - 1 and last not in _EXERCISES_API:
                self.flag("internals", node,
                          f"uses `EXERCISES.{last}`, which is not part of the exercise set's "
                          "public methods (bind, progress)")
            elif _is_dunder(last):
                self.flag("internals", node, f"reads `{last}` of the exercise set")
        # f.__closure__, f.__globals__, f.__code__, f.__wrapped__, object.__subclasses__()
        if last in _HIDDEN_STATE:
            self.flag("internals", node,
                      f"reads `{last}`, the hidden state of a function or class")

    # -- imports -------------------------------------------------------------

    def check_module(self, node: ast.AST, dotted: str) -> None:
        self.check_reference(node, dotted)
        for part in dotted.split("."):
            self.check_name(node, part)
        # from coursekit.exercises import *, from coursekit.exercises.m00 import *
        if dotted.startswith("coursekit.exercises") and dotted.endswith("*"):
            self.flag("internals", node, "imports everything of the checks' modules")

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self.check_module(node, alias.name)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.module and not node.level:
            for alias in node.names:
                self.check_module(node, f"{node.module}.{alias.name}")

    # -- calls ---------------------------------------------------------------

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        builtin = None  # the name of a built-in function called here, as in open(...)
        if (isinstance(func, ast.Name) and func.id not in self.names.aliases
                and func.id not in self.names.variables):
            builtin = func.id
        name = _getattr_name(node)
        if name is not None:  # getattr(q1, "_expected") is q1._expected
            self.check_name(node, name)
            self.check_reference(node, self.dotted(node))
            self.check_access(node, *_chain(node))
        # type(q2).compare = ..., vars(q1), dir(m00), getattr(q1, ...), setattr(q1, ...)
        if builtin in _INTROSPECTION and node.args and self.is_checks_object(node.args[0]):
            self.flag("internals", node, f"calls `{builtin}()` on a question or exercise set, "
                                         "which reaches the checks' internals")
        # exec(code), eval(code) of a string built while the notebook runs: unreadable here
        if ((builtin in _RUNS_STRINGS or (isinstance(func, ast.Attribute)
                                          and func.attr in _IPYTHON_RUNS_STRINGS
                                          and self.dotted(func.value) == "get_ipython()"))
                and node.args and _fold(node.args[0]) is None):
            self.flag("internals", node, "runs code built while the notebook runs, which the "
                                         "grader cannot read beforehand")
        self.check_sys_modules(node)
        self.check_magic(node)
        self.check_files(node, builtin)
        self.check_library_patch_call(node, builtin)
        if isinstance(func, ast.Attribute) and func.attr == "join":
            self._folded(node)  # "".join(["sol", "utions"])
        else:
            self.generic_visit(node)

    def is_checks_object(self, node: ast.AST) -> bool:
        """A question, an exercise module or an exercise set."""
        root, attrs = _chain(node)
        if self.names.is_question(root) and not attrs:
            return True
        match = _EXERCISE_MODULE.match(self.dotted(node) or "")
        return bool(match and match["rest"] in ("", ".EXERCISES")) or (
            (attrs[-1] if attrs else root) == "EXERCISES")

    def check_sys_modules(self, node: ast.Call) -> None:
        # sys.modules.get("coursekit.grade") (sys.modules["..."] is in visit_Subscript)
        func = self.dotted(node.func) or ""
        if func in ("sys.modules.get", "sys.modules.pop", "sys.modules.setdefault") and node.args:
            self.check_module_key(node, node.args[0])

    def check_module_key(self, node: ast.AST, key: ast.AST) -> None:
        text = _fold(key)
        if text is not None and "coursekit" in text:
            self.flag("internals", node,
                      "takes a coursekit module from sys.modules, around the import rules")

    def visit_Subscript(self, node: ast.Subscript) -> None:
        # sys.modules["coursekit.grade"]
        if self.dotted(node.value) == "sys.modules":
            self.check_module_key(node, node.slice)
        # globals()["q1"]._expected is followed by _chain; "snoitulos"[::-1] by _fold
        if isinstance(node.slice, ast.Slice):
            self._folded(node)
        else:
            self.generic_visit(node)

    def check_magic(self, node: ast.Call) -> None:
        """Magics and shell escapes, after IPython turned them into method calls."""
        if not isinstance(node.func, ast.Attribute):
            return
        line = _magic_call(node, "run_line_magic")
        old = _magic_call(node, "magic")  # get_ipython().magic("ls -la"), the old API
        if old is not None:
            name, _, argument = old[0].lstrip("%").partition(" ")
            line = (name, [argument])
        if line is not None:
            name, args = line[0], (line[1] + [""])[0]
            # %system, %sx, !!cmd, %ls, %cat, %rm ..., %pip install
            if name in _SHELL_LINE_MAGICS:
                self.flag("processes", node, f"runs a shell command (%{name})")
            # %load pulls a file, another notebook say, into the cell
            if name in ("load", "loadpy"):
                self.flag("notebooks", node, "loads a file into the notebook (%load)")
            # %store -r reads what another notebook stored
            if name == "store":
                self.flag("notebooks", node, "shares variables with other notebooks (%store)")
            # %cd .. leaves the folder, so relative paths reach the other submissions
            if name in ("cd", "pushd") and (not args.strip() or _is_outside_path(args)):
                self.flag("processes", node, "moves the notebook out of its folder")
            # q1?? and %psource m06 show the checks' source code
            if name in _SOURCE_MAGICS:
                target = _parse_python(args.strip())
                if target is not None and target.body and isinstance(target.body[0], ast.Expr):
                    if self.shows_checks(target.body[0].value):
                        self.flag("internals", node, "shows the source code of the checks")
        cell = _magic_call(node, "run_cell_magic")
        if cell is not None and len(cell[1]) == 2:
            name, options = cell[0], cell[1][0]
            # %%bash, %%sh, %%script, %%python3 ... run another program
            if name in _SHELL_CELL_MAGICS:
                self.flag("processes", node, f"runs another program (%%{name})")
            # %%writefile ../other/x.py writes outside the folder
            if name in ("writefile", "file"):
                paths = [p for p in options.split() if not p.startswith("-")]
                if any(_is_outside_path(p) for p in paths):
                    self.flag("processes", node, "writes a file outside the notebook's folder")

    def shows_checks(self, node: ast.AST) -> bool:
        root, _ = _chain(node)
        dotted = self.dotted(node) or ""
        return self.names.is_question(root) or dotted.startswith("coursekit.exercises")

    def outside(self, node: ast.AST | None) -> bool:
        """True when a path expression leads out of the notebook's folder."""
        if node is None:
            return False
        for sub in ast.walk(node):
            text = _fold(sub)
            if text is not None and _is_outside_path(text):
                return True
            if isinstance(sub, ast.Attribute) and sub.attr in _LEADS_OUT:
                return True
        return False

    def check_files(self, node: ast.Call, builtin: str | None) -> None:
        """Writing, deleting or moving files outside the notebook's folder."""
        func = node.func
        dotted = self.dotted(func) or ""
        first = node.args[0] if node.args else None
        keywords = {k.arg: k.value for k in node.keywords if k.arg}
        # open("/tmp/grades.csv", "w"), open("../bo/answers.py", "a"), Path("/x").open("w")
        if builtin == "open" or dotted in ("io.open", "codecs.open", "builtins.open"):
            path = first if first is not None else keywords.get("file")
            mode = node.args[1] if len(node.args) > 1 else keywords.get("mode")
        elif dotted == "os.open" and len(node.args) > 1:  # os.open(path, os.O_WRONLY | ...)
            path, mode = first, node.args[1]
        elif isinstance(func, ast.Attribute) and func.attr == "open":
            path, mode = func.value, (first if first is not None else keywords.get("mode"))
        else:
            path = mode = None
        mode_text = _fold(mode) or ""
        if dotted == "os.open" and mode is not None:
            flags = {n.attr for n in ast.walk(mode) if isinstance(n, ast.Attribute)}
            mode_text = "w" if flags - {"O_RDONLY", "O_CLOEXEC", "O_BINARY"} else ""
        if path is not None and set(mode_text) & set("wax+") and self.outside(path):
            self.flag("processes", node, "writes a file outside the notebook's folder")
        # os.remove("../bo/x.ipynb"), shutil.rmtree("/"), shutil.move(..., "../x"), os.chdir("..")
        if dotted in _FILE_FUNCTIONS and any(
                self.outside(a) for a in [*node.args, *keywords.values()]):
            self.flag("processes", node, f"uses `{dotted}` on a path outside the notebook's "
                                         "folder")
        # Path("../bo/x.ipynb").unlink(), Path.home().joinpath("x").write_text(...)
        elif isinstance(func, ast.Attribute) and func.attr in _PATH_METHODS and (
                self.outside(func.value) or (func.attr == "rename" and self.outside(first))):
            self.flag("processes", node, f"calls `.{func.attr}()` on a path outside the "
                                         "notebook's folder")
        # df.to_csv("/tmp/grades.csv"), fig.savefig("../x.png"), np.save("/tmp/x", a)
        elif isinstance(func, ast.Attribute) and func.attr in _WRITERS:
            path = first
            for key in _PATH_KEYWORDS:
                path = path if path is not None else keywords.get(key)
            if self.outside(path):
                self.flag("processes", node, "writes a file outside the notebook's folder")

    # -- replacing library code ------------------------------------------------

    def patches_library(self, target: ast.AST) -> bool:
        """``coursekit.load = ...``, ``pd.Series.value_counts = ...``: an assignment into an
        imported module (settings such as ``pd.options`` and ``plt.rcParams`` apart)."""
        if not isinstance(target, ast.Attribute | ast.Subscript):
            return False
        root, attrs = _chain(target)
        return root in self.names.imported and not _SETTINGS & set(attrs)

    def check_library_patch(self, targets: Iterable[ast.AST]) -> None:
        # the checks compute the expected answer with coursekit and pandas: replacing
        # their functions can make any answer "correct"
        for target in targets:
            for sub in _unpack(target):
                if self.patches_library(sub):
                    self.flag("internals", sub, "replaces code of a library the checks use")

    def check_library_patch_call(self, node: ast.Call, builtin: str | None) -> None:
        if builtin in ("setattr", "delattr") and node.args:
            root, attrs = _chain(node.args[0])
            if root in self.names.imported and not _SETTINGS & set(attrs):
                self.flag("internals", node, "replaces code of a library the checks use")

    def visit_Assign(self, node: ast.Assign) -> None:
        self.check_library_patch(node.targets)
        self.generic_visit(node)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self.check_library_patch([node.target])
        self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self.check_library_patch([node.target])
        self.generic_visit(node)

    def visit_Delete(self, node: ast.Delete) -> None:
        self.check_library_patch(node.targets)
        self.generic_visit(node)


def _unpack(target: ast.AST) -> Iterator[ast.AST]:
    if isinstance(target, ast.Tuple | ast.List):
        for elt in target.elts:
            yield from _unpack(elt)
    elif isinstance(target, ast.Starred):
        yield from _unpack(target.value)
    else:
        yield target


# --------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------


def scan(sources: Sequence[str]) -> list[Flag]:
    """Flag the lines of a notebook's code cells that game the grader.

    Parameters
    ----------
    sources
        The source of each code cell, in order (markdown cells left out).

    Returns
    -------
    list of Flag
        At most one per kind, cell and line, in cell and line order; ``[]`` for
        a clean notebook. A cell that does not parse is skipped: it fails when run.

    Examples
    --------
    >>> scan(["from coursekit.exercises import m00\\n"
    ...       "q1, q2, q3 = m00.EXERCISES.bind(globals())",
    ...       "signups = users['channel'].value_counts()\\nq1.check()",
    ...       "# q1.hint()\\n# q1.solution()"])
    []
    >>> [(f.kind, f.cell, f.line) for f in scan(["x = 1\\n!cat ../solutions/x.ipynb"])]
    [('solutions', 1, 2), ('notebooks', 1, 2), ('processes', 1, 2)]
    """
    def identity(n: int) -> int:
        return n

    # first pass: the names every cell binds, to tell `ls` the variable from %ls
    first = [code for source in sources for code in _parse(source, identity)]
    shadowing = _collect(first)
    shadowed = (shadowing.imported | shadowing.variables | set(dir(builtins))
                | set(keyword.kwlist))
    dynamic = _dynamic_transform(shadowed, shadowing.autocall)
    cells = [_parse(source, identity, dynamic=dynamic) for source in sources]
    names = _collect(code for codes in cells for code in codes)

    found: dict[tuple[str, int, int], Flag] = {}
    for number, (source, codes) in enumerate(zip(sources, cells, strict=True), start=1):
        lines = source.splitlines()

        def record(kind: str, line: int, reason: str, number: int = number,
                   lines: list[str] = lines) -> None:
            line = min(max(line, 1), max(len(lines), 1))
            text = lines[line - 1].strip() if lines else ""
            if len(text) > 80:
                text = text[:77] + "..."
            found.setdefault((kind, number, line), Flag(kind, number, line, text, reason))

        for code in codes:
            _Rules(names, code, record).visit(code.tree)
    order = {kind: i for i, kind in enumerate(KINDS)}
    return sorted(found.values(), key=lambda f: (f.cell, f.line, order[f.kind]))


def _collect(codes: Iterable[_Code]) -> _Names:
    names = _Names()
    for code in codes:
        names.visit(code.tree)
    return names


def summary(flags: Iterable[Flag], *, places: int = 3) -> str:
    """One line for a report column: where each kind of flag is, kinds in :data:`KINDS` order.

    Parameters
    ----------
    flags
        What :func:`scan` returned.
    places
        How many places to list per kind before "and N more".

    Returns
    -------
    str
        ``""`` when there are no flags.

    Examples
    --------
    >>> summary([])
    ''
    >>> print(summary([Flag("internals", 3, 1, "q1.expected()", "..."),
    ...                Flag("solutions", 4, 2, "open('../solutions/x')", "...")]))
    solutions: cell 4 line 2 (open('../solutions/x')); internals: cell 3 line 1 (q1.expected())
    >>> print(summary([Flag("processes", n, 1, "!ls", "...") for n in range(1, 6)]))
    processes: cell 1 line 1 (!ls), cell 2 line 1 (!ls), cell 3 line 1 (!ls) and 2 more
    """
    by_kind: dict[str, list[Flag]] = {kind: [] for kind in KINDS}
    for flag in flags:
        by_kind.setdefault(flag.kind, []).append(flag)
    parts = []
    for kind, found in by_kind.items():
        if not found:
            continue
        shown = ", ".join(f"cell {f.cell} line {f.line} ({_short(f.text)})"
                          for f in found[:places])
        more = f" and {len(found) - places} more" if len(found) > places else ""
        parts.append(f"{kind}: {shown}{more}")
    return "; ".join(parts)


def _short(text: str, width: int = 40) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."
