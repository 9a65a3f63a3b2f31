"""Sections ``cold`` and ``memory``: the real server (``streamlit run app.py``) driven by headless Chromium.

*Cold start*: from launching the server process to the home page rendered in the browser, i.e. its
title text is inside ``[data-testid='stApp']``, no ``stStatusWidget`` (the "running" indicator) and
no skeleton is showing, and that has held for a moment (the indicator can appear a little after the
first text). The browser is started before the clock; each repetition gets a fresh server, port and
browser context.

*Memory*: in the last of those servers, every page and every tab is visited (then every page at its
largest settings), and the server's peak resident set (``VmHWM``) and current ``VmRSS`` are read from
``/proc/<pid>/status``, child processes included.

Without Playwright or Chromium both fall back to clearly labelled substitutes (see ``--help``).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from bench import BUDGETS
from bench.report import mib, secs, table, verdict
from bench.reruns import APP, COMPUTE_LINE, ROOT, live_chapters
from bench.scenarios import SCENARIOS

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
HOME_TEXT = "Mathematical Foundations for Deep Learning"
STABLE_S = 1.0  # the rendered state must hold this long (the running indicator may show up late)

STATE_JS = """(text) => {
  const app = document.querySelector("[data-testid='stApp']");
  return {
    app: !!app,
    text: !!app && app.innerText.includes(text),
    running: !!document.querySelector("[data-testid='stStatusWidget']"),
    skeletons: document.querySelectorAll("[data-testid='stSkeleton']").length,
    exceptions: document.querySelectorAll("[data-testid='stException']").length,
    spinner: !!document.querySelector("[data-testid='stSpinner']"),
  };
}"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _proc_children() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(")") + 2:].split()[1])
        kids.setdefault(ppid, []).append(int(entry))
    return kids


def process_memory(pid: int) -> dict[str, Any]:
    """VmHWM (peak RSS) and VmRSS of ``pid`` and all its descendants, in bytes."""
    kids = _proc_children()
    todo, pids = [pid], []
    while todo:
        p = todo.pop()
        pids.append(p)
        todo += kids.get(p, [])
    per = []
    for p in pids:
        fields: dict[str, int] = {}
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                name, _, rest = line.partition(":")
                if name in ("VmHWM", "VmRSS"):
                    fields[name] = int(rest.split()[0]) * 1024
        if fields:
            per.append({"pid": p, **fields})
    return {"processes": per, "vmhwm_bytes": sum(x.get("VmHWM", 0) for x in per),
            "vmrss_bytes": sum(x.get("VmRSS", 0) for x in per)}


class Server:
    """``python -m streamlit run app.py`` on a free loopback port."""

    def __init__(self) -> None:
        self.port = free_port()
        # open for the server's whole life; stop() closes and removes it
        self.log = tempfile.NamedTemporaryFile("w+", prefix="bench-streamlit-", suffix=".log", delete=False)  # noqa: SIM115
        self.proc: subprocess.Popen | None = None
        self.t0 = 0.0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        env = {**os.environ, "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}
        cmd = [sys.executable, "-m", "streamlit", "run", str(APP), "--server.headless", "true",
               "--server.port", str(self.port), "--server.address", "127.0.0.1"]
        self.t0 = time.perf_counter()
        self.proc = subprocess.Popen(cmd, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT, env=env)

    def log_tail(self, n: int = 15) -> str:
        self.log.flush()
        return "\n".join(Path(self.log.name).read_text(errors="replace").splitlines()[-n:])

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def wait_healthy(self, timeout_s: float = 60.0) -> float:
        """Seconds from start() until /_stcore/health answers 200."""
        deadline = time.perf_counter() + timeout_s
        while time.perf_counter() < deadline:
            if not self.alive():
                raise RuntimeError(f"the server exited (rc={self.proc.returncode}):\n{self.log_tail()}")
            with contextlib.suppress(OSError), urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=1) as r:
                if r.status == 200:
                    return time.perf_counter() - self.t0
            time.sleep(0.02)
        raise TimeoutError(f"no health answer within {timeout_s:.0f} s:\n{self.log_tail()}")

    def memory(self) -> dict[str, Any]:
        return process_memory(self.proc.pid)

    def stop(self) -> None:
        if self.alive():
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.log.close()
        with contextlib.suppress(OSError):
            os.unlink(self.log.name)


def wait_rendered(page: Any, text: str, timeout_s: float, server: Server | None = None) -> tuple[float, dict]:
    """perf_counter() time at which the page became (and stayed) rendered, and its final state, with
    ``first_app``/``first_text`` (perf_counter() times the app shell and the text first showed)."""
    deadline = time.perf_counter() + timeout_s
    ok_since, state, first = None, {}, {}
    while True:
        now = time.perf_counter()
        with contextlib.suppress(Exception):  # the page may be mid-navigation
            state = page.evaluate(STATE_JS, text)
        for key in ("app", "text", "spinner"):
            if state.get(key):
                first.setdefault(f"first_{key}", now)
        ok = bool(state) and state["text"] and not state["running"] and state["skeletons"] == 0
        if ok and ok_since is None:
            ok_since = now
        elif not ok:
            ok_since = None
        if ok_since is not None and now - ok_since >= STABLE_S:
            return ok_since, {**state, **first}
        if now > deadline:
            raise TimeoutError(f"not rendered within {timeout_s:.0f} s (last state {state})")
        if server is not None and not server.alive():
            raise RuntimeError(f"the server died:\n{server.log_tail()}")
        time.sleep(0.02)


def launch_browser() -> tuple[Any, Any]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        raise FileNotFoundError(f"{CHROMIUM} is missing")
    pw = sync_playwright().start()
    try:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    except Exception:
        pw.stop()
        raise
    return pw, browser


def visits(largest: bool) -> list[dict[str, Any]]:
    """Home, every live chapter's every tab (tabs are the <prefix>_tab values the scenarios use), and,
    when ``largest``, every page again at each of its largest-tier scenario settings."""
    out = [{"label": "home", "settings": "default", "path": "/", "text": HOME_TEXT}]
    for ch in live_chapters():
        tab_key = f"{ch.prefix}_tab"
        scs = [s for s in SCENARIOS if s["page"] == ch.prefix]
        tabs = list(dict.fromkeys(s["params"][tab_key] for s in scs if tab_key in s["params"])) or [None]
        for tab in tabs:
            query = f"?{urlencode({tab_key: tab})}" if tab else ""
            out.append({"label": f"ch{ch.number} {tab or ch.url_path}", "settings": "default",
                        "path": f"/{ch.url_path}{query}", "text": ch.explorer})
        if largest:
            seen = set()
            for s in scs:
                if s["tier"] != "largest" or not s["params"]:
                    continue
                path = f"/{ch.url_path}?{urlencode(s['params'])}"
                if path not in seen:
                    seen.add(path)
                    out.append({"label": f"ch{ch.number} {s['name']}", "settings": "largest", "path": path,
                                "text": ch.explorer})
    return out


def run(do_cold: bool, do_memory: bool, quick: bool, log=print) -> dict[str, Any]:
    out: dict[str, Any] = {}
    try:
        pw, browser = launch_browser()
    except Exception as exc:
        log(f"[browser] Chromium via Playwright is unavailable ({type(exc).__name__}: {exc}); using fallbacks")
        return fallback(do_cold, do_memory, reason=f"{type(exc).__name__}: {exc}", log=log)
    server = None
    try:
        reps = 1 if quick else 3
        if do_cold:
            out["cold"] = {"method": "chromium", "starts": []}
            for i in range(reps):
                log(f"[cold] start {i + 1}/{reps} ...")
                if server is not None:
                    server.stop()
                server = Server()
                out["cold"]["starts"].append(_cold_once(browser, server))
        if do_memory:
            if server is None:
                server = Server()
                server.start()
                server.wait_healthy()
            out["memory"] = _memory(browser, server, largest=not quick, log=log)
            if not quick and server.alive():
                out["memory"]["after_class"] = _class_on_top(server, log)
    finally:
        if server is not None:
            server.stop()
        browser.close()
        pw.stop()
    return out


def _cold_once(browser: Any, server: Server) -> dict[str, Any]:
    context = browser.new_context()
    try:
        page = context.new_page()
        server.start()
        health = server.wait_healthy()
        t_nav = time.perf_counter()
        page.goto(server.url + "/", wait_until="commit")
        rendered_at, state = wait_rendered(page, HOME_TEXT, 60, server)
        return {"health_s": health, "rendered_s": rendered_at - server.t0,
                "navigate_to_render_s": rendered_at - t_nav, "exceptions": state.get("exceptions", 0),
                "app_shell_s": state["first_app"] - server.t0, "title_shown_s": state["first_text"] - server.t0}
    except Exception as exc:
        return {"error": f"{type(exc).__name__}: {exc}"[:500]}
    finally:
        context.close()


def _memory(browser: Any, server: Server, largest: bool, log=print) -> dict[str, Any]:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    rows = []
    try:
        for v in visits(largest):
            log(f"[memory] visiting {v['label']} ({v['settings']}) ...")
            row = {**v}
            t0 = time.perf_counter()
            try:
                page.goto(server.url + v["path"], wait_until="commit")
                done, state = wait_rendered(page, v["text"], 300, server)
                row["render_s"] = done - t0
                row["exceptions"] = state.get("exceptions", 0)
                row["spinner_seen"] = "first_spinner" in state
                text = page.inner_text("[data-testid='stApp']")
                row["compute_lines"] = [re.sub(r"^(timer|⏱)\s*", "", " ".join(m.group(0).split())) for m in
                                        re.finditer(r"[^\n]*" + COMPUTE_LINE.pattern + r"[^\n]*", text)]
            except Exception as exc:
                row["error"] = f"{type(exc).__name__}: {exc}"[:400]
            if server.alive():
                row["memory"] = server.memory()
            rows.append(row)
            if not server.alive():
                break
    finally:
        context.close()
    defaults = [r for r in rows if r["settings"] == "default" and "memory" in r]
    return {"method": "chromium", "visits": rows,
            "after_defaults": defaults[-1]["memory"] if defaults else None,
            "after_all": rows[-1].get("memory") if rows else None}


def _class_on_top(server: Server, log=print) -> dict[str, Any] | None:
    """Then a class of 30 on every page's default view (bench.classroom, 2 moves each), all sessions kept
    open until the class is done: what one process holds with every page visited at its largest settings
    *and* a class connected."""
    from concurrent.futures import ThreadPoolExecutor

    from bench.classroom import pages, scenario

    errors = 0
    with ThreadPoolExecutor(1) as pool:  # Playwright's sync API keeps an event loop running in this thread
        for path, label in pages():
            log(f"[memory] a class of 30 on {label} ...")
            errors += pool.submit(scenario, server.url, [server.proc.pid], path, "", 30, moves=2, ramp=5,
                                  think=1).result()["errors"]
    return {**server.memory(), "class_errors": errors} if server.alive() else None


# ---------------------------------------------------------------- fallbacks (no Chromium / Playwright)

_APPTEST_COLD = """
import time, sys
t0 = time.perf_counter()
from streamlit.testing.v1 import AppTest
at = AppTest.from_file(sys.argv[1], default_timeout=120)
at.run()
print(time.perf_counter() - t0)
"""

_APPTEST_ALL = """
import json, os, sys
from urllib.parse import parse_qsl
sys.path.insert(0, sys.argv[2])
from streamlit.testing.v1 import AppTest
from bench.browser import process_memory, visits
from bench.reruns import live_chapters
chapters = {"/" + ch.url_path: ch for ch in live_chapters()}
for v in visits(largest=False):
    path, _, query = v["path"].partition("?")
    at = AppTest.from_file(sys.argv[1], default_timeout=300)
    at.run()
    if path in chapters:
        at.switch_page(chapters[path].page)
        for k, val in parse_qsl(query):
            at.query_params[k] = val
        at.run()
print(json.dumps(process_memory(os.getpid())))
"""


def fallback(do_cold: bool, do_memory: bool, reason: str, log=print) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if do_cold:
        server = Server()
        try:
            server.start()
            health = server.wait_healthy()
        finally:
            server.stop()
        t0 = time.perf_counter()
        res = subprocess.run([sys.executable, "-c", _APPTEST_COLD, str(APP)], cwd=ROOT, capture_output=True,
                             text=True, timeout=300)
        first = float(res.stdout.strip().splitlines()[-1]) if res.returncode == 0 else None
        out["cold"] = {"method": f"fallback (no Chromium: {reason})", "starts": [{
            "health_s": health, "apptest_first_run_s": first, "process_s": time.perf_counter() - t0,
            "rendered_s": health + first if first is not None else None}]}
    if do_memory:
        log("[memory] fallback: AppTest over every page and tab in a fresh process ...")
        res = subprocess.run([sys.executable, "-c", _APPTEST_ALL, str(APP), str(ROOT)], cwd=ROOT,
                             capture_output=True, text=True, timeout=600)
        mem = json.loads(res.stdout.strip().splitlines()[-1]) if res.returncode == 0 else None
        out["memory"] = {"method": f"fallback (no Chromium: {reason}): one process running AppTest over every "
                                   "page and tab", "visits": [], "after_defaults": mem, "after_all": None,
                         "error": None if mem else res.stderr[-500:]}
    return out


def render_cold(data: dict[str, Any]) -> str:
    starts, notes, rows = data["starts"], [], []
    budget = f"≤ {BUDGETS['cold_start_s']:.0f} s"
    chromium = data["method"] == "chromium"
    for i, s in enumerate(starts, 1):
        if "error" in s:
            rows.append([i, "—", "—", "—", "—", f"ERROR: {s['error']}"])
            continue
        ok = s.get("rendered_s") is not None and s["rendered_s"] <= BUDGETS["cold_start_s"]
        if chromium:
            rows.append([i, secs(s["health_s"]), secs(s["app_shell_s"]), secs(s["title_shown_s"]),
                         secs(s["rendered_s"]), verdict(ok, budget)])
        else:
            rows.append([i, secs(s["health_s"]), secs(s.get("apptest_first_run_s")), "—", secs(s.get("rendered_s")),
                         verdict(ok, budget)])
    good = [s["rendered_s"] for s in starts if s.get("rendered_s") is not None]
    if good:
        worst = max(good)
        rows.append(["worst", "", "", "", secs(worst), verdict(worst <= BUDGETS["cold_start_s"], budget)])
    if chromium:
        notes.append("times from launching `python -m streamlit run app.py`: /_stcore/health answers 200 → "
                     "[data-testid='stApp'] exists → the home title is in it → rendered = title shown, no "
                     f"stStatusWidget (script finished) and no skeleton, held for {STABLE_S:.0f} s (the time is when "
                     "it first held); Chromium launched before the clock, fresh server and browser context per start")
        heads = ["start", "server healthy", "app shell", "title shown", "rendered (idle)", "budget"]
    else:
        notes.append(f"MEASURED WITHOUT A BROWSER — {data['method']}: server health time + the first AppTest "
                     "run of the home page in a fresh process (imports included); not a rendered page")
        heads = ["start", "server healthy", "AppTest first run", "", "sum", "budget"]
    if any(s.get("exceptions") for s in starts):
        notes.append("the home page showed an stException element")
    return table("Cold start to first rendered home page", heads, rows, notes, right=(1, 2, 3, 4))


def render_memory(data: dict[str, Any]) -> str:
    out, notes = [], []
    if data.get("visits"):
        rows = []
        for v in data["visits"]:
            mem = v.get("memory") or {}
            status = v.get("error") or (f"{v['exceptions']} stException" if v.get("exceptions") else "ok")
            spinner = {True: "yes", False: "no"}.get(v.get("spinner_seen"), "—")
            rows.append([v["label"], v["settings"], secs(v.get("render_s")), spinner, mib(mem.get("vmrss_bytes")),
                         mib(mem.get("vmhwm_bytes")), "; ".join(v.get("compute_lines") or []) or "—", status])
        out.append(table("Pages visited in Chromium (same server, in order)",
                         ["visit", "settings", "load → rendered", "spinner", "RSS after", "peak so far",
                          "the page's compute line", "status"], rows,
                         ["load → rendered: goto → the chapter's title shown and the script finished (held 1 s); "
                          "spinner: an stSpinner was seen meanwhile; compute line: what the page says it computed"],
                         right=(2, 4, 5)))
    limit = BUDGETS["memory_bytes"]
    rows = []
    for label, key in (("every page and tab, default settings", "after_defaults"),
                       ("… then every page at its largest settings", "after_all"),
                       ("… then a class of 30 on every page", "after_class")):
        mem = data.get(key)
        if mem is None or (key == "after_all" and all(v["settings"] == "default" for v in data["visits"])):
            continue
        ok = mem["vmhwm_bytes"] <= limit
        rows.append([label, len(mem["processes"]), mib(mem["vmrss_bytes"]), mib(mem["vmhwm_bytes"]),
                     verdict(ok, "peak ≤ 1 GiB")])
    if data.get("after_class", {}) and data["after_class"].get("class_errors"):
        notes.append(f"the class saw errors: {data['after_class']['class_errors']} viewers")
    notes.append(f"method: {data['method']}; VmHWM/VmRSS from /proc/<pid>/status, summed over the process "
                 "and its children")
    if data.get("error"):
        notes.append(f"error: {data['error']}")
    title = "Resident memory of the server" if data["method"] == "chromium" else \
        "Resident memory (FALLBACK: an AppTest process, not the server)"
    out.append(table(title, ["after", "processes", "RSS now", "peak RSS (VmHWM)", "budget"],
                     rows, notes, right=(1, 2, 3)))
    return "\n".join(out)
