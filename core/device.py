"""Choosing where torch runs, and timing what ran there.

Order of preference: CUDA > Apple MPS > CPU. The environment variable ``MFDL_DEVICE``
(``cpu``, ``cuda``, ``cuda:1``, ``mps`` or ``auto``) and the dashboard's "force CPU" switch
override it. Results are always brought back to CPU numpy for charting.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
import torch

ENV_VAR = "MFDL_DEVICE"
T = TypeVar("T")
# torch's CPU thread count for this process, read at import, before :func:`single_thread` can lower it.
DEFAULT_THREADS = torch.get_num_threads()


def _mps_available() -> bool:
    backend = getattr(torch.backends, "mps", None)
    return bool(backend is not None and backend.is_available())


def auto_device() -> torch.device:
    """The best accelerator present: cuda > mps > cpu."""
    if torch.cuda.is_available():
        return torch.device("cuda", 0)
    if _mps_available():
        return torch.device("mps")
    return torch.device("cpu")


def pick_device(force_cpu: bool = False, env: str | None = None) -> torch.device:
    """The device the dashboard computes on.

    ``force_cpu`` (the sidebar switch) wins; then ``MFDL_DEVICE`` (``env`` overrides the real
    environment, for tests); then the best device present. A request for a device that is not
    present falls back to the automatic choice rather than failing.
    """
    if force_cpu:
        return torch.device("cpu")
    wanted = (os.environ.get(ENV_VAR, "") if env is None else env).strip().lower()
    if wanted in ("", "auto"):
        return auto_device()
    try:
        dev = torch.device(wanted)
    except (RuntimeError, ValueError):
        return auto_device()
    if dev.type == "cpu":
        return dev
    if dev.type == "cuda" and torch.cuda.is_available():
        index = dev.index or 0
        return torch.device("cuda", index) if index < torch.cuda.device_count() else auto_device()
    if dev.type == "mps" and _mps_available():
        return dev
    return auto_device()


@dataclass(frozen=True)
class DeviceInfo:
    kind: str  # "cuda", "mps" or "cpu"
    label: str  # "cuda:0", "mps", "cpu"
    name: str  # the GPU's name, or the CPU's description
    memory_gb: float | None = None


def describe(device: torch.device) -> DeviceInfo:
    """A human description of ``device`` for the sidebar badge."""
    if device.type == "cuda":
        index = device.index or 0
        props = torch.cuda.get_device_properties(index)
        return DeviceInfo("cuda", f"cuda:{index}", props.name, props.total_memory / 2**30)
    if device.type == "mps":
        return DeviceInfo("mps", "mps", "Apple GPU (Metal)")
    threads = torch.get_num_threads()
    return DeviceInfo("cpu", "cpu", f"CPU, {threads} thread{'s' if threads != 1 else ''}")


def synchronize(device: torch.device) -> None:
    """Wait for queued GPU work so that a timer measures the computation, not its launch."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    elif device.type == "mps":
        torch.mps.synchronize()


@dataclass(frozen=True)
class Timing:
    """What ran, where, and how long it took: the page's compute line."""

    what: str
    device: str
    seconds: float
    fell_back: bool = False

    def __str__(self) -> str:
        ms = self.seconds * 1e3
        took = f"{ms:.1f} ms" if ms < 10 else f"{ms:.0f} ms" if ms < 10_000 else f"{self.seconds:.1f} s"
        note = " (GPU out of memory: fell back to the CPU)" if self.fell_back else ""
        return f"{self.what} in {took} on {self.device}{note}"


def timed(what: str, fn: Callable[..., T], *args: Any, device: torch.device, **kwargs: Any) -> tuple[T, Timing]:
    """Run ``fn(*args, device=device, **kwargs)``, timing it; on GPU out-of-memory rerun on the CPU."""
    synchronize(device)
    start = time.perf_counter()
    fell_back = False
    try:
        result = fn(*args, device=device, **kwargs)
        synchronize(device)
    except torch.OutOfMemoryError:
        if device.type == "cpu":
            raise
        torch.cuda.empty_cache() if device.type == "cuda" else None
        device, fell_back = torch.device("cpu"), True
        start = time.perf_counter()
        result = fn(*args, device=device, **kwargs)
    label = f"{device.type}:{device.index}" if device.index is not None else device.type
    return result, Timing(what, label, time.perf_counter() - start, fell_back)



def compute_dtype(device: torch.device) -> torch.dtype:
    """The float type of core computations: float64 on the CPU (exact comparisons with numpy and the
    field's libraries), float32 on a GPU (the fast path on consumer and data-centre cards alike)."""
    return torch.float64 if device.type == "cpu" else torch.float32


def as_tensor(X: np.ndarray | torch.Tensor, device: torch.device) -> torch.Tensor:
    """``X`` on ``device`` in :func:`compute_dtype`. A numpy input is copied first, so a read-only (cached)
    array never aliases a tensor that torch might write to."""
    if isinstance(X, torch.Tensor):
        return X.to(device=device, dtype=compute_dtype(device))
    return torch.from_numpy(np.array(X, dtype=np.float64)).to(device=device, dtype=compute_dtype(device))


def own_threads() -> None:
    """Give the calling thread torch's default number of CPU threads.

    ``torch.set_num_threads`` sets the calling thread's OpenMP count *and* a process-wide value that a
    thread starts with when it first uses torch. Streamlit starts a new thread for every script run, so a
    run that begins while another session trains inside :func:`single_thread` would otherwise compute all
    its linear algebra on one thread. Called before each computation (``ui.shell.current_device``)."""
    if torch.get_num_threads() != DEFAULT_THREADS:
        torch.set_num_threads(DEFAULT_THREADS)


@contextlib.contextmanager
def single_thread(device: torch.device | str = "cpu") -> Iterator[None]:
    """Run small, many-step CPU work (training a 12-unit network, a 4-qubit circuit) on one torch thread.

    On two cores, torch's second intra-op thread gains nothing on tensors this small and, when anything else
    is running, each of thousands of tiny ops waits for it: measured here with a test run beside it, a
    400-epoch training took 4.6 s on two threads and 0.50 s on one, a 30-epoch circuit training 3.45 s and
    0.54 s. ``torch.set_num_threads`` sets OpenMP's count for the calling thread (each Streamlit
    session runs its script in its own thread), so running sessions keep theirs; a thread that starts
    meanwhile inherits the lowered count until it calls :func:`own_threads`. A GPU device changes nothing.
    """
    if torch.device(device).type != "cpu":
        yield
        return
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)
