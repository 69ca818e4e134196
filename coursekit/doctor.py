"""``coursekit doctor``: is this machine ready for the course?

Checks, in order: the Python version, the installed versions of the course's
packages, the datasets and their checksums, a Chinese-capable font for
matplotlib, and JupyterLab with a ``python3`` kernel. Each check is a small
function returning one or more :class:`Check` lines; :func:`run_checks` runs
them all (a check that crashes becomes a FAIL line, the others still run,
and each says on stderr when it starts, so a slow one is not silent),
:func:`report` formats them, :func:`main` prints the report and returns the
exit code (1 when any check failed, else 0; warnings do not fail).

Examples
--------
>>> from coursekit.doctor import Check, check_python, report
>>> check_python((3, 12, 1))
[Check(name='Python', status='OK', detail='3.12.1 (the course needs 3.11 or newer)', fix=None)]
>>> print(report([Check("datasets", "FAIL", "table orders: damaged", fix="make data")]))
FAIL  datasets  table orders: damaged
                fix: make data
<BLANKLINE>
1 check failed: follow the fix lines above, then run `coursekit doctor` again.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:  # pragma: no cover
    from packaging.requirements import Requirement

__all__ = [
    "Check",
    "CHECKS",
    "check_python",
    "check_packages",
    "check_datasets",
    "check_browser_font",
    "check_font",
    "check_jupyterlab",
    "check_kernel",
    "check_grading",
    "run_checks",
    "report",
    "main",
]

Status = Literal["OK", "WARN", "FAIL"]
OK: Status = "OK"
WARN: Status = "WARN"
FAIL: Status = "FAIL"

#: Oldest Python the course supports (``requires-python`` in pyproject.toml).
MIN_PYTHON = (3, 11)
#: What each optional extra of coursekit is for, shown when it is missing.
EXTRA_USE = {"test": "`make test`", "book": "`make book`"}
EXTRAS_FIX = 'run `make test` (it installs them), or `python -m pip install -e ".[test,book]"`'
DATA_FIX = (
    "restore the committed files with `git checkout datasets/`, or regenerate them with `make data`"
)
FONT_FIX = (
    "`python -m pip install zhplot` (or on Debian: `apt-get install fonts-wqy-microhei`, "
    "then delete matplotlib's font cache: `rm -rf ~/.cache/matplotlib`)"
)
#: Seconds ``jupyter lab --version`` may take (``coursekit doctor --jupyter-timeout S``).
JUPYTER_TIMEOUT = 30.0
#: A space the report never breaks a line at ("numpy 2.4.6" stays together).
_GLUE = "\xa0"


@dataclass(frozen=True)
class Check:
    """One line of the doctor's report.

    Parameters
    ----------
    name
        What was checked, e.g. ``"Python"`` or ``"package numpy"``.
    status
        ``"OK"``, ``"WARN"`` (works, but something is missing or odd) or
        ``"FAIL"`` (the course will not work until it is fixed).
    detail
        What was found.
    fix
        What to do about it: a concrete command. None when nothing is to do.

    Examples
    --------
    >>> Check("Python", "OK", "3.12.1").fix is None
    True
    """

    name: str
    status: Status
    detail: str
    fix: str | None = None

    def __post_init__(self) -> None:
        if self.status not in (OK, WARN, FAIL):
            raise ValueError(f"status must be OK, WARN or FAIL, not {self.status!r}")


CheckFn = Callable[[], list[Check]]


# ---------------------------------------------------------------- 1. Python


def check_python(version: Sequence[int] | None = None) -> list[Check]:
    """Python 3.11 or newer.

    Parameters
    ----------
    version
        The version to judge; default: the running interpreter's.

    Examples
    --------
    >>> check_python((3, 10, 4))[0].status
    'FAIL'
    """
    v = tuple(sys.version_info[:3] if version is None else version)
    shown = ".".join(str(p) for p in v)
    need = ".".join(str(p) for p in MIN_PYTHON)
    if v[:2] >= MIN_PYTHON:
        return [Check("Python", OK, f"{shown} (the course needs {need} or newer)")]
    return [
        Check(
            "Python",
            FAIL,
            f"{shown} is too old: the course needs {need} or newer",
            fix=f"install Python {need} or newer, then recreate the environment: "
            "`rm -rf .venv && make PYTHON=python3.12 lab`",
        )
    ]


# ---------------------------------------------------------------- 2. packages


def _installed(name: str) -> str | None:
    """Installed version of a distribution, None when it is not installed."""
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def _in_range(version: str, req: Requirement) -> bool:
    """Whether ``version`` satisfies the requirement's range (pre-releases allowed)."""
    from packaging.version import InvalidVersion

    try:
        return req.specifier.contains(version, prereleases=True)
    except InvalidVersion:
        return False


def _scope(req: Requirement) -> list[str] | None:
    """Where a requirement applies: ``[]`` always, ``["test"]`` for an extra's
    package, None when not on this platform or Python."""
    if req.marker is None or req.marker.evaluate({"extra": ""}):
        return []
    names = re.findall(r"""extra\s*==\s*["']([^"']+)["']""", str(req.marker))
    extras = [e for e in dict.fromkeys(names) if req.marker.evaluate({"extra": e})]
    return extras or None


def check_packages(requirements: Sequence[str] | None = None) -> list[Check]:
    """Installed versions of the course's packages against their ranges.

    Reads the requirements of the installed ``coursekit`` distribution (its
    ``pyproject.toml`` dependencies), looks up installed versions with
    :mod:`importlib.metadata` (nothing heavy is imported). A required package
    missing or out of range is a FAIL; packages of the ``test`` and ``book``
    extras are a WARN when missing or out of range (only ``make test`` and
    ``make book`` need them).

    Parameters
    ----------
    requirements
        Requirement strings (``'numpy<3,>=2.1'``, ``'pytest>=8; extra == "test"'``);
        default: those of the installed ``coursekit``.

    Returns
    -------
    list of Check
        One OK line listing the packages in range with their versions, then
        one line per problem.

    Examples
    --------
    >>> [c.status for c in check_packages(["packaging>=20", "no-such-package-xyz>=1"])]
    ['OK', 'FAIL']
    """
    from packaging.requirements import InvalidRequirement, Requirement

    if requirements is None:
        try:
            requirements = metadata.requires("coursekit") or []
        except metadata.PackageNotFoundError:
            return [
                Check(
                    "packages",
                    FAIL,
                    "coursekit is not installed in this Python",
                    fix="in the course folder: `make lab`, or "
                    '`python -m pip install -e ".[test,book]"`',
                )
            ]
    fine: list[str] = []
    problems: list[Check] = []
    missing_extras: dict[str, list[str]] = {}
    for text in requirements:
        try:
            req = Requirement(text)
        except InvalidRequirement as err:
            problems.append(Check(f"package {text}", WARN, f"unreadable requirement: {err}"))
            continue
        extras = _scope(req)
        if extras is None:
            continue  # not for this platform or Python
        spec = str(req.specifier) or "any version"
        got = _installed(req.name)
        where = f"[{', '.join(extras)}] needs" if extras else "the course needs"
        install = f'`python -m pip install "{req.name}{req.specifier}"`'
        if got is None:
            if extras:
                for e in extras:
                    missing_extras.setdefault(e, []).append(req.name)
            else:
                problems.append(
                    Check(
                        f"package {req.name}",
                        FAIL,
                        f"not installed ({where} {spec})",
                        fix=install,
                    )
                )
        elif not _in_range(got, req):
            problems.append(
                Check(
                    f"package {req.name}",
                    WARN if extras else FAIL,
                    f"{got} installed, outside the range {where} ({spec})",
                    fix=install,
                )
            )
        else:
            fine.append(f"{req.name}{_GLUE}{got}")  # kept on one line by report()
    for extra, names in missing_extras.items():
        use = EXTRA_USE.get(extra, f"the {extra!r} extra")
        problems.append(
            Check(
                f"extras [{extra}]",
                WARN,
                f"not installed: {', '.join(names)} (needed by {use}; the lessons run without)",
                fix=EXTRAS_FIX,
            )
        )
    head = []
    if fine or not problems:
        head = [Check("packages", OK, f"{len(fine)} in range: " + ", ".join(fine))]
    return head + problems


# ---------------------------------------------------------------- 3. datasets


def _data_label() -> str:
    """How to name the data folder in messages (never an absolute path of this machine)."""
    return "$COURSEKIT_DATA" if os.environ.get("COURSEKIT_DATA") else "datasets/"


def check_datasets() -> list[Check]:
    """The default world's tables and the CDNOW files are present and match their checksums.

    Uses :func:`coursekit.data.verify` on :func:`coursekit.data.default_dir`
    (``datasets/`` of the course, or ``$COURSEKIT_DATA``), and the list of
    CDNOW files in ``cdnow/checksums.json``.

    Returns
    -------
    list of Check
        A ``datasets`` line (the simulated company's tables) and a
        ``CDNOW data`` line (the real transactions).
    """
    from coursekit.data import default_dir, verify
    from coursekit.errors import DataError

    folder = default_dir()
    label = _data_label()
    manifest_path = folder / "checksums.json"
    if not manifest_path.is_file():
        return [
            Check(
                "datasets",
                FAIL,
                f"no data in {label} (its checksums.json is missing)",
                fix=DATA_FIX,
            )
        ]
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    names = {e["file"]: name for name, e in manifest["tables"].items()}
    names[manifest["truth"]["file"]] = "truth"
    try:
        problems = [p.replace(str(folder), label) for p in verify(folder)]
    except DataError as err:
        problems = [err.reason]

    world = [p for p in problems if not p.startswith("cdnow/")]
    out = []
    if world:
        shown = []
        for p in world:
            name = names.get(p.split(" ")[0])
            shown.append(f"table {name}: {p}" if name else p)
        if len(shown) > 3:
            shown = shown[:3] + [f"and {len(shown) - 3} more"]
        out.append(Check("datasets", FAIL, "; ".join(shown), fix=DATA_FIX))
    else:
        out.append(
            Check(
                "datasets",
                OK,
                f"{len(manifest['tables'])} tables and truth.json in {label} match their checksums",
            )
        )

    cd_fix = "restore the committed files with `git checkout datasets/cdnow`"
    cd_manifest = folder / "cdnow" / "checksums.json"
    if not cd_manifest.is_file():
        out.append(Check("CDNOW data", FAIL, "cdnow/checksums.json is missing", fix=cd_fix))
        return out
    listed = sorted(json.loads(cd_manifest.read_text(encoding="utf-8")))
    absent = [f for f in listed if not (folder / "cdnow" / f).is_file()]
    damaged = [p for p in problems if p.startswith("cdnow/") and "is missing" not in p]
    if absent or damaged:
        found = [f"missing: {', '.join(absent)}"] if absent else []
        out.append(Check("CDNOW data", FAIL, "; ".join(found + damaged), fix=cd_fix))
    else:
        out.append(Check("CDNOW data", OK, f"{', '.join(listed)} present and intact"))
    return out


# ---------------------------------------------------------------- 4. font


def check_font() -> list[Check]:
    """Chinese text draws without missing glyphs in the house plot style.

    Applies :func:`coursekit.plots.set_style` inside :func:`matplotlib.rc_context`
    (the caller's settings are left as they were), then asks
    :func:`coursekit.plots.missing_glyphs` for matplotlib's "Glyph ... missing"
    warnings, and :func:`coursekit.plots.font_path` for the font file.
    """
    try:
        import matplotlib

        from coursekit.plots import font_path, missing_glyphs, set_style
    except ImportError as err:
        if (err.name or "").startswith("coursekit"):
            fix = "update the course files (`git pull`), then `python -m pip install -e .`"
        else:
            fix = FONT_FIX
        return [Check("Chinese font", FAIL, f"the plot module cannot be imported: {err}", fix=fix)]
    with matplotlib.rc_context():
        set_style()
        missing = missing_glyphs()
    path = font_path()
    if missing:
        more = f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""
        return [
            Check(
                "Chinese font",
                FAIL,
                f"Chinese labels draw as empty boxes: {missing[0]}{more}",
                fix=FONT_FIX,
            )
        ]
    if path is None:
        return [Check("Chinese font", OK, "Chinese labels draw (with a font of this system)")]
    return [Check("Chinese font", OK, f"Chinese labels draw with {path.name} (from zhplot)")]


BROWSER_FONT_FIX = (
    "install a Chinese font for the browser and JupyterLab, e.g. on Debian or Ubuntu "
    "`apt-get install fonts-noto-cjk`; the course site brings its own either way"
)


def check_browser_font() -> list[Check]:
    """Whether the browser side (JupyterLab, notebooks) can show Chinese text.

    The course site ships its own Chinese web font, so its pages read on any
    machine. JupyterLab draws notebook text with the system's fonts: on Linux
    ``fc-list :lang=zh`` says whether one covers Chinese; Windows and macOS
    come with one (there is no ``fc-list`` to ask).
    """
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return [Check("browser font", OK, "the system's own fonts (Windows, macOS) show "
                                          "Chinese; the course site brings its own too")]
    try:
        out = subprocess.run([fc_list, ":lang=zh", "family"], capture_output=True, text=True,
                             encoding="utf-8", timeout=30, stdin=subprocess.DEVNULL).stdout
    except (OSError, subprocess.SubprocessError) as err:
        return [Check("browser font", WARN, f"could not ask fc-list for Chinese fonts: {err}",
                      fix=BROWSER_FONT_FIX)]
    families = sorted({line.split(",")[0].strip() for line in out.splitlines() if line.strip()})
    if not families:
        return [Check("browser font", WARN,
                      "no Chinese font on this system: Chinese text in JupyterLab and in the "
                      "browser shows as empty boxes (the course site brings its own font)",
                      fix=BROWSER_FONT_FIX)]
    return [Check("browser font", OK, f"JupyterLab can show Chinese ({families[0]}); the "
                                      "course site brings its own font too")]


# ---------------------------------------------------------------- 5. JupyterLab


def _is_root() -> bool:
    """Whether this process runs as root (never on Windows)."""
    return hasattr(os, "geteuid") and os.geteuid() == 0


def check_jupyterlab(timeout: float = JUPYTER_TIMEOUT) -> list[Check]:
    """``python -m jupyter lab --version`` answers within ``timeout`` seconds.

    Runs in a subprocess with this Python; :func:`run_checks` runs it in a
    background thread while the other checks work.

    Parameters
    ----------
    timeout
        Seconds to wait for the answer (a busy machine may need more than
        the default; ``coursekit doctor --jupyter-timeout S``).
    """
    fix = "reinstall the course's packages: `python -m pip install -e .` in the course folder"
    cmd = [sys.executable, "-m", "jupyter", "lab", "--version"]
    try:
        proc = subprocess.run(
            cmd,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        return [
            Check(
                "JupyterLab",
                FAIL,
                f"`jupyter lab --version` did not answer within {timeout:.0f} s",
                fix=f"if the machine is busy, allow more time: `coursekit doctor "
                f"--jupyter-timeout {max(120, 4 * timeout):.0f}`; if it still does not "
                f"answer, {fix}",
            )
        ]
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        err = proc.stderr.strip().splitlines()
        why = err[-1] if err else f"exit code {proc.returncode}"
        return [Check("JupyterLab", FAIL, f"`jupyter lab --version` failed: {why}", fix=fix)]
    detail = f"{lines[-1]} runs (`make lab` opens the course)"
    if _is_root():
        detail += (
            "; running as root: `make lab` adds --allow-root "
            "(add it yourself when you call `jupyter lab` directly)"
        )
    return [Check("JupyterLab", OK, detail)]


def check_kernel() -> list[Check]:
    """A ``python3`` Jupyter kernel exists and starts this environment's Python."""
    try:
        from jupyter_client.kernelspec import KernelSpecManager
    except ImportError as err:
        return [
            Check(
                "Jupyter kernel",
                FAIL,
                f"jupyter_client cannot be imported: {err}",
                fix="`python -m pip install -e .` in the course folder",
            )
        ]
    manager = KernelSpecManager()
    specs = manager.find_kernel_specs()
    if "python3" not in specs:
        found = ", ".join(sorted(specs)) or "none"
        return [
            Check(
                "Jupyter kernel",
                FAIL,
                f"no `python3` kernel (found: {found})",
                fix="`python -m pip install ipykernel && python -m ipykernel install --sys-prefix`",
            )
        ]
    argv = manager.get_kernel_spec("python3").argv
    exe = argv[0] if argv else ""
    generic = {"python", "python3", "python{}.{}".format(*sys.version_info[:2])}
    if exe not in generic and Path(exe).parent != Path(sys.executable).parent:
        return [
            Check(
                "Jupyter kernel",
                WARN,
                f"the `python3` kernel starts another Python ({exe}), which may lack coursekit",
                fix="point it at this environment: `python -m ipykernel install --user`",
            )
        ]
    return [Check("Jupyter kernel", OK, "`python3` starts this environment's Python")]


# ---------------------------------------------------------------- running


def check_grading() -> list[Check]:
    """How ``coursekit grade`` can fence a submission in on this machine.

    Examples
    --------
    >>> [c.status for c in check_grading()]
    ['OK']
    """
    from coursekit.grade.isolation import isolation_level

    if isolation_level() == "namespaces":
        return [Check("grading", OK, "`coursekit grade` fences each notebook in with Linux "
                                     "namespaces (read-only files, hidden solutions)")]
    # OK, not WARN: a learner's machine never grades; the instructor reads the line
    return [Check("grading", OK, "`coursekit grade` runs each notebook in a throwaway copy "
                                 "and judges its answers itself; for a grade that counts, "
                                 "grade on Linux as root (e.g. in a container), where it "
                                 "also fences the notebook in")]


#: The checks in report order, each with the name its line takes if it crashes.
CHECKS: tuple[tuple[str, CheckFn], ...] = (
    ("Python", check_python),
    ("packages", check_packages),
    ("datasets", check_datasets),
    ("Chinese font", check_font),
    ("browser font", check_browser_font),
    ("JupyterLab", check_jupyterlab),
    ("Jupyter kernel", check_kernel),
    ("grading", check_grading),
)
#: Checks that only wait on a subprocess: run in a thread while the others work.
_BACKGROUND: frozenset[CheckFn] = frozenset({check_jupyterlab})


def _in_background(fn: CheckFn) -> bool:
    """Whether ``fn`` (or the function a :func:`functools.partial` wraps) runs in a thread."""
    return fn in _BACKGROUND or getattr(fn, "func", None) in _BACKGROUND


def _guarded(name: str, fn: CheckFn) -> list[Check]:
    """Run one check; an unexpected exception becomes a FAIL line with its text."""
    try:
        return list(fn())
    except Exception as err:  # noqa: BLE001 - one broken check must not stop the others
        return [
            Check(
                name,
                FAIL,
                f"the check itself crashed: {type(err).__name__}: {err}",
                fix="run `coursekit doctor` again; if it repeats, report this line "
                "to the course maintainers",
            )
        ]


def run_checks(
    checks: Sequence[tuple[str, CheckFn]] | None = None,
    progress: Callable[[str], None] | None = None,
) -> list[Check]:
    """Run every check and return their lines in order; never raises.

    Parameters
    ----------
    checks
        ``(name, function)`` pairs; default :data:`CHECKS`. A function that
        raises gives one FAIL line under its name, and the rest still run.
    progress
        Called with one line of text as each check starts (``"checking
        datasets ..."``), and again when the run waits for a background check.

    Examples
    --------
    >>> def broken():
    ...     raise RuntimeError("boom")
    >>> [(c.name, c.status) for c in run_checks([("a", broken), ("Python", check_python)])]
    [('a', 'FAIL'), ('Python', 'OK')]
    >>> _ = run_checks([("Python", check_python)], progress=print)
    checking Python ...
    """
    checks = CHECKS if checks is None else checks
    say = progress or (lambda line: None)
    results: list[list[Check] | None] = [None] * len(checks)
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {}
        for i, (name, fn) in enumerate(checks):
            if _in_background(fn):
                say(f"checking {name} (in the background) ...")
                futures[i] = pool.submit(_guarded, name, fn)
        for i, (name, fn) in enumerate(checks):
            if i not in futures:
                say(f"checking {name} ...")
                results[i] = _guarded(name, fn)
        for i, fut in futures.items():
            if not fut.done():
                say(f"waiting for {checks[i][0]} ...")
            results[i] = fut.result()
    return [c for lines in results if lines for c in lines]


def _fill(text: str, first: str, rest: str) -> str:
    """Wrap ``text`` at 100 columns; a :data:`_GLUE` space never breaks."""
    wrapped = textwrap.fill(
        text, width=100, initial_indent=first, subsequent_indent=rest, break_on_hyphens=False
    )
    return wrapped.replace(_GLUE, " ")


def report(checks: Sequence[Check]) -> str:
    """The readable report: one line per check, its fix below it, a summary last.

    Examples
    --------
    >>> print(report([Check("Python", "OK", "3.12.1"),
    ...               Check("extras [book]", "WARN", "not installed", fix="make book")]))
    OK    Python         3.12.1
    WARN  extras [book]  not installed
                         fix: make book
    <BLANKLINE>
    Ready, with 1 warning: the course works; the fix line above clears it.
    """
    width = max((len(c.name) for c in checks), default=0)
    indent = " " * (6 + width + 2)
    lines = []
    for c in checks:
        head = f"{c.status:<6}{c.name:<{width}}  "
        lines.append(_fill(c.detail, head, indent))
        if c.fix:
            lines.append(_fill("fix: " + c.fix, indent, indent + "     "))
    fails = sum(c.status == FAIL for c in checks)
    warns = sum(c.status == WARN for c in checks)
    if fails:
        s = "" if fails == 1 else "s"
        summary = (
            f"{fails} check{s} failed: follow the fix lines above, "
            "then run `coursekit doctor` again."
        )
    elif warns:
        clear = "the fix line above clears it" if warns == 1 else "the fix lines above clear them"
        summary = f"Ready, with {warns} warning{'s' * (warns > 1)}: the course works; {clear}."
    else:
        summary = "All good: `make lab` starts the course."
    return "\n".join(lines + ["", summary])


def _stderr_line(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def main(jupyter_timeout: float | None = None, progress: bool = True) -> int:
    """Print the report; return 1 when any check failed, else 0.

    Parameters
    ----------
    jupyter_timeout
        Seconds ``jupyter lab --version`` may take; default :data:`JUPYTER_TIMEOUT`.
    progress
        Say on stderr which check is running (the report goes to stdout).
    """
    todo = CHECKS
    if jupyter_timeout is not None:
        todo = tuple(
            (name, partial(check_jupyterlab, timeout=jupyter_timeout))
            if fn is check_jupyterlab
            else (name, fn)
            for name, fn in todo
        )
    checks = run_checks(todo, progress=_stderr_line if progress else None)
    text = report(checks)
    try:
        print(text, flush=True)
    except UnicodeEncodeError:  # a console that cannot show the glyphs a warning quotes
        enc = sys.stdout.encoding or "ascii"
        print(text.encode(enc, "backslashreplace").decode(enc), flush=True)
    return 1 if any(c.status == FAIL for c in checks) else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
