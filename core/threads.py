"""What the sessions of one server share, and how they share it safely.

Streamlit runs every viewer's script in its own thread of one process. Two kinds of library state are
global to that process and were not written for threads:

* **PennyLane's recording queue.** ``QueuingManager`` keeps one stack of recording contexts for the whole
  process (PennyLane 0.45). Two threads building circuits at once corrupt it ("IndexError: pop from
  empty list"), after which its internal lock is never released and every later circuit in the process
  hangs. :data:`PENNYLANE` serialises every use of it: each function that builds or runs a circuit is
  decorated with :meth:`Serial.serialise`.
* **torch's global random generator.** ``torch.manual_seed`` seeds one generator for the process, and
  ``torch.nn`` layers draw their initial weights from it. Two sessions seeding and drawing at once take
  each other's numbers, so a seed would no longer fix the picture. :func:`seeded` holds a lock while it
  seeds a private copy of the generator (``fork_rng``) and restores the global one afterwards; keep only
  the drawing (building a model, a randomized SVD) inside it, never a training loop.

``torch.set_num_threads`` needs no lock, but it is not as local as it looks: it also sets the count a
thread starts with, so every computation first restores its own thread's (:func:`core.device.own_threads`).
"""

from __future__ import annotations

import contextlib
import functools
import threading
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import torch

F = TypeVar("F", bound=Callable[..., Any])

WAIT_POLL = 0.2  # seconds between progress reports while waiting for the lock


class Serial:
    """A re-entrant process-wide lock around one library, for functions that take ``progress``.

    While a call waits for another session's to finish it reports ``progress(0, "Waiting …")`` every
    :data:`WAIT_POLL` seconds: the page draws that on its progress bar, and Streamlit can stop the
    waiting run there when its viewer moves on (a bare ``acquire()`` could not be interrupted).
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self._lock = threading.RLock()

    @contextlib.contextmanager
    def hold(self, progress: Callable[[float, str], None] | None = None) -> Iterator[None]:
        if not self._lock.acquire(blocking=False):
            if progress is None:
                self._lock.acquire()
            else:
                while not self._lock.acquire(timeout=WAIT_POLL):
                    progress(0.0, f"Waiting for another viewer's {self.name} run to finish…")
        try:
            yield
        finally:
            self._lock.release()

    def serialise(self, fn: F) -> F:
        """Decorate ``fn`` so that at most one thread runs it (or any other function serialised by this
        lock) at a time. A ``progress`` keyword argument, when given, hears about the wait."""

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self.hold(kwargs.get("progress")):
                return fn(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


PENNYLANE = Serial("PennyLane")

_RNG = threading.Lock()


@contextlib.contextmanager
def seeded(seed: int, device: torch.device | str = "cpu") -> Iterator[None]:
    """Draw from torch's global generator as if it had just been seeded with ``seed``, without another
    thread's draws interleaving and without changing what other code sees afterwards. ``device``: where
    the draws happen (a CUDA device's generator is forked too)."""
    device = torch.device(device)
    cuda = [device.index if device.index is not None else torch.cuda.current_device()] if device.type == "cuda" else []
    with _RNG, torch.random.fork_rng(devices=cuda):
        torch.manual_seed(int(seed))
        yield
