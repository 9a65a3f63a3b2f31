"""Controls whose values live in the URL, so that every view is a link.

Each wraps a Streamlit widget with ``bind="query-params"`` (the key is the parameter's name).
Streamlit silently ignores a URL value that is invalid or out of range; these wrappers read the raw
parameter first and, when the widget did not take it, say so under the control and name the value
used instead. Keys are prefixed per page (``la_k``) so pages never fight over a name.

A lesson link (:mod:`ui.lesson`, ``?hide=la_std&lock=la_data``) hides or locks controls here, once for
every page: a hidden control draws nothing and returns the link's value (checked as the widget would,
with the same note when refused) or its default; a locked one is drawn disabled.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import streamlit as st

from ui import lesson, text

BIND = "query-params"


def raw_param(key: str) -> str | None:
    """The URL's value for ``key`` as the browser sent it, before any widget judged it."""
    values = st.query_params.get_all(key)
    return values[-1] if values else None


def _same_number(raw: str, value: float) -> bool:
    try:
        parsed = float(raw)
    except ValueError:
        return False
    return math.isfinite(parsed) and math.isclose(parsed, float(value), rel_tol=1e-9, abs_tol=1e-12)


def _note(key: str, raw: str, used: Any, why: str, container: Any = None) -> None:
    # The value is the sender's text: shown literally (ui.text), never as Markdown, and cut at 40 characters.
    given = text.literal(f"{key}={text.clean(raw, 40)}", text.MESSAGE_LIMIT)
    (container or st).caption(f":orange[⚠ The link's “{given}” {text.literal(why, text.MESSAGE_LIMIT)}; "
                              f"using **{text.literal(used)}** instead.]")


def _link_value(key: str) -> str | None:
    """The URL's value for ``key`` when this run creates the widget from the link (its first run
    in the session, or the first since it was last hidden); None once the user owns the value.
    A later run may still find an older value in the address bar, which is not the link's fault."""
    return None if key in st.session_state else raw_param(key)


def _check_number(key: str, raw: str | None, value: float, lo: float, hi: float, step: float | None,
                  container: Any) -> None:
    if raw is None or _same_number(raw, value):
        return
    try:
        parsed = float(raw)
        ok = math.isfinite(parsed)
    except ValueError:
        ok = False
    if not ok:
        why = "is not a number"
    elif not lo <= parsed <= hi:
        why = f"is outside {lo:g}–{hi:g}"
    elif isinstance(value, int) and not parsed.is_integer():
        why = "is not a whole number"
    else:
        why = f"is not on the control's steps of {step:g}" if step else "cannot be set on this control"
    _note(key, raw, f"{value:g}", why, container)


def _keep_in_range(key: str, lo: float, hi: float) -> None:
    """A range that depends on another choice (k ≤ the data's width) can shrink under a value the
    user set earlier; Streamlit then raises. Pull the remembered value inside the new range first."""
    current = st.session_state.get(key)
    if isinstance(current, (int, float)) and not isinstance(current, bool) and not lo <= current <= hi:
        st.session_state[key] = type(current)(min(max(current, lo), hi))


def _number_url(value: float) -> str:
    """A number as the URL carries it (``5``, ``0.25``)."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _linked_number(raw: str | None, lo: float, hi: float, value: float, step: float | None) -> Any:
    """A hidden control's number: the link's, when the control would have taken it, else ``value``."""
    try:
        parsed = float(raw) if raw is not None else math.nan
    except ValueError:
        return value
    if not math.isfinite(parsed) or not lo <= parsed <= hi:
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        if not parsed.is_integer():
            return value
        parsed = int(parsed)
    if step and not math.isclose((parsed - lo) / step, round((parsed - lo) / step), abs_tol=1e-6):
        return value
    return parsed


def _linked_choice(raw: str | None, options: Sequence[Any], default: Any, format_func: Callable[[Any], str]) -> Any:
    """A hidden control's choice: the option whose label the link names, else ``default``."""
    return next((o for o in options if raw is not None and str(format_func(o)) == raw), default)


def _numeric(widget: str, label: str, key: str, min_value: float, max_value: float, value: float,
             step: float | None, help: str | None, format: str | None, container: Any) -> Any:
    """A URL-bound number drawn by ``container``'s ``widget`` (``"slider"`` or ``"number_input"``), hidden
    or locked as a lesson link says, with a note when the link's value was not usable."""
    where = container or st
    how = lesson.mode(key)
    raw = _link_value(key)
    if how == lesson.HIDE:
        raw = raw_param(key)
        out = _linked_number(raw, min_value, max_value, value, step)
    else:
        _keep_in_range(key, min_value, max_value)
        out = getattr(where, widget)(label, min_value, max_value, value, step, key=key, help=help, format=format,
                                     disabled=how == lesson.LOCK, bind=BIND)
    _check_number(key, raw, out, min_value, max_value, step, where)
    lesson.register(key, label, out, [_number_url(out)], how)
    return out


def slider(label: str, key: str, min_value: float, max_value: float, value: float, step: float | None = None,
           help: str | None = None, format: str | None = None, container: Any = None) -> Any:
    """A URL-bound slider. Ints stay ints when every bound is an int."""
    return _numeric("slider", label, key, min_value, max_value, value, step, help, format, container)


def number_input(label: str, key: str, min_value: float, max_value: float, value: float,
                 step: float | None = None, help: str | None = None, container: Any = None,
                 format: str | None = None) -> Any:
    """A URL-bound number box."""
    return _numeric("number_input", label, key, min_value, max_value, value, step, help, format, container)


def seed(key: str, value: int = 0, container: Any = None) -> int:
    """The random seed: a control like any other, so a shared link reproduces the same sample."""
    return int(number_input("Random seed", key, 0, 2**31 - 1, value, 1,
                            help="Same seed, same sample: it is part of the link.", container=container))


def _check_choice(key: str, raw: str | None, value: Any, options: Sequence[Any],
                  format_func: Callable[[Any], str], container: Any) -> None:
    # Streamlit writes a choice into the URL as its displayed label (format_func of the option).
    if raw is None or raw == format_func(value):
        return
    listed = ", ".join(format_func(o) for o in options[:8]) + (" …" if len(options) > 8 else "")
    _note(key, raw, format_func(value), f"is not one of: {listed}", container)


def selectbox(label: str, key: str, options: Sequence[Any], index: int = 0,
              format_func: Callable[[Any], str] = str, help: str | None = None, container: Any = None,
              on_change: Callable[[], None] | None = None) -> Any:
    """A URL-bound select box; the URL carries the option itself (``?la_data=iris``). ``on_change`` runs before
    the rerun a new choice starts (e.g. to fill a text box with the chosen example)."""
    where = container or st
    how = lesson.mode(key)
    raw = raw_param(key) if how == lesson.HIDE else _link_value(key)
    if how == lesson.HIDE:
        out = _linked_choice(raw, options, options[index], format_func)
    else:
        out = where.selectbox(label, options, index, format_func=format_func, key=key, help=help,
                              disabled=how == lesson.LOCK, bind=BIND, on_change=on_change)
    _check_choice(key, raw, out, options, format_func, where)
    lesson.register(key, label, out, [str(format_func(out))], how)
    return out


def radio(label: str, key: str, options: Sequence[Any], index: int = 0, format_func: Callable[[Any], str] = str,
          horizontal: bool = True, help: str | None = None, container: Any = None) -> Any:
    where = container or st
    how = lesson.mode(key)
    raw = raw_param(key) if how == lesson.HIDE else _link_value(key)
    if how == lesson.HIDE:
        out = _linked_choice(raw, options, options[index], format_func)
    else:
        out = where.radio(label, options, index, format_func=format_func, key=key, help=help,
                          horizontal=horizontal, disabled=how == lesson.LOCK, bind=BIND)
    _check_choice(key, raw, out, options, format_func, where)
    lesson.register(key, label, out, [str(format_func(out))], how)
    return out


def multiselect(label: str, key: str, options: Sequence[Any], default: Sequence[Any],
                format_func: Callable[[Any], str] = str, help: str | None = None, container: Any = None) -> list:
    """A URL-bound multi-choice; the URL repeats the key once per chosen label (``?op_opt=Adam&op_opt=SGD``)."""
    where = container or st
    how = lesson.mode(key)
    raw = st.query_params.get_all(key) if how == lesson.HIDE or key not in st.session_state else None
    if how == lesson.HIDE:
        by_label = {str(format_func(o)): o for o in options}
        chosen = [by_label[r] for r in dict.fromkeys(raw or []) if r in by_label]
        out = chosen if chosen or "" in (raw or []) else list(default)  # "op_opt=" alone: none chosen
    else:
        out = where.multiselect(label, options, list(default), format_func=format_func, key=key, help=help,
                                disabled=how == lesson.LOCK, bind=BIND)
    lesson.register(key, label, out, [str(format_func(o)) for o in out] or [""], how)
    labels = {format_func(o) for o in options}
    unknown = [r for r in (raw or []) if r and r not in labels]
    if unknown:
        listed = ", ".join(format_func(o) for o in options[:10]) + (" …" if len(options) > 10 else "")
        _note(key, ",".join(unknown), ", ".join(format_func(o) for o in out) or "none",
              f"is not one of: {listed}", where)
    return list(out)


def select_slider(label: str, key: str, options: Sequence[Any], value: Any,
                  format_func: Callable[[Any], str] = str, help: str | None = None, container: Any = None) -> Any:
    where = container or st
    how = lesson.mode(key)
    raw = raw_param(key) if how == lesson.HIDE else _link_value(key)
    if how == lesson.HIDE:
        out = _linked_choice(raw, options, value, format_func)
    else:
        out = where.select_slider(label, options, value, format_func=format_func, key=key, help=help,
                                  disabled=how == lesson.LOCK, bind=BIND)
    _check_choice(key, raw, out, options, format_func, where)
    lesson.register(key, label, out, [str(format_func(out))], how)
    return out


def toggle(label: str, key: str, value: bool = False, help: str | None = None, container: Any = None,
           disabled: bool = False) -> bool:
    where = container or st
    how = lesson.mode(key)
    raw = raw_param(key) if how == lesson.HIDE else _link_value(key)
    if how == lesson.HIDE:
        out = raw.lower() == "true" if raw is not None and raw.lower() in ("true", "false") else value
    else:
        out = where.toggle(label, value, key=key, help=help, disabled=disabled or how == lesson.LOCK, bind=BIND)
    if raw is not None and raw.lower() != str(out).lower():
        _note(key, raw, str(out).lower(), "is not true or false", where)
    lesson.register(key, label, out, [str(bool(out)).lower()], how)
    return bool(out)


def text_input(label: str, key: str, value: str, help: str | None = None, container: Any = None,
               placeholder: str | None = None) -> str:
    """A URL-bound line of text (``?ca_f=x%5E2+%2B+y``). Its value is the sender's: the page must check it and
    show it literally (:mod:`ui.text`), never as Markdown or code to run. No ``max_chars``: a longer link value
    would be cut silently, where the page's own check can say what was too long."""
    where = container or st
    how = lesson.mode(key)
    if how == lesson.HIDE:
        raw = raw_param(key)
        out = raw if raw is not None else value
    else:
        out = where.text_input(label, value, key=key, help=help, placeholder=placeholder,
                               disabled=how == lesson.LOCK, bind=BIND)
    out = "" if out is None else str(out)
    lesson.register(key, label, out, [out], how)
    return out


def tabs(labels: Sequence[str], key: str) -> Any:
    """URL-bound tabs (``?la_tab=Reconstruction``): only the open one should be computed
    (``tab.open``). A tab name the page does not have opens the first tab, with a note."""
    raw = _link_value(key)
    out = st.tabs(list(labels), key=key, bind=BIND)
    if raw is not None and raw not in labels:
        _note(key, raw, labels[0], f"is not one of: {', '.join(labels)}")
    return out


@st.cache_data(max_entries=8, show_spinner=False)
def _parse_csv(raw: bytes, name: str):
    from core.data import read_csv

    return read_csv(raw, name=name)


def csv_upload(label: str, key: str, container: Any = None):
    """The one validated CSV-upload path: a file picker, then :func:`core.data.read_csv`.

    Returns the data set, or None when nothing usable was uploaded (the reason is shown). An
    upload is not part of the view's link; the page says so.
    """
    from core.data import MAX_UPLOAD_BYTES, DataError

    where = container or st
    file = where.file_uploader(label, type=["csv", "txt", "tsv"], key=key,
                               help=f"Numbers in columns, a header row, up to {MAX_UPLOAD_BYTES // 2**20} MiB. "
                                    "One text column with a few distinct values is used as the class label.")
    if file is None:
        where.caption("No file yet: until one is uploaded the page shows the digits.")
        return None
    try:
        data = _parse_csv(file.getvalue(), file.name)
    except DataError as exc:
        text.refused_upload(where, file.name, exc)
        return None
    text.notes(where, data.notes)
    where.caption("Uploaded data stays in this browser session; a shared link cannot carry it.")
    return data
