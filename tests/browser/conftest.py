"""The real server and a headless Chromium for the browser tests.

The server is `streamlit run app.py` on a free loopback port, started once per test session;
the browser is Debian's Chromium driven by Playwright (``playwright install`` is not needed).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import ROOT

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
VIEWPORT = {"width": 1400, "height": 900}
START_SECONDS = 90
_server_log: dict[str, str] = {}  # "path" of the running server's log, for failure reports


def free_port() -> int:
    with contextlib.closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def server() -> Iterator[str]:
    """Base URL of a freshly started dashboard; stopped (and its log shown on failure) at the end."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = dict(os.environ, STREAMLIT_BROWSER_GATHER_USAGE_STATS="false")
    log = tempfile.NamedTemporaryFile("w+", prefix="streamlit-", suffix=".log", delete=False)  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    _server_log["path"] = log.name
    try:
        deadline = time.time() + START_SECONDS
        while True:
            if proc.poll() is not None:
                pytest.fail(f"streamlit exited with {proc.returncode}:\n{Path(log.name).read_text()[-3000:]}")
            with contextlib.suppress(OSError), urllib.request.urlopen(base + "/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    break
            if time.time() > deadline:
                pytest.fail(f"no answer on {base}/_stcore/health in {START_SECONDS} s:\n"
                            f"{Path(log.name).read_text()[-3000:]}")
            time.sleep(0.3)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
        log.close()
        _server_log.pop("path", None)
        with contextlib.suppress(OSError):
            os.unlink(log.name)


@pytest.fixture(scope="session")
def browser():
    if not (Path(CHROMIUM).is_file() or shutil.which(CHROMIUM)):
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium, or `make chromium`)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def new_page(browser):
    """Open pages, each in its own fresh browser context (no shared session or storage)."""
    contexts = []

    def make():
        ctx = browser.new_context(viewport=VIEWPORT)
        ctx.set_default_timeout(60_000)
        contexts.append(ctx)
        return ctx.new_page()

    yield make
    for ctx in contexts:
        ctx.close()


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed browser test shows the end of the server's log: the page only says that an
    error happened (details are redacted in the browser), the traceback is in the log."""
    outcome = yield
    report = outcome.get_result()
    path = _server_log.get("path")
    if report.when == "call" and report.failed and path:
        with contextlib.suppress(OSError):
            report.sections.append(("streamlit server log (last 4000 characters)",
                                    Path(path).read_text(errors="replace")[-4000:]))
