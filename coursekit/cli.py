"""The ``coursekit`` command (also ``python -m coursekit``).

Sub-commands::

    coursekit doctor                       check this machine for the course
    coursekit datasets                     list the tables with row counts
    coursekit data generate --users N --seed S --out DIR [--format csv|parquet]
    coursekit build exercises [--check]    write exercises/ from solutions/
    coursekit build book                   render the course site
    coursekit build run PATH ...           execute notebooks in place (outputs kept)
    coursekit grade PATH ... [--out F]     run a class's exercise notebooks, tabulate the checks
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="coursekit", description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="command", required=True)

    sub.add_parser("doctor", help="check Python, packages, data, fonts and JupyterLab")

    ds = sub.add_parser("datasets", help="list the course tables with row counts")
    ds.add_argument("--world", default=None, help="folder of a generated world")

    data = sub.add_parser("data", help="generate worlds of the course company")
    dsub = data.add_subparsers(dest="data_command", required=True)
    gen = dsub.add_parser("generate", help="generate a world")
    gen.add_argument("--users", type=int, default=None, help="number of users")
    gen.add_argument("--seed", type=int, default=None, help="random seed")
    gen.add_argument("--out", required=True, help="output folder")
    gen.add_argument("--format", choices=["csv", "parquet"], default="parquet")
    gen.add_argument(
        "--default",
        action="store_true",
        help="write the committed default world (default size and seed, with its checksums)",
    )
    gen.add_argument("--quiet", action="store_true", help="no progress bar")

    build = sub.add_parser("build", help="build exercises or the site")
    bsub = build.add_subparsers(dest="build_command", required=True)
    ex = bsub.add_parser("exercises", help="write exercises/ from solutions/")
    ex.add_argument("--check", action="store_true", help="exit 1 when out of sync; write nothing")
    ex.add_argument("--root", default=".", help="course root folder")
    bk = bsub.add_parser("book", help="render the course site into _build/book")
    bk.add_argument("--root", default=".", help="course root folder")
    run = bsub.add_parser("run", help="execute lesson or solution notebooks in place")
    run.add_argument("paths", nargs="+", help="notebook files")
    run.add_argument("--timeout", type=int, default=300, help="seconds allowed per cell")

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
    return p


def _grade(args: argparse.Namespace) -> int:
    from coursekit.grade import find_submissions, grade, summary_by_question

    if not find_submissions(args.paths):
        print("no notebooks found in " + ", ".join(args.paths), file=sys.stderr)
        return 2
    grades, details = grade(args.paths, cell_timeout=args.timeout, budget=args.budget,
                            jobs=max(1, args.jobs), progress=True)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    grades.to_csv(out, index=False, encoding="utf-8")
    detail_path = out.with_name(out.stem + "_details.csv")
    details.to_csv(detail_path, index=False, encoding="utf-8")
    by_q = summary_by_question(details)
    if len(by_q):
        print("\nthe class, question by question:")
        print(by_q.to_string(index=False, float_format=lambda x: f"{x:.0%}"))
    problems = grades[grades["problem"] != ""]
    if len(problems):
        print(f"\n{len(problems)} notebook(s) could not be graded fully:")
        print(problems[["submission", "problem"]].to_string(index=False))
    print(f"\nwrote {out} and {detail_path}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = _parser().parse_args(argv)
    if args.command == "doctor":
        from coursekit.doctor import main as doctor

        return doctor()
    if args.command == "datasets":
        from coursekit.data import catalog

        print(catalog(world=args.world).to_string(index=False))
        return 0
    if args.command == "data":
        from coursekit.world import DEFAULT_SEED, DEFAULT_USERS, write_world

        users = args.users if args.users is not None else DEFAULT_USERS
        seed = args.seed if args.seed is not None else DEFAULT_SEED
        if args.default and (users, seed) != (DEFAULT_USERS, DEFAULT_SEED):
            print(
                "--default writes the default size and seed; drop --users/--seed", file=sys.stderr
            )
            return 2
        write_world(
            Path(args.out), users=users, seed=seed, fmt=args.format, progress=not args.quiet
        )
        if args.default:
            from coursekit.data.readme import readme_text

            (Path(args.out) / "README.md").write_text(readme_text(), encoding="utf-8")
        return 0
    if args.command == "build":
        if args.build_command == "exercises":
            from coursekit.build.exercises import build_exercises

            return build_exercises(Path(args.root), check=args.check)
        if args.build_command == "book":
            from coursekit.build.book import build_book

            return build_book(Path(args.root))
        if args.build_command == "run":
            from coursekit.build.execute import run_notebooks

            return run_notebooks([Path(p) for p in args.paths], timeout=args.timeout)
    if args.command == "grade":
        return _grade(args)
    return 2  # pragma: no cover


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
