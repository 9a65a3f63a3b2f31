"""Shared helpers for the page tests (AppTest) and the browser tests (Playwright).

Everything here is generic over ``ui.chapters.live()``: a chapter whose explorer goes live is
covered by the page and browser suites without touching the tests.
"""

from __future__ import annotations

import ast
import functools
import math
import random
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from ui.chapters import Chapter, live

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "app.py"
TIMEOUT = 120  # seconds for one AppTest run; the SVD race at its largest setting is the slowest
NOTE_MARK = "⚠ The link's “"  # how ui.controls starts the note about a URL value it could not use
GLOBAL_KEYS = ("present", "cpu", "cover")  # the sidebar switches every page carries (ui.shell)
KINDS = ("slider", "select_slider", "selectbox", "radio", "toggle", "number_input", "multiselect")
CHOICE_KINDS = ("selectbox", "radio", "select_slider")


def home_page() -> str:
    """The home page's script, read from app.py (the ``st.Page(..., default=True)``)."""
    tree = ast.parse(APP.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "Page" and node.args
                and isinstance(node.args[0], ast.Constant)
                and any(kw.arg == "default" and getattr(kw.value, "value", False) for kw in node.keywords)):
            return node.args[0].value
    raise AssertionError("app.py has no st.Page(..., default=True)")


def chapter_id(chapter: Chapter) -> str:
    return chapter.url_path or str(chapter.number)


def tab_key(chapter: Chapter) -> str:
    return f"{chapter.prefix}_tab"


# --------------------------------------------------------------------------------------------- AppTest


def open_page(page: str | None, params: dict[str, Any] | None = None):
    """A fresh AppTest session that opens ``page`` with the URL parameters ``params``.

    The parameters are in place from the session's very first run, as when a shared link is
    opened: Streamlit seeds a URL-bound widget from the URL only when it first appears.
    AppTest can switch to a page only after a first run, so the first run is on the home page.
    """
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.query_params.update(params or {})
    at.run()
    if page and page != home_page():
        at.switch_page(page)
        at.run()
    return at


def charts(at) -> int:
    """Charts on screen: Altair/Vega-Lite charts plus st.image photos."""
    return len(at.get("vega_lite_chart")) + len(at.image)


def unescape(markdown: str) -> str:
    """What a reader sees of text that ui.text.literal wrote into Markdown, read independently of it:
    CommonMark's backslash escapes (a backslash before ASCII punctuation) undone, word joiners dropped."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown).replace("\u2060", "")


def notes(at) -> list[str]:
    """The captions in which ui.controls reports a URL value it could not use, as the reader sees
    their text (:func:`unescape`)."""
    return [unescape(c.value) for c in at.caption if NOTE_MARK in c.value]


def problems(at) -> list[str]:
    """Exceptions, and errors that ui.layout.guard turned into a message."""
    return [f"exception: {e.value}" for e in at.exception] + [f"error: {e.value}" for e in at.error]


def assert_healthy(at, where: str) -> None:
    assert not problems(at), f"{where}: {problems(at)}"
    assert charts(at) >= 1, f"{where}: no chart or image on screen"


def tab_labels(at, chapter: Chapter) -> list[str]:
    """The labels of the page's tabs bound to ``<prefix>_tab``, read from the page itself."""
    key = tab_key(chapter)

    def walk(node) -> Iterator[Any]:
        yield node
        for child in getattr(node, "children", {}).values():
            yield from walk(child)

    for node in walk(at._tree):
        if getattr(node, "type", None) == "tab_container":
            proto = node.proto.tab_container if hasattr(node.proto, "tab_container") else node.proto
            if getattr(proto, "query_param_key", "") == key:
                return [child.label for child in node.children.values()]
    return []


def open_tab(at, chapter: Chapter) -> str | None:
    """The label of the tab that is open (whose content was computed): the one the URL names,
    else the first."""
    labels = tab_labels(at, chapter)
    wanted = at.query_params.get(tab_key(chapter))
    if isinstance(wanted, list):
        wanted = wanted[-1]
    return wanted if wanted in labels else (labels[0] if labels else None)


def page_controls(at, chapter: Chapter) -> dict[str, tuple[str, Any]]:
    """The page's URL-bound controls on screen now, ``{key: (kind, widget)}`` (tab and sidebar excluded)."""
    out: dict[str, tuple[str, Any]] = {}
    for kind in KINDS:
        for w in getattr(at, kind):
            if (w.key and w.key.startswith(f"{chapter.prefix}_") and w.key != tab_key(chapter)
                    and not getattr(w.proto, "disabled", False)):
                out[w.key] = (kind, w)
    return out


def widget(at, kind: str, key: str):
    return getattr(at, kind)(key=key)


def label_of(kind: str, w) -> Any:
    """A control's value as its URL/trial form: the displayed label for a choice, the value otherwise."""
    if kind in CHOICE_KINDS:
        return str(w.format_func(w.value))
    if kind == "multiselect":
        return tuple(str(w.format_func(v)) for v in w.value)
    return w.value


def _by_label(w):
    """Let an AppTest choice widget be set by its displayed label (AppTest's set_value wants the
    option object and formats it, which fails for a format_func such as ``dict.get``)."""
    cls = type(w)
    sub = _IDENTITY_FORMAT.get(cls)
    if sub is None:
        sub = type(f"ByLabel{cls.__name__}", (cls,), {"format_func": property(lambda self: lambda v: v)})
        _IDENTITY_FORMAT[cls] = sub
    w.__class__ = sub
    return w


_IDENTITY_FORMAT: dict[type, type] = {}


def set_control(at, kind: str, key: str, value: Any) -> None:
    """Set one control (a choice by its label) without running."""
    w = widget(at, kind, key)
    if kind in CHOICE_KINDS:
        _by_label(w).set_value(str(value))
    elif kind == "multiselect":
        _by_label(w).set_value([str(v) for v in value])
    else:
        w.set_value(value)


def _grid(lo: float, hi: float, step: float, as_int: bool) -> tuple[int, Any]:
    n = max(0, round((hi - lo) / step))
    digits = max(0, -math.floor(math.log10(step))) + 2 if step and not as_int else 0

    def at_index(i: int):
        v = lo + i * step
        return round(v) if as_int else round(v, digits)

    return n, at_index


def trial_values(kind: str, w, rng: random.Random, n_random: int = 2) -> list[Any]:
    """Minimum, maximum and ``n_random`` seeded random values (every option of a select box or
    radio), ending on a value other than the current one where possible; duplicates dropped."""
    current = label_of(kind, w)
    if kind == "toggle":
        values: list[Any] = [not w.value, w.value]
    elif kind in ("selectbox", "radio"):
        values = list(w.options)
    elif kind == "multiselect":  # none, all, and seeded subsets (as tuples of labels)
        opts = list(w.options)
        values = [(), tuple(opts), *(tuple(sorted(rng.sample(opts, rng.randint(1, len(opts))), key=opts.index))
                                     for _ in range(n_random))]
    elif kind == "select_slider":
        opts = list(w.options)
        middle = opts[1:-1]
        values = [opts[0], opts[-1], *rng.sample(middle, min(n_random, len(middle)))]
    else:
        as_int = isinstance(w.value, int) and not isinstance(w.value, bool)
        lo, hi = w.min, w.max
        step = w.step or (1 if as_int else (hi - lo) / 100)
        n, at_index = _grid(lo, hi, step, as_int)
        picks = [rng.randint(1, n - 1) for _ in range(n_random)] if n > 1 else []
        values = [at_index(0), at_index(n), *(at_index(i) for i in picks)]
    seen: list[Any] = []
    for v in values:
        if v not in seen:
            seen.append(v)
    if kind != "toggle" and seen and seen[0] == current and len(seen) > 1:
        seen.append(seen.pop(0))  # try a real change first
    return seen


def url_value(kind: str, w) -> str:
    """What the browser writes into the URL for this control (what Streamlit's frontend does)."""
    if kind == "toggle":
        return "true" if w.value else "false"
    if kind in CHOICE_KINDS:
        return label_of(kind, w)
    if kind == "multiselect":
        return list(label_of(kind, w))
    v = w.value
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def metric_values(at) -> list[tuple[str, str]]:
    return [(m.label, m.value) for m in at.metric]


# --------------------------------------------------------------------------------------- discovery


@functools.cache
def tabs_of(page: str) -> tuple[str, ...]:
    """Tab labels of a live page (one AppTest run at collection time; cached)."""
    chapter = next(c for c in live() if c.page == page)
    at = open_page(page)
    return tuple(tab_labels(at, chapter))


def page_tab_cases() -> Iterable[tuple[Chapter, str | None]]:
    for chapter in live():
        try:
            labels = tabs_of(chapter.page) or (None,)
        except Exception:  # reported by the test itself
            labels = (None,)
        for label in labels:
            yield chapter, label
