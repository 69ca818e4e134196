"""Run one submitted notebook inside its sandbox and report the answers as data.

The grader starts this file as a script (``python runner.py enter|run SPEC``)
in the submission's copy of the course; it imports nothing of coursekit, so
that a notebook cannot change how it works.

``enter`` runs first when the grader isolates with Linux namespaces: in its
own mount and PID namespace it makes every mount read-only, hides the
solutions, the submitted notebooks and the other sandboxes, leaves only the
notebook's own folder writable, then gives up every capability and runs
``run``. When ``run`` ends, the PID namespace ends with it, and with it every
process the notebook started, detached or not.

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
_PSEUDO = ("/proc", "/sys", "/dev")


def _unescape(text: str) -> str:
    """A mount point as /proc/self/mountinfo writes it (spaces as \\040) made plain."""
    out, i = [], 0
    while i < len(text):
        if text[i] == "\\" and text[i + 1:i + 4].isdigit():
            out.append(chr(int(text[i + 1:i + 4], 8)))
            i += 4
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def _mounts() -> list[tuple[str, list[str]]]:
    rows = []
    with open("/proc/self/mountinfo", encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            rows.append((_unescape(parts[4]), parts[5].split(",")))
    return rows


def _mount(*args: str, pass_fds: tuple[int, ...] = ()) -> None:
    done = subprocess.run(["mount", *args], capture_output=True, text=True, pass_fds=pass_fds,
                          check=False)
    if done.returncode != 0:
        raise RuntimeError(f"mount {' '.join(args)}: {done.stderr.strip()}")


def enter(spec: dict[str, Any]) -> None:
    """Make the mounts read-only, hide what the notebook must not read, drop privileges."""
    sandbox, work, run_dir = Path(spec["sandbox"]), Path(spec["work"]), Path(spec["run_dir"])
    keep = os.open(sandbox, os.O_RDONLY | os.O_DIRECTORY)
    for point, options in _mounts():
        flags = [o for o in options if o in {"nosuid", "nodev", "noexec", "noatime",
                                              "nodiratime", "relatime", "strictatime"}]
        try:
            _mount("-o", ",".join(["remount", "bind", "ro", *flags]), point)
        except RuntimeError:
            if not point.startswith(_PSEUDO):
                raise
    for folder in spec["hide_dirs"]:
        if Path(folder).is_dir():
            _mount("-t", "tmpfs", "-o", "ro,size=4k,mode=555", "coursekit-hidden", folder)
    for file in spec["hide_files"]:  # an empty read-only file in their place
        if Path(file).is_file():
            _mount("--bind", str(sandbox / "hidden"), file)
    # the other sandboxes of this run: an empty folder over them all, then this one back
    _mount("-t", "tmpfs", "-o", "size=64k,mode=755", "coursekit-sandboxes", str(run_dir))
    (run_dir / sandbox.name).mkdir()
    _mount("--no-canonicalize", "--bind", f"/proc/self/fd/{keep}", str(run_dir / sandbox.name),
           pass_fds=(keep,))
    _mount("-o", "remount,ro,size=64k", str(run_dir))
    os.close(keep)
    _mount("--bind", str(work), str(work))
    _mount("-o", "remount,bind,rw", str(work))
    if Path("/dev/shm").is_dir():
        _mount("-t", "tmpfs", "-o", "size=64m,mode=1777", "coursekit-shm", "/dev/shm")
    os.chdir(work)
    os.execvp("setpriv", ["setpriv", "--bounding-set=-all", "--inh-caps=-all",
                          "--no-new-privs", "--", sys.executable, __file__, "run",
                          spec["spec_path"]])


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
    from nbclient import NotebookClient

    report: dict[str, Any] = {"cells": 0, "cell_errors": 0, "timeouts": 0, "skipped": 0,
                              "problem": "", "answers": {}, "checked": []}
    nb = nbformat.read(spec["notebook"], as_version=4)
    questions: dict[str, list[str]] = spec["questions"]
    captures: dict[str, list[str]] = spec["captures"]
    code = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    report["cells"] = len(code)
    for i in code:
        nb.cells[i].outputs, nb.cells[i].execution_count = [], None
    client = NotebookClient(
        nb, kernel_name=spec["kernel"], allow_errors=True, interrupt_on_timeout=True,
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
