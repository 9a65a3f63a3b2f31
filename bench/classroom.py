"""Section ``classroom``: a class on one link. N viewers open the same page of the real server within a few
seconds, then each moves a slider now and then, all over Streamlit's own websocket protocol (no browser).

A viewer does what the frontend does: ``GET /_stcore/health`` and ``/_stcore/host-config``, opens the
websocket ``/_stcore/stream`` (subprotocol ``streamlit``), sends a ``BackMsg.rerun_script`` with the link's
query string and the page's url path, and reads ``ForwardMsg``s until ``script_finished``: its *first
render*. It keeps the frontend's message cache (it tells the server which big messages it already holds,
so unchanged charts come back as references). A *move* is a rerun whose query string sets the page's first
URL-bound slider to another value on its grid (``bind="query-params"`` reads it as it reads a link);
viewers move to different values, so a move is a cache miss unless another viewer went there first.

Reported per page and class size: first-render and move percentiles, errors (an exception element, an
``st.error`` alert, a page not found, a disconnect, a time-out), the server's CPU seconds per script run
(its process tree's CPU over the scenario, divided by the runs it served) and its peak resident memory.
Apart from the load, *CPU per run at the default view* is measured with one viewer rerunning the default
link, every result cached: what a view costs the server when nothing needs computing.

Budgets (DESIGN.md): a class of 30 (``--moves 5 --ramp 5 --think 3``) on every page's default view: first
render p95 ≤ 3 s, move p95 ≤ 1 s, no errors; CPU per run at a default view ≤ 40 ms home, ≤ 100 ms explorers.

``--url`` measures a server that is already running (``make serve`` behind its proxy, say); give
``--server-pid`` (or several, comma-separated) for its CPU and memory. Loopback addresses only.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import ipaddress
import math
import os
import random
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Any

from bench.report import p95, secs, table

BUDGET = {"first_p95_s": 3.0, "move_p95_s": 1.0, "cpu_home_s": 0.040, "cpu_explorer_s": 0.100}
DEFAULT_VIEWERS = (1, 10, 30)
TICK = os.sysconf("SC_CLK_TCK")


# ------------------------------------------------------------------------------------------- the server side


def _children() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError, ValueError, IndexError):
                stat = Path(f"/proc/{entry}/stat").read_text()
                kids.setdefault(int(stat[stat.rindex(")") + 2:].split()[1]), []).append(int(entry))
    return kids


def _tree(pids: list[int]) -> list[int]:
    kids, out, todo = _children(), [], list(pids)
    while todo and len(out) < 10_000:
        p = todo.pop()
        out.append(p)
        todo += kids.get(p, [])
    return out


def tree_cpu_s(pids: list[int]) -> float:
    total = 0.0
    for p in _tree(pids):
        with contextlib.suppress(OSError, ValueError, IndexError):
            stat = Path(f"/proc/{p}/stat").read_text()
            fields = stat[stat.rindex(")") + 2:].split()
            total += (int(fields[11]) + int(fields[12])) / TICK
    return total


def tree_rss_bytes(pids: list[int]) -> int:
    total = 0
    for p in _tree(pids):
        with contextlib.suppress(OSError, ValueError):
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
    return total


def listening_pid(port: int) -> int | None:
    """The process holding a listening TCP socket on ``port`` (loopback servers of this machine)."""
    inodes = set()
    for name in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(name).read_text().splitlines()[1:]:
                cols = line.split()
                if len(cols) > 9 and cols[3] == "0A" and int(cols[1].rsplit(":", 1)[1], 16) == port:
                    inodes.add(f"socket:[{cols[9]}]")
    for entry in os.listdir("/proc") if inodes else ():
        if entry.isdigit():
            with contextlib.suppress(OSError):
                for fd in os.listdir(f"/proc/{entry}/fd"):
                    with contextlib.suppress(OSError):
                        if os.readlink(f"/proc/{entry}/fd/{fd}") in inodes:
                            return int(entry)
    return None


class PeakRss:
    """Samples the server tree's RSS every ``interval`` seconds in a thread: ``with PeakRss(pids) as m``."""

    def __init__(self, pids: list[int], interval: float = 0.25) -> None:
        self.pids, self.interval, self.peak = pids, interval, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, tree_rss_bytes(self.pids))
            self._stop.wait(self.interval)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)
        self.peak = max(self.peak, tree_rss_bytes(self.pids))


# ------------------------------------------------------------------------------------------- one viewer


class ViewerError(Exception):
    pass


@dataclasses.dataclass
class Run:
    seconds: float
    sliders: dict  # query-param key -> Slider proto, as this run sent it
    elements: dict  # delta path -> content hash
    errors: list
    kept: dict = dataclasses.field(default_factory=dict)  # delta path -> element, with Viewer(keep=True)
    bytes: int = 0  # what the server sent for this run


@dataclasses.dataclass
class Slider:
    """The slider a viewer moves: its key and the values on its grid."""

    key: str
    values: list
    default: Any

    @classmethod
    def of(cls, proto: Any) -> Slider | None:
        from streamlit.proto.Slider_pb2 import Slider as SliderProto

        if not proto.query_param_key or proto.disabled or len(proto.default) != 1:
            return None
        if proto.type == SliderProto.SELECT_SLIDER:
            opts = list(proto.options)
            return cls(proto.query_param_key, opts, opts[int(proto.default[0])]) if len(opts) > 1 else None
        lo, hi = proto.min, proto.max
        step = proto.step if proto.step > 0 else (hi - lo) / 100
        if not hi > lo or step <= 0:
            return None
        grid = [lo + i * step for i in range(min(math.floor((hi - lo) / step + 1e-9) + 1, 500))]
        if proto.data_type == SliderProto.INT:
            return cls(proto.query_param_key, [round(v) for v in grid], round(proto.default[0]))
        return cls(proto.query_param_key, [float(f"{v:.12g}") for v in grid], float(f"{proto.default[0]:.12g}"))

    @staticmethod
    def held(proto: Any) -> Any:
        """The value a slider element holds as the server sent it (a select slider's label in 1.67)."""
        if proto.raw_value:
            return proto.raw_value[0]
        if len(proto.value) == 1:
            return proto.value[0]
        if proto.options:
            return proto.options[int(proto.default[0])]
        return proto.default[0] if proto.default else None

    def pick(self, rng: random.Random, avoid: Any) -> Any:
        choices = [v for v in self.values if v != self.default and v != avoid]
        return rng.choice(choices or self.values)


class Viewer:
    """One browser tab on ``base`` (http://127.0.0.1:PORT), speaking Streamlit's protocol."""

    def __init__(self, base: str, page: str, query: str, timeout: float, keep: bool = False) -> None:
        self.base, self.page, self.query, self.timeout, self.keep = base, page, query, timeout, keep
        parsed = urllib.parse.urlsplit(base)
        self.host, self.port = parsed.hostname or "127.0.0.1", parsed.port or 80
        self.page_hash = ""
        self.cache: dict[str, tuple[Any, int]] = {}  # message hash -> (ForwardMsg, run when last used)
        self.runs = 0
        self.cookie = ""  # a sticky-session cookie from a proxy, sent back like a browser

    async def _get(self, path: str) -> int:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(self.host, self.port), self.timeout)
        try:
            cookie = f"Cookie: {self.cookie}\r\n" if self.cookie else ""
            writer.write(f"GET {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n{cookie}"
                         "Connection: close\r\n\r\n".encode())
            await writer.drain()
            head = b""
            while b"\r\n\r\n" not in head and len(head) < 65536:
                chunk = await asyncio.wait_for(reader.read(4096), self.timeout)
                if not chunk:
                    break
                head += chunk
            head = head.partition(b"\r\n\r\n")[0]
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()
        lines = head.split(b"\r\n")
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"set-cookie" and not self.cookie:
                self.cookie = value.strip().split(b";")[0].decode("latin-1")
        try:
            return int(lines[0].split(b" ", 2)[1])
        except (IndexError, ValueError):
            return 0

    def _message(self, query: str, first: bool) -> bytes:
        from streamlit.proto.BackMsg_pb2 import BackMsg

        msg = BackMsg()
        rs = msg.rerun_script
        rs.query_string = query
        if first:
            rs.page_name = self.page
        else:
            rs.page_script_hash = self.page_hash
        rs.cached_message_hashes.extend(self.cache)
        info = rs.context_info
        info.timezone, info.timezone_offset, info.locale = "UTC", 0, "en-US"
        info.url = f"{self.base}/{self.page}" + (f"?{query}" if query else "")
        return msg.SerializeToString()

    async def run(self, ws: Any, query: str, first: bool = False) -> Run:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        out = Run(0.0, {}, {}, [])
        t0 = time.perf_counter()
        await ws.send(self._message(query, first))
        while True:
            left = t0 + self.timeout - time.perf_counter()
            if left <= 0:
                raise ViewerError(f"no script_finished within {self.timeout:g} s")
            try:
                raw = await asyncio.wait_for(ws.recv(), left)
            except TimeoutError:
                raise ViewerError(f"no script_finished within {self.timeout:g} s") from None
            if isinstance(raw, str):
                continue
            out.bytes += len(raw)
            fwd = ForwardMsg()
            fwd.ParseFromString(raw)
            kind = fwd.WhichOneof("type")
            if fwd.metadata.cacheable and fwd.hash:
                self.cache[fwd.hash] = (fwd, self.runs)
            if kind == "ref_hash":
                held = self.cache.get(fwd.ref_hash)
                if held is None:
                    out.errors.append("the server referred to a message this viewer does not hold")
                    continue
                self.cache[fwd.ref_hash] = (held[0], self.runs)
                fwd = held[0]
                kind = "delta"
            if kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                el = fwd.delta.new_element
                what = el.WhichOneof("type")
                out.elements[tuple(fwd.metadata.delta_path)] = content_id(el)
                if self.keep:
                    out.kept[tuple(fwd.metadata.delta_path)] = el
                if what == "exception":
                    out.errors.append(f"exception: {el.exception.type}: {el.exception.message}"[:300])
                elif what == "alert" and el.alert.format == el.alert.ERROR:
                    out.errors.append(f"error alert: {el.alert.body}"[:300])
                elif what == "slider" and el.slider.query_param_key:
                    out.sliders[el.slider.query_param_key] = el.slider
            elif kind == "navigation":
                self.page_hash = fwd.navigation.page_script_hash
            elif kind == "page_not_found":
                out.errors.append(f"page not found: {self.page!r}")
            elif kind == "script_finished" and fwd.script_finished in (ForwardMsg.FINISHED_SUCCESSFULLY,
                                                                        ForwardMsg.FINISHED_WITH_COMPILE_ERROR):
                if fwd.script_finished == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                    out.errors.append("the script did not compile")
                self.runs += 1  # the frontend drops what the last two runs did not use
                self.cache = {h: v for h, v in self.cache.items() if self.runs - v[1] <= 2}
                break
        out.seconds = time.perf_counter() - t0
        return out

    def connect(self) -> Any:
        from websockets.asyncio.client import connect

        ws_url = self.base.replace("http://", "ws://", 1) + "/_stcore/stream"
        headers = {"Cookie": self.cookie} if self.cookie else None
        return connect(ws_url, subprotocols=["streamlit", "PLACEHOLDER_AUTH_TOKEN"], max_size=None,
                       open_timeout=self.timeout, close_timeout=5, additional_headers=headers, proxy=None,
                       ping_interval=20, ping_timeout=120)


# Fields that change on every run although nothing a viewer sees changed.
VOLATILE = {"download_button": ("deferred_file_id", "url")}


def content_id(element: Any) -> str:
    """What an element shows, as a hash: its protobuf with per-run file ids cleared."""
    import hashlib

    kind = element.WhichOneof("type")
    if kind == "download_button":
        element = type(element).FromString(element.SerializeToString())
        for name in VOLATILE[kind]:
            element.download_button.ClearField(name)
    return hashlib.sha1(element.SerializeToString(deterministic=True)).hexdigest()


def with_param(query: str, key: str, value: Any) -> str:
    pairs = [(k, v) for k, v in urllib.parse.parse_qsl(query, keep_blank_values=True) if k != key]
    return urllib.parse.urlencode([*pairs, (key, value if isinstance(value, str) else f"{value:g}")])


@dataclasses.dataclass
class ViewerOut:
    first_s: float | None = None
    moves_s: list = dataclasses.field(default_factory=list)
    move_bytes: list = dataclasses.field(default_factory=list)
    errors: list = dataclasses.field(default_factory=list)
    moved: str = ""


async def one_viewer(base: str, page: str, query: str, delay: float, moves: int, think: float, seed: int,
                     timeout: float, done: asyncio.Event, finished: list) -> ViewerOut:
    """Arrive after ``delay`` s, render, make ``moves`` moves ``think`` s apart on average (0.5–1.5×), then
    stay connected until every viewer is done (the server holds each session meanwhile)."""
    from websockets.exceptions import WebSocketException

    res, rng = ViewerOut(), random.Random(seed)
    v = Viewer(base, page, query, timeout)
    try:
        await asyncio.sleep(delay)
        t0 = time.perf_counter()
        for path in ("/_stcore/health", "/_stcore/host-config"):
            if (status := await v._get(path)) != 200:
                raise ViewerError(f"GET {path} answered {status}")
        async with v.connect() as ws:
            first = await v.run(ws, query, first=True)
            res.first_s = time.perf_counter() - t0
            res.errors += first.errors
            target = next((s for s in map(Slider.of, first.sliders.values()) if s), None)
            res.moved = target.key if target else "(rerun)"
            last = None
            for _ in range(moves):
                await asyncio.sleep(think * rng.uniform(0.5, 1.5))
                if target:
                    last = target.pick(rng, last)
                    moved = await v.run(ws, with_param(query, target.key, last))
                else:
                    moved = await v.run(ws, query)
                res.moves_s.append(moved.seconds)
                res.move_bytes.append(moved.bytes)
                res.errors += [f"move: {e}" for e in moved.errors]
            finished.append(1)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(done.wait(), timeout)
    except (ViewerError, OSError, TimeoutError, WebSocketException) as exc:
        res.errors.append(f"{type(exc).__name__}: {exc}")
    return res


async def _class(base: str, page: str, query: str, n: int, moves: int, ramp: float, think: float, seed: int,
                 timeout: float) -> list[ViewerOut]:
    done, finished = asyncio.Event(), []
    tasks = [asyncio.create_task(one_viewer(base, page, query, ramp * i / max(n - 1, 1), moves, think,
                                            seed * 1000 + i, timeout, done, finished)) for i in range(n)]

    async def release() -> None:
        while len(finished) < n and not all(t.done() for t in tasks):
            await asyncio.sleep(0.05)
        done.set()

    await asyncio.gather(release(), *tasks)
    return [t.result() for t in tasks]


def default_cpu_per_run(base: str, page: str, query: str, pids: list[int], reruns: int = 12,
                        timeout: float = 300) -> tuple[float, list[str]]:
    """CPU seconds of the server per script run of the default view with every result cached: one viewer
    renders it once (filling the caches), then reruns the same link ``reruns`` times."""

    async def go() -> tuple[float, list[str]]:
        v = Viewer(base, page, query, timeout)
        for path in ("/_stcore/health", "/_stcore/host-config"):
            await v._get(path)
        async with v.connect() as ws:
            first = await v.run(ws, query, first=True)
            await v.run(ws, query)
            # let the server finish what a first visit starts in the background (the home page imports
            # torch after it is drawn): wait until its CPU rests, at most 20 s
            for _ in range(40):
                before = tree_cpu_s(pids)
                await asyncio.sleep(0.5)
                if tree_cpu_s(pids) - before < 0.02:
                    break
            cpu0 = tree_cpu_s(pids)
            errors = list(first.errors)
            for _ in range(reruns):
                errors += (await v.run(ws, query)).errors
            # the server finishes its bookkeeping of the last run just after script_finished
            await asyncio.sleep(0.3)
            return (tree_cpu_s(pids) - cpu0) / reruns, errors

    return asyncio.run(go())


def scenario(base: str, pids: list[int], page: str, query: str, n: int, moves: int, ramp: float, think: float,
             seed: int = 0, timeout: float = 300) -> dict[str, Any]:
    cpu0 = tree_cpu_s(pids)
    t0 = time.perf_counter()
    with PeakRss(pids) as rss:
        viewers = asyncio.run(_class(base, page, query, n, moves, ramp, think, seed, timeout))
    runs = sum((v.first_s is not None) + len(v.moves_s) for v in viewers)
    firsts = [v.first_s for v in viewers if v.first_s is not None]
    moves_s = [m for v in viewers for m in v.moves_s]
    errors = [e for v in viewers for e in v.errors]
    return {"page": page or "home", "query": query, "viewers": n, "moves": moves, "ramp_s": ramp, "think_s": think,
            "wall_s": time.perf_counter() - t0, "first_p50_s": _pct(firsts, 50), "first_p95_s": p95(firsts),
            "first_max_s": max(firsts, default=math.nan), "move_p50_s": _pct(moves_s, 50),
            "move_p95_s": p95(moves_s), "move_max_s": max(moves_s, default=math.nan),
            "errors": len([v for v in viewers if v.errors]), "error_samples": errors[:3],
            "moved": viewers[0].moved if viewers else "", "runs": runs,
            "move_kib": _pct([b / 1024 for v in viewers for b in v.move_bytes], 50),
            "server_cpu_s": tree_cpu_s(pids) - cpu0, "cpu_per_run_s": (tree_cpu_s(pids) - cpu0) / max(runs, 1),
            "peak_rss_bytes": rss.peak}


def _pct(xs: list[float], q: float) -> float:
    if not xs:
        return math.nan
    ordered = sorted(xs)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q / 100 * len(ordered)) - 1))]


# ------------------------------------------------------------------------------------------- the section


def _check_loopback(url: str) -> str:
    host = urllib.parse.urlsplit(url).hostname or ""
    try:
        ok = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        ok = False
    if not ok:
        raise SystemExit(f"--url must be a loopback address (127.0.0.1, localhost, ::1), not {host!r}")
    return url.rstrip("/")


def pages() -> list[tuple[str, str]]:
    """(url path, label) of the home page and every live explorer, each at its default view."""
    from bench.reruns import live_chapters

    return [("", "home")] + [(c.url_path, c.url_path) for c in live_chapters()]


def run(viewers: tuple[int, ...] = DEFAULT_VIEWERS, only: str | None = None, moves: int = 5, ramp: float = 5.0,
        think: float = 3.0, url: str | None = None, server_pids: list[int] | None = None, quick: bool = False,
        log=print) -> dict[str, Any]:
    from bench.browser import Server

    chosen = [(p, label) for p, label in pages() if not only or only in label]
    if quick:
        viewers = tuple(v for v in viewers if v <= 10) or (1,)
    server = None
    if url:
        base, pids = _check_loopback(url), list(server_pids or [])
        if not pids and (found := listening_pid(urllib.parse.urlsplit(base).port or 80)):
            pids = [found]
        missing = [p for p in pids if not Path(f"/proc/{p}").exists()]
        if missing:
            raise SystemExit(f"--server-pid: no process {missing}")
    else:
        server = Server()
        server.start()
        server.wait_healthy(120)
        base, pids = server.url, [server.proc.pid]
    out: dict[str, Any] = {"url": "(own server)" if server else base, "viewers": list(viewers), "moves": moves,
                           "ramp_s": ramp, "think_s": think, "budget": BUDGET, "default_cpu": [], "scenarios": []}
    try:
        for path, label in chosen:
            log(f"[classroom] {label}: CPU per run at the default view")
            cpu, errors = default_cpu_per_run(base, path, "", pids) if pids else (math.nan, [])
            limit = BUDGET["cpu_home_s"] if label == "home" else BUDGET["cpu_explorer_s"]
            out["default_cpu"].append({"page": label, "cpu_per_run_s": cpu, "budget_s": limit,
                                       "ok": None if math.isnan(cpu) else cpu <= limit, "errors": errors[:3]})
            for n in viewers:
                log(f"[classroom] {label}: {n} viewers")
                res = scenario(base, pids, path, "", n, moves, ramp, think)
                res["ok"] = (res["first_p95_s"] <= BUDGET["first_p95_s"] and res["move_p95_s"] <= BUDGET["move_p95_s"]
                             and res["errors"] == 0)
                out["scenarios"].append(res)
    finally:
        if server:
            server.stop()
    return out


def render(data: dict[str, Any]) -> str:
    b = data["budget"]
    cpu_rows = [[d["page"], secs(d["cpu_per_run_s"]), secs(d["budget_s"]),
                 "—" if d["ok"] is None else ("ok" if d["ok"] else "MISSED"),
                 "; ".join(d["errors"]) or ""] for d in data["default_cpu"]]
    text = table("Server CPU per script run, default view, results cached", ["page", "CPU / run", "budget",
                 "verdict", "errors"], cpu_rows, right=(1, 2))
    rows = []
    for s in data["scenarios"]:
        rows.append([s["page"], s["viewers"], secs(s["first_p50_s"]), secs(s["first_p95_s"]), secs(s["move_p50_s"]),
                     secs(s["move_p95_s"]), s["errors"], secs(s["cpu_per_run_s"]),
                     f"{s['peak_rss_bytes'] / 2**20:.0f}" if s["peak_rss_bytes"] else "—",
                     "—" if math.isnan(s["move_kib"]) else f"{s['move_kib']:.0f}",
                     "ok" if s["ok"] else "MISSED"])
    notes = ["KiB/move: median bytes the server sent for one move (unchanged charts go as references)",
             f"{data['moves']} moves per viewer, arriving over {data['ramp_s']:g} s, {data['think_s']:g} s apart "
             f"on average; budget: first render p95 ≤ {b['first_p95_s']:g} s, move p95 ≤ {b['move_p95_s']:g} s, "
             "0 errors", f"server: {data['url']}"]
    for s in data["scenarios"]:
        if s["error_samples"]:
            notes.append(f"{s['page']} × {s['viewers']}: {' | '.join(s['error_samples'])}")
    text += "\n" + table("A class on one link", ["page", "viewers", "first p50", "first p95", "move p50", "move p95",
                                                 "errors", "CPU / run", "peak MiB", "KiB/move", "verdict"], rows,
                         notes, right=(1, 2, 3, 4, 5, 6, 7, 8, 9))
    return text
