"""Running core functions from a page: on the viewer's device, timed, cached by their arguments.

``run("SVD of 1797×64", core.linalg.pca, X, k=3)`` returns ``(result, timing)``; the timing is the
page's compute line. Results are cached (bounded) per function, arguments and device, so moving a
slider back to a value seen before costs nothing, and the line keeps the time it took to compute.
"""

from __future__ import annotations

import importlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

import streamlit as st
import torch

from core.device import Timing, single_thread, timed
from ui import shell

shell.torch_loaded()  # torch is imported above: the device badge can be drawn

T = TypeVar("T")


@st.cache_data(max_entries=48, show_spinner=False)  # bounded: a large race result is ~15 MB
def _cached(module: str, name: str, device: str, what: str, args: tuple, kwargs: dict) -> tuple[Any, Timing]:
    fn = getattr(importlib.import_module(module), name)
    return timed(what, fn, *args, device=torch.device(device), **kwargs)


def run(what: str, fn: Callable[..., T], *args: Any, on: str | None = None, **kwargs: Any) -> tuple[T, Timing]:
    """``fn(*args, device=<viewer's device>, **kwargs)``, cached and timed. ``on="cpu"`` pins work
    too small for a GPU (a GPU kernel launch costs more than a 2-D step) to the CPU, and says so."""
    return _cached(fn.__module__, fn.__qualname__, on or str(shell.current_device()), what, args, kwargs)


# Progress bars cannot live inside st.cache_data (it would replay them on a cache hit, into a
# block that no longer exists), so long work is cached in a bounded cache of its own, which hands the
# computing session's progress to the function and to every session waiting for the same result.


class _Flight:
    """One computation under way: its latest progress, and an event set when it ends either way."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.state = (0.0, "Starting…")


class SingleFlight:
    """A bounded cache for work that takes seconds, where viewers who ask for a result that another
    viewer is computing wait for it instead of computing it again (a class opening the same link
    would otherwise train the same network thirty times). While they wait their own progress bar
    follows the computing viewer's. If that computation stops (its viewer moved on) or fails, a
    waiter takes over and computes it itself."""

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self._lock = threading.Lock()
        self._done: OrderedDict[Any, Any] = OrderedDict()
        self._running: dict[Any, _Flight] = {}

    def get(self, key: Any, compute: Callable[[Callable[[float, str], None]], T],
            progress: Callable[[float, str], None]) -> T:
        for _ in range(1000):  # each pass ends with a result, a new owner, or a failed owner
            with self._lock:
                if key in self._done:
                    self._done.move_to_end(key)
                    return self._done[key]
                flight = self._running.get(key)
                owner = flight is None
                if owner:
                    flight = self._running[key] = _Flight()
            if owner:
                return self._compute(key, flight, compute, progress)
            while not flight.done.wait(0.2):
                progress(*flight.state)  # Streamlit stops a stale waiting run here
        raise RuntimeError("gave up waiting for a computation that kept failing")

    def _compute(self, key: Any, flight: _Flight, compute: Callable[[Callable[[float, str], None]], T],
                 progress: Callable[[float, str], None]) -> T:
        def report(fraction: float, text: str) -> None:
            flight.state = (fraction, text)
            progress(fraction, text)

        try:
            value = compute(report)
            with self._lock:
                self._done[key] = value
                while len(self._done) > self.maxsize:
                    self._done.popitem(last=False)
            return value
        finally:
            with self._lock:
                self._running.pop(key, None)
            flight.done.set()

    def clear(self) -> None:
        with self._lock:
            self._done.clear()


_long_work = SingleFlight(maxsize=16)


def clear() -> None:
    """Forget every cached long computation (the bench's cold runs)."""
    _long_work.clear()


def _compute_with_progress(module: str, name: str, device: str, what: str, args: tuple, kwargs: tuple,
                           report: Callable[[float, str], None]) -> tuple[Any, Timing]:
    fn = getattr(importlib.import_module(module), name)
    with single_thread(device):  # training loops of tiny tensors: see core.device.single_thread
        return timed(what, fn, *args, device=torch.device(device), progress=report, **dict(kwargs))


def run_with_progress(what: str, fn: Callable[..., T], *args: Any, on: str | None = None,
                      **kwargs: Any) -> tuple[T, Timing]:
    """Like :func:`run`, for work that takes seconds (training): ``fn`` gets ``progress(fraction,
    text)``, drawn as a progress bar while it runs; a cached result comes back at once, with no bar.
    Arguments must be hashable (numbers, strings, tuples). On the CPU it runs on one torch thread: such
    work is thousands of steps on small tensors, where a second thread only adds waiting."""
    bar = st.empty()

    def progress(fraction: float, text: str) -> None:
        bar.progress(min(max(fraction, 0.0), 1.0), text=text)

    key = (fn.__module__, fn.__qualname__, on or str(shell.current_device()), what, args,
           tuple(sorted(kwargs.items())))
    try:
        return _long_work.get(key, lambda report: _compute_with_progress(*key, report), progress)
    finally:
        bar.empty()
