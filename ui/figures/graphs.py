"""Charts of the Graph Theory explorer: node-link drawings coloured by a node value, matrices, the
spectrum, spectral embeddings, graph-frequency plots, over-smoothing, Cheeger's bounds and mixing.

Layered charts are :class:`ui.charts.Template`s (structure built once, data named)."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from core.graphs import Cheeger, Filtered, GCNSmoothing, Graph, Spectrum
from ui.charts import Template

MAX_DRAWN_EDGES = 20_000  # beyond this the browser struggles: nodes only, with a note
GROUP_COLOURS = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000",
                 "#999999", "#882255"]


def _build_map(title: str, value: str, nominal: bool, with_edges: bool, size: int, dot: int) -> alt.LayerChart:
    sx, sy = alt.Scale(nice=False, zero=False, padding=12), alt.Scale(nice=False, zero=False, padding=12)
    layers = []
    if with_edges:
        layers.append(alt.Chart(alt.NamedData(name="edges")).mark_rule(color="#9a9a9a", opacity=0.55).encode(
            x=alt.X("px:Q", scale=sx, axis=None), y=alt.Y("py:Q", scale=sy, axis=None), x2=alt.X2("px2:Q"),
            y2=alt.Y2("py2:Q"), strokeWidth=alt.StrokeWidth("w:Q", scale=alt.Scale(range=[0.8, 3]), legend=None)))
    if nominal:
        colour = alt.Color(f"{value}:N", scale=alt.Scale(range=GROUP_COLOURS), legend=alt.Legend(orient="bottom"))
    else:
        colour = alt.Color(f"{value}:Q", scale=alt.Scale(scheme="redblue", domainMid=0, reverse=True),
                           legend=alt.Legend(orient="bottom", gradientLength=160, padding=14))
    layers.append(alt.Chart(alt.NamedData(name="nodes")).mark_circle(
        size=dot, opacity=0.95, stroke="#333", strokeWidth=0.6 if dot >= 30 else 0).encode(
        x=alt.X("px:Q", scale=sx, axis=None), y=alt.Y("py:Q", scale=sy, axis=None), color=colour,
        tooltip=[alt.Tooltip("node:N"), alt.Tooltip("degree:Q"),
                 alt.Tooltip(f"{value}:{'N' if nominal else 'Q'}", format="" if nominal else ".4f")]))
    return alt.layer(*layers, title=title, width=size, height=size)


def graph_map(graph: Graph, xy: np.ndarray, values: np.ndarray, value: str, title: str, nominal: bool = False,
              size: int = 340) -> tuple[Template, pd.DataFrame]:
    """The graph drawn at ``xy`` with each node coloured by ``values`` (a number, or a group)."""
    # Positions are px/py: a value may well be called "x" (a signal on the nodes).
    nodes = pd.DataFrame({"px": xy[:, 0], "py": xy[:, 1], "node": list(graph.labels), "degree": graph.degrees(),
                          value: [str(v) for v in values] if nominal else np.asarray(values, dtype=float)})
    with_edges = 0 < graph.m <= MAX_DRAWN_EDGES
    e = graph.edges
    if not with_edges:
        e = e[:0]
    edges = pd.DataFrame({"px": xy[e[:, 0], 0], "py": xy[e[:, 0], 1], "px2": xy[e[:, 1], 0], "py2": xy[e[:, 1], 1],
                          "w": graph.weights[: len(e)]})
    dot = int(np.clip(4000 / max(graph.n, 1), 6, 90))  # smaller dots as the graph grows
    return Template(_build_map, (title, value, nominal, with_edges, size, dot), {"nodes": nodes, "edges": edges}), nodes


def _build_spectrum(title: str, n: int, selected: bool) -> alt.LayerChart:
    x = alt.X("index:Q", title="index i (ascending)", scale=alt.Scale(domain=[0.5, n + 0.5], nice=False))
    y = alt.Y("eigenvalue:Q", title="eigenvalue λᵢ")
    dots = alt.Chart(alt.NamedData(name="spectrum")).mark_circle(size=60 if n <= 200 else 18, opacity=0.9).encode(
        x=x, y=y, color=alt.Color("zero:N", scale=alt.Scale(domain=["λ = 0", "λ > 0"], range=["#D55E00", "#0072B2"]),
                                  legend=alt.Legend(title=None, orient="top")),
        tooltip=[alt.Tooltip("index:Q"), alt.Tooltip("eigenvalue:Q", format=".6f")])
    layers = [dots]
    if selected:
        layers.append(alt.Chart(alt.NamedData(name="selected")).mark_point(size=320, shape="circle", filled=False,
                                                                           strokeWidth=3, color="black").encode(
            x=x, y=y))
    return alt.layer(*layers, title=title, height=300)


def spectrum_chart(spec: Spectrum, index: int | None, zeros: int, title: str) -> tuple[Template, pd.DataFrame]:
    r = len(spec.values)
    df = pd.DataFrame({"index": np.arange(1, r + 1), "eigenvalue": spec.values,
                       "zero": np.where(np.arange(r) < zeros, "λ = 0", "λ > 0")})
    data = {"spectrum": df}
    if index is not None:
        data["selected"] = df.iloc[[index]]
    return Template(_build_spectrum, (title, r, index is not None), data), df


def matrix_heatmap(M: np.ndarray, labels: tuple[str, ...], title: str) -> tuple[alt.Chart, pd.DataFrame]:
    n = M.shape[0]
    rows, cols = np.indices(M.shape)
    df = pd.DataFrame({"row": rows.ravel(), "col": cols.ravel(), "value": M.ravel(),
                       "i": np.array(labels)[rows.ravel()], "j": np.array(labels)[cols.ravel()]})
    lim = float(np.abs(M).max()) or 1.0
    cell = max(3, min(14, 420 // max(n, 1)))
    chart = alt.Chart(df).mark_rect().encode(
        x=alt.X("col:O", axis=None), y=alt.Y("row:O", axis=None),
        color=alt.Color("value:Q", scale=alt.Scale(scheme="redblue", domain=[-lim, lim], reverse=True),
                        legend=alt.Legend(orient="bottom", gradientLength=160, padding=14)),
        tooltip=[alt.Tooltip("i:N"), alt.Tooltip("j:N"), alt.Tooltip("value:Q", format=".4f")],
    ).properties(title=title, width=cell * n, height=cell * n)
    return chart, df


def embedding_chart(vectors: np.ndarray, groups: np.ndarray, labels: tuple[str, ...], title: str,
                    matrix: str = "L_sym") -> tuple[alt.Chart, pd.DataFrame]:
    """Each node at its entries of eigenvectors 2 and 3 (of ``matrix``), coloured by its cluster."""
    u2, u3 = f"u₂ of {matrix}", f"u₃ of {matrix}"
    df = pd.DataFrame({u2: vectors[:, 1], u3: vectors[:, 2] if vectors.shape[1] > 2 else 0.0,
                       "cluster": [str(g) for g in groups], "node": list(labels)})
    chart = alt.Chart(df).mark_circle(size=70, opacity=0.85).encode(
        x=alt.X(f"{u2}:Q"), y=alt.Y(f"{u3}:Q"),
        color=alt.Color("cluster:N", scale=alt.Scale(range=GROUP_COLOURS), legend=alt.Legend(orient="bottom")),
        tooltip=[alt.Tooltip("node:N"), alt.Tooltip("cluster:N"), alt.Tooltip(f"{u2}:Q", format=".4f"),
                 alt.Tooltip(f"{u3}:Q", format=".4f")],
    ).properties(title=title, height=320)
    return chart, df


def frequency_chart(spec: Spectrum, filt: Filtered, filter_name: str) -> tuple[alt.LayerChart, pd.DataFrame]:
    """|x̂(λ)| before and after the filter, over the graph frequencies, with the filter's gain."""
    df = pd.DataFrame({"λ": spec.values, "signal": np.abs(filt.gft), "filtered": np.abs(filt.response * filt.gft),
                       "gain": filt.response})
    long = df.melt(id_vars=["λ"], value_vars=["signal", "filtered"], var_name="which", value_name="|x̂(λ)|")
    dots = alt.Chart(long).mark_circle(size=40, opacity=0.8).encode(
        x=alt.X("λ:Q", title="graph frequency λ (eigenvalue of L)"), y=alt.Y("|x̂(λ)|:Q", title="|x̂(λ)| = |uᵀx|"),
        color=alt.Color("which:N", scale=alt.Scale(domain=["signal", "filtered"], range=["#999999", "#0072B2"]),
                        legend=alt.Legend(title=None, orient="top")),
        tooltip=[alt.Tooltip("λ:Q", format=".4f"), alt.Tooltip("which:N"), alt.Tooltip("|x̂(λ)|:Q", format=".4f")])
    top = float(max(df["signal"].max(), 1e-12))
    gain = alt.Chart(df.assign(scaled=df["gain"] * top)).mark_line(color="#D55E00", strokeWidth=2.5).encode(
        x=alt.X("λ:Q"), y=alt.Y("scaled:Q"), tooltip=[alt.Tooltip("gain:Q", format=".4f")])
    return alt.layer(dots, gain).properties(
        title=alt.Title("Graph Fourier coefficients", subtitle=[f"orange: the gain of {filter_name}",
                                                                "(scaled to the largest coefficient)"]),
        height=300), df


def smoothing_chart(res: GCNSmoothing) -> tuple[alt.Chart, pd.DataFrame]:
    df = pd.DataFrame({"layers": np.arange(len(res.spread)), "non-constant part": np.maximum(res.spread, 1e-300),
                       "Dirichlet energy": res.energy})
    chart = alt.Chart(df).mark_line(point=True, strokeWidth=2.5, color="#0072B2").encode(
        x=alt.X("layers:Q", title="GCN layers stacked"),
        y=alt.Y("non-constant part:Q", scale=alt.Scale(type="log"), title="what is left to tell nodes apart (log)"),
        tooltip=[alt.Tooltip("layers:Q"), alt.Tooltip("non-constant part:Q", format=".3e"),
                 alt.Tooltip("Dirichlet energy:Q", format=".4f")],
    ).properties(title=alt.Title("Over-smoothing", subtitle=["what is left of the signal beyond the limit",
                                                             "(√(d + 1) on each component), after each layer"]),
                 height=300)
    return chart, df


def cheeger_chart(c: Cheeger, height: int = 150) -> tuple[alt.LayerChart, pd.DataFrame]:
    df = pd.DataFrame({"what": ["λ₂/2 (lower bound)", "conductance of the sweep cut", "√(2λ₂) (upper bound)"],
                       "value": [c.lower, c.sweep_conductance, c.upper], "row": ["Cheeger"] * 3})
    line = alt.Chart(pd.DataFrame({"lo": [c.lower], "hi": [c.upper], "row": ["Cheeger"]})).mark_rule(
        strokeWidth=6, color="#cccccc").encode(x=alt.X("lo:Q", title="conductance"), x2=alt.X2("hi:Q"),
                                               y=alt.Y("row:N", axis=None))
    dots = alt.Chart(df).mark_point(size=300, filled=True).encode(
        x=alt.X("value:Q"), y=alt.Y("row:N", axis=None),
        color=alt.Color("what:N", scale=alt.Scale(domain=list(df["what"]), range=["#009E73", "#D55E00", "#0072B2"]),
                        legend=alt.Legend(title=None, orient="top", direction="horizontal", labelLimit=260)),
        shape=alt.Shape("what:N", scale=alt.Scale(domain=list(df["what"]),
                                                  range=["triangle-right", "diamond", "triangle-left"]), legend=None),
        tooltip=[alt.Tooltip("what:N"), alt.Tooltip("value:Q", format=".5f")])
    return alt.layer(line, dots).properties(title="Cheeger's inequality: λ₂/2 ≤ h(G) ≤ φ(sweep) ≤ √(2λ₂)",
                                            height=height), df


MIXING = ["distance", "bound ½√((1 − πₓ)/πₓ)·(1 − gap)ᵗ"]


def mixing_chart(tv: np.ndarray, bound: np.ndarray, height: int = 300) -> tuple[alt.LayerChart, pd.DataFrame]:
    """The lazy walk's total-variation distance to π and its spectral bound (:func:`core.graphs.mixing_bound`)."""
    t = np.arange(len(tv))
    df = pd.DataFrame({"t": t, MIXING[0]: np.maximum(tv, 1e-16), MIXING[1]: np.maximum(bound, 1e-16)})
    long = df.melt(id_vars=["t"], var_name="curve", value_name="value")
    chart = alt.Chart(long).mark_line(strokeWidth=2.5).encode(
        x=alt.X("t:Q", title="steps of the lazy walk"), y=alt.Y("value:Q", scale=alt.Scale(type="log"),
                                                             title="TV distance to π (log)"),
        color=alt.Color("curve:N", scale=alt.Scale(domain=MIXING, range=["#0072B2", "#D55E00"]),
                        legend=alt.Legend(title=None, orient="top", direction="vertical", labelLimit=320)),
        strokeDash=alt.StrokeDash("curve:N", scale=alt.Scale(domain=MIXING, range=[[1, 0], [6, 4]]), legend=None),
        tooltip=[alt.Tooltip("t:Q"), alt.Tooltip("curve:N"), alt.Tooltip("value:Q", format=".3e")])
    return chart.properties(title=alt.Title("How fast the lazy walk mixes",
                                            subtitle=["dashed: the bound, with gap = λ₂(L_sym)/2;",
                                                      "the distance takes on its slope"]),
                            height=height), df
