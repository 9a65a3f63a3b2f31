"""“This view in Python”: a short script that reproduces the numbers of the open tab.

Every computation of a page goes through :func:`ui.compute.run`, which reports each call here
(:func:`record`): the core function, its arguments and its result. The script is those calls written
out with literal arguments, after the loaders that made their array arguments, followed by prints of
the tab's numbers (a :class:`View` per tab, in the page's own formats: ui/pyviews/, a module per
chapter). An argument that is
neither a plain value nor the result (or a field of the result) of a loader or an earlier call cannot be
written down: then the tab shows no script rather than one that would not reproduce it. An upload is
never part of a script: it loads a bundled data set instead and says so.

Run from the project's root in its virtual environment: ``.venv/bin/python view.py``.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import streamlit as st

_CALLS = "_pyview_calls"


@dataclass(frozen=True)
class Source:
    """A loader the page calls directly (not through compute.run), whose result may be an argument."""

    name: str
    module: str  # "core.data"
    function: str
    args: tuple = ()


@dataclass(frozen=True)
class View:
    """How one tab's script reads: names for its calls' results, loaders, and the prints."""

    names: dict[str, str]  # core function -> the variable (or "a, b" to unpack) for its result; a tuple for repeats
    prints: str  # Python lines printing the tab's numbers as "label: value", in the page's formats
    values: tuple[str, ...] = ()  # control keys the prints use, assigned first (la_k -> k = 2)
    sources: Callable[[dict[str, Any]], tuple[list[Source], str]] | None = None  # loaders, and an upload note
    skip: tuple[str, ...] = ()  # calls that do not make the numbers (importing PennyLane)
    upload_fallback: str = ""  # with an upload: the expression that stands in for its data


# ----------------------------------------------------------------------------------------- recording


@dataclass
class Call:
    module: str
    function: str
    args: tuple
    kwargs: dict
    on: str | None  # "cpu", "device" (the best one), or None: the function takes no device
    result: Any = field(default=None, repr=False)
    one_thread: bool = False  # long work on small tensors, which the page runs on one torch thread


def start() -> None:
    st.session_state[_CALLS] = []


def finish() -> None:
    """Forget this run's calls once its script is written: they hold results, which a session (kept two
    minutes after its viewer leaves) would otherwise keep alive after the shared cache let them go."""
    st.session_state.pop(_CALLS, None)


def _public_module(fn: Callable) -> str:
    """Where a script imports ``fn`` from: its package when the package exports it (``core.backprop``'s
    ``replay_expression``, defined in ``core.backprop.replay``), else its own module."""
    parts = fn.__module__.split(".")
    if len(parts) > 2:
        package = ".".join(parts[:2])
        if getattr(importlib.import_module(package), fn.__name__, None) is fn:
            return package
    return fn.__module__


def record(fn: Callable, args: tuple, kwargs: dict, device: str | None, result: Any, one_thread: bool = False) -> None:
    """A core call that made part of this run's view, on ``device`` (from ui.compute; None: a function
    that takes no device). The script runs what ran on the CPU on the CPU (the same numbers on any
    machine), the rest on the best device."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    calls = st.session_state.get(_CALLS) if get_script_run_ctx() is not None else None  # none outside a page
    if calls is not None:
        calls.append(Call(_public_module(fn), fn.__qualname__, tuple(args), dict(kwargs),
                          None if device is None else "cpu" if device == "cpu" else "device", result, one_thread))


# ---------------------------------------------------------------------------------------- the script


class NotWritable(Exception):
    """An argument that cannot be written as Python (an upload's bytes, an array of unknown origin)."""


def literal(value: Any) -> str:
    """``value`` as Python source, for plain values only (numbers, strings, None, and tuples, lists and
    dicts of them)."""
    if value is None or isinstance(value, bool | str):
        return repr(value)
    if hasattr(value, "item") and getattr(value, "shape", None) == ():  # a numpy or torch scalar
        return literal(value.item())
    if isinstance(value, int):
        return repr(int(value))
    if isinstance(value, float):
        return repr(float(value)) if math.isfinite(value) else f"float({str(float(value))!r})"
    if isinstance(value, tuple):
        inner = ", ".join(literal(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, list):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        return "{" + ", ".join(f"{k!r}: {literal(v)}" for k, v in value.items()) + "}"
    raise NotWritable(type(value).__name__)


class _Names:
    """Objects the script has names for: loaders' and calls' results and their fields."""

    def __init__(self) -> None:
        self.known: list[tuple[str, Any]] = []

    def add(self, name: str, value: Any) -> None:
        names = [n.strip() for n in name.split(",")]
        values = list(value) if len(names) > 1 else [value]
        for n, v in zip(names, values, strict=False):
            self.known.append((n, v))
            if dataclasses.is_dataclass(v) and not isinstance(v, type):
                self.known += [(f"{n}.{f.name}", getattr(v, f.name)) for f in dataclasses.fields(v)]

    def find(self, value: Any) -> str | None:
        from ui.compute import fingerprint

        for name, known in self.known:
            if known is value:
                return name
        try:
            wanted = fingerprint(value)
        except TypeError:
            return None
        for name, known in self.known:
            try:
                if type(known) is type(value) and fingerprint(known) == wanted:
                    return name
            except (TypeError, ValueError):
                continue
        return None


def _argument(value: Any, names: _Names, fallback: str) -> str:
    try:
        return literal(value)
    except NotWritable:
        pass
    found = names.find(value)
    if found is None and fallback:
        return fallback
    if found is None:
        raise NotWritable(type(value).__name__)
    return found


def script(title: str, view: View, calls: list[Call], values: dict[str, Any]) -> str:
    """The script for one tab's view; :class:`NotWritable` when an argument cannot be written down."""
    sources, upload_note = view.sources(values) if view.sources else ([], "")
    names = _Names()
    modules = {"core.device"}
    body: list[str] = []
    for src in sources:
        fn = getattr(importlib.import_module(src.module), src.function)
        names.add(src.name, fn(*src.args))
        modules.add(src.module)
        body.append(f"{src.name} = {src.module.split('.')[-1]}.{src.function}({', '.join(map(literal, src.args))})")
    fallback = view.upload_fallback if upload_note else ""
    uses_device = uses_cpu = one_thread = False
    repeats: dict[str, int] = {}
    arguments: dict[str, dict[str, Any]] = {}  # function -> its first call's arguments, by name
    for call in calls:
        if call.function in view.skip:
            continue
        given = view.names.get(call.function, call.function)
        if isinstance(given, tuple):
            i = repeats.get(call.function, 0)
            repeats[call.function] = i + 1
            var = given[i] if i < len(given) else f"{given[-1]}_{i}"
        else:
            var = given
        args = [_argument(a, names, fallback) for a in call.args]
        args += [f"{k}={_argument(v, names, fallback)}" for k, v in call.kwargs.items()]
        if call.on == "cpu":
            args.append("device=cpu")
            uses_cpu = True
        elif call.on == "device":
            args.append("device=device")
            uses_device = True
        modules.add(call.module)
        line = _call_line(f"{var} = {call.module.split('.')[-1]}.{call.function}(", args)
        if call.one_thread:
            one_thread = True
            where = "cpu" if call.on == "cpu" else "device"
            line = f"with single_thread({where}):  # small tensors, many steps: one thread, as on the page\n" \
                   + "\n".join("    " + ln for ln in line.splitlines())
        body.append(line)
        names.add(var, call.result)
        fn = getattr(importlib.import_module(call.module), call.function)
        bound = inspect.signature(fn).bind_partial(*call.args, **call.kwargs)
        bound.apply_defaults()
        arguments.setdefault(call.function, bound.arguments)
    head = [f'"""{title}: this view in Python. Save it in the project\'s root and run it there:',
            "    .venv/bin/python this_view.py",
            'Change an argument and run it again: the numbers are those the page shows for it."""', ""]
    if upload_note:
        head[2:2] = [f"{line}" for line in _wrap(upload_note)]
    prints = _ARGUMENT.sub(lambda m: _argument_of(m, arguments), view.prints).splitlines()
    lifted = sorted({ln for ln in prints if ln.startswith("import ")} | ({"import torch"} if uses_cpu else set()))
    prints = "\n".join(ln for ln in prints if ln not in lifted).strip("\n")  # their imports go to the top
    imports = [*lifted, ""] if lifted else []
    packages: dict[str, list[str]] = {}  # core.information.discrete -> from core.information import discrete
    for m in sorted(m for m in modules if m.startswith("core.") and m != "core.device"):
        packages.setdefault(m.rsplit(".", 1)[0], []).append(m.rsplit(".", 1)[1])
    imports += [f"from {package} import {', '.join(names)}" for package, names in sorted(packages.items())]
    device_names = [name for name, used in (("pick_device", uses_device), ("single_thread", one_thread)) if used]
    if device_names:
        imports.append(f"from core.device import {', '.join(device_names)}")
    setup = []
    if uses_device:
        setup.append("device = pick_device()  # a GPU when there is one (cuda > mps > cpu), as on the page")
    if uses_cpu:
        setup.append("cpu = torch.device(\"cpu\")  # work too small for a GPU runs on the CPU, as on the page")
    assigned = [f"{key.split('_', 1)[1]} = {literal(values[key])}" for key in view.values if key in values]
    lines = [*head, *imports, "", *setup, "", *body, "", *assigned, prints, ""]
    return "\n".join(lines)


_ARGUMENT = re.compile(r"\$\{([\w|]+)\.(\w+)\}")  # ${tune|run.kappa}: an argument of a call above


def _argument_of(match: re.Match, arguments: dict[str, dict[str, Any]]) -> str:
    """A View's prints may name an argument of a call (``${function.parameter}``, the first of several
    functions ``a|b`` that ran): the script writes its value there, as a literal."""
    for function in match.group(1).split("|"):
        if function in arguments:
            return literal(arguments[function][match.group(2)])
    raise NotWritable(f"no call of {match.group(1)}")


def _call_line(start: str, args: list[str], width: int = 100) -> str:
    """``start`` + the arguments + ``)``, on one line when it fits, else one argument group per line."""
    line = start + ", ".join(args) + ")"
    if len(line) <= width:
        return line
    rows, row = [], ""
    for arg in args:
        if row and len(row) + len(arg) + 6 > width:
            rows.append(row + ",")
            row = arg
        else:
            row = f"{row}, {arg}" if row else arg
    return start + "\n" + "\n".join("    " + r for r in [*rows, row]) + ")"


def _wrap(note: str, width: int = 100) -> list[str]:
    out, line = [], ""
    for word in note.split():
        if len(line) + len(word) + 1 > width:
            out.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return [*out, line] if line else out


def show(prefix: str, tab: str, title: str, values: dict[str, Any]) -> None:
    """The expander under the tab, when the tab has a script that can be written for this view."""
    from ui.pyviews import VIEWS

    view = VIEWS.get((prefix, tab))
    calls = st.session_state.get(_CALLS) or []
    if view is None or not calls:
        return
    try:
        code = script(title, view, calls, values)
    except NotWritable:
        return
    with st.expander("This view in Python", icon=":material/code:"):
        st.caption("The calls that produced this view, with its arguments, and prints of its numbers. Run it from "
                   "the project's root in its virtual environment; the copy icon is at the code's top right.")
        st.code(code, language="python")
        st.download_button("Download this_view.py", code.encode("utf-8"), file_name="this_view.py",
                           mime="text/x-python", icon=":material/download:", key=f"pyview_{prefix}")
