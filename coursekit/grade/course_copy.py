"""The copy of the course a submission runs in: the package with stand-in checks, and a world.

The grader reads everything a submission's kernel needs into memory once,
before any learner code runs (:class:`CourseCopy`), and writes a fresh copy of
it for every submission. Nothing a notebook does to its copy, or to the files
it came from, reaches the next notebook.

In the copy, each exercise module ``coursekit/exercises/mNN.py`` is replaced
by a stand-in (:func:`stand_in_source`): the same questions, variables, hints
and constants (``m05.ASOF``), but no code that computes a right value, so a
notebook cannot ask its own kernel for the answer. The copy has no
``solutions/`` folder.
"""

from __future__ import annotations

import ast
import importlib
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from coursekit.exercises.core import ExerciseSet

__all__ = ["CourseCopy", "make_writable", "stand_in_source"]

_SKIP_DIRS = {"__pycache__"}


def stand_in_source(module_name: str) -> str:
    """Source of the stand-in for exercise module ``module_name`` (e.g. ``"m00"``).

    Examples
    --------
    >>> src = stand_in_source("m00")
    >>> "recorded(" in src and "_expected" not in src and "YEAR = 2025" in src
    True
    """
    module = importlib.import_module(f"coursekit.exercises.{module_name}")
    exercises = getattr(module, "EXERCISES", None)
    if not isinstance(exercises, ExerciseSet):
        raise ValueError(f"coursekit.exercises.{module_name} has no EXERCISES")
    lines = [
        f'"""Stand-in of coursekit.exercises.{module_name} in a grading copy: the questions\' '
        'names,',
        'variables, hints and constants, without the code that computes their answers."""',
        "",
        "from coursekit.exercises.core import ExerciseSet, recorded",
        "",
    ]
    for name, value in vars(module).items():
        if name.isupper() and name != "EXERCISES" and not name.startswith("_"):
            text = repr(value)
            try:
                same = ast.literal_eval(text) == value
            except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
                same = False
            if same:
                lines.append(f"{name} = {text}")
    questions = ",\n    ".join(
        f"recorded({cls.qid!r}, {cls.title!r}, {tuple(cls.variables)!r}, {tuple(cls.hints)!r})"
        for cls in exercises
    )
    lines += ["", f"EXERCISES = ExerciseSet({exercises.notebook!r}, [\n    {questions},\n])", ""]
    return "\n".join(lines)


def _read_tree(folder: Path, skip: set[str] = _SKIP_DIRS) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if any(part in skip for part in rel.parts) or not path.is_file():
            continue
        if path.suffix in {".pyc", ".pyo"}:
            continue
        files[rel.as_posix()] = path.read_bytes()
    return files


@dataclass
class CourseCopy:
    """The package (with stand-in checks) and a world, held in memory.

    Parameters
    ----------
    world
        Folder of the world the submissions are graded on (a generated world),
        or None for the course's own data.

    Examples
    --------
    >>> import tempfile
    >>> copy = CourseCopy.from_install()
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     paths = copy.write(Path(tmp))
    ...     ("def _expected" in (paths["package"] / "coursekit/exercises/m00.py").read_text(
    ...         encoding="utf-8"), (paths["data"] / "checksums.json").is_file())
    (False, True)
    """

    package: dict[str, bytes] = field(default_factory=dict)
    data: dict[str, bytes] = field(default_factory=dict)

    @classmethod
    def from_install(cls, world: str | os.PathLike | None = None) -> CourseCopy:
        """Read the installed package and the world (``cdnow/`` from the course's data)."""
        import coursekit
        import coursekit.exercises as exercises
        from coursekit.data import default_dir

        package_dir = Path(coursekit.__file__).resolve().parent
        package = {f"coursekit/{k}": v for k, v in _read_tree(package_dir).items()}
        for info in sorted(p.stem for p in Path(exercises.__path__[0]).glob("m[0-9]*.py")):
            package[f"coursekit/exercises/{info}.py"] = stand_in_source(info).encode("utf-8")
        default = default_dir()
        folder = default if world is None else Path(world)
        data = _read_tree(folder, skip=_SKIP_DIRS | {"cdnow"})
        cdnow = default / "cdnow"
        if cdnow.is_dir():
            data.update({f"cdnow/{k}": v for k, v in _read_tree(cdnow).items()})
        return cls(package=package, data=data)

    def write(self, folder: Path) -> dict[str, Path]:
        """Write the copy under ``folder`` (``package/`` and ``data/``), read-only.

        Returns
        -------
        dict
            ``package`` (the folder to put on ``PYTHONPATH``) and ``data``
            (the folder for ``COURSEKIT_DATA``).
        """
        out = {"package": folder / "package", "data": folder / "data"}
        for key, files in (("package", self.package), ("data", self.data)):
            for rel, content in files.items():
                target = out[key] / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(content)
        for key in out:  # read-only to the notebook (the mounts make it so for root too)
            for path in sorted(out[key].rglob("*"), reverse=True):
                mode = 0o555 if path.is_dir() else 0o444
                path.chmod(mode)
            out[key].chmod(0o555)
        return out


def make_writable(folder: Path) -> None:
    """Give the owner write access again under ``folder``, so it can be deleted."""
    for path in [folder, *folder.rglob("*")]:
        try:
            if not path.is_symlink():
                path.chmod(path.stat().st_mode | stat.S_IWUSR | stat.S_IXUSR * path.is_dir())
        except OSError:
            pass
