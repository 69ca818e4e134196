"""Run one submitted notebook inside its sandbox and report the answers as data.

The grader starts this file as a script (``python runner.py enter|run SPEC``)
in the submission's copy of the course; it imports nothing of coursekit, so
that a notebook cannot change how it works.

``enter`` runs first when the grader isolates with Linux namespaces: in its
own namespaces it builds the notebook's root from an allow-list (see
:func:`enter`), enters it, gives up every capability and runs ``run``. When
``run`` ends, the PID namespace ends with it, and with it every process the
notebook started, detached or not.

``run`` executes the notebook cell by cell with nbclient (a fresh kernel,
time limits, errors counted and the run going on, as Jupyter's "Restart and
run all"). After each cell that calls ``qN.check()`` it runs one more cell
that takes question N's variables out of the kernel as JSON data; at the end
it takes those of the questions never checked. It prints one line: the token
of its spec followed by the JSON report. The grader judges that data in its
own process; nothing the kernel says about correctness is read.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ANSWERS_MIME = "application/vnd.coursekit.answers+json"
_TIMEOUT_NAME = "CellTimeout"


def _mount(*args: str, pass_fds: tuple[int, ...] = ()) -> None:
    done = subprocess.run(["mount", *args], capture_output=True, text=True, pass_fds=pass_fds,
                          check=False)
    if done.returncode != 0:
        raise RuntimeError(f"mount {' '.join(args)}: {done.stderr.strip()}")


_SYSTEM = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
# what programs read from /etc (libraries, users, time zone, fonts), not all of it
_ETC = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "timezone", "passwd",
        "group", "nsswitch.conf", "hosts", "fonts", "ssl", "mime.types", "alternatives")
_DEVICES = ("null", "zero", "random", "urandom")


def _bind(source: str, target: Path, *, writable: bool = False) -> None:
    """``source`` at ``target`` inside the new root, read-only unless ``writable``."""
    if os.path.islink(source):  # /bin -> usr/bin on a merged /usr: the same link
        target.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(os.readlink(source), target)
        return
    if os.path.isdir(source):
        target.mkdir(parents=True, exist_ok=True)
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.touch()
    _mount("--rbind", source, str(target))
    if not writable:
        _mount("-o", "remount,bind,ro", str(target))


def enter(spec: dict[str, Any]) -> None:
    """Build the notebook's root from an allow-list, enter it, drop privileges.

    The new root holds only the system folders, the Python installation and
    the virtual environment (read-only), the sandbox's copy of the course
    (read-only), a fresh ``/proc`` of this PID namespace, four harmless
    devices, and the notebook's folder on a size-limited memory file system.
    Everything else (the course, its solutions and history, the submissions,
    the grades, other users' files) does not exist in it. There is no network
    either (the namespace has none); the kernel talks to the runner over
    Unix sockets in the notebook's folder.
    """
    sandbox, work = Path(spec["sandbox"]), Path(spec["work"])
    root = sandbox / "root"
    _mount("-t", "tmpfs", "-o", "size=1m,mode=755", "coursekit-root", str(root))
    # /tmp first: the environment, the sandbox and its folders may all lie under /tmp
    (root / "tmp").mkdir()
    _mount("-t", "tmpfs", "-o", "size=64m,mode=1777", "coursekit-tmp", str(root / "tmp"))
    allowed = [p for p in _SYSTEM if os.path.lexists(p)]
    allowed += [f"/etc/{name}" for name in _ETC if os.path.lexists(f"/etc/{name}")]
    allowed += [sys.prefix, sys.base_prefix, str(Path(sys.executable).resolve().parent.parent)]
    for path in dict.fromkeys(allowed):
        if os.path.lexists(path) and not (root / path.lstrip("/")).exists():
            _bind(path, root / path.lstrip("/"))
    for hidden in spec["hide_dirs"]:  # e.g. the installed package, inside the environment
        target = root / hidden.lstrip("/")
        if target.is_dir():
            _mount("-t", "tmpfs", "-o", "ro,size=4k,mode=555", "coursekit-hidden", str(target))
    (root / "proc").mkdir()
    _mount("-t", "proc", "proc", str(root / "proc"))
    (root / "dev").mkdir()
    _mount("-t", "tmpfs", "-o", "size=64k,mode=755", "coursekit-dev", str(root / "dev"))
    for device in _DEVICES:
        _bind(f"/dev/{device}", root / "dev" / device, writable=True)
    (root / "dev" / "shm").mkdir()
    _mount("-t", "tmpfs", "-o", "size=64m,mode=1777", "coursekit-shm", str(root / "dev" / "shm"))
    course = sandbox / "course"
    _bind(str(course), root / str(course).lstrip("/"))
    _bind(spec["spec_path"], root / spec["spec_path"].lstrip("/"))
    inner_work = root / str(work).lstrip("/")
    inner_work.mkdir(parents=True, exist_ok=True)
    _mount("-t", "tmpfs", "-o", f"size={spec['work_size']},mode=755", "coursekit-work",
           str(inner_work))
    subprocess.run(["cp", "-a", f"{work}/.", str(inner_work)], check=True)
    _mount("-o", "remount,ro,size=1m", str(root))
    os.chroot(root)
    os.chdir(work)
    os.execvp("setpriv", ["setpriv", "--bounding-set=-all", "--inh-caps=-all",
                          "--no-new-privs", "--", sys.executable, __file__, "run",
                          spec["spec_path"]])


def _no_prying() -> None:
    """Make this process non-dumpable: then no process without privileges, the
    kernel included, can open its ``/proc/<pid>/fd`` (the report goes out there)."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE, 0


def _capture_source(questions: dict[str, list[str]]) -> str:
    return ("import coursekit.grade.answers as _coursekit_answers\n"
            f"_coursekit_answers.capture(globals(), {json.dumps(questions)})")


def _payload(cell: Any) -> dict[str, Any]:
    for output in cell.get("outputs", []):
        data = output.get("data", {})
        if ANSWERS_MIME in data:
            value = data[ANSWERS_MIME]
            value = json.loads(value) if isinstance(value, str) else value
            return value if isinstance(value, dict) else {}
    return {}


def run(spec: dict[str, Any]) -> dict[str, Any]:
    """Execute the notebook and gather the answers; never raises for the notebook's sake."""
    import nbformat
    from jupyter_client.manager import AsyncKernelManager
    from nbclient import NotebookClient

    if spec.get("isolated"):
        _no_prying()
    report: dict[str, Any] = {"cells": 0, "cell_errors": 0, "timeouts": 0, "skipped": 0,
                              "problem": "", "answers": {}, "checked": []}
    nb = nbformat.read(spec["notebook"], as_version=4)
    questions: dict[str, list[str]] = spec["questions"]
    captures: dict[str, list[str]] = spec["captures"]
    code = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    report["cells"] = len(code)
    for i in code:
        nb.cells[i].outputs, nb.cells[i].execution_count = [], None
    runtime = Path(os.environ.get("JUPYTER_RUNTIME_DIR", os.getcwd()))
    km = AsyncKernelManager(kernel_name=spec["kernel"], transport="ipc",  # no network needed
                       ip=str(runtime / "kernel"))
    client = NotebookClient(
        nb, km=km, kernel_name=spec["kernel"], allow_errors=True, interrupt_on_timeout=True,
        error_on_timeout={"ename": _TIMEOUT_NAME, "evalue": "interrupted", "traceback": []},
        resources={"metadata": {"path": os.getcwd()}},
    )
    learner_cells = {id(nb.cells[i]) for i in code}

    def on_error(cell: Any, cell_index: int, execute_reply: dict[str, Any]) -> None:
        if id(cell) in learner_cells:
            report["cell_errors"] += 1
            report["timeouts"] += execute_reply["content"].get("ename") == _TIMEOUT_NAME

    client.on_cell_error = on_error

    def take(qids: list[str], timeout: float) -> None:
        cell = nbformat.v4.new_code_cell(_capture_source({q: questions[q] for q in qids}))
        client.timeout = max(1, int(timeout))
        nb.cells.append(cell)  # nbclient writes the outputs into the notebook's own list
        try:
            client.execute_cell(cell, len(nb.cells) - 1)
        finally:
            nb.cells.pop()
        for qid, values in _payload(cell).items():
            if qid in questions and isinstance(values, dict):
                report["answers"][qid] = values

    try:
        with client.setup_kernel(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL):
            deadline = time.monotonic() + spec["budget"]
            for done, index in enumerate(code):
                left = deadline - time.monotonic()
                if left <= 0:
                    report["skipped"] = len(code) - done
                    break
                client.timeout = max(1, int(min(spec["cell_timeout"], left)))
                client.execute_cell(nb.cells[index], index)
                checked = captures.get(str(index), [])
                if checked:
                    take(checked, spec["cell_timeout"])
                    report["checked"] = sorted(set(report["checked"]) | set(checked))
            rest = [q for q in questions if q not in report["checked"]]
            if rest:
                take(rest, spec["cell_timeout"])
    except Exception as exc:  # noqa: BLE001 - a dead kernel is reported, not raised
        report["problem"] = f"the run stopped: {type(exc).__name__}: {exc}".strip()
    return report


def main(argv: list[str]) -> int:
    stage, spec_path = argv[1], argv[2]
    spec = json.loads(Path(spec_path).read_text(encoding="utf-8"))
    spec["spec_path"] = spec_path
    if stage == "enter":
        enter(spec)  # does not return: it runs the "run" stage without privileges
        return 1
    report = run(spec)
    sys.stdout.write(spec["token"] + json.dumps(report) + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
