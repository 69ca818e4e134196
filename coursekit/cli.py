"""The ``coursekit`` command (also ``python -m coursekit``).

Sub-commands::

    coursekit doctor [--jupyter-timeout S] check this machine for the course
    coursekit datasets [--world DIR]       list the tables with row counts
    coursekit data generate --users N --seed S --out DIR [--format csv|parquet] [--force]
                           [--world-version 1] [--shard-users N]
    coursekit build exercises [--check]    write exercises/ from solutions/
    coursekit build book [--repository URL]  render the course site
    coursekit build run PATH ...           execute notebooks in place (outputs kept)
    coursekit agenda [--sections] [--root DIR]  minutes of each module's core path vs its slot
    coursekit reset exercises/NAME.ipynb ...  restore a clean copy, the learner's kept (dated)
    coursekit grade PATH ... [--out F] [--world DIR]  grade a class in sandboxes

A mistake in what was asked (a path that does not exist, a number out of
range, a folder that must not be overwritten) prints one paragraph to stderr,
saying what is wrong and what to do, and exits with code 2; no traceback.
Output cut short by a closed pipe (``coursekit datasets | head``) ends quietly
with code 1.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from coursekit.errors import ArgumentError, CourseError

#: Exit code of a mistake in what was asked (argparse uses it too).
EXIT_USAGE = 2
#: Exit code when the reader of our output went away (a closed pipe).
EXIT_PIPE = 1
#: Exit code after Ctrl-C (128 + SIGINT, as shells report it).
EXIT_INTERRUPTED = 130
#: Fewest users :func:`coursekit.world.generate_world` accepts.
MIN_USERS = 500


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="coursekit", description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="command", required=True)

    doc = sub.add_parser("doctor", help="check Python, packages, data, fonts and JupyterLab")
    doc.add_argument(
        "--jupyter-timeout",
        type=float,
        default=None,
        metavar="S",
        help="seconds `jupyter lab --version` may take (default 30; more on a busy machine)",
    )

    ds = sub.add_parser("datasets", help="list the course tables with row counts")
    ds.add_argument("--world", default=None, help="folder of a generated world")

    data = sub.add_parser("data", help="generate worlds of the course company")
    dsub = data.add_subparsers(dest="data_command", required=True)
    gen = dsub.add_parser("generate", help="generate a world")
    gen.add_argument("--users", type=int, default=None, help="number of users")
    gen.add_argument("--seed", type=int, default=None, help="random seed")
    gen.add_argument(
        "--out", required=True, help="output folder: new, empty, or a world made here before"
    )
    gen.add_argument("--format", choices=["csv", "parquet"], default="parquet")
    gen.add_argument(
        "--default",
        action="store_true",
        help="write the committed default world (default size and seed, with its checksums); "
        "the only way to write into the course's datasets/ folder (`make data`)",
    )
    gen.add_argument(
        "--force", action="store_true", help="replace the world already in --out"
    )
    gen.add_argument("--quiet", action="store_true", help="no progress bar")
    gen.add_argument(
        "--world-version", type=int, choices=[1, 2], default=2,
        help="2 (default): the company the course uses (one-time buyers, diminishing "
        "returns, personas, order costs ...); 1: the simpler company the course used "
        "before, to compare with",
    )
    gen.add_argument(
        "--shard-users", type=int, default=None, metavar="N",
        help="generate a bigger world in shards of at most N users, one at a time, so "
        "that memory stays that of N users (Parquet only; e.g. 1000000 for a world of "
        "10 million users)",
    )

    build = sub.add_parser("build", help="build exercises or the site")
    bsub = build.add_subparsers(dest="build_command", required=True)
    ex = bsub.add_parser("exercises", help="write exercises/ from solutions/")
    ex.add_argument("--check", action="store_true", help="exit 1 when out of sync; write nothing")
    ex.add_argument("--root", default=".", help="course root folder")
    bk = bsub.add_parser("book", help="render the course site into _build/book")
    bk.add_argument("--root", default=".", help="course root folder")
    bk.add_argument("--repository", default=None, metavar="URL",
                    help="the course repository's web address, linked from every page")
    run = bsub.add_parser("run", help="execute lesson or solution notebooks in place")
    run.add_argument("paths", nargs="+", help="notebook files")
    run.add_argument("--timeout", type=int, default=300, help="seconds allowed per cell")

    rs = sub.add_parser("reset", help="restore a clean exercise notebook, keeping a dated "
                                      "copy of the learner's")
    rs.add_argument("paths", nargs="+", help="exercise notebooks, e.g. "
                                             "exercises/00_welcome_exercises.ipynb")

    ag = sub.add_parser("agenda", help="estimate each module's time against its agenda slot")
    ag.add_argument("--root", default=".", help="course root folder")
    ag.add_argument("--sections", action="store_true",
                    help="also list the minutes of every section of every notebook")

    gr = sub.add_parser(
        "grade", help="run a class's exercise notebooks and tabulate every check"
    )
    gr.add_argument("paths", nargs="+", help="submitted notebooks, or folders of them")
    gr.add_argument("--out", default="grades.csv",
                    help="table of results, one row per notebook (default grades.csv); "
                         "the per-question messages go beside it, in *_details.csv")
    gr.add_argument("--timeout", type=float, default=60,
                    help="seconds one cell may run before it is interrupted (default 60)")
    gr.add_argument("--budget", type=float, default=600,
                    help="seconds one notebook may run; later cells are skipped (default 600)")
    gr.add_argument("--jobs", type=int, default=1, help="notebooks run at the same time")
    gr.add_argument("--world", default=None,
                    help="grade on this generated world instead of the course's data, so "
                         "answers typed in from a run on the course's data fail")
    return p


def _grade(args: argparse.Namespace) -> int:
    from coursekit.grade import find_submissions, grade, summary_by_question, tabulate, write_table
    from coursekit.grade.isolation import isolation_level

    out = Path(args.out)
    if out.is_dir():
        raise ArgumentError(
            f"{args.out} is a folder; --out names the CSV file to write",
            name="--out",
            fix="give a file name, e.g. --out grades.csv",
        )
    if args.world is not None and not (Path(args.world) / "checksums.json").is_file():
        raise ArgumentError(
            f"{args.world} holds no generated world (no checksums.json)",
            name="--world",
            fix="generate one: coursekit data generate --users 3000 --seed 7 --out DIR",
        )
    if not find_submissions(args.paths):  # raises for a path that does not exist
        raise ArgumentError(
            "no notebooks found in " + ", ".join(args.paths),
            name="paths",
            fix="give the submitted .ipynb files, or folders that hold them",
        )
    if isolation_level() == "copy":
        print("note: this machine cannot fence notebooks in with Linux namespaces; each runs "
              "in a throwaway copy and is judged here, but could still reach your files. "
              "For a grade that counts, grade on Linux (as root, e.g. in a container).",
              file=sys.stderr)
    partial = out.with_name(out.stem + ".partial.csv")

    def keep(so_far: list) -> None:  # rows graded so far survive an interrupted run
        write_table(tabulate(so_far)[0], partial)

    try:
        grades, details = grade(args.paths, cell_timeout=args.timeout, budget=args.budget,
                                jobs=max(1, args.jobs), world=args.world, progress=True,
                                on_graded=keep)
    except KeyboardInterrupt:
        if partial.exists():
            print(f"\ninterrupted: the notebooks graded so far are in {partial}",
                  file=sys.stderr)
        raise
    write_table(grades, out)
    detail_path = write_table(details, out.with_name(out.stem + "_details.csv"))
    partial.unlink(missing_ok=True)
    by_q = summary_by_question(details)
    if len(by_q):
        print("\nthe class, question by question:")
        print(by_q.to_string(index=False, float_format=lambda x: f"{x:.0%}"))
    problems = grades[grades["problem"] != ""]
    if len(problems):
        print(f"\n{len(problems)} notebook(s) could not be graded fully:")
        print(problems[["submission", "problem"]].to_string(index=False))
    flagged = grades[grades["flags"] != ""]
    if len(flagged):
        print(f"\n{len(flagged)} notebook(s) flagged by the code scan (read them; a flag for "
              "solutions, internals or other notebooks scores 0):")
        print(flagged[["submission", "flags"]].to_string(index=False))
    print(f"\nwrote {out} and {detail_path}")
    return 0


def _reset(args: argparse.Namespace) -> int:
    from coursekit.build.exercises import reset_exercise

    for given in args.paths:
        path = Path(given)
        if path.parent.name != "exercises" or path.suffix != ".ipynb":
            raise ArgumentError(
                f"{given} is not an exercise notebook",
                name="paths",
                fix="give a notebook of the exercises/ folder, e.g. "
                    "exercises/00_welcome_exercises.ipynb",
            )
    for given in args.paths:
        path = Path(given)
        kept = reset_exercise(path.parent.parent, path.name)
        where = f"; the learner's copy is kept as {kept.as_posix()}" if kept else ""
        print(f"restored a clean {path.as_posix()}{where}")
    return 0


def _agenda(args: argparse.Namespace) -> int:
    from coursekit.build.agenda import agenda, notebook_sections

    root = Path(args.root)
    if not (root / "notebooks").is_dir():
        raise ArgumentError(f"{args.root} holds no notebooks/ folder", name="--root",
                            fix="run it from the course folder, or give --root")
    table = agenda(root)
    if args.sections:
        for path in sorted((root / "notebooks").glob("*.ipynb")) + sorted(
                (root / "exercises").glob("*.ipynb")):
            sections = notebook_sections(path)
            print(f"\n{path.parent.name}/{path.name}")
            print(sections.to_string(index=False, float_format=lambda x: f"{x:.1f}"))
        print()
    print(table.to_string(float_format=lambda x: f"{x:.0f}"))
    late = table.index[~table["fits"]].tolist()
    if late:
        print(f"\nthe core path of module(s) {', '.join(map(str, late))} runs past its slot; "
              "mark deeper sections optional (see coursekit.build.agenda)")
        return 1
    return 0


def _datasets(args: argparse.Namespace) -> int:
    from coursekit.data import catalog
    from coursekit.world import MANIFEST

    if args.world is not None:
        world = Path(args.world)
        if not world.is_dir():
            raise ArgumentError(
                f"no such folder: {args.world}",
                name="--world",
                fix="give the folder `coursekit data generate --out DIR` wrote, "
                "or leave --world out to list the course's own data",
            )
        if not (world / MANIFEST).is_file():
            raise ArgumentError(
                f"{args.world} holds no generated world (it has no {MANIFEST})",
                name="--world",
                fix="generate one first: coursekit data generate --out DIR",
            )
    print(catalog(world=args.world).to_string(index=False))
    return 0


def _is_within(path: Path, folder: Path) -> bool:
    """Whether ``path`` is ``folder`` or lies inside it (links resolved)."""
    path, folder = path.resolve(), folder.resolve()
    return path == folder or folder in path.parents


def _check_generate(args: argparse.Namespace) -> tuple[int, int]:
    """Validate ``data generate`` before any work; returns ``(users, seed)``."""
    if args.default and args.world_version != 2:
        raise ArgumentError(
            "--default writes the course's own data, which is World 2",
            name="--world-version",
            fix="write World 1 to another folder: --world-version 1 --out worlds/w1",
        )
    from coursekit.data import default_dir
    from coursekit.world import DEFAULT_SEED, DEFAULT_USERS, MANIFEST

    if args.users is not None and args.users < MIN_USERS:
        raise ArgumentError(
            f"a world needs at least {MIN_USERS} users",
            name="--users",
            value=args.users,
            allowed=f"a whole number of {MIN_USERS} or more "
            f"(the course's default world has {DEFAULT_USERS:,})",
        )
    if args.seed is not None and args.seed < 0:
        raise ArgumentError(
            "the seed cannot be negative",
            name="--seed",
            value=args.seed,
            allowed=f"a whole number, 0 or more (the course's default world uses {DEFAULT_SEED})",
        )
    if getattr(args, "shard_users", None) is not None:
        if args.shard_users < MIN_USERS:
            raise ArgumentError(
                f"a shard needs at least {MIN_USERS} users",
                name="--shard-users", value=args.shard_users,
                allowed=f"a whole number of {MIN_USERS} or more (e.g. 1000000)")
        if args.format != "parquet":
            raise ArgumentError("a world in shards is written as Parquet only",
                                name="--format", value=args.format, allowed="parquet")
        if args.default:
            raise ArgumentError("--default writes the course's own data, generated at once",
                                name="--shard-users", value=args.shard_users,
                                allowed="no --shard-users with --default")
    users = args.users if args.users is not None else DEFAULT_USERS
    seed = args.seed if args.seed is not None else DEFAULT_SEED
    if args.default and (users, seed) != (DEFAULT_USERS, DEFAULT_SEED):
        raise ArgumentError(
            f"--default writes the default world ({DEFAULT_USERS:,} users, seed {DEFAULT_SEED})",
            name="--default",
            fix="drop --users and --seed, or drop --default",
        )

    out, shown = Path(args.out), args.out
    course = default_dir()
    if _is_within(out, course):
        inside = out.resolve() != course.resolve()
        if not args.default or inside:
            where = "is inside" if inside else "is"
            raise ArgumentError(
                f"{shown} {where} the course's own data folder, which every lesson reads",
                name="--out",
                fix="write your world to another folder (e.g. --out worlds/seed7); "
                "to regenerate the course's data, run `make data`",
            )
        return users, seed  # `make data`: replacing the course's data is the point
    if out.exists() and not out.is_dir():
        raise ArgumentError(
            f"{shown} is a file, not a folder",
            name="--out",
            fix="give the name of a new or empty folder",
        )
    if out.is_dir() and any(out.iterdir()):
        if not (out / MANIFEST).is_file():
            raise ArgumentError(
                f"{shown} is not empty and holds no world made by coursekit (no {MANIFEST})",
                name="--out",
                fix="give a new or empty folder; nothing was written",
            )
        if not args.force:
            raise ArgumentError(
                f"{shown} already holds a generated world",
                name="--out",
                fix="add --force to replace it, or give another folder",
            )
    return users, seed


def _world_files(manifest: Path, tables: Sequence[str]) -> set[str]:
    """Names of a world's files in its folder: those its manifest lists, and every
    table in either format (the manifest may be unreadable)."""
    names = {f"{t}.{ext}" for t in tables for ext in ("csv", "parquet")}
    try:
        old = json.loads(manifest.read_text(encoding="utf-8"))
        names |= {e["file"] for e in old["tables"].values()} | {old["truth"]["file"]}
        names |= {old["state"]["file"]} if "state" in old else set()
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        pass
    return {n for n in names if isinstance(n, str) and n and Path(n).name == n}


def _swap_in(new: Path, out: Path) -> None:
    """Replace the world in ``out`` by the one in ``new`` (a folder beside it).

    The old manifest goes first and the new one comes last, so the folder
    never passes for a world while it holds a mix; files that are not part of
    a world (``cdnow/`` in the course's data, notes of one's own) stay.
    """
    from coursekit.world import MANIFEST

    out.mkdir(exist_ok=True)
    incoming = json.loads((new / MANIFEST).read_text(encoding="utf-8"))
    old = out / MANIFEST
    if old.is_file():
        stale = _world_files(old, list(incoming["tables"]))
        old.unlink()
        for name in sorted(stale):
            (out / name).unlink(missing_ok=True)
    for f in sorted(new.iterdir()):
        if f.name != MANIFEST:
            os.replace(f, out / f.name)
    os.replace(new / MANIFEST, out / MANIFEST)


def _generate(args: argparse.Namespace) -> int:
    from coursekit.world import write_world

    users, seed = _check_generate(args)
    out = Path(args.out)
    target = out.resolve()
    if not args.quiet:
        print(
            f"generating a world of {users:,} users (seed {seed}) for {args.out} ...",
            file=sys.stderr,
            flush=True,
        )
    # Written whole into a folder beside the target, then moved in: a failure or
    # Ctrl-C on the way leaves the target as it was.
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.new-", dir=target.parent))
    except OSError as err:
        raise ArgumentError(
            f"cannot create a folder at {args.out} ({err.strerror or err})",
            name="--out",
            fix="give a folder in a place you can write to",
        ) from err
    try:
        manifest = write_world(tmp, users=users, seed=seed, fmt=args.format,
                               progress=not args.quiet, world=args.world_version,
                               shard_users=args.shard_users)
        if args.default:
            from coursekit.data.readme import readme_text

            (tmp / "README.md").write_text(readme_text(), encoding="utf-8")
        _swap_in(tmp, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    n = len(manifest["tables"])
    print(
        f"wrote a world of {users:,} users (seed {seed}) to {args.out}: "
        f"{n} tables as {args.format}, truth.json, the end state (state.parquet) and "
        "checksums.json"
    )
    from coursekit.data import default_dir

    if target == default_dir().resolve():
        print("the lessons read it by default; list its tables: coursekit datasets")
    else:
        print(f"use it in a notebook:  coursekit.setup(world={json.dumps(target.as_posix())})")
        print(f"list its tables:       coursekit datasets --world {shlex.quote(out.as_posix())}")
    return 0


def _run(args: argparse.Namespace) -> int:
    """Run the parsed command; returns its exit code."""
    if args.command == "doctor":
        from coursekit.doctor import main as doctor

        if args.jupyter_timeout is not None and not args.jupyter_timeout > 0:
            raise ArgumentError(
                "the time limit must be more than 0 seconds",
                name="--jupyter-timeout",
                value=args.jupyter_timeout,
                allowed="seconds, e.g. 120 on a busy machine",
            )
        return doctor(jupyter_timeout=args.jupyter_timeout)
    if args.command == "datasets":
        return _datasets(args)
    if args.command == "data":
        return _generate(args)
    if args.command == "build":
        if args.build_command == "exercises":
            from coursekit.build.exercises import build_exercises

            return build_exercises(Path(args.root), check=args.check)
        if args.build_command == "book":
            from coursekit.build.book import build_book

            return build_book(Path(args.root), repository=args.repository)
        if args.build_command == "run":
            from coursekit.build.execute import run_notebooks

            missing = [p for p in args.paths if not Path(p).is_file()]
            if missing:
                raise ArgumentError(
                    "no such notebook file: " + ", ".join(missing),
                    name="paths",
                    fix="check the spelling (e.g. notebooks/00_welcome.ipynb); nothing was run",
                )
            return run_notebooks([Path(p) for p in args.paths], timeout=args.timeout)
    if args.command == "grade":
        return _grade(args)
    if args.command == "agenda":
        return _agenda(args)
    if args.command == "reset":
        return _reset(args)
    return EXIT_USAGE  # pragma: no cover


def _command(args: argparse.Namespace) -> str:
    """The sub-command as typed, e.g. ``coursekit data generate``."""
    words = ["coursekit", args.command]
    for attr in ("data_command", "build_command"):
        if getattr(args, attr, None):
            words.append(getattr(args, attr))
    return " ".join(words)


def _silence_stdout() -> None:
    """Point stdout at the null device, so the flush at exit cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # no real file behind stdout (tests)
        pass


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code.

    Parameters
    ----------
    argv
        The arguments after ``coursekit``; default: those of this process.

    Returns
    -------
    int
        0 on success, 1 when a check, run or build failed, 2 for a mistake in
        what was asked (message on stderr; argparse's own errors exit with 2 too).
    """
    args = _parser().parse_args(argv)
    try:
        code = _run(args)
        sys.stdout.flush()  # a closed pipe shows here, not at exit
        return code
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_PIPE
    except KeyboardInterrupt:
        print(f"\n{_command(args)}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except CourseError as err:
        print(f"{_command(args)}: error: {err}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as err:  # a path that cannot be read or written
        what = f"{err.strerror}: {err.filename}" if err.strerror and err.filename else str(err)
        print(
            f"{_command(args)}: error: {what}\n"
            "How to fix: check the path and its permissions, then run the command again.",
            file=sys.stderr,
        )
        return EXIT_USAGE


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
