"""`make serve` in the real browser: two Streamlit workers behind nginx (deploy/serve.py).

A student's websocket, uploads and media files must all reach the worker that holds the
student's session; nginx pins each browser to one worker with a cookie. Checked here: two
students (two fresh browser contexts) are spread over the two workers and pinned there; pages
render, a slider move redraws over the websocket, an upload reaches the session's worker and
the page uses it; the same upload sent to the other worker is refused (what happens without
stickiness); the supervisor stops everything on SIGTERM, and stops everything with a failure
when a worker dies.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.browser import conftest
from tests.browser.conftest import START_SECONDS, free_port
from tests.browser.test_browser import chart_pictures, charts_drawn, choose, goto, move_k, problems, query
from tests.browser.test_uploads import captions, upload
from tests.helpers import ROOT
from ui.chapters import live

LA = next((c for c in live() if c.prefix == "la"), None)
NGINX = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if Path(p).is_file()),
                                      None)
pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(NGINX is None, reason="no nginx (apt-get install nginx, or `make nginx`)")]
COOKIE = "mfdl_worker"
CSV = ("a,b,c,group\n" + "\n".join(f"{i},{i * 0.5 + (i % 3)},{(i * 7) % 5},{'ab'[i % 2]}" for i in range(40))
       + "\n").encode()


def start(tmp: Path, workers: int) -> tuple[subprocess.Popen, str, Path]:
    """deploy/serve.py on free loopback ports; returns it, its URL and its log, once nginx answers."""
    port = free_port()
    log = tmp / "serve.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "deploy/serve.py", "--workers", str(workers), "--port", str(port),
             "--address", "127.0.0.1", "--run-dir", str(tmp / "run")],
            cwd=ROOT, env=dict(os.environ, STREAMLIT_BROWSER_GATHER_USAGE_STATS="false"),
            stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + START_SECONDS
    while not (tmp / "run" / "serve.json").exists():  # written once nginx answers /_stcore/health
        if proc.poll() is not None:
            pytest.fail(f"serve.py exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        if time.time() > deadline:
            proc.kill()
            pytest.fail(f"serve.py not ready in {START_SECONDS} s:\n{log.read_text()[-3000:]}")
        time.sleep(0.3)
    with urllib.request.urlopen(base + "/_stcore/health", timeout=5) as r:
        assert r.status == 200
    return proc, base, log


def children(tmp: Path) -> dict[str, dict]:
    return {c["name"]: c for c in json.loads((tmp / "run" / "serve.json").read_text())["children"]}


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


@pytest.fixture
def served(tmp_path_factory):
    """Two workers behind nginx; on teardown, SIGTERM must stop all of them with exit status 0."""
    tmp = tmp_path_factory.mktemp("serve")
    proc, base, log = start(tmp, workers=2)
    previous = conftest._server_log.get("path")
    conftest._server_log["path"] = str(log)  # a failing test shows the end of serve.py's output
    try:
        yield base, children(tmp)
    finally:
        if previous:
            conftest._server_log["path"] = previous
        else:
            conftest._server_log.pop("path", None)
        proc.send_signal(signal.SIGTERM)
        try:
            rc = proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
    assert rc == 0, f"serve.py exited with {rc} on SIGTERM:\n{log.read_text()[-2000:]}"
    assert all(gone(c["pid"]) for c in children(tmp).values()), "a child outlived serve.py"


def pinned_worker(page) -> str:
    values = [c["value"] for c in page.context.cookies() if c["name"] == COOKIE]
    assert len(values) == 1, page.context.cookies()
    return values[0]


def put_file(url: str, cookies: dict[str, str], worker: str) -> tuple[int, str]:
    """The browser's upload request (multipart PUT with the XSRF cookie and header), pinned to ``worker``."""
    boundary = "mfdlboundary7"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"again.csv\"\r\n"
            f"Content-Type: text/csv\r\n\r\n").encode() + CSV + f"\r\n--{boundary}--\r\n".encode()
    xsrf = cookies["_streamlit_xsrf"]
    req = urllib.request.Request(url, data=body, method="PUT", headers={
        "Content-Type": f"multipart/form-data; boundary={boundary}", "X-Xsrftoken": xsrf,
        "Cookie": f"_streamlit_xsrf={xsrf}; {COOKIE}={worker}"})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.read().decode(errors="replace")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(errors="replace")


@pytest.mark.skipif(LA is None, reason="the Linear Algebra explorer is not live")
def test_two_students_through_the_proxy_each_pinned_to_a_worker(served, new_page):
    base, workers = served
    assert set(workers) == {"w0", "w1", "nginx"}
    students = []
    for _student in range(2):
        page = new_page()
        goto(page, f"{base}/{LA.url_path}")
        assert not problems(page), problems(page)
        assert charts_drawn(page) >= 1
        students.append((page, pinned_worker(page)))
    # First contact goes to the least busy worker: one student on each.
    assert {w for _, w in students} == {"w0", "w1"}, students

    page = students[0][0]  # a slider move: a rerun over the websocket through nginx redraws the chart
    before = chart_pictures(page)
    k = move_k(page)
    assert query(page.url).get("la_k") == [k], page.url
    charts_drawn(page)
    assert chart_pictures(page) != before, "no chart changed with k"

    for page, worker in students:  # an upload reaches the worker that holds the student's session
        choose(page, "Data", "Upload CSV")
        with page.expect_response(lambda r: "/_stcore/upload_file/" in r.url and r.request.method == "PUT") as put:
            upload(page, "measurements.csv", CSV)
        assert put.value.status == 204, put.value.status
        assert put.value.headers.get("x-mfdl-worker") == worker, put.value.headers
        assert not problems(page), problems(page)
        assert "measurements.csv: 40 rows" in captions(page), captions(page)  # parsed by the student's session
        assert charts_drawn(page) >= 1
        assert pinned_worker(page) == worker  # still pinned after the page's many requests

    # Without the pin the same upload lands on the other worker, which does not know the session.
    page, worker = students[1]
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    other = "w0" if worker == "w1" else "w1"
    status, text = put_file(put.value.url, cookies, other)
    assert status == 400 and "Invalid session_id" in text, (status, text)
    status, text = put_file(put.value.url, cookies, worker)
    assert status == 204, (status, text)


def test_a_dead_worker_stops_the_service(tmp_path):
    proc, _base, log = start(tmp_path, workers=1)
    try:
        kids = children(tmp_path)
        os.kill(kids["w0"]["pid"], signal.SIGKILL)
        rc = proc.wait(30)
    finally:
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
    assert rc == 1, f"serve.py exited with {rc}:\n{log.read_text()[-2000:]}"
    assert "w0 (pid" in log.read_text() and "stopping the others" in log.read_text()
    assert gone(kids["nginx"]["pid"]), "nginx outlived serve.py"
