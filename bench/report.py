"""Statistics and plain-text tables for the bench's output."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from typing import Any


def median(xs: Sequence[float]) -> float:
    return statistics.median(xs) if xs else math.nan


def p95(xs: Sequence[float]) -> float:
    """Nearest-rank 95th percentile: with fewer than 20 samples this is the maximum."""
    if not xs:
        return math.nan
    ordered = sorted(xs)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def secs(s: float | None) -> str:
    """A duration for a table cell: 7.4 ms, 312 ms, 2.41 s."""
    if s is None or (isinstance(s, float) and math.isnan(s)):
        return "—"
    ms = s * 1e3
    if ms < 10:
        return f"{ms:.1f} ms"
    if ms < 1000:
        return f"{ms:.0f} ms"
    return f"{s:.2f} s"


def mib(n: int | None) -> str:
    return "—" if n is None else f"{n / 2**20:.0f} MiB"


def verdict(ok: bool | None, budget: str) -> str:
    if ok is None:
        return f"n/a ({budget})"
    return f"ok ({budget})" if ok else f"MISSED ({budget})"


def table(title: str, headers: Sequence[str], rows: Sequence[Sequence[Any]], notes: Sequence[str] = (),
          right: Sequence[int] = ()) -> str:
    """A boxed-free, aligned text table. ``right`` lists the columns to right-align (numbers)."""
    cells = [[str(c) for c in headers]] + [["" if c is None else str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]

    def line(r: Sequence[str]) -> str:
        parts = [c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True))]
        return "  ".join(parts).rstrip()

    rule = "  ".join("-" * w for w in widths)
    out = [title, "=" * len(title), line(cells[0]), rule, *(line(r) for r in cells[1:])]
    out += [f"  * {n}" for n in notes]
    return "\n".join(out) + "\n"
