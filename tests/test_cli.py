"""The ``coursekit`` command: a user's mistake gives a message and exit code 2, never a
traceback; ``data generate`` never writes over what it should not; ``grade`` stops on a
mistyped path before any work."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from helpers import refused, run
from nbformat.v4 import new_code_cell, new_notebook

import coursekit.data
import coursekit.world
from coursekit import cli
from coursekit.errors import ArgumentError, CourseError, DataError
from coursekit.grade import grade

TINY = str(cli.MIN_USERS)  # the smallest world the generator makes (well under a second)


def generate(capsys: pytest.CaptureFixture, out: Path, *more: object) -> tuple[int, str, str]:
    return run(capsys, "data", "generate", "--users", TINY, "--out", out, "--quiet", *more)


def manifest(folder: Path) -> dict:
    return json.loads((folder / "checksums.json").read_text(encoding="utf-8"))


@pytest.fixture
def course_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The course's datasets folder, moved to a temporary one (the real one is never written)."""
    folder = tmp_path / "course_datasets"
    (folder / "cdnow").mkdir(parents=True)
    (folder / "cdnow" / "keep.txt").write_text("not part of a world\n", encoding="utf-8")
    monkeypatch.setenv("COURSEKIT_DATA", str(folder))
    assert coursekit.data.default_dir() == folder
    return folder


# ------------------------------------------------------------------ mistakes: exit 2, no traceback


@pytest.mark.parametrize("users", ["-3", "0", str(cli.MIN_USERS - 1)])
def test_too_few_users_is_refused(capsys, tmp_path, users):
    refused(capsys, "data", "generate", "--users", users, "--out", tmp_path / "w",
            says=("--users", f"at least {cli.MIN_USERS}", f"got {users}"))
    assert not (tmp_path / "w").exists()


def test_the_minimum_is_the_generators():
    with pytest.raises(DataError, match=f"at least {cli.MIN_USERS}"):
        coursekit.world.generate_world(users=cli.MIN_USERS - 1)


def test_a_negative_seed_is_refused(capsys, tmp_path):
    refused(capsys, "data", "generate", "--seed", "-1", "--out", tmp_path / "w",
            says=("--seed", "cannot be negative", "0 or more"))
    assert not (tmp_path / "w").exists()


def test_default_with_another_size_is_refused(capsys, tmp_path):
    refused(capsys, "data", "generate", "--default", "--users", TINY, "--out", tmp_path / "w",
            says=("--default", "drop --users"))


def test_out_naming_a_file_is_refused(capsys, tmp_path):
    target = tmp_path / "notes.txt"
    target.write_text("mine\n", encoding="utf-8")
    refused(capsys, "data", "generate", "--users", TINY, "--out", target,
            says=("notes.txt is a file, not a folder",))
    assert target.read_text(encoding="utf-8") == "mine\n"


def test_datasets_of_a_missing_world_is_refused(capsys, tmp_path):
    refused(capsys, "datasets", "--world", tmp_path / "no_such_world",
            says=("--world", "no such folder", "no_such_world"))


def test_datasets_of_a_folder_without_a_world_is_refused(capsys, tmp_path):
    refused(capsys, "datasets", "--world", tmp_path,
            says=("holds no generated world", "checksums.json", "coursekit data generate"))


def test_running_a_missing_notebook_is_refused(capsys, tmp_path):
    refused(capsys, "build", "run", tmp_path / "typo.ipynb",
            says=("no such notebook file", "typo.ipynb", "nothing was run"))


def test_a_zero_doctor_time_limit_is_refused(capsys):
    refused(capsys, "doctor", "--jupyter-timeout", "0", says=("--jupyter-timeout",))


@pytest.mark.parametrize(
    "error",
    [
        DataError("no orders table", table="orders", fix="run make data"),
        ArgumentError("unknown period", name="per", value="Q", allowed="'D' or 'W'"),
        CourseError("the model is not fitted yet"),
    ],
    ids=["DataError", "ArgumentError", "CourseError"],
)
def test_a_course_error_from_a_sub_command_is_its_message(capsys, monkeypatch, error):
    def catalog(*, world=None):
        raise error

    monkeypatch.setattr(coursekit.data, "catalog", catalog)
    err = refused(capsys, "datasets", says=("coursekit datasets: error: ",))
    assert err.strip().endswith(str(error))


def test_output_into_a_closed_pipe_ends_quietly():
    """``coursekit datasets | head -0``: the reader is gone before anything is written."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "coursekit", "datasets"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
    )
    proc.stdout.close()  # the only reader: the command's first write meets a closed pipe
    err = proc.stderr.read().decode("utf-8", "replace")
    code = proc.wait(timeout=120)
    assert "Traceback" not in err and "BrokenPipeError" not in err, err
    assert code == cli.EXIT_PIPE


def test_a_broken_pipe_inside_a_command_is_quiet_in_process(capsys, monkeypatch):
    def catalog(*, world=None):
        raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(coursekit.data, "catalog", catalog)
    code, out, err = run(capsys, "datasets")
    assert (code, out, err) == (cli.EXIT_PIPE, "", "")


# ------------------------------------------------------------------ data generate: where it writes


def test_a_world_is_written_to_a_new_folder_and_says_how_to_use_it(capsys, tmp_path):
    out = tmp_path / "worlds" / "w1"
    code, printed, _ = generate(capsys, out, "--seed", "5", "--format", "csv")
    assert code == 0
    man = manifest(out)
    assert (man["users"], man["seed"], man["format"]) == (cli.MIN_USERS, 5, "csv")
    assert coursekit.data.verify(out) == []
    assert f'coursekit.setup(world="{out.resolve().as_posix()}")' in printed
    assert f"coursekit datasets --world {out.as_posix()}" in printed
    assert sorted(p.name for p in out.parent.iterdir()) == ["w1"]  # no temporary folder left


def test_an_empty_folder_is_fine(capsys, tmp_path):
    assert generate(capsys, tmp_path)[0] == 0
    assert coursekit.data.verify(tmp_path) == []


def test_a_folder_of_other_files_is_never_written(capsys, tmp_path):
    (tmp_path / "thesis.docx").write_text("years of work\n", encoding="utf-8")
    for more in ((), ("--force",)):
        refused(capsys, "data", "generate", "--users", TINY, "--out", tmp_path, "--quiet", *more,
                says=("not empty", "no world made by coursekit", "nothing was written"))
    assert [p.name for p in tmp_path.iterdir()] == ["thesis.docx"]


def test_a_world_is_replaced_only_with_force_and_never_mixed(capsys, tmp_path):
    world = tmp_path / "w"
    assert generate(capsys, world, "--seed", "1", "--format", "csv")[0] == 0
    (world / "notes.txt").write_text("my notes\n", encoding="utf-8")
    before = manifest(world)

    refused(capsys, "data", "generate", "--users", TINY, "--out", world,
            says=("already holds a generated world", "--force"))
    assert manifest(world) == before

    assert generate(capsys, world, "--seed", "2", "--force")[0] == 0
    after = manifest(world)
    assert (after["seed"], after["format"]) == (2, "parquet")
    assert not list(world.glob("*.csv"))  # none of the old world's tables is left
    assert coursekit.data.verify(world) == []
    assert (world / "notes.txt").read_text(encoding="utf-8") == "my notes\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w"]


def test_a_failed_replacement_leaves_the_old_world(capsys, tmp_path, monkeypatch):
    world = tmp_path / "w"
    assert generate(capsys, world, "--seed", "1")[0] == 0
    before = manifest(world)

    def interrupted(out, **kwargs):
        (Path(out) / "orders.parquet").write_bytes(b"half a file")
        raise KeyboardInterrupt

    monkeypatch.setattr(coursekit.world, "write_world", interrupted)
    code, _, err = generate(capsys, world, "--seed", "2", "--force")
    assert code == cli.EXIT_INTERRUPTED and "interrupted" in err and "Traceback" not in err
    assert manifest(world) == before and coursekit.data.verify(world) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w"]


def test_the_course_data_is_refused_without_default(capsys, course_data):
    refused(capsys, "data", "generate", "--users", TINY, "--out", course_data, "--force",
            says=("the course's own data folder", "make data"))
    refused(capsys, "data", "generate", "--users", TINY, "--out", course_data / "mine",
            says=("inside the course's own data folder",))
    assert sorted(p.name for p in course_data.rglob("*")) == ["cdnow", "keep.txt"]


def test_default_regenerates_the_course_data_and_keeps_the_rest(capsys, course_data, monkeypatch):
    monkeypatch.setattr(coursekit.world, "DEFAULT_USERS", cli.MIN_USERS)  # a small "default"
    code, printed, _ = run(capsys, "data", "generate", "--out", course_data, "--default",
                           "--quiet", "--format", "csv")
    assert code == 0 and "coursekit datasets" in printed
    assert generate(capsys, course_data, "--default")[0] == 0  # again: replaces it, no --force
    man = manifest(course_data)
    assert (man["seed"], man["format"]) == (coursekit.world.DEFAULT_SEED, "parquet")
    assert not list(course_data.glob("*.csv"))
    assert coursekit.data.verify(course_data) == []
    assert (course_data / "README.md").is_file()
    assert (course_data / "cdnow" / "keep.txt").is_file()


# ------------------------------------------------------------------ grade


def test_grade_stops_on_a_missing_path_and_writes_nothing(capsys, tmp_path):
    real = tmp_path / "ana.ipynb"
    nbformat.write(new_notebook(cells=[new_code_cell("x = 1")]), str(real))
    out = tmp_path / "marks" / "grades.csv"
    refused(capsys, "grade", real, tmp_path / "bo_typo.ipynb", "--out", out,
            says=("no such file or folder", "bo_typo.ipynb", "nothing was graded"))
    assert not list(tmp_path.rglob("*.csv")) and not out.parent.exists()
    with pytest.raises(ArgumentError, match="bo_typo.ipynb"):
        grade([real, tmp_path / "bo_typo.ipynb"])


def test_grade_out_naming_a_folder_is_refused(capsys, tmp_path):
    real = tmp_path / "ana.ipynb"
    nbformat.write(new_notebook(cells=[new_code_cell("x = 1")]), str(real))
    refused(capsys, "grade", real, "--out", tmp_path, says=("is a folder", "--out"))
    assert not list(tmp_path.rglob("*.csv"))


def test_world_1_is_generated_on_request_and_never_as_the_course_data(
        tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    code, _, _ = generate(capsys, tmp_path / "w2")
    assert code == 0
    man = manifest(tmp_path / "w2")
    assert man["world"] == 2 and "order_costs" in man["tables"]
    code, _, _ = generate(capsys, tmp_path / "w1", "--world-version", "1")
    assert code == 0
    man = manifest(tmp_path / "w1")
    assert "world" not in man and "order_costs" not in man["tables"]
    code, _, err = run(capsys, "data", "generate", "--default", "--out", tmp_path / "d",
                       "--world-version", "1", "--quiet")
    assert code == 2 and "which is World 2" in err and not (tmp_path / "d").exists()


@pytest.mark.parametrize("more, says", [
    (("--shard-users", "100"), ("--shard-users", "at least 500")),
    (("--shard-users", "600", "--format", "csv"), ("--format", "Parquet only")),
    (("--shard-users", "600", "--default"), ("--shard-users", "--default")),
])
def test_bad_shards_are_refused(capsys, tmp_path, more, says):
    refused(capsys, "data", "generate", "--users", "1200", "--out", tmp_path / "w", *more,
            says=says)
    assert not (tmp_path / "w").exists()


def test_a_world_in_shards_is_one_world(capsys, tmp_path):
    out = tmp_path / "w"
    code, _, _ = run(capsys, "data", "generate", "--users", "1200", "--shard-users", "600",
                     "--out", out, "--quiet")
    assert code == 0
    assert manifest(out)["shards"] == [600, 600]
    assert coursekit.data.verify(out) == []
    assert coursekit.load("users", world=out)["user_id"].is_unique
