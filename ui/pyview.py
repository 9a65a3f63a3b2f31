"""“This view in Python”: a short script that reproduces the numbers of the open tab.

Every computation of a page goes through :func:`ui.compute.run`, which reports each call here
(:func:`record`): the core function, its arguments and its result. The script is those calls written
out with literal arguments, after the loaders that made their array arguments, followed by prints of
the tab's numbers (:data:`VIEWS`, written once per tab, in the page's own formats). An argument that is
neither a plain value nor the result (or a field of the result) of a loader or an earlier call cannot be
written down: then the tab shows no script rather than one that would not reproduce it. An upload is
never part of a script: it loads a bundled data set instead and says so.

Run from the project's root in its virtual environment: ``.venv/bin/python view.py``.
"""

from __future__ import annotations

import dataclasses
import importlib
import math
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


def _la_sources(v: dict[str, Any]) -> tuple[list[Source], str]:
    key = v.get("la_data", "digits")
    if key == "gaussian":
        args = (v["la_n"], v["la_dim"], v["la_stretch"], v["la_angle"], v.get("la_rho", 0.0), v["la_seed"])
        return [Source("ds", "core.data", "gaussian_cloud", args)], ""
    if key == "upload":
        return [Source("ds", "core.data", "load_dataset", ("digits",))], \
            "Your upload is not part of this script (it stays in your browser session): the script loads the " \
            "bundled digits instead, so its numbers are the digits', not your file's."
    return [Source("ds", "core.data", "load_dataset", (key,))], ""


def _graph_sources(v: dict[str, Any]) -> tuple[list[Source], str]:
    from core import graphs

    key = v.get("gr_graph", "karate")
    return ([Source("graph", "core.graphs", "make_graph", (key,))] if key in graphs.REAL else []), ""


VIEWS: dict[tuple[str, str], View] = {
    ("la", "PCA"): View(
        names={"pca": "pca"}, values=("la_k",), sources=_la_sources, upload_fallback="ds.X",
        prints='kept = float(pca.explained_variance_ratio[:k].sum())\n'
               'print(f"Variance kept by {k} of {ds.shape[1]} axes: {kept:.1%}")\n'
               'print(f"Rank of the centred data: {pca.rank}")\n'
               'print(f"Largest eigenvalue λ₁: {pca.explained_variance[0]:.4g}")'),
    ("la", "Reconstruction"): View(
        names={"pca": "pca"}, values=("la_k",), sources=_la_sources, upload_fallback="ds.X",
        prints='curve = pca.reconstruction_error_curve()\n'
               'print(f"Error with k = {k}, measured: {linalg.relative_reconstruction_error(pca, ds.X, k):.3%}")\n'
               'print(f"Discarded σ² over all σ² (Eckart–Young): {curve[min(k, len(curve) - 1)]:.3%}")'),
    ("op", "Theory"): View(
        names={"quadratic_theory": "th"},
        prints='import math\n\n'
               'for label, rate in [("GD rate, measured", th.gd_rate_measured),\n'
               '                    ("GD rate, theory", th.gd_rate_theory),\n'
               '                    ("Heavy ball, measured", th.hb_rate_measured),\n'
               '                    ("Heavy ball, theory", th.hb_rate_theory)]:\n'
               '    print(f"{label}: {rate:.5f}" if math.isfinite(rate) else f"{label}: —")'),
    ("gr", "Cheeger and random walks"): View(
        names={"make_graph": "graph", "layout": "xy", "spectrum": "spec"}, sources=_graph_sources,
        prints='c = graphs.cheeger(graph, spec)\n'
               'print(f"λ₂ of L_sym: {c.lambda2:.5f}")\n'
               'print(f"Sweep-cut conductance: {c.sweep_conductance:.5f}")\n'
               'print(f"Walk\'s spectral gap: {c.gap:.5f}")\n'
               'print(f"Lazy walk\'s gap λ₂/2: {c.lazy_gap:.5f}")'),
    ("qc", "Two qubits"): View(
        names={"two_qubits": "r"}, skip=("load_pennylane",),
        prints='import numpy as np\n\n'
               'print(f"Entropy of qubit 0: {r.entropy:.4f} bits")\n'
               'print(f"Length of qubit 0\'s Bloch vector: {np.linalg.norm(r.reduced_bloch):.4f}")\n'
               'print(f"⟨Z⊗Z⟩: {r.zz:.4f}")'),
    ("op", "Landscapes"): View(
        names={"tune": "tuned, runs", "run": "runs"}, values=("op_land", "op_lrmode"),
        prints='kappa, angle = runs_call_kwargs["kappa"], runs_call_kwargs["angle"]\n'
               'land = optim.landscape(land, kappa, angle)\n'
               'rows = optim.select(runs, tuned.best_lr) if lrmode == "tuned" else range(len(runs.kinds))\n'
               'for r in rows:\n'
               '    final = "final f − f*" if land.f_min is not None else "final f"\n'
               '    value = optim.gap(land, runs.losses[-1, [r]])[0]\n'
               '    name = optim.OPTIMIZERS[runs.kinds[r]][0]\n'
               '    print(f"{name}: learning rate {runs.lrs[r]:.3g}, {final} {value:.3e}")'),
    ("gr", "Spectrum"): View(
        names={"make_graph": "graph", "layout": "xy", "spectrum": "spec"}, sources=_graph_sources,
        prints='print(f"Nodes: {graph.n:,}")\n'
               'print(f"Edges: {graph.m:,}")\n'
               'print(f"Connected components: {graphs.components(graph)}")\n'
               'zeros = spec.zero_count() if spec.kind != "adjacency" else "—"\n'
               'print(f"Eigenvalue 0, times: {zeros}")'),
    ("tp", "Rips filtration"): View(
        names={"persistence": "pers"}, values=("tp_eps",),
        prints='rips = topology.rips_at(pers.D, eps)\n'
               'print(f"Points: {pers.cloud.n:,}")\n'
               'for dim, bars in enumerate(pers.dgms):\n'
               '    print(f"β{\'₀₁₂\'[dim]}(ε): {topology.betti_at(bars, eps)}")\n'
               'print(f"Edges at ε: {rips.n_edges:,}")\n'
               'print(f"Triangles at ε: {rips.n_triangles:,}")'),
    ("ha", "Fourier"): View(
        names={"make_signal": "sig", "spectrum": ("spec", "out"), "fourier_filter": "filt",
               "convolution_theorem": "conv", "aliasing": "al"},
        prints='print(f"Σ x² (time): {spec.energy_time:.6g}")\n'
               'print(f"(1/N) Σ |X_k|² (frequency): {spec.energy_freq:.6g}")\n'
               'print(f"Energy that passes: {filt.kept_energy:.1%}")\n'
               'print(f"Convolution in time vs product in frequency, largest difference: {conv.max_diff:.2e}")\n'
               'print(f"The tone shows up at: {al.f_alias:g} Hz")'),
    ("qc", "One qubit"): View(
        names={"one_qubit": "r"}, skip=("load_pennylane",),
        prints='print(f"⟨X⟩: {r.bloch[0]:.4f}")\n'
               'print(f"⟨Y⟩: {r.bloch[1]:.4f}")\n'
               'print(f"⟨Z⟩: {r.bloch[2]:.4f}")\n'
               'print(f"P(1), exact: {r.probs[1]:.4f}")\n'
               'print(f"Sampled frequency of 1: {r.counts[1] / r.counts.sum():.3f}")'),
}


# ----------------------------------------------------------------------------------------- recording


@dataclass
class Call:
    module: str
    function: str
    args: tuple
    kwargs: dict
    on: str | None
    result: Any = field(default=None, repr=False)


def start() -> None:
    st.session_state[_CALLS] = []


def record(fn: Callable, args: tuple, kwargs: dict, device: str, result: Any) -> None:
    """A core call that made part of this run's view, on ``device`` (from ui.compute). The script runs
    what ran on the CPU on the CPU (the same numbers on any machine), the rest on the best device."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    calls = st.session_state.get(_CALLS) if get_script_run_ctx() is not None else None  # none outside a page
    if calls is not None:
        calls.append(Call(fn.__module__, fn.__qualname__, tuple(args), dict(kwargs),
                          "cpu" if device == "cpu" else None, result))


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
    uses_device = uses_cpu = False
    repeats: dict[str, int] = {}
    kwargs_of: dict[str, dict] = {}
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
        else:
            args.append("device=device")
            uses_device = True
        modules.add(call.module)
        body.append(_call_line(f"{var} = {call.module.split('.')[-1]}.{call.function}(", args))
        names.add(var, call.result)
        kwargs_of[var] = call.kwargs
    head = [f'"""{title}: this view in Python. Save it in the project\'s root and run it there:',
            "    .venv/bin/python this_view.py",
            'Change an argument and run it again: the numbers are those the page shows for it."""', ""]
    if upload_note:
        head[2:2] = [f"{line}" for line in _wrap(upload_note)]
    imports = ["import torch", ""] if uses_cpu else []
    core = sorted(m.split(".")[-1] for m in modules if m.startswith("core.") and m != "core.device")
    imports.append(f"from core import {', '.join(core)}")
    if uses_device:
        imports.append("from core.device import pick_device")
    setup = []
    if uses_device:
        setup.append("device = pick_device()  # a GPU when there is one (cuda > mps > cpu), as on the page")
    if uses_cpu:
        setup.append("cpu = torch.device(\"cpu\")  # work too small for a GPU runs on the CPU, as on the page")
    assigned = [f"{key.split('_', 1)[1]} = {literal(values[key])}" for key in view.values if key in values]
    prints = view.prints
    if "runs_call_kwargs" in prints:  # the optimizer views read the landscape's κ and θ from their own call
        runs_kwargs = kwargs_of.get("tuned, runs") or kwargs_of.get("runs") or {}
        prints = prints.replace('runs_call_kwargs["kappa"]', literal(runs_kwargs.get("kappa", 10.0)))
        prints = prints.replace('runs_call_kwargs["angle"]', literal(runs_kwargs.get("angle", 0.0)))
    lines = [*head, *imports, "", *setup, "", *body, "", *assigned, prints, ""]
    return "\n".join(lines)


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

from ui.intro_views import VIEWS as _INTRO_VIEWS  # noqa: E402  chapter 1's views live beside its page

VIEWS.update(_INTRO_VIEWS)
