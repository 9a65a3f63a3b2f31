"""Section ``pages``: server-side rerun time after a widget move, with ``streamlit.testing.v1.AppTest``.

Per scenario (see :mod:`bench.scenarios`): a fresh AppTest session opens the page with the scenario's
URL parameters after every Streamlit and ``core``/``ui`` cache has been cleared (the *first run*, cold
but with modules already imported), then moves one widget through many different values, timing each
``run()``. AppTest runs the script in-process exactly as the server does, minus the websocket and the
browser's own drawing, so the figures are the server's share of a slider move.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import logging
import math
import re
import sys
import time
from pathlib import Path
from typing import Any

from bench import BUDGETS
from bench.report import median, p95, secs, table, verdict
from bench.scenarios import SCENARIOS, Scenario

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app.py"
TIMEOUT_S = 120
COMPUTE_LINE = re.compile(r"\bin ([\d.,]+) (ms|s) on (cpu|cuda(?::\d+)?|mps)")
WIDGET_KINDS = ("slider", "select_slider", "selectbox", "radio", "toggle", "number_input", "text_input")


def home_script() -> str:
    """The navigation's default page, as app.py declares it (``st.Page("…", default=True)``)."""
    text = APP.read_text(encoding="utf-8")
    for m in re.finditer(r"st\.Page\(\s*[\"']([^\"']+)[\"']([^)]*)\)", text):
        if re.search(r"default\s*=\s*True", m.group(2)):
            return m.group(1)
    for candidate in ("explorers/home.py", "pages/home.py"):
        if (ROOT / candidate).is_file():
            return candidate
    raise RuntimeError("Could not find the home page in app.py")


def live_chapters() -> list[Any]:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from ui import chapters

    return chapters.live()


def chapter_for(page: str) -> Any | None:
    return next((c for c in live_chapters() if c.prefix == page), None)


def page_label(page: str) -> str:
    if page == "home":
        return "home"
    ch = chapter_for(page)
    return f"ch{ch.number} {ch.url_path}" if ch else f"{page} (not live)"


def all_scenarios(quick: bool = False) -> tuple[list[Scenario], list[str]]:
    """The scenario list plus a plain-rerun scenario for any live chapter that has none yet."""
    notes, out = [], []
    live = {c.prefix: c for c in live_chapters()}
    for sc in SCENARIOS:
        if sc["page"] != "home" and sc["page"] not in live:
            notes.append(f"skipped “{sc['name']}”: no live chapter has the prefix {sc['page']!r}")
            continue
        out.append(sc)
    covered = {sc["page"] for sc in out}
    for prefix, ch in live.items():
        if prefix not in covered:
            out.append({"page": prefix, "tier": "default", "name": f"{ch.explorer} · plain rerun", "params": {},
                        "widget": "rerun", "key": None, "values": [None]})
            notes.append(f"chapter {ch.number} has no scenarios in bench/scenarios.py: only a plain rerun is timed")
    return out, notes


def clear_caches() -> None:
    """Forget every cached computation: Streamlit's caches and the lru_caches of core/ and ui/."""
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()
    for name, mod in list(sys.modules.items()):
        if name.split(".")[0] not in ("core", "ui") or mod is None:
            continue
        for obj in list(vars(mod).values()):
            if isinstance(obj, functools._lru_cache_wrapper) and getattr(obj, "__module__", None) == name:
                obj.cache_clear()
    from ui import compute

    compute.clear()


def _widget(at: Any, kind: str, key: str) -> Any:
    return getattr(at, kind)(key=key)


def find_widget(at: Any, key: str) -> tuple[str, Any] | None:
    for kind in WIDGET_KINDS:
        try:
            return kind, _widget(at, kind, key)
        except KeyError:
            continue
    return None


def page_errors(at: Any) -> list[str]:
    out = [f"exception: {getattr(e, 'message', '') or e.value}" for e in at.exception]
    out += [f"st.error: {e.value}" for e in at.error]
    return [" ".join(str(m).split())[:300] for m in out]


def _same(raw: str, widget: Any) -> bool:
    value = widget.value
    if isinstance(value, bool):
        return raw.strip().lower() == str(value).lower()
    if isinstance(value, int | float):
        try:
            return math.isclose(float(raw), float(value), rel_tol=1e-9, abs_tol=1e-12)
        except ValueError:
            return False
    if str(value) == raw:
        return True
    options, index = getattr(widget, "options", None), getattr(widget, "index", None)
    return bool(options) and index is not None and options[index] == raw


def param_problems(at: Any, params: dict[str, str], tab_key: str | None) -> list[str]:
    """URL parameters the page did not take (it fell back to a default), in words."""
    problems = []
    for key, raw in params.items():
        if key == tab_key:
            continue
        found = find_widget(at, key)
        if found is None:
            problems.append(f"{key}={raw}: no widget with this key on the page")
        elif not _same(str(raw), found[1]):
            problems.append(f"{key}={raw}: the page used {found[1].value!r} instead")
    problems += [f"page note: {c.value}" for c in at.caption if "The link's" in str(c.value)]
    return problems


def compute_lines(at: Any) -> list[str]:
    return [str(c.value).replace(":material/timer:", "").strip() for c in at.caption
            if COMPUTE_LINE.search(str(c.value))]


def run_scenario(sc: Scenario, reps: int, cap_s: float, min_moves: int = 3) -> dict[str, Any]:
    """Open the scenario's page cold, then move its widget ``reps`` times (or until ``cap_s`` of timing)."""
    from streamlit.testing.v1 import AppTest

    ch = None if sc["page"] == "home" else chapter_for(sc["page"])
    tab_key = f"{ch.prefix}_tab" if ch else None
    kind, key = sc.get("widget", "slider"), sc.get("key")
    res: dict[str, Any] = {"page": sc["page"], "tier": sc["tier"], "name": sc["name"], "params": sc["params"],
                           "cap_s": cap_s, "widget": kind, "key": key, "times_s": [], "values": [], "errors": [],
                           "problems": []}
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT_S)
    try:
        if ch is not None:
            at.run()  # register the navigation's pages, so that switch_page can find the chapter
            at.switch_page(ch.page)
        for k, v in sc["params"].items():
            at.query_params[k] = str(v)
        clear_caches()
        t0 = time.perf_counter()
        at.run()
        res["first_run_s"] = time.perf_counter() - t0
    except Exception as exc:  # a timeout or an AppTest error: report it, keep benchmarking the rest
        res["errors"].append(f"first run failed: {type(exc).__name__}: {exc}"[:300])
        return res
    res["errors"] += page_errors(at)
    res["problems"] += param_problems(at, sc["params"], tab_key)
    if kind != "rerun" and find_widget(at, key) is None:
        res["errors"].append(f"no {kind} with key {key!r} on the page (is the tab open?)")
    if res["errors"]:
        return res

    started, skipped = time.perf_counter(), 0
    for value in itertools.cycle(sc["values"]):
        if len(res["times_s"]) >= reps or (time.perf_counter() - started > cap_s and len(res["times_s"]) >= min_moves):
            break
        try:
            if kind != "rerun":
                widget = _widget(at, kind, key)
                if widget.value == value:  # not a move; give up if no listed value is one
                    skipped += 1
                    if skipped >= len(sc["values"]):
                        res["errors"].append(f"every listed value of {key} equals its current value")
                        break
                    continue
                skipped = 0
                widget.set_value(value)
            t0 = time.perf_counter()
            at.run()
            dt = time.perf_counter() - t0
        except Exception as exc:
            res["errors"].append(f"move to {value!r} failed: {type(exc).__name__}: {exc}"[:300])
            break
        errs = page_errors(at)
        if errs:
            res["errors"] += [f"after moving {key} to {value!r}: {e}" for e in errs]
            break
        if kind != "rerun" and _widget(at, kind, key).value != value:
            res["problems"].append(f"moving {key} to {value!r} did not stick")
        res["times_s"].append(dt)
        res["values"].append(value)
    res["compute_lines_last_run"] = compute_lines(at)
    res["timed_s"] = time.perf_counter() - started
    t = res["times_s"]
    res.update(median_s=median(t), p95_s=p95(t), max_s=max(t) if t else math.nan, moves=len(t))
    limit = BUDGETS["rerun_default_p95_s"] if sc["tier"] == "default" else BUDGETS["rerun_largest_p95_s"]
    res["budget_p95_s"] = limit
    res["ok"] = bool(t) and not res["errors"] and res["p95_s"] <= limit
    return res


def share_bytecode_cache() -> float:
    """Make AppTest keep compiled scripts between runs, as the server's Runtime does.

    AppTest builds a new ``ScriptCache`` for every run, so it re-reads, magic-transforms and compiles
    app.py and the page script on every rerun; a real server compiles each once. Returns what that
    costs per rerun of the most expensive page (seconds), for the table's notes.
    """
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    from streamlit.testing.v1 import app_test, local_script_runner

    scripts = [APP, ROOT / home_script()] + [ROOT / c.page for c in live_chapters()]
    costs = []
    for path in scripts:
        t0 = time.perf_counter()
        ScriptCache().get_bytecode(str(path))
        costs.append(time.perf_counter() - t0)
    shared = ScriptCache()
    app_test.ScriptCache = lambda: shared
    local_script_runner.ScriptCache = lambda: shared
    return costs[0] + max(costs[1:], default=0.0)


def warm_up() -> float:
    """Import everything once (Streamlit, the app, torch, every live page) so that first runs measure work,
    not imports; the cold start section measures imports."""
    from streamlit.testing.v1 import AppTest

    t0 = time.perf_counter()
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT_S)
    at.run()
    for ch in live_chapters():
        with contextlib.suppress(Exception):  # a broken page is reported by its scenarios
            at.switch_page(ch.page)
            at.run()
    return time.perf_counter() - t0


def run(quick: bool = False, only: str | None = None, log=print) -> dict[str, Any]:
    # AppTest, driven from the main thread, warns "missing ScriptRunContext" at every setup; errors still show
    logging.disable(logging.WARNING)
    try:
        return _run(quick, only, log)
    finally:
        logging.disable(logging.NOTSET)


def _run(quick: bool, only: str | None, log) -> dict[str, Any]:
    reps, cap = (5, 8.0) if quick else (20, 30.0)
    scenarios, notes = all_scenarios(quick)
    if only:
        scenarios = [s for s in scenarios if only.lower() in s["name"].lower()]
    log("[pages] warming up (imports) ...")
    compile_s = share_bytecode_cache()
    warm = warm_up()
    results = []
    for sc in scenarios:
        if quick and sc.get("heavy"):
            results.append({"page": sc["page"], "tier": sc["tier"], "name": sc["name"], "skipped": "--quick"})
            continue
        log(f"[pages] {page_label(sc['page'])} · {sc['name']} ...")
        results.append(run_scenario(sc, reps, min(cap, sc.get("cap_s", cap))))
    return {"warm_up_s": warm, "compile_s": compile_s, "reps": reps, "cap_s": cap, "notes": notes,
            "scenarios": results}


def render(data: dict[str, Any]) -> str:
    rows, notes = [], list(data["notes"])
    for r in data["scenarios"]:
        label = page_label(r["page"])
        if r.get("skipped"):
            rows.append([label, r["tier"], r["name"], "", "", "", "", "", f"skipped ({r['skipped']})"])
            continue
        limit = r.get("budget_p95_s", BUDGETS["rerun_default_p95_s"] if r["tier"] == "default"
                      else BUDGETS["rerun_largest_p95_s"])
        budget = f"p95 ≤ {secs(limit)}"
        status = "ERROR" if r["errors"] else verdict(r.get("ok"), budget)
        rows.append([label, r["tier"], r["name"], r.get("moves", 0), secs(r.get("first_run_s")),
                     secs(r.get("median_s")), secs(r.get("p95_s")), secs(r.get("max_s")), status])
        for e in r["errors"]:
            notes.append(f"{r['name']}: {e}")
        for p in r["problems"]:
            notes.append(f"{r['name']}: URL/widget problem: {p}")
    for sc in SCENARIOS:
        if sc.get("note"):
            notes.append(f"{sc['name']}: {sc['note']}")
    caps = ", ".join(f"{c:.0f} s" for c in sorted({r["cap_s"] for r in data["scenarios"] if "cap_s" in r},
                                                     reverse=True))
    notes.append(f"first run = fresh session, every st.cache_* and core/ui lru_cache cleared, modules already "
                 f"imported (warm-up took {secs(data['warm_up_s'])}); median/p95/max over the timed moves, "
                 f"each to a different value ({data['reps']} moves, or fewer (at least 3) once the scenario's "
                 f"timing cap is spent: {caps}); p95 is nearest-rank, so with < 20 moves it is the max")
    notes.append(f"compiled scripts are kept between runs as a real server keeps them (plain AppTest recompiles "
                 f"app.py and the page on every run: +{secs(data['compile_s'])} per rerun, not counted here)")
    return table("Rerun after a widget move, server side (AppTest, this machine's CPU)",
                 ["page", "tier", "scenario", "moves", "first run", "median", "p95", "max", "budget"],
                 rows, notes, right=(3, 4, 5, 6, 7))
