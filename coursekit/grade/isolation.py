"""How a submission's processes are started, fenced in and ended.

Two levels, chosen once per grading run (:func:`isolation_level`):

``"namespaces"`` (Linux, with util-linux's ``unshare``, ``mount`` and
``setpriv``; as root, or as a user where unprivileged user namespaces are
enabled): the runner starts in its own mount, PID, network, IPC and host-name
namespaces, in a root built from an allow-list (the system folders, the
Python installation and environment, the sandbox's copy of the course, all
read-only; the notebook's folder on a size-limited memory file system; four
harmless devices). The course, its solutions and history, the submissions
and the grades do not exist there; there is no network. Every capability is
dropped before the notebook runs, and the runner cannot be pried on through
``/proc``. When the run ends, or is killed at its time limit, the PID
namespace ends and the kernel takes every process it started with it,
whatever session or group they moved to. This is the level for a grade that
counts.

``"copy"`` (elsewhere): the notebook still runs in its own throwaway copy of
the course, with a clean environment, in a new process group that is killed
whole at the end (with any process that moved out of the group but still
carries the sandbox's mark), and is judged in the grader's process; but a
notebook that knows where the instructor's files are can still reach them
with the grader's own permissions. Fine for feedback, not for an exam.

The namespaces are the kernel's (``unshare(2)``), driven by the standard
command-line tools rather than by hand-written system calls, the way container
tools such as bubblewrap do it.
"""

from __future__ import annotations

import functools
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Literal

__all__ = ["MARK", "Level", "command", "environment", "isolation_level", "kill_group",
           "kill_leftovers", "new_run_dir"]

Level = Literal["namespaces", "copy"]

#: Environment variable naming the sandbox in every process a submission starts.
MARK = "COURSEKIT_SANDBOX"


def _namespace_command(user: bool) -> list[str]:
    cmd = ["unshare", "--mount", "--pid", "--net", "--ipc", "--uts", "--fork", "--kill-child",
           "--mount-proc", "--propagation", "private"]
    return cmd + (["--user", "--map-root-user"] if user else [])


@functools.cache
def isolation_level() -> Level:
    """``"namespaces"`` when this machine can fence a notebook in, else ``"copy"``.

    Probed once: a mount namespace is created, ``/`` made read-only in it and
    every capability dropped, as the grader will do for each notebook.

    Examples
    --------
    >>> isolation_level() in ("namespaces", "copy")
    True
    """
    if not sys.platform.startswith("linux"):
        return "copy"
    if not all(shutil.which(tool) for tool in ("unshare", "mount", "setpriv")):
        return "copy"
    probe = ("mount -o remount,bind,ro / && setpriv --bounding-set=-all --inh-caps=-all "
             "--no-new-privs -- true && ! touch /.coursekit-probe 2>/dev/null")
    cmd = [*_namespace_command(os.geteuid() != 0), "sh", "-c", probe]
    try:
        done = subprocess.run(cmd, capture_output=True, timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        return "copy"
    return "namespaces" if done.returncode == 0 else "copy"


def environment(sandbox: Path, package: Path, data: Path, work: Path) -> dict[str, str]:
    """The whole environment of a submission's processes: nothing of the grader's.

    Home, temporary files, Jupyter's and matplotlib's folders all live in the
    notebook's own folder; ``coursekit`` is the copy's; the data is the copy's.
    """
    private = work / ".grading"
    dirs = {name: private / name for name in ("home", "tmp", "runtime", "ipython", "mpl")}
    for folder in dirs.values():
        folder.mkdir(parents=True, exist_ok=True)
    path = os.pathsep.join([str(Path(sys.executable).parent), "/usr/local/bin", "/usr/bin",
                            "/bin"])
    return {
        "PATH": path,
        "HOME": str(dirs["home"]),
        "TMPDIR": str(dirs["tmp"]),
        "JUPYTER_RUNTIME_DIR": str(dirs["runtime"]),
        "JUPYTER_CONFIG_DIR": str(dirs["home"] / ".jupyter"),
        "IPYTHONDIR": str(dirs["ipython"]),
        "MPLCONFIGDIR": str(dirs["mpl"]),
        "MPLBACKEND": "Agg",
        "PYTHONPATH": str(package),
        "PYTHONNOUSERSITE": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONHASHSEED": "0",
        "COURSEKIT_DATA": str(data),
        "COURSEKIT_ROOT": str(sandbox),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        MARK: str(sandbox),
    }


def command(level: Level, runner: Path, spec: Path) -> list[str]:
    """The command that runs ``runner`` on ``spec`` at this isolation level.

    On Linux it starts under ``setpriv --pdeathsig KILL``: if the grader dies
    half-way (a killed terminal), the run dies with it instead of going on.
    """
    guard = ["setpriv", "--pdeathsig", "KILL", "--"] if shutil.which("setpriv") else []
    if level == "namespaces":
        return [*guard, *_namespace_command(os.geteuid() != 0), sys.executable, str(runner),
                "enter", str(spec)]
    return [*guard, sys.executable, str(runner), "run", str(spec)]


def kill_group(pid: int) -> None:
    """Kill the process group ``pid`` leads (every process still in it), ignoring a gone one."""
    if sys.platform == "win32":  # pragma: no cover - no process groups there
        subprocess.run(["taskkill", "/F", "/T", "/PID", str(pid)], capture_output=True,
                       check=False)
        return
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def kill_leftovers(sandbox: Path) -> list[int]:
    """Kill every process still carrying ``sandbox``'s mark in its environment.

    The backstop of the ``"copy"`` level, for a process that left the group
    (``setsid``); with namespaces none can be left. Returns the pids killed.
    """
    import psutil

    killed = []
    for proc in psutil.process_iter():
        try:
            if proc.environ().get(MARK) == str(sandbox):
                proc.kill()
                killed.append(proc.pid)
        except (psutil.Error, OSError):
            continue
    return killed


def new_run_dir() -> Path:
    """A private folder for one grading run's sandboxes."""
    return Path(tempfile.mkdtemp(prefix="coursekit-grade-"))
