"""The app's frame shared by every page: global controls in the sidebar (device badge, force-CPU
switch, presentation mode, a link to the current view) and the state pages read from them."""

from __future__ import annotations

from urllib.parse import urlencode

import streamlit as st
import torch

from core import device as devices
from ui import controls

CPU_KEY = "cpu"
PRESENT_KEY = "present"
PRESENT_CSS = """
<style>
/* Presentation mode: type and controls readable from the back of a lecture hall. */
.stMainBlockContainer { font-size: 1.3rem; max-width: 100%; }
.stMainBlockContainer p, .stMainBlockContainer li, .stMainBlockContainer label,
.stMainBlockContainer [data-testid="stMetricLabel"] p { font-size: 1.3rem !important; }
.stMainBlockContainer h1 { font-size: 3.2rem; }
.stMainBlockContainer h2 { font-size: 2.4rem; }
.stMainBlockContainer h3 { font-size: 1.9rem; }
[data-testid="stMetricValue"] { font-size: 2.8rem; }
.stMainBlockContainer .katex { font-size: 1.35em; }
</style>
"""


def presentation_mode() -> bool:
    """True while the viewer has presentation mode on (larger type and charts, less prose)."""
    return bool(st.session_state.get(PRESENT_KEY, False))


def current_device() -> torch.device:
    """Where this viewer's computations run: the best device, unless the CPU is forced."""
    return devices.pick_device(force_cpu=bool(st.session_state.get(CPU_KEY, False)))


def sidebar() -> None:
    """Draw the global controls. Call once per run, from app.py, before the page runs."""
    with st.sidebar:
        st.caption("**Settings for this view**")
        controls.toggle("Presentation mode", PRESENT_KEY, False,
                        help="Larger type and charts, less prose: for a projector.")
        available = devices.pick_device()
        forced = controls.toggle(
            "Force CPU", CPU_KEY, False, disabled=available.type == "cpu",
            help="Run every computation on the CPU even when a GPU is present (compare speeds)."
            if available.type != "cpu" else "No GPU was found, so everything already runs on the CPU.")
        info = devices.describe(current_device() if forced else available)
        colour = "green" if info.kind != "cpu" else "gray"
        memory = f" · {info.memory_gb:.0f} GiB" if info.memory_gb else ""
        st.badge(f"{info.label} · {info.name}{memory}", icon=":material/memory:", color=colour)
    if presentation_mode():
        st.html(PRESENT_CSS)


def share_link() -> None:
    """A copyable link to exactly this view: the page's URL with every non-default control value.

    Call after the page has run, so that every control has registered its value.
    """
    base = st.context.url or ""
    params = {k: st.query_params.get_all(k) for k in st.query_params}
    query = urlencode([(k, v) for k, vs in params.items() for v in vs])
    with st.sidebar:
        st.caption("**Link to this view** (copy with the icon)")
        st.code(f"{base}?{query}" if query else base or "(open in a browser to get a link)",
                language=None, wrap_lines=True)
