"""Running core functions from a page: on the viewer's device, timed, cached by their arguments.

``run("SVD of 1797×64", core.linalg.pca, X, k=3)`` returns ``(result, timing)``; the timing is the
page's compute line. Results are cached (bounded) per function, arguments and device, so moving a
slider back to a value seen before costs nothing, and the line keeps the time it took to compute.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib
import pickle
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np
import pandas as pd
import streamlit as st
import torch

from core.device import Timing, single_thread, timed
from ui import pyview, shell

shell.torch_loaded()  # torch is imported above: the device badge can be drawn

T = TypeVar("T")


def run(what: str, fn: Callable[..., T], *args: Any, on: str | None = None, **kwargs: Any) -> tuple[T, Timing]:
    """``fn(*args, device=<viewer's device>, **kwargs)``, cached and timed. ``on="cpu"`` pins work
    too small for a GPU (a GPU kernel launch costs more than a 2-D step) to the CPU, and says so."""
    device = on or str(shell.current_device())
    key = (fn.__module__, fn.__qualname__, device, what, fingerprint(args), fingerprint(kwargs))
    out = _results.get(key, lambda report: timed(what, fn, *thawed(args), device=torch.device(device),
                                                  **thawed(kwargs)))
    pyview.record(fn, args, kwargs, device, out[0])  # "This view in Python" writes the call out
    return out


def call(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``fn(*args, **kwargs)`` for a cheap function with no device (a bundled loader, a signal on a graph):
    neither cached nor timed, but written into “This view in Python” like the calls of :func:`run`, so
    that what it returns can be an argument of a later call in the script."""
    out = fn(*args, **kwargs)
    pyview.record(fn, args, kwargs, None, out)
    return out


# Progress bars cannot live inside st.cache_data (it would replay them on a cache hit, into a
# block that no longer exists), so long work is cached in a bounded cache of its own, which hands the
# computing session's progress to the function and to every session waiting for the same result.


class _Flight:
    """One computation under way: its latest progress, and an event set when it ends either way."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.state = (0.0, "Starting…")


class ResultCache:
    """Results shared by every session of the process: bounded by the bytes they hold as well as by their
    number, and computed once however many viewers ask at the same time.

    A class opening the same link would otherwise compute (or train) the same thing thirty times: a
    viewer who asks for a result another viewer is computing waits for it, and with ``progress`` its
    own progress bar follows the computing viewer's. If that computation stops (its viewer moved on)
    or fails, a waiter takes over and computes it itself; errors are not cached.

    Every session gets the same object, not a copy (``st.cache_data`` unpickles a fresh copy per hit: CPU
    and, with thirty viewers, thirty copies): its numpy arrays are made read-only so that no page can
    change another viewer's picture by writing into one. The least recently used results go first when
    ``max_bytes`` or ``max_entries`` is passed; a result larger than a quarter of ``max_bytes`` is
    returned but not kept.
    """

    def __init__(self, max_bytes: int, max_entries: int) -> None:
        self.max_bytes, self.max_entries = max_bytes, max_entries
        self._lock = threading.Lock()
        self._done: OrderedDict[Any, tuple[Any, int]] = OrderedDict()  # key -> (value, bytes)
        self._running: dict[Any, _Flight] = {}
        self.bytes = 0

    def get(self, key: Any, compute: Callable[[Callable[[float, str], None]], T],
            progress: Callable[[float, str], None] | None = None) -> T:
        for _ in range(1000):  # each pass ends with a result, a new owner, or a failed owner
            with self._lock:
                if key in self._done:
                    self._done.move_to_end(key)
                    return self._done[key][0]
                flight = self._running.get(key)
                owner = flight is None
                if owner:
                    flight = self._running[key] = _Flight()
            if owner:
                return self._compute(key, flight, compute, progress)
            while not flight.done.wait(0.2):
                if progress is not None:
                    progress(*flight.state)  # Streamlit stops a stale waiting run here
        raise RuntimeError("gave up waiting for a computation that kept failing")

    def _compute(self, key: Any, flight: _Flight, compute: Callable[[Callable[[float, str], None]], T],
                 progress: Callable[[float, str], None] | None) -> T:
        def report(fraction: float, text: str) -> None:
            flight.state = (fraction, text)
            if progress is not None:
                progress(fraction, text)

        try:
            value = compute(report)
            freeze(value)
            size = nbytes(value)
            with self._lock:
                if size <= self.max_bytes // 4:
                    self._done[key] = (value, size)
                    self.bytes += size
                    while self._done and (self.bytes > self.max_bytes or len(self._done) > self.max_entries):
                        self.bytes -= self._done.popitem(last=False)[1][1]
            return value
        finally:
            with self._lock:
                self._running.pop(key, None)
            flight.done.set()

    def clear(self) -> None:
        with self._lock:
            self._done.clear()
            self.bytes = 0


def _walk(obj: Any, visit: Callable[[Any], int], depth: int = 0) -> int:
    """Sum ``visit`` over the arrays and tensors inside a result (dataclasses, tuples, lists, dicts)."""
    if depth > 6:
        return 0
    if isinstance(obj, np.ndarray | torch.Tensor | pd.DataFrame | pd.Series):
        return visit(obj)
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return 64 + sum(_walk(getattr(obj, f.name), visit, depth + 1) for f in dataclasses.fields(obj))
    if isinstance(obj, tuple | list):
        return 56 + sum(_walk(v, visit, depth + 1) for v in obj)
    if isinstance(obj, dict):
        return 64 + sum(_walk(v, visit, depth + 1) for v in obj.values())
    if isinstance(obj, str | bytes):
        return 49 + len(obj)
    return 32


def _size(obj: Any) -> int:
    if isinstance(obj, np.ndarray):
        return obj.nbytes
    if isinstance(obj, torch.Tensor):
        return obj.element_size() * obj.nelement()
    return int(obj.memory_usage(index=True, deep=False).sum()) if isinstance(obj, pd.DataFrame) else obj.nbytes


def nbytes(result: Any) -> int:
    """About how much memory a result holds (its arrays, tensors and frames, and a little per object)."""
    return _walk(result, _size)


def _freeze(obj: Any) -> int:
    if isinstance(obj, np.ndarray) and obj.flags.writeable:
        obj.flags.writeable = False
    return 0


def freeze(result: Any) -> None:
    """Make a result's numpy arrays read-only: it is shared by every session."""
    _walk(result, _freeze)


def thawed(obj: Any, depth: int = 0) -> Any:
    """``obj`` with writable copies of the read-only arrays inside it (a cached result passed on to the next
    computation): torch would share their memory (``torch.as_tensor``), so an in-place operation could
    change the cached result under every viewer, and it warns about it. Only copies what is read-only."""
    if depth > 6:
        return obj
    if isinstance(obj, np.ndarray):
        return obj if obj.flags.writeable else obj.copy()
    if isinstance(obj, tuple | list):
        out = [thawed(v, depth + 1) for v in obj]
        changed = any(a is not b for a, b in zip(out, obj, strict=True))
        return (type(obj)(out) if not hasattr(obj, "_fields") else type(obj)(*out)) if changed else obj
    if isinstance(obj, dict):
        return {k: thawed(v, depth + 1) for k, v in obj.items()}
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        fields = {f.name: thawed(getattr(obj, f.name), depth + 1) for f in dataclasses.fields(obj) if f.init}
        if any(v is not getattr(obj, k) for k, v in fields.items()):
            return dataclasses.replace(obj, **fields)
    return obj


def fingerprint(obj: Any) -> Any:
    """A hashable key for a call's arguments: numbers, strings and tuples as they are, arrays and frames
    by their shape, type and a hash of their bytes."""
    if isinstance(obj, np.ndarray):
        data = np.ascontiguousarray(obj)
        raw = memoryview(data) if data.dtype.kind not in "OV" else pickle.dumps(data, protocol=5)
        return ("ndarray", data.shape, data.dtype.str, hashlib.blake2b(raw, digest_size=16).digest())
    if isinstance(obj, pd.DataFrame | pd.Series):
        return ("pandas", tuple(map(str, obj.columns if isinstance(obj, pd.DataFrame) else [obj.name])),
                fingerprint(pd.util.hash_pandas_object(obj, index=True).to_numpy()))
    if isinstance(obj, tuple | list):
        return (type(obj).__name__, *map(fingerprint, obj))
    if isinstance(obj, dict):
        return ("dict", *((k, fingerprint(v)) for k, v in sorted(obj.items())))
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return (type(obj).__qualname__, *(fingerprint(getattr(obj, f.name)) for f in dataclasses.fields(obj)))
    hash(obj)  # anything else must be hashable: a TypeError names the argument's type
    return obj


# Bounded so that one process with every page visited at its largest settings and a class of 30 connected
# stays within DESIGN.md's 1 GiB (python -m bench --section memory measures exactly that).
_results = ResultCache(max_bytes=160 * 2**20, max_entries=64)
_long_work = ResultCache(max_bytes=64 * 2**20, max_entries=16)


def clear() -> None:
    """Forget every cached result (the bench's cold runs)."""
    _results.clear()
    _long_work.clear()


def _compute_with_progress(module: str, name: str, device: str, what: str, args: tuple, kwargs: tuple,
                           report: Callable[[float, str], None]) -> tuple[Any, Timing]:
    fn = getattr(importlib.import_module(module), name)
    with single_thread(device):  # training loops of tiny tensors: see core.device.single_thread
        # a cached result passed on (a trained network) is read-only: writable copies, as :func:`run` makes
        return timed(what, fn, *thawed(args), device=torch.device(device), progress=report, **thawed(dict(kwargs)))


def run_with_progress(what: str, fn: Callable[..., T], *args: Any, on: str | None = None,
                      **kwargs: Any) -> tuple[T, Timing]:
    """Like :func:`run`, for work that takes seconds (training): ``fn`` gets ``progress(fraction,
    text)``, drawn as a progress bar while it runs; a cached result comes back at once, with no bar.
    On the CPU it runs on one torch thread: such
    work is thousands of steps on small tensors, where a second thread only adds waiting."""
    bar = st.empty()

    def progress(fraction: float, text: str) -> None:
        bar.progress(min(max(fraction, 0.0), 1.0), text=text)

    call = (fn.__module__, fn.__qualname__, on or str(shell.current_device()), what, args,
            tuple(sorted(kwargs.items())))
    try:
        out = _long_work.get(fingerprint(call), lambda report: _compute_with_progress(*call, report), progress)
    finally:
        bar.empty()
    pyview.record(fn, args, kwargs, call[2], out[0], one_thread=True)  # as _compute_with_progress runs it
    return out
