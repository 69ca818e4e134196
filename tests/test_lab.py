"""`make lab` serves the whole course folder and opens on the start page."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TOKEN = "course-test"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str):
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        return opener.open(url, timeout=5)
    except urllib.error.HTTPError as err:  # a 302 arrives as an "error" without redirects
        return err


def test_make_lab_serves_the_course_from_its_root():
    port = _free_port()
    args = (f"--no-browser --ServerApp.port={port} --ServerApp.token={TOKEN} "
            "--ServerApp.ip=127.0.0.1")
    proc = subprocess.Popen(
        ["make", "--no-print-directory", "lab", f"LAB_ARGS={args}"],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            assert proc.poll() is None, proc.stderr.read().decode("utf-8", "replace")[-2000:]
            try:
                start = _get(f"{base}/api/contents/notebooks/00_welcome.ipynb"
                             f"?content=0&token={TOKEN}")
                break
            except OSError:
                assert time.monotonic() < deadline, "JupyterLab did not answer in 90 s"
                time.sleep(0.5)
        assert start.status == 200
        listing = json.load(_get(f"{base}/api/contents?token={TOKEN}"))
        folders = {item["name"] for item in listing["content"] if item["type"] == "directory"}
        assert {"notebooks", "exercises", "solutions", "datasets"} <= folders
        landing = _get(f"{base}/?token={TOKEN}")
        assert landing.status == 302
        assert "/lab/tree/notebooks/00_welcome.ipynb" in landing.headers["Location"]
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
