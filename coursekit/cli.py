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
    coursekit sandbox run PLAN.yaml [--seed N] [--world DIR]  one plan's results and KPI path
    coursekit sandbox leaderboard PLANS_DIR [--seed N] [--replicates N] [--world DIR]
                           [--chart FILE.png] [--quiet]  score a class's plans
    coursekit sandbox parameters           every number the sandbox uses, with its source

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
import textwrap
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

    sb = sub.add_parser("sandbox", help="run the capstone's operations plans against the "
                                        "simulated company and score them")
    ssub = sb.add_subparsers(dest="sandbox_command", required=True)
    sr = ssub.add_parser("run", help="simulate one plan on one seed; print its results and "
                                     "KPI path")
    sr.add_argument("plan", metavar="PLAN.yaml", help="a team's plan (YAML file)")
    sr.add_argument("--seed", type=int, default=0, help="seed of the draws (default 0)")
    sr.add_argument("--world", default=None, help="folder of a generated world (default: "
                                                  "the course's data)")
    sl = ssub.add_parser("leaderboard", help="score every plan of a folder over replicate "
                                             "seeds, beside the reference rows")
    sl.add_argument("plans", metavar="PLANS_DIR", help="folder of the teams' plans (.yaml)")
    sl.add_argument("--seed", type=int, default=0,
                    help="first seed; the replicates use seed, seed + 1, ... (default 0)")
    sl.add_argument("--replicates", type=int, default=20,
                    help="seeds every plan runs on (default 20)")
    sl.add_argument("--world", default=None, help="folder of a generated world (default: "
                                                  "the course's data)")
    sl.add_argument("--chart", default=None, metavar="FILE.png",
                    help="also draw the mean profit after fatigue with its 95%% interval "
                         "into this image (.png, .svg or .pdf)")
    sl.add_argument("--quiet", action="store_true", help="no progress bar")
    sp = ssub.add_parser("parameters", help="list every number the sandbox uses, with its "
                                            "source")
    from coursekit.sandbox.presets import INDUSTRIES

    for parser in (sr, sl, sp):
        parser.add_argument("--industry", default=None, metavar="NAME",
                            help="score in an industry preset (" + ", ".join(INDUSTRIES)
                                 + "): the same customers with that industry's order "
                                 "values, margin and responses (default: the course company)")
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


#: Image formats ``sandbox leaderboard --chart`` writes.
CHART_FORMATS = (".png", ".svg", ".pdf")


def _check_sandbox_world(world: str | None) -> None:
    """Refuse a ``--world`` the sandbox cannot run on, before any work."""
    from coursekit.world import MANIFEST

    if world is None:
        return
    folder = Path(world)
    if not folder.is_dir():
        raise ArgumentError(f"no such folder: {world}", name="--world",
                            fix="give the folder `coursekit data generate --out DIR` wrote, "
                                "or leave --world out to use the course's own data")
    if not (folder / MANIFEST).is_file():
        raise ArgumentError(f"{world} holds no generated world (it has no {MANIFEST})",
                            name="--world",
                            fix="generate one first: coursekit data generate --out DIR")
    try:
        version = json.loads((folder / MANIFEST).read_text(encoding="utf-8")).get("world", 1)
    except (ValueError, AttributeError):
        return  # a damaged manifest: reading the world says what to do
    if version != 2:
        raise ArgumentError(f"{world} holds World 1, the simpler company; the sandbox runs "
                            "on World 2", name="--world",
                            fix="generate a World 2 world: coursekit data generate --out DIR")


def _check_seed(seed: int) -> None:
    if seed < 0:
        raise ArgumentError("the seed cannot be negative", name="--seed", value=seed,
                            allowed="a whole number, 0 or more")


def _read_plan_file(path: Path) -> object:
    """A plan read from its file; a mistake in it names the file."""
    from coursekit.errors import DataError
    from coursekit.sandbox import read_plan

    try:
        return read_plan(path)
    except DataError as err:
        raise DataError(err.reason, table=f"{path.as_posix()}: {err.table or 'plan'}",
                        column=err.column, rows=err.rows, fix=err.fix) from None


def _money(x: float) -> str:
    return f"{x:,.0f}"


def _sandbox_run(args: argparse.Namespace) -> int:
    import pandas as pd

    from coursekit.sandbox import KPI_STEPS, brief_gaps, simulate

    path = Path(args.plan)
    if not path.is_file():
        raise ArgumentError(f"no such plan file: {args.plan}", name="PLAN.yaml",
                            fix="give a team's plan, e.g. coursekit/sandbox/examples/"
                                "team_winback.yaml")
    _check_seed(args.seed)
    _check_sandbox_world(args.world)
    plan = _read_plan_file(path)
    result = simulate(plan, seed=args.seed, world=args.world, industry=args.industry)
    where = args.world if args.world is not None else "the course's data"
    industry = f", industry {args.industry}" if args.industry else ""
    print(f"{result.team}: seed {result.seed}, world {where}{industry}")
    roi = "n/a" if pd.isna(result.roi) else f"{result.roi:.2f}"
    print(f"{result.messages:,} messages, {result.extra_orders:,} extra orders, incremental "
          f"profit {_money(result.profit)} yuan (ROI {roi})")
    print(f"{result.unsubscribes:,} unsubscribes and {result.complaints:,} complaints cost "
          f"{_money(result.fatigue_penalty)} yuan: profit after fatigue "
          f"{_money(result.profit_after_fatigue)} yuan")
    s = result.summary
    path_cols = ["customers", "reachable", "messages", "opened", "clicked", "ordered",
                 "extra_orders", "unsubscribes", "complaints"]
    money_cols = ["revenue", "margin", "coupon_cost", "message_cost", "profit", "roi",
                  "fatigue_penalty", "profit_after_fatigue"]
    counts = {c: "{:,.0f}".format for c in path_cols}
    money = {c: _money for c in money_cols} | {"roi": "{:.2f}".format}
    print("\nby segment: customers and messages")
    print(s[path_cols].to_string(formatters=counts))
    print("\nby segment: money (yuan)")
    print(s[money_cols].to_string(formatters=money, na_rep="n/a"))
    print("\nKPI path by segment and action (ordered: delivered customers who ordered in the "
          "offer's days, extra or not)")
    kpis = result.kpis[[*KPI_STEPS, "profit_after_fatigue"]]
    print(kpis.to_string(formatters={**{c: "{:,.0f}".format for c in KPI_STEPS},
                                     "profit_after_fatigue": _money}))
    gaps = brief_gaps(plan)
    print("\nagainst the capstone's brief: " + ("nothing missing" if not gaps else
                                                "\n  " + "\n  ".join(gaps)))
    return 0


def _plan_files(folder: str) -> list[Path]:
    """The plans of a folder, read and checked before any work."""
    from coursekit.errors import DataError

    root = Path(folder)
    if not root.is_dir():
        what = "is a file, not a folder" if root.exists() else "does not exist"
        raise ArgumentError(f"{folder} {what}", name="PLANS_DIR",
                            fix="give the folder that holds the teams' plans (.yaml files)")
    files = sorted([*root.glob("*.yaml"), *root.glob("*.yml")])
    if not files:
        raise ArgumentError(f"no plans (.yaml or .yml files) in {folder}", name="PLANS_DIR",
                            fix="put each team's plan in the folder as TEAM.yaml")
    plans, where = [], {}
    for f in files:
        plan = _read_plan_file(f)
        if plan.team in ("do nothing", "message everyone", "oracle"):
            raise DataError(f"the team {plan.team!r} has a reference row's name",
                            table=f"{f.as_posix()}: plan", column="team",
                            fix="give the team another name")
        if plan.team in where:
            raise DataError(f"{where[plan.team].as_posix()} and {f.as_posix()} are both "
                            f"called {plan.team!r}", table="plans", column="team",
                            fix="give every team its own name")
        where[plan.team] = f
        plans.append(plan)
    return plans


def _sandbox_leaderboard(args: argparse.Namespace) -> int:
    import pandas as pd

    from coursekit.sandbox import leaderboard

    _check_seed(args.seed)
    if args.replicates < 1:
        raise ArgumentError("a leaderboard needs at least 1 replicate", name="--replicates",
                            value=args.replicates, allowed="1, 2, ... (default 20)")
    chart = Path(args.chart) if args.chart is not None else None
    if chart is not None:
        if chart.suffix.lower() not in CHART_FORMATS:
            raise ArgumentError(f"cannot write a chart as {chart.name}", name="--chart",
                                value=args.chart, allowed="a file name ending in "
                                + ", ".join(CHART_FORMATS) + ", e.g. --chart leaderboard.png")
        if chart.is_dir() or not chart.parent.is_dir():
            raise ArgumentError(f"cannot write {args.chart}: "
                                + ("it is a folder" if chart.is_dir()
                                   else f"there is no folder {chart.parent.as_posix()}"),
                                name="--chart", fix="give a file in a folder that exists")
    _check_sandbox_world(args.world)
    plans = _plan_files(args.plans)
    board = leaderboard(plans, seed=args.seed, replicates=args.replicates, world=args.world,
                        industry=args.industry, progress=not args.quiet)
    where = args.world if args.world is not None else "the course's data"
    if args.industry:
        where += f", industry {args.industry}"
    n = args.replicates
    replicates = (f"1 replicate (seed {args.seed})" if n == 1
                  else f"{n} replicates (seeds {args.seed}-{args.seed + n - 1})")
    print(f"{len(plans)} plan{'s' if len(plans) != 1 else ''} and 3 reference rows, "
          f"{replicates}, world {where}; means over the replicates, yuan, best first")
    table = board.copy()
    table.insert(0, "rank", range(1, len(table) + 1))
    interval = [("n/a" if pd.isna(lo) else f"{lo:,.0f} to {hi:,.0f}")
                for lo, hi in zip(table["profit_low"], table["profit_high"], strict=True)]
    table["profit_95%"] = interval
    table["lead_95%"] = [("n/a" if pd.isna(lo) else f"{lo:,.0f} to {hi:,.0f}")
                         for lo, hi in zip(table["lead_low"], table["lead_high"], strict=True)]
    cols = ["rank", "kind", "profit_after_fatigue", "lead_95%", "profit", "profit_95%", "roi",
            "messages", "extra_orders", "unsubscribes", "complaints"]
    fmt = {c: _money for c in ("profit_after_fatigue", "profit", "messages", "extra_orders")}
    fmt |= {"roi": "{:.2f}".format, "unsubscribes": "{:,.1f}".format,
            "complaints": "{:,.1f}".format}
    print(table[cols].to_string(formatters=fmt, na_rep="n/a"))
    print("lead_95%: the lead in profit after fatigue over the next row, compared seed by seed "
          "(paired); an interval holding 0 is not a win")
    if chart is not None:
        from matplotlib.figure import Figure

        from coursekit import plots

        plots.set_style()
        fig = Figure(figsize=(8, 0.5 * len(board) + 1.8))
        plots.leaderboard_chart(board, ax=fig.subplots(),
                                title=f"排行榜 Leaderboard: {replicates}")
        fig.savefig(chart, dpi=150, bbox_inches="tight")
        print(f"\nwrote {args.chart}")
    return 0


def _sandbox_parameters(industry: str | None) -> int:
    from coursekit.sandbox import parameters

    table = parameters(industry=industry).reset_index()
    table["value"] = table["value"].map("{:g}".format)
    columns = ["name", "value", "source", "meaning"]
    width = {c: max(len(c), *table[c].str.len()) for c in columns[:-1]}

    indent = sum(width.values()) + 6
    # on a terminal the meanings wrap to its width; into a file or a pipe, one line each
    room = max(30, shutil.get_terminal_size((10**4, 24)).columns - indent - 1)

    def lines(row: Sequence[str]) -> str:
        name, value, source, meaning = row
        text = textwrap.wrap(meaning, room) or [""]
        return "\n".join([f"{name:<{width['name']}}  {value:>{width['value']}}  "
                          f"{source:<{width['source']}}  {text[0]}",
                          *(" " * indent + more for more in text[1:])])

    print(f"{len(table)} numbers of the sandbox's response (coursekit.sandbox.parameters()).")
    print("source 'sandbox': a stated assumption; 'world: ...': the simulated company's own; "
          "'derived: ...': measured on the world; 'preset: ...': an industry preset's.\n")
    print(lines(columns))
    for row in table[columns].itertuples(index=False):
        print(lines(row))
    return 0


def _sandbox(args: argparse.Namespace) -> int:
    from coursekit.sandbox.presets import INDUSTRIES

    if args.industry is not None and args.industry not in INDUSTRIES:
        raise ArgumentError(f"no industry preset called {args.industry!r}", name="--industry",
                            value=args.industry, allowed=", ".join(INDUSTRIES))
    if args.sandbox_command == "run":
        return _sandbox_run(args)
    if args.sandbox_command == "leaderboard":
        return _sandbox_leaderboard(args)
    return _sandbox_parameters(args.industry)


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
    if args.command == "sandbox":
        return _sandbox(args)
    return EXIT_USAGE  # pragma: no cover


def _command(args: argparse.Namespace) -> str:
    """The sub-command as typed, e.g. ``coursekit data generate``."""
    words = ["coursekit", args.command]
    for attr in ("data_command", "build_command", "sandbox_command"):
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
