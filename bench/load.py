"""How busy the machine was with *other* work while a section ran.

On a 2-core machine one other busy process (a test run, a second server) doubles every latency, so each
section reports the CPU time that processes outside this bench's own process tree used while it ran.
A background thread samples ``/proc/<pid>/stat`` once a second; a process first seen mid-section is
charged all the CPU time it has used since it started (which may include a little from before).
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")


def _snapshot() -> dict[int, tuple[int, float, int]]:
    """pid -> (ppid, cpu seconds, start time in ticks) for every process."""
    out = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        with contextlib.suppress(OSError, ValueError, IndexError):
            stat = Path(f"/proc/{entry}/stat").read_text()
            fields = stat[stat.rindex(")") + 2:].split()
            # fields[0] is state (field 3): ppid is field 4, utime 14, stime 15, starttime 22
            out[int(entry)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / TICK, int(fields[19]))
    return out


class LoadMeter:
    """``with LoadMeter() as m: ...`` then ``m.other_cpu_s``, ``m.other_share`` (of all CPUs), ``m.wall_s``."""

    def __init__(self, interval: float = 1.0) -> None:
        self.interval = interval
        self.other_cpu_s = 0.0
        self.own_cpu_s = 0.0
        self.wall_s = 0.0
        self.top: dict[str, float] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _mine(self, pid: int, snap: dict[int, tuple[int, float, int]]) -> bool:
        me = os.getpid()
        for _ in range(64):
            if pid == me:
                return True
            if pid not in snap or pid <= 1:
                return False
            pid = snap[pid][0]
        return False

    def _sample(self, prev: dict[int, tuple[int, float, int]]) -> dict[int, tuple[int, float, int]]:
        snap = _snapshot()
        for pid, (_, cpu, start) in snap.items():
            before = prev.get(pid)
            delta = cpu - before[1] if before and before[2] == start else cpu
            if delta <= 0:
                continue
            if self._mine(pid, snap):
                self.own_cpu_s += delta
            else:
                self.other_cpu_s += delta
                with contextlib.suppress(OSError):
                    name = Path(f"/proc/{pid}/comm").read_text().strip()
                    self.top[name] = self.top.get(name, 0.0) + delta
        return snap

    def _run(self) -> None:
        prev = self._base
        while not self._stop.wait(self.interval):
            prev = self._sample(prev)
        self._sample(prev)

    def __enter__(self) -> LoadMeter:
        self._base = _snapshot()
        self._t0 = time.perf_counter()
        self._thread = threading.Thread(target=self._run, name="bench-load-meter", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
        self.wall_s = time.perf_counter() - self._t0

    @property
    def other_share(self) -> float:
        cpus = os.cpu_count() or 1
        return self.other_cpu_s / (self.wall_s * cpus) if self.wall_s > 0 else 0.0

    def summary(self) -> dict[str, object]:
        top = sorted(self.top.items(), key=lambda kv: -kv[1])[:3]
        return {"wall_s": self.wall_s, "own_cpu_s": self.own_cpu_s, "other_cpu_s": self.other_cpu_s,
                "other_share": self.other_share, "other_top": [f"{n} {s:.1f} cpu-s" for n, s in top]}

    def line(self) -> str:
        s = self.summary()
        text = (f"machine load: other processes used {s['other_cpu_s']:.1f} CPU-s "
                f"({100 * s['other_share']:.0f}% of {os.cpu_count()} CPUs) during this section's {s['wall_s']:.0f} s")
        if s["other_share"] > 0.05:
            text += f" — FIGURES DISTURBED by other work ({', '.join(s['other_top'])})"
        return text


def wait_quiet(max_wait_s: float, threshold: float = 0.10, window_s: float = 1.0) -> tuple[float, float]:
    """Wait (up to ``max_wait_s``) for a ``window_s`` in which other processes use < ``threshold`` of the
    CPUs. Returns (seconds waited, the last window's share)."""
    t0 = time.perf_counter()
    while True:
        with LoadMeter(interval=window_s * 2) as meter:
            time.sleep(window_s)
        waited = time.perf_counter() - t0
        if meter.other_share < threshold or waited >= max_wait_s:
            return waited, meter.other_share
