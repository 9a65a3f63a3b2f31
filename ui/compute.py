"""Running core functions from a page: on the viewer's device, timed, cached by their arguments.

``run("SVD of 1797×64", core.linalg.pca, X, k=3)`` returns ``(result, timing)``; the timing is the
page's compute line. Results are cached (bounded) per function, arguments and device, so moving a
slider back to a value seen before costs nothing, and the line keeps the time it took to compute.
"""

from __future__ import annotations

import contextvars
import functools
import importlib
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
# block that no longer exists), so long work is cached in a bounded lru_cache and reports its
# progress through a context variable that only the session running it has set.
_progress_sink: contextvars.ContextVar[Callable[[float, str], None] | None] = contextvars.ContextVar(
    "mfdl_progress", default=None)


def _report(fraction: float, text: str) -> None:
    sink = _progress_sink.get()
    if sink is not None:
        sink(fraction, text)


@functools.lru_cache(maxsize=16)
def _cached_with_progress(module: str, name: str, device: str, what: str, args: tuple,
                          kwargs: tuple) -> tuple[Any, Timing]:
    fn = getattr(importlib.import_module(module), name)
    with single_thread(device):  # training loops of tiny tensors: see core.device.single_thread
        return timed(what, fn, *args, device=torch.device(device), progress=_report, **dict(kwargs))


def run_with_progress(what: str, fn: Callable[..., T], *args: Any, on: str | None = None,
                      **kwargs: Any) -> tuple[T, Timing]:
    """Like :func:`run`, for work that takes seconds (training): ``fn`` gets ``progress(fraction,
    text)``, drawn as a progress bar while it runs; a cached result comes back at once, with no bar.
    Arguments must be hashable (numbers, strings, tuples). On the CPU it runs on one torch thread: such
    work is thousands of steps on small tensors, where a second thread only adds waiting."""
    bar = st.empty()

    def progress(fraction: float, text: str) -> None:
        bar.progress(min(max(fraction, 0.0), 1.0), text=text)

    token = _progress_sink.set(progress)
    try:
        return _cached_with_progress(fn.__module__, fn.__qualname__, on or str(shell.current_device()), what,
                                     args, tuple(sorted(kwargs.items())))
    finally:
        _progress_sink.reset(token)
        bar.empty()
