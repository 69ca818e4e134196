"""`coursekit doctor`: every check on this machine, and each problem simulated."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import threading
from functools import partial
from pathlib import Path

import pytest

from coursekit import doctor
from coursekit.doctor import Check, check_datasets, check_packages, report, run_checks

NAMES = {
    "Python",
    "packages",
    "datasets",
    "CDNOW data",
    "Chinese font",
    "browser font",
    "JupyterLab",
    "Jupyter kernel",
    "grading",
}
LINE = re.compile(r"^(OK|WARN|FAIL) +(\S.*?) {2,}\S")


def statuses(checks: list[Check]) -> dict[str, str]:
    return {c.name: c.status for c in checks}


# ------------------------------------------------------------------ report and exit code


def test_report_has_one_line_per_check_and_the_fix_below():
    text = report(
        [
            Check("Python", "OK", "3.12.1"),
            Check("package numpy", "FAIL", "1.26.4 installed", fix='pip install "numpy>=2.1"'),
        ]
    )
    lines = text.splitlines()
    assert lines[0].startswith("OK    Python ")
    assert lines[1].startswith("FAIL  package numpy  1.26.4 installed")
    assert lines[2].strip() == 'fix: pip install "numpy>=2.1"'
    assert lines[-1].startswith("1 check failed")
    assert all(len(line) <= 100 for line in lines)


def test_long_details_wrap_without_splitting_a_name_from_its_version():
    ok = check_packages([f"packaging>={v}" for v in range(1, 20)])[0]
    text = report([ok])
    assert all(len(line) <= 100 for line in text.splitlines())
    assert "\xa0" not in text
    assert all(not line.rstrip().endswith("packaging") for line in text.splitlines())


def test_bad_status_is_refused():
    with pytest.raises(ValueError, match="OK, WARN or FAIL"):
        Check("Python", "fine", "3.12")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("status", "code", "summary"),
    [("OK", 0, "All good"), ("WARN", 0, "Ready, with 1 warning"), ("FAIL", 1, "1 check failed")],
)
def test_main_exit_code_follows_the_statuses(monkeypatch, capsys, status, code, summary):
    fake = [
        ("Python", lambda: [Check("Python", "OK", "3.12.1")]),
        ("thing", lambda: [Check("thing", status, "found", fix=None if status == "OK" else "do")]),
    ]
    monkeypatch.setattr(doctor, "CHECKS", tuple(fake))
    assert doctor.main() == code
    out = capsys.readouterr().out
    assert f"{status:<6}thing" in out
    assert out.strip().splitlines()[-1].startswith(summary)


# ------------------------------------------------------------------ Python and packages


def test_old_python_fails_with_a_fix():
    (c,) = doctor.check_python((3, 10, 14))
    assert (c.status, "3.10.14") == ("FAIL", c.detail.split()[0])
    assert "make" in c.fix


def test_installed_packages_are_in_range_here():
    checks = check_packages()
    assert checks[0].name == "packages" and checks[0].status == "OK"
    for name in ("numpy", "pandas", "matplotlib", "jupyterlab", "zhplot", "pytest"):
        assert re.search(rf"\b{name}\xa0\d", checks[0].detail), name


def _pretend(monkeypatch, **versions):
    """Make doctor see other installed versions (None: not installed)."""
    real = doctor._installed
    monkeypatch.setattr(
        doctor, "_installed", lambda name: versions[name] if name in versions else real(name)
    )


def test_missing_dependency_fails_with_a_fix(monkeypatch):
    _pretend(monkeypatch, seaborn=None)
    checks = check_packages()
    (bad,) = [c for c in checks if c.status != "OK"]
    assert (bad.name, bad.status) == ("package seaborn", "FAIL")
    assert "not installed" in bad.detail and ">=0.13.2" in bad.detail
    assert 'pip install "seaborn' in bad.fix
    assert "seaborn" not in checks[0].detail  # not listed among the packages in range


def test_unknown_requirement_fails():
    checks = check_packages(["packaging>=20", "no-such-package-xyz<2,>=1"])
    assert statuses(checks) == {"packages": "OK", "package no-such-package-xyz": "FAIL"}


def test_version_outside_the_range_fails(monkeypatch):
    _pretend(monkeypatch, numpy="1.26.4", matplotlib="3.13.0")
    bad = {c.name: c for c in check_packages() if c.status != "OK"}
    assert set(bad) == {"package numpy", "package matplotlib"}
    assert all(c.status == "FAIL" for c in bad.values())
    assert "1.26.4 installed, outside the range" in bad["package numpy"].detail
    assert "<3.13" in bad["package matplotlib"].detail
    assert 'pip install "matplotlib' in bad["package matplotlib"].fix


def test_missing_extras_warn_with_make_test(monkeypatch):
    _pretend(monkeypatch, nbval=None, duckdb=None, **{"jupyter-book": None})
    checks = check_packages()
    assert statuses(checks) == {"packages": "OK", "extras [test]": "WARN", "extras [book]": "WARN"}
    test = next(c for c in checks if c.name == "extras [test]")
    assert "nbval, duckdb" in test.detail and "make test" in test.detail
    assert "make test" in test.fix and '".[test,book]"' in test.fix


def test_extra_outside_its_range_only_warns(monkeypatch):
    _pretend(monkeypatch, pytest="7.4.0")
    checks = check_packages()
    assert statuses(checks)["package pytest"] == "WARN"


def test_coursekit_not_installed_fails(monkeypatch):
    def requires(name):
        raise doctor.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(doctor.metadata, "requires", requires)
    (c,) = check_packages()
    assert c.status == "FAIL" and "pip install -e" in c.fix


# ------------------------------------------------------------------ datasets


@pytest.fixture
def data_copy(tmp_path, monkeypatch):
    """A copy of the default data that coursekit.data reads (via $COURSEKIT_DATA)."""
    from coursekit.data import default_dir

    folder = tmp_path / "datasets"
    shutil.copytree(default_dir(), folder)
    monkeypatch.setenv("COURSEKIT_DATA", str(folder))
    return folder


def test_data_is_intact_here():
    checks = check_datasets()
    assert statuses(checks) == {"datasets": "OK", "CDNOW data": "OK"}


def test_damaged_table_fails_naming_it_and_make_data(data_copy):
    path = data_copy / "orders.parquet"
    raw = bytearray(path.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    path.write_bytes(bytes(raw))
    checks = {c.name: c for c in check_datasets()}
    bad = checks["datasets"]
    assert bad.status == "FAIL"
    assert "table orders" in bad.detail and "checksum" in bad.detail
    assert "make data" in bad.fix and "git checkout datasets/" in bad.fix
    assert str(data_copy) not in bad.detail
    assert checks["CDNOW data"].status == "OK"


def test_missing_table_and_cdnow_file_fail(data_copy):
    (data_copy / "users.parquet").unlink()
    (data_copy / "cdnow" / "CDNOW_sample.txt").unlink()
    checks = {c.name: c for c in check_datasets()}
    assert checks["datasets"].status == "FAIL"
    assert "table users" in checks["datasets"].detail
    assert str(data_copy) not in checks["datasets"].detail
    assert checks["CDNOW data"].status == "FAIL"
    assert "CDNOW_sample.txt" in checks["CDNOW data"].detail
    assert "git checkout datasets/cdnow" in checks["CDNOW data"].fix


def test_no_data_at_all_fails(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSEKIT_DATA", str(tmp_path))
    (c,) = check_datasets()
    assert c.status == "FAIL" and "make data" in c.fix


# ------------------------------------------------------------------ font


def test_missing_glyphs_fail_with_the_font_fix(monkeypatch):
    from coursekit import plots

    warning = "Glyph 38738 (\\N{CJK UNIFIED IDEOGRAPH-9752}) missing from font(s) DejaVu Sans."
    monkeypatch.setattr(plots, "set_style", lambda: None)  # seaborn's import is slow; not needed
    monkeypatch.setattr(plots, "missing_glyphs", lambda text="": [warning, warning])
    (c,) = doctor.check_font()
    assert (c.name, c.status) == ("Chinese font", "FAIL")
    assert "missing from font(s) DejaVu Sans" in c.detail and "1 more" in c.detail
    assert "pip install zhplot" in c.fix and "fonts-wqy-microhei" in c.fix


def test_font_check_survives_a_missing_plot_module(monkeypatch):
    monkeypatch.setitem(sys.modules, "coursekit.plots", None)
    (c,) = doctor.check_font()
    assert (c.name, c.status) == ("Chinese font", "FAIL")
    assert "cannot be imported" in c.detail and c.fix


# ------------------------------------------------------------------ JupyterLab


def _fake_run(result):
    def run(*args, **kwargs):
        if isinstance(result, BaseException):
            raise result
        return result

    return run


def test_browser_font_says_what_the_system_can_show(monkeypatch):
    class Done:
        def __init__(self, stdout):
            self.stdout = stdout

    monkeypatch.setattr(doctor.shutil, "which", lambda name: None)
    assert statuses(doctor.check_browser_font()) == {"browser font": "OK"}
    monkeypatch.setattr(doctor.shutil, "which", lambda name: "/usr/bin/fc-list")
    monkeypatch.setattr(doctor.subprocess, "run", lambda *a, **k: Done(""))
    [none] = doctor.check_browser_font()
    assert none.status == "WARN" and "empty boxes" in none.detail and "fonts-noto-cjk" in none.fix
    monkeypatch.setattr(doctor.subprocess, "run",
                        lambda *a, **k: Done("Noto Sans CJK SC,Noto Sans CJK SC Regular\n"))
    [found] = doctor.check_browser_font()
    assert found.status == "OK" and "Noto Sans CJK SC" in found.detail


def test_jupyterlab_timeout_fails(monkeypatch):
    monkeypatch.setattr(doctor.subprocess, "run", _fake_run(subprocess.TimeoutExpired("x", 30)))
    (c,) = doctor.check_jupyterlab()
    assert c.status == "FAIL" and "30 s" in c.detail and "pip install" in c.fix
    assert "--jupyter-timeout 120" in c.fix  # a busy machine may only need more time


def test_the_jupyterlab_time_limit_is_configurable(monkeypatch, capsys):
    asked = []

    def run(*args, timeout, **kwargs):
        asked.append(timeout)
        raise subprocess.TimeoutExpired("jupyter", timeout)

    monkeypatch.setattr(doctor.subprocess, "run", run)
    monkeypatch.setattr(doctor, "CHECKS", (("JupyterLab", doctor.check_jupyterlab),))
    assert doctor.main(jupyter_timeout=123, progress=False) == 1
    assert doctor.main(progress=False) == 1
    assert asked == [123, doctor.JUPYTER_TIMEOUT]
    assert "within 123 s" in capsys.readouterr().out


def test_jupyterlab_error_fails_with_its_message(monkeypatch):
    done = subprocess.CompletedProcess([], 1, "", "Traceback...\nModuleNotFoundError: jupyterlab\n")
    monkeypatch.setattr(doctor.subprocess, "run", _fake_run(done))
    (c,) = doctor.check_jupyterlab()
    assert c.status == "FAIL" and "ModuleNotFoundError: jupyterlab" in c.detail


def test_root_gets_told_about_allow_root(monkeypatch):
    done = subprocess.CompletedProcess([], 0, "4.6.6\n", "")
    monkeypatch.setattr(doctor.subprocess, "run", _fake_run(done))
    monkeypatch.setattr(doctor, "_is_root", lambda: True)
    (c,) = doctor.check_jupyterlab()
    assert c.status == "OK" and c.detail.startswith("4.6.6") and "--allow-root" in c.detail
    monkeypatch.setattr(doctor, "_is_root", lambda: False)
    assert "--allow-root" not in doctor.check_jupyterlab()[0].detail


def test_no_python3_kernel_fails(monkeypatch):
    import jupyter_client.kernelspec as ks

    monkeypatch.setattr(ks.KernelSpecManager, "find_kernel_specs", lambda self: {"ir": "x"})
    (c,) = doctor.check_kernel()
    assert c.status == "FAIL" and "found: ir" in c.detail and "ipykernel install" in c.fix


# ------------------------------------------------------------------ one crash stops nothing


def test_a_crashing_check_becomes_a_fail_and_the_others_run(monkeypatch):
    import coursekit.data

    def verify(world=None):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(coursekit.data, "verify", verify)
    monkeypatch.setattr(doctor.subprocess, "run", _fake_run(OSError("no such program")))
    checks = run_checks(
        [
            ("Python", doctor.check_python),
            ("JupyterLab", doctor.check_jupyterlab),  # runs in a background thread
            ("datasets", check_datasets),
            ("packages", check_packages),
        ]
    )
    assert [c.name for c in checks] == ["Python", "JupyterLab", "datasets", "packages"]
    got = {c.name: c for c in checks}
    assert got["datasets"].status == "FAIL"
    assert "RuntimeError: disk on fire" in got["datasets"].detail
    assert "OSError: no such program" in got["JupyterLab"].detail
    assert got["Python"].status == got["packages"].status == "OK"


# ------------------------------------------------------------------ progress


def test_each_check_says_when_it_starts_and_a_slow_one_is_waited_for_aloud(monkeypatch):
    said: list[str] = []
    waited = threading.Event()

    def say(line):
        said.append(line)
        if line.startswith("waiting for"):
            waited.set()

    def slow_run(*args, **kwargs):  # answers only once the wait has been announced
        assert waited.wait(timeout=60)
        return subprocess.CompletedProcess([], 0, "4.6.6\n", "")

    monkeypatch.setattr(doctor.subprocess, "run", slow_run)
    checks = run_checks(
        [
            ("Python", doctor.check_python),
            ("JupyterLab", partial(doctor.check_jupyterlab, timeout=5)),  # still in background
            ("thing", lambda: [Check("thing", "OK", "fine")]),
        ],
        progress=say,
    )
    assert [c.name for c in checks] == ["Python", "JupyterLab", "thing"]
    assert checks[1].status == "OK"
    assert said == [
        "checking JupyterLab (in the background) ...",
        "checking Python ...",
        "checking thing ...",
        "waiting for JupyterLab ...",
    ]


def test_progress_goes_to_stderr_and_the_report_to_stdout(monkeypatch, capsys):
    monkeypatch.setattr(doctor, "CHECKS", (("Python", lambda: [Check("Python", "OK", "3.12")]),))
    assert doctor.main() == 0
    out, err = capsys.readouterr()
    assert err == "checking Python ...\n"
    assert "checking" not in out and out.startswith("OK    Python")


# ------------------------------------------------------------------ the real thing


def test_doctor_command_passes_on_this_machine():
    """The whole command, for real. Starting JupyterLab can take well over the doctor's
    usual 30 s on a loaded machine (a fresh clone's `make test` runs tests two at a time),
    so the limits here are generous: this test is about what the doctor finds, not speed."""
    root = Path(__file__).resolve().parents[1]
    proc = subprocess.run(
        [sys.executable, "-m", "coursekit", "doctor", "--jupyter-timeout", "600"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        stdin=subprocess.DEVNULL,
        cwd=root,
        timeout=900,
    )
    out = proc.stdout
    assert proc.returncode == 0, out + proc.stderr
    lines = [LINE.match(line) for line in out.splitlines()]
    found = {m.group(2): m.group(1) for m in lines if m}
    assert set(found) == NAMES, out
    assert "FAIL" not in found.values()
    assert out.strip().splitlines()[-1].startswith(("All good", "Ready"))
    assert str(root) not in out  # no paths of this machine
    assert os.path.expanduser("~") + os.sep not in out
    assert "checking datasets ..." in proc.stderr and "checking" not in out


def test_grading_says_how_notebooks_are_fenced_in(monkeypatch):
    import coursekit.grade.isolation as isolation

    for level, words in (("namespaces", "namespaces"), ("copy", "throwaway copy")):
        monkeypatch.setattr(isolation, "isolation_level", lambda level=level: level)
        (c,) = doctor.check_grading()
        assert c.status == "OK" and words in c.detail
