"""The app's frame shared by every page: global controls in the sidebar (device badge, force-CPU
switch, presentation mode, a link to the current view) and the state pages read from them."""

from __future__ import annotations

import contextlib
import ctypes
import os
import threading
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import streamlit as st

from ui import controls, lesson

if TYPE_CHECKING:
    import torch

CPU_KEY = "cpu"
# glibc's malloc: memory blocks of at least this many bytes are mapped and handed back to the system when
# freed (see tune_allocator).
MMAP_THRESHOLD = 128 * 1024
PRESENT_KEY = "present"
# Every view, at any width (issue 22): nothing a page shows ends in "…". Streamlit cuts a metric's value,
# label and delta to one line; here they wrap. On a phone (Streamlit stacks columns below 640 px) the
# picture comes before the page's controls (layout.tabbed_page's CONTROLS_KEY container), and long
# tab bars wrap instead of scrolling out of sight.
BASE_CSS = """
<style>
[data-testid="stMetricValue"], [data-testid="stMetricValue"] *,
[data-testid="stMetricLabel"], [data-testid="stMetricLabel"] *,
[data-testid="stMetricDelta"], [data-testid="stMetricDelta"] * {
  white-space: normal !important; overflow: visible !important; text-overflow: clip !important;
  overflow-wrap: anywhere; }
[data-testid="stMetricValue"] { height: auto !important; }
@media (max-width: 640px) {
  .stMainBlockContainer { padding-top: 3.5rem; }
  /* a chart drawn at its own width (maps, image grids) shrinks to the phone instead of running off it */
  [data-testid="stVegaLiteChart"] svg.marks, [data-testid="stVegaLiteChart"] canvas {
    max-width: 100% !important; height: auto !important; }
  [data-testid="stColumn"]:has(.st-key-mfdl_controls) { order: 2; }
  .stMainBlockContainer h1 { font-size: 2rem; }
  [data-testid="stTabs"] [role="tablist"] { flex-wrap: wrap; }
  /* a row of metrics: two to a line, not one under the other (the picture stays on the first screen) */
  [data-testid="stHorizontalBlock"]:has(> [data-testid="stColumn"] [data-testid="stMetric"]) {
    flex-wrap: wrap; }
  [data-testid="stHorizontalBlock"]:has(> [data-testid="stColumn"] [data-testid="stMetric"])
    > [data-testid="stColumn"] { min-width: calc(50% - 1rem) !important; flex: 1 1 calc(50% - 1rem) !important; }
}
</style>
"""
PRESENT_CSS = """
<style>
/* Presentation mode: type readable from the back of a lecture hall, and the picture above the fold of a
   1280×720 projector (issue 22): little room above the header, a one-line header (layout.header), compact
   metrics. */
.stMainBlockContainer { max-width: 100%; padding: 3.5rem 2rem 4rem; }
.stMainBlockContainer [data-testid="stMarkdownContainer"] p,
.stMainBlockContainer [data-testid="stMarkdownContainer"] li { font-size: 1.35rem; line-height: 1.5; }
.stMainBlockContainer [data-testid="stWidgetLabel"] p { font-size: 1.2rem; }
.stMainBlockContainer [data-testid="stWidgetLabel"] *,
.stMainBlockContainer [data-testid="stMetricLabel"] * { white-space: normal !important; overflow: visible !important; }
.stMainBlockContainer [data-testid="stMetricLabel"] p { font-size: 1.1rem !important; line-height: 1.3; }
.stMainBlockContainer [data-testid="stMetricValue"] p,
.stMainBlockContainer [data-testid="stMetricValue"] div { font-size: 2.2rem !important; line-height: 1.15; }
.stMainBlockContainer [data-testid="stMetricDelta"] p,
.stMainBlockContainer [data-testid="stMetricDelta"] div { font-size: 1.1rem !important; }
.stMainBlockContainer [data-testid="stSliderThumbValue"] p,
.stMainBlockContainer [data-testid="stSliderTickBar"] p { font-size: 1.05rem !important; }
.stMainBlockContainer [data-testid="stCaptionContainer"] p { font-size: 1.05rem; }
.stMainBlockContainer h1 { font-size: 3.2rem; }
.stMainBlockContainer h5 { font-size: 1.6rem; }
.stMainBlockContainer .st-key-mfdl_header h4 { font-size: 1.7rem; line-height: 1.25; padding: 0; }
.stMainBlockContainer .st-key-mfdl_header h4 span { font-weight: 400; }
.stMainBlockContainer button[role="tab"] p { font-size: 1.35rem; }
.stMainBlockContainer .katex { font-size: 1.3em; }
</style>
"""


def _fewer_malloc_arenas(arenas: int = 2) -> None:
    """Let every thread of the server share ``arenas`` glibc heaps (``mallopt(M_ARENA_MAX)``).

    glibc gives threads up to eight heaps per core, and Streamlit runs each script run in a new thread:
    under a class, memory freed in one heap cannot serve a run that landed in another, and the process
    grows. Set at import (once per process), like ``MALLOC_ARENA_MAX``, which a hosted app cannot set.
    Elsewhere than glibc (macOS, musl) nothing happens."""
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("c")
    if not name or "libc.so" not in name:
        return
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(name).mallopt(-8, arenas)  # M_ARENA_MAX


_fewer_malloc_arenas()
_TORCH_READY = threading.Event()
_WARMING = threading.Lock()


def _import_torch() -> None:
    time.sleep(0.5)  # let the server send the page just drawn first: the import holds the GIL for ~2 s
    import torch  # noqa: F401

    torch_loaded()


def torch_loaded() -> None:
    """Say that torch has been imported in full (by a page or by the background import)."""
    _TORCH_READY.set()


def warm_up() -> None:
    """Start importing PyTorch (~2 s on a small CPU) in the background, once per server process, so
    the home page renders at once and the first explorer finds it loaded or half-way there. A page
    that imports torch meanwhile simply waits on Python's import lock for the same import.
    Called at the end of a run (:func:`finish`), so the first page is drawn before the import starts."""
    with _WARMING:
        if not _TORCH_READY.is_set() and not any(t.name == "mfdl-torch-import" for t in threading.enumerate()):
            threading.Thread(target=_import_torch, name="mfdl-torch-import", daemon=True).start()


def presentation_mode() -> bool:
    """True while the viewer has presentation mode on (larger type and charts, less prose)."""
    return bool(st.session_state.get(PRESENT_KEY, False))


def presenting_link() -> bool:
    """Whether this run asks for presentation mode, read before the toggle exists (app.py's page config
    runs first): the viewer's own switch once there is one, else the link's ``present=true``."""
    if PRESENT_KEY in st.session_state:
        return bool(st.session_state[PRESENT_KEY])
    values = st.query_params.get_all(PRESENT_KEY)
    return bool(values) and values[-1].lower() == "true"



def tune_allocator() -> bool:
    """Give freed arrays back to the system: fix glibc's mmap threshold at :data:`MMAP_THRESHOLD`.

    By default glibc raises the threshold to the size of each large block freed (up to 32 MiB), after which
    tensors and chart buffers of that size come from the heaps of the many threads the server runs scripts
    in, where freed memory mostly stays resident. Measured with ``python -m bench --section memory`` (every
    page at default and largest settings, then a class of 30 on every page): peak 1,141 → 958 MiB, and no
    more CPU per rerun (8 reruns of every page: 2.6–2.9 s without, 2.4–2.6 s with). Setting the threshold
    also turns off its dynamic raising, and a trim threshold as small returns the top of a heap as it empties.
    A ``MALLOC_MMAP_THRESHOLD_`` or ``MALLOC_TRIM_THRESHOLD_`` in the environment wins; elsewhere than glibc
    (macOS, musl) nothing changes. Returns whether the threshold was set.
    """
    if "MALLOC_MMAP_THRESHOLD_" in os.environ or "MALLOC_TRIM_THRESHOLD_" in os.environ:
        return False
    try:
        mallopt = ctypes.CDLL("libc.so.6").mallopt
    except (OSError, AttributeError):
        return False
    m_trim_threshold, m_mmap_threshold = -1, -3  # <malloc.h>
    return bool(mallopt(m_mmap_threshold, MMAP_THRESHOLD)) and bool(mallopt(m_trim_threshold, MMAP_THRESHOLD))


tune_allocator()  # once per server process, when app.py first imports the shell

def sidebar_state() -> str:
    """``initial_sidebar_state`` for the page config: collapsed when presenting, so the picture gets the
    projector's whole width (Streamlit's own arrow opens it); otherwise Streamlit's "auto" (open on a
    desktop, closed on a phone, where it would cover the page)."""
    return "collapsed" if presenting_link() else "auto"


def current_device() -> torch.device:
    """Where this viewer's computations run: the best device, unless the CPU is forced."""
    from core.device import own_threads, pick_device  # torch: imported by the first page that computes

    torch_loaded()
    own_threads()
    return pick_device(force_cpu=bool(st.session_state.get(CPU_KEY, False)))


def sidebar() -> Any:
    """Draw the global switches. Call once per run, from app.py, before the page runs.

    Nothing here imports torch, so the home page of a freshly started server renders at once
    (torch loads in the background, :func:`warm_up`); the returned slot is where :func:`finish`
    draws the device badge after the page has run.
    """
    lesson.start()
    with st.sidebar:
        st.caption("**Settings for this view**")
        controls.toggle("Presentation mode", PRESENT_KEY, False,
                        help="Larger type and charts, less prose: for a projector.")
        controls.toggle("Predict, then reveal", lesson.COVER, False,
                        help="In presentation mode, each tab asks a question first and covers its numbers and "
                             "its “what to notice” until you press Reveal.")
        controls.toggle("Force CPU", CPU_KEY, False,
                        help="Run every computation on the CPU even when a GPU is present (compare speeds).")
        slot = st.empty()
    st.html(BASE_CSS + (PRESENT_CSS if presentation_mode() else ""))
    lesson.top()
    return slot


def _device_badge(slot: Any) -> None:
    if not _TORCH_READY.is_set():  # only on a page that computes nothing, in a server's first seconds
        slot.badge("Device: PyTorch is loading…", icon=":material/hourglass_top:", color="gray",
                   help="The device shows on the next page you open.")
        return
    from core import device as devices

    available = devices.pick_device()
    info = devices.describe(current_device())
    colour = "green" if info.kind != "cpu" else "gray"
    memory = f" · {info.memory_gb:.0f} GiB" if info.memory_gb else ""
    missing = "" if available.type != "cpu" else " (no GPU found)"
    slot.badge(f"{info.label} · {info.name}{memory}{missing}", icon=":material/memory:", color=colour)


def finish(slot: Any) -> None:
    """After the page has run: the device badge and a copyable link to exactly this view (the page's
    URL with every non-default control value, which every control has registered by now)."""
    _device_badge(slot)
    warm_up()
    lesson.finish()
    base = st.context.url or ""
    params = {k: st.query_params.get_all(k) for k in st.query_params}
    query = urlencode([(k, v) for k, vs in params.items() for v in vs])
    with st.sidebar:
        st.caption("**Link to this view** (copy with the icon)")
        st.code(f"{base}?{query}" if query else base or "(open in a browser to get a link)",
                language=None, wrap_lines=True)
