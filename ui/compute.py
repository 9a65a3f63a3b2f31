"""Running core functions from a page: on the viewer's device, timed, cached by their arguments.

``run("SVD of 1797×64", core.linalg.pca, X, k=3)`` returns ``(result, timing)``; the timing is the
page's compute line. Results are cached (bounded) per function, arguments and device, so moving a
slider back to a value seen before costs nothing, and the line keeps the time it took to compute.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any, TypeVar

import streamlit as st
import torch

from core.device import Timing, timed
from ui import shell

T = TypeVar("T")


@st.cache_data(max_entries=96, show_spinner=False)
def _cached(module: str, name: str, device: str, what: str, args: tuple, kwargs: dict) -> tuple[Any, Timing]:
    fn = getattr(importlib.import_module(module), name)
    return timed(what, fn, *args, device=torch.device(device), **kwargs)


def run(what: str, fn: Callable[..., T], *args: Any, **kwargs: Any) -> tuple[T, Timing]:
    """``fn(*args, device=<viewer's device>, **kwargs)``, cached and timed."""
    return _cached(fn.__module__, fn.__qualname__, str(shell.current_device()), what, args, kwargs)
