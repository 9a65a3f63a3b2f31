"""The parts every lesson page is made of, in the order a page reads: header → controls →
picture → numbers → what to notice / try this → the math → export."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import streamlit as st

from core.data import DataError
from core.device import Timing
from ui import shell, text
from ui.chapters import CHAPTERS, Chapter

log = logging.getLogger(__name__)


def chapter(number: int) -> Chapter:
    return next(c for c in CHAPTERS if c.number == number)


def header(number: int) -> Chapter:
    """Chapter line, title and the question the page answers. Presenting, all three share one line
    (wrapping to a second at most on a 1280-px projector), so the picture starts above the fold."""
    ch = chapter(number)
    if shell.presentation_mode():
        with st.container(key="mfdl_header"):
            st.markdown(f"#### {ch.icon} {ch.explorer} :gray[· Ch. {ch.number} · {ch.question}]")
        return ch
    st.caption(f"Chapter {ch.number} · {ch.title}")
    st.title(f"{ch.icon} {ch.explorer}")
    st.markdown(f"##### {ch.question}")
    return ch


CONTROLS_KEY = "mfdl_controls"


def tabbed_page(number: int, labels: Sequence[str]) -> tuple[list, Any, Any]:
    """An explorer's frame: the header, its tabs bound to ``<prefix>_tab`` in the URL, and the two
    columns every tab draws into (controls on the left, the lesson on the right). Only the open
    tab should compute: branch on ``tab.open``."""
    from ui import controls, lesson

    ch = header(number)
    tabs = controls.tabs(list(labels), f"{ch.prefix}_tab")
    ctrl, main = st.columns([1, 3], gap="large")
    lesson.page(ch.prefix, list(labels), tabs, main)  # predict, then reveal: the tab's question
    # keyed, so that a phone (shell.BASE_CSS) can show the picture first and the controls under it
    return tabs, ctrl.container(key=CONTROLS_KEY), main


def explorer(number: int, labels: Sequence[str], draws: Sequence[Callable[..., Any]], prompts: Sequence[str],
             page_file: str) -> None:
    """A whole explorer whose tabs stand alone: :func:`tabbed_page`, then the open tab's function (``draws``,
    one per label, in order), called as ``draw(ctrl)`` inside :func:`guard` so that a tab's failure stays its
    own, then the page's try-this ``prompts`` and its math (:func:`math_file` of ``page_file``). Pages whose tabs
    share controls or data write this frame out themselves."""
    tabs, ctrl, main = tabbed_page(number, labels)
    for label, tab, draw in zip(labels, tabs, draws, strict=True):
        if tab.open:  # only the open tab computes
            with main, guard(label):
                draw(ctrl)
    with main:
        try_this(prompts)
        math_file(page_file)


def metrics(*items: tuple) -> None:
    """A row of metrics: (label, value) or (label, value, help)."""
    for col, (label, value, *rest) in zip(st.columns(len(items)), items, strict=True):
        col.metric(label, value, help=rest[0] if rest else None)


def compute_line(*timings: Timing | None) -> None:
    """What ran where and how long it took: “SVD of 1797×64 in 3 ms on cpu”."""
    shown = [str(t) for t in timings if t is not None]
    if shown:
        st.caption(":material/timer: " + " · ".join(shown))


def formula(latex: str) -> None:
    """A displayed formula that wraps at its = and + signs when the column is too narrow for it (a phone,
    presentation mode's larger type), instead of running off the edge as ``st.latex`` does."""
    st.markdown(f"${latex}$", text_alignment="center")


def side_by_side(spec: Sequence[float]) -> list:
    """Columns for charts of a fixed size (maps, decision regions): side by side normally, one under the
    other in presentation mode, where the larger type would push them into each other."""
    if shell.presentation_mode():
        return [st.container() for _ in spec]
    return list(st.columns(list(spec)))


def notice(text: str) -> None:
    """“What to notice”: the one sentence that makes the picture click (covered until revealed)."""
    from ui import lesson

    if not lesson.covered():
        st.info(text, icon=":material/visibility:")


def try_this(prompts: Sequence[str]) -> None:
    """Small experiments to run with the controls; folded away in presentation mode."""
    body = "\n".join(f"- {p}" for p in prompts)
    if shell.presentation_mode():
        with st.expander("Try this"):
            st.markdown(body)
    else:
        st.markdown("**Try this**\n" + body)


def math(markdown: str, title: str = "The math") -> None:
    """The page's mathematics (Markdown with LaTeX), open unless presenting."""
    with st.expander(title, expanded=not shell.presentation_mode()):
        st.markdown(markdown)


def math_file(page_file: str, title: str = "The math") -> None:
    """:func:`math` with the Markdown kept beside the page script (``05_optimization.md`` for
    ``05_optimization.py``), so a long derivation does not crowd the page's code."""
    from pathlib import Path

    math(Path(page_file).with_suffix(".md").read_text(encoding="utf-8"), title)


def prose(markdown: str) -> None:
    """Explanatory text that presentation mode leaves out."""
    if not shell.presentation_mode():
        st.markdown(markdown)


@contextlib.contextmanager
def guard(what: str) -> Iterator[None]:
    """Turn a failure inside one section into a clear message instead of a traceback.

    :class:`DataError` carries a message written for the user; anything else is logged on the
    server and reported briefly, and the rest of the page still renders.
    """
    try:
        yield
    except DataError as exc:  # its message may quote an upload's names or cells: shown literally
        st.error(text.literal(exc, text.MESSAGE_LIMIT), icon=":material/block:")
    except Exception as exc:
        log.exception("%s failed", what)
        st.error(f"{what} could not be computed ({type(exc).__name__}: {text.literal(exc, 200)}).",
                 icon=":material/warning:")
