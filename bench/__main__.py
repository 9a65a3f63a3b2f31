"""``python -m bench [--quick] [--section {pages,cold,memory,core,classroom,all}] [--json PATH]``, from the repo
root. ``all`` leaves out ``classroom`` (minutes of load on the machine): ask for it by name."""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SECTIONS = ("pages", "cold", "memory", "core", "classroom")
DEFAULT_SECTIONS = ("pages", "cold", "memory", "core")


def _parse(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m bench",
                                 description="The dashboard's rerun latency, cold start, memory and core "
                                             "compute-vs-reference ratios, judged against DESIGN.md's budgets.",
                                 epilog="Budgets: DESIGN.md. Without Playwright/Chromium the cold start is "
                                        "server health + a cold AppTest run, and memory is one AppTest process "
                                        "visiting every page; both are labelled so in the output.")
    ap.add_argument("--quick", action="store_true",
                    help="fewer repetitions, skips the heaviest scenarios (a smoke test)")
    ap.add_argument("--section", action="append", choices=(*SECTIONS, "all"),
                    help="what to measure (repeatable; default: all)")
    ap.add_argument("--json", metavar="PATH", help="also write every figure as JSON to PATH")
    ap.add_argument("--only", metavar="TEXT", help="pages section: only scenarios whose name contains TEXT")
    ap.add_argument("--wait-quiet", type=float, default=15.0, metavar="S",
                    help="before each section wait up to S seconds for other processes to leave the CPUs idle "
                         "(default 15; 0 = don't wait)")
    ap.add_argument("--viewers", default="1,10,30", metavar="N,N",
                    help="classroom section: class sizes (default 1,10,30)")
    ap.add_argument("--moves", type=int, default=5, help="classroom: slider moves per viewer (default 5)")
    ap.add_argument("--ramp", type=float, default=5.0, help="classroom: seconds over which viewers arrive (default 5)")
    ap.add_argument("--think", type=float, default=3.0, help="classroom: mean seconds between moves (default 3)")
    ap.add_argument("--url", help="classroom: measure an already running server (loopback), e.g. behind make serve")
    ap.add_argument("--server-pid", default="", metavar="PID,PID",
                    help="classroom with --url: the server's processes, for CPU and memory")
    ap.add_argument("--verbose", "-v", action="store_true", help="print progress to stderr")
    return ap.parse_args(argv)


def _machine() -> dict[str, Any]:
    import torch

    return {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count(),
            "torch": torch.__version__, "torch_threads": torch.get_num_threads(),
            "cuda": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None,
            "time": time.strftime("%Y-%m-%d %H:%M:%S")}


def _clean(obj: Any) -> Any:
    """JSON-safe: NaN → null, numpy scalars → Python."""
    if isinstance(obj, dict):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_clean(v) for v in obj]
    if isinstance(obj, float) and math.isnan(obj):
        return None
    if hasattr(obj, "item") and callable(obj.item):
        return obj.item()
    return obj


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)
    os.environ.setdefault("STREAMLIT_BROWSER_GATHER_USAGE_STATS", "false")
    chosen = set(args.section or ["all"]) - {"all"} | (set(DEFAULT_SECTIONS) if "all" in (args.section or ["all"])
                                                       else set())

    def log(msg: str) -> None:
        if args.verbose:
            print(msg, file=sys.stderr, flush=True)

    started = time.perf_counter()
    machine = _machine()
    out: dict[str, Any] = {"machine": machine, "quick": args.quick, "sections": sorted(chosen)}
    print(f"python -m bench{' --quick' if args.quick else ''} · {machine['time']} · Python {machine['python']} · "
          f"torch {machine['torch']} ({machine['torch_threads']} threads) · {machine['cpus']} CPUs · "
          f"GPU: {machine['cuda'] or 'none'}\n", flush=True)

    from bench.load import LoadMeter, wait_quiet

    def section(name: str, fn: Any) -> None:
        if args.wait_quiet > 0:
            waited, share = wait_quiet(args.wait_quiet)
            if share >= 0.10:
                print(f"  (other processes kept {100 * share:.0f}% of the CPUs busy; gave up waiting after "
                      f"{waited:.0f} s)", flush=True)
            elif waited > 1.5:
                log(f"[{name}] waited {waited:.0f} s for the machine to be quiet")
        with LoadMeter() as meter:
            fn()
        out.setdefault("load", {})[name] = meter.summary()
        print(f"  {meter.line()}\n", flush=True)

    if "pages" in chosen:
        from bench import reruns

        def pages() -> None:
            out["pages"] = reruns.run(quick=args.quick, only=args.only, log=log)
            print(reruns.render(out["pages"]), end="", flush=True)

        section("pages", pages)
    if chosen & {"cold", "memory"}:
        from bench import browser

        def real_server() -> None:
            res = browser.run("cold" in chosen, "memory" in chosen, quick=args.quick, log=log)
            if "cold" in res:
                out["cold"] = res["cold"]
                print(browser.render_cold(res["cold"]), flush=True)
            if "memory" in res:
                out["memory"] = res["memory"]
                print(browser.render_memory(res["memory"]), end="", flush=True)

        section("cold+memory" if chosen >= {"cold", "memory"} else "cold" if "cold" in chosen else "memory",
                real_server)
    if "core" in chosen:
        from bench import kernels

        def core() -> None:
            out["core"] = kernels.run(quick=args.quick, log=log)
            print(kernels.render(out["core"]), end="", flush=True)

        section("core", core)

    if "classroom" in chosen:
        from bench import classroom

        def load() -> None:
            out["classroom"] = classroom.run(tuple(int(v) for v in args.viewers.split(",") if v.strip()),
                                             only=args.only, moves=args.moves, ramp=args.ramp, think=args.think,
                                             url=args.url, quick=args.quick, log=log,
                                             server_pids=[int(p) for p in args.server_pid.split(",") if p.strip()])
            print(classroom.render(out["classroom"]), end="", flush=True)

        section("classroom", load)

    out["total_s"] = time.perf_counter() - started
    print(f"bench finished in {out['total_s']:.0f} s")
    if args.json:
        path = Path(args.json)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(_clean(out), indent=2, ensure_ascii=False), encoding="utf-8")
        print(f"figures written to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
