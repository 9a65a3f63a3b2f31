"""Charts of chapter 3's backpropagation tab: the computational graph drawn left (inputs) to right (output),
one column per layer, during the forward pass, during the backward pass (one step at a time) and with one
path from a variable to the output picked out; the path products whose sum is ∂f/∂x; forward against
reverse mode.

The graph is a :class:`ui.charts.Template` whose structure depends only on the view (plain, forward,
backward) and the graph's extent, so stepping through a pass swaps its data and never rebuilds the chart.
Every encoding has its type written out."""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import numpy as np
import pandas as pd

from core.backprop import Backward, BackwardStep, Forward, Graph, ModeCosts, Path, Paths
from ui.charts import PALETTE, Template, slot
from ui.figures import legend

EDGE = "#9a9a9a"
CONSTANT = "#e6e6e6"
PATH_COLOUR = PALETTE[4]  # reddish purple: the picked path
USED_COLOUR = PALETTE[1]  # orange: the node being processed and the edges it uses
DONE_COLOUR = PALETTE[5]  # sky blue: a value computed, or a gradient final
BAD_COLOUR = PALETTE[3]  # vermillion outline: NaN or ±inf
DRAWN_PATHS = 40  # bars in the paths chart; the title says how many more there are

# node states per view, and their fills
STATES = {
    "plain": (("value", "constant"), ("#ffffff", CONSTANT)),
    "forward": (("computed", "current", "not yet", "constant"), (DONE_COLOUR, USED_COLOUR, "#ffffff", CONSTANT)),
    "backward": (("gradient final", "current", "waiting", "constant"),
                 (DONE_COLOUR, USED_COLOUR, "#ffffff", CONSTANT)),
}
SUBTITLES = {
    "plain": "each node shows its operation and, below, its value; grey: constants (no gradient)",
    "forward": "values appear node by node, left to right; orange: the node computed in this step",
    "backward": "above each node: ∂f/∂node once final (Σ: a partial sum so far); orange: the node processed "
                "now and the edges it sends adjoint × local derivative along",
}
EDGE_STATES = ("idle", "used", "path")
OUTLINES = ("plain", "path", "undefined")  # a node's outline: NaN or ±inf wins over being on the path


def number(x: float, digits: int = 3) -> str:
    """A value for the picture: 3 significant digits, NaN and ±∞ spelt out."""
    if x is None or np.isnan(x):
        return "NaN"
    if np.isinf(x):
        return "∞" if x > 0 else "−∞"
    return f"{x:.{digits}g}".replace("-", "−")


def _size(g: Graph) -> tuple[int, int, int, float, float]:
    rows = [n.row for n in g.nodes]
    per_column = np.bincount([n.layer for n in g.nodes])
    width = int(np.clip(120 * g.layers, 320, 700))  # the main column beside the controls, at 1400 px
    height = int(np.clip(78 * per_column.max(), 200, 600))
    dot = 900 if len(g.nodes) <= 40 else 560
    return width, height, dot, min(rows), max(rows)


def _build_graph(view: str, layers: int, low: float, high: float, width: int, height: int,
                 dot: int) -> alt.LayerChart:
    sx = alt.Scale(domain=[-0.5, layers - 0.5], nice=False, zero=False)
    sy = alt.Scale(domain=[low - 0.7, high + 0.7], nice=False, zero=False, reverse=True)
    radius = float(np.sqrt(dot / np.pi))
    edges = alt.Chart(alt.NamedData(name="edges")).mark_rule().encode(
        x=alt.X("x:Q", scale=sx, axis=None), y=alt.Y("y:Q", scale=sy, axis=None), x2=alt.X2("x2:Q"),
        y2=alt.Y2("y2:Q"),
        color=alt.Color("state:N", scale=alt.Scale(domain=list(EDGE_STATES), range=[EDGE, USED_COLOUR, PATH_COLOUR]),
                        legend=None),
        strokeWidth=alt.StrokeWidth("state:N", scale=alt.Scale(domain=list(EDGE_STATES), range=[1.5, 4, 4.5]),
                                    legend=None),
        tooltip=[alt.Tooltip("edge:N", title="edge"), alt.Tooltip("local:Q", format=".4g", title="local derivative")])
    labels = alt.Chart(alt.NamedData(name="edge_labels")).mark_text(dy=-8, fontWeight=600).encode(
        x=alt.X("x:Q", scale=sx), y=alt.Y("y:Q", scale=sy), text=alt.Text("text:N"),
        color=alt.Color("state:N", scale=alt.Scale(domain=list(EDGE_STATES), range=["#555", "#9a5b00", "#882255"]),
                        legend=None))
    domain, fills = STATES[view]
    circles = alt.Chart(alt.NamedData(name="nodes")).mark_circle(size=dot, opacity=1).encode(
        x=alt.X("x:Q", scale=sx), y=alt.Y("y:Q", scale=sy),
        fill=alt.Fill("state:N", scale=alt.Scale(domain=list(domain), range=list(fills)),
                      legend=legend(orient="bottom", title=None, symbolStrokeColor="#333", symbolStrokeWidth=1)),
        stroke=alt.Stroke("outline:N", scale=alt.Scale(domain=list(OUTLINES), range=["#333", PATH_COLOUR, BAD_COLOUR]),
                          legend=None),
        strokeWidth=alt.StrokeWidth("outline:N", scale=alt.Scale(domain=list(OUTLINES), range=[1.2, 3.5, 3.5]),
                                    legend=None),
        tooltip=[alt.Tooltip("text:N", title="node"), alt.Tooltip("value:Q", format=".6g"),
                 alt.Tooltip("grad:Q", format=".6g", title="∂f/∂node"), alt.Tooltip("state:N")])
    text = alt.Chart(alt.NamedData(name="nodes")).encode(x=alt.X("x:Q", scale=sx), y=alt.Y("y:Q", scale=sy))
    names = text.mark_text(fontWeight=700).encode(text=alt.Text("label:N"), size=alt.Size("font:Q", scale=None))
    values = text.mark_text(dy=radius + 9, color="#333").encode(text=alt.Text("value_text:N"))
    grads = text.mark_text(dy=-(radius + 9), fontWeight=700, color="#00507d").encode(text=alt.Text("grad_text:N"))
    partial = text.mark_text(dy=-(radius + 9), fontStyle="italic", color="#777").encode(
        text=alt.Text("partial_text:N"))
    return alt.layer(edges, labels, circles, names, values, grads, partial).properties(
        title=alt.Title(slot("title"), subtitle=SUBTITLES[view]), width=width, height=height)


def _edges(g: Graph, fwd: Forward, used: set[tuple[int, int]], on_path: set[tuple[int, int]],
           labelled: dict[tuple[int, int], float]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Lines from each input to its consumer; two edges between the same pair (x·x) drawn side by side."""
    nodes = g.nodes
    pairs: dict[tuple[int, int], int] = {}
    for j, i, _ in g.edges():
        pairs[(j, i)] = pairs.get((j, i), 0) + 1
    rows, label_rows = [], []
    for j, i, s in g.edges():
        k = pairs[(j, i)]
        offset = (s - (k - 1) / 2) * 0.2 if k > 1 else 0.0
        state = "used" if (i, s) in used else "path" if (i, s) in on_path else "idle"
        local = fwd.local[i][s]
        x, y, x2, y2 = nodes[j].layer, nodes[j].row + offset, nodes[i].layer, nodes[i].row + offset
        rows.append({"x": x, "y": y, "x2": x2, "y2": y2, "state": state, "local": local,
                     "edge": f"∂({nodes[i].text}) / ∂({nodes[j].text})", "order": EDGE_STATES.index(state)})
        if (i, s) in labelled:
            label_rows.append({"x": (x + x2) / 2, "y": (y + y2) / 2, "text": number(labelled[(i, s)]),
                               "state": state})
    edges = pd.DataFrame(rows, columns=["x", "y", "x2", "y2", "state", "local", "edge", "order"])
    edges = edges.sort_values("order", kind="stable").drop(columns="order").reset_index(drop=True)
    return edges, pd.DataFrame(label_rows, columns=["x", "y", "text", "state"])


def graph_chart(g: Graph, fwd: Forward, step: BackwardStep | None = None, forward_step: int | None = None,
                path: Path | None = None, title: str | None = None) -> tuple[Template, pd.DataFrame]:
    """The computational graph, left to right by layer: each node a circle with its operation, its value
    below and, in the backward view (``step`` given), ∂f/∂node above once final (a partial sum in grey italics
    once some consumer has sent to it). The forward view (``forward_step`` = k) shows the values of nodes 0…k
    and highlights the edges into node k; the backward view highlights the edges ``step``'s node sends along,
    labelled with their local derivatives. ``path`` (from :func:`core.backprop.paths`) is drawn in purple with
    each edge's local derivative. NaN and ±inf values get a vermillion outline. Returns the nodes' table."""
    view = "backward" if step is not None else "forward" if forward_step is not None else "plain"
    n = len(g.nodes)
    values = fwd.values
    used: set[tuple[int, int]] = set()
    labelled: dict[tuple[int, int], float] = {}
    shown = np.ones(n, dtype=bool)
    grad_text, partial_text = [""] * n, [""] * n
    grads = np.full(n, np.nan)
    if view == "forward":
        k = int(np.clip(forward_step, 0, n - 1))
        shown = np.arange(n) <= k
        used = {(k, s) for s in range(len(g.nodes[k].inputs))}
        state = ["constant" if not g.active[i] and i <= k else "current" if i == k else
                 "computed" if i < k else "not yet" for i in range(n)]
        head = f"Forward pass, step {k + 1} of {n}: {g.nodes[k].text} = {number(values[k], 4)}"
    elif view == "backward":
        done = step.done
        reached = np.array([any(done[c] for c, _ in g.consumers[i]) for i in range(n)])
        used = {(step.node, c.slot) for c in step.sent}
        labelled = {(step.node, c.slot): c.local for c in step.sent}
        state = ["current" if i == step.node else "constant" if not g.active[i] else
                 "gradient final" if done[i] else "waiting" for i in range(n)]
        for i in range(n):
            if done[i]:
                grad_text[i] = f"∂ {number(step.adjoints[i])}"
                grads[i] = step.adjoints[i]
            elif reached[i] and g.active[i]:
                partial_text[i] = f"Σ {number(step.adjoints[i])}"
        head = (f"Backward pass, step {step.index + 1}: ∂f/∂({g.nodes[step.node].text}) = "
                f"{number(step.adjoint, 4)}")
    else:
        state = ["value" if g.active[i] else "constant" for i in range(n)]
        head = f"f = {g.text} = {number(fwd.value, 4)}"
    on_path_edges: set[tuple[int, int]] = set()
    on_path = np.zeros(n, dtype=bool)
    if path is not None:
        on_path[list(path.nodes)] = True
        for a, b, s in zip(path.nodes[:-1], path.nodes[1:], path.slots, strict=True):
            if g.nodes[b].inputs[s] != a:
                raise ValueError("the path does not belong to this graph")
            on_path_edges.add((b, s))
            labelled.setdefault((b, s), fwd.local[b][s])
        head += f" · path product {number(path.product, 4)}"
    nodes = pd.DataFrame({
        "id": np.arange(n), "x": [nd.layer for nd in g.nodes], "y": [nd.row for nd in g.nodes],
        "layer": [nd.layer for nd in g.nodes], "label": [nd.label for nd in g.nodes],
        "text": [nd.text for nd in g.nodes], "op": [nd.op for nd in g.nodes],
        "font": [14 if len(nd.label) <= 3 else 11 for nd in g.nodes],
        "value": np.where(shown, values, np.nan),
        "value_text": [number(values[i]) if shown[i] else "" for i in range(n)],
        "grad": grads, "grad_text": grad_text, "partial_text": partial_text, "state": state,
        "bad": shown & ~np.isfinite(values), "on_path": on_path})
    nodes["outline"] = np.where(nodes["bad"], "undefined", np.where(on_path, "path", "plain"))
    edges, edge_labels = _edges(g, fwd, used, on_path_edges, labelled)
    for frame, column in ((nodes, "value"), (nodes, "grad"), (edges, "local")):  # ±inf: JSON exports have no inf
        frame[column] = frame[column].where(np.isfinite(frame[column]))  # (the texts say ∞)
    width, height, dot, low, high = _size(g)
    key = (view, g.layers, low, high, width, height, dot)
    return Template(_build_graph, key, {"nodes": nodes, "edges": edges, "edge_labels": edge_labels},
                    {"title": title or head}), nodes


def steps_table(g: Graph, back: Backward, upto: int | None = None) -> pd.DataFrame:
    """The backward pass as a table, one row per step (up to step ``upto``, all by default): the node, its
    final adjoint and what it sent: ``adjoint × local = amount → input``."""
    steps = back.steps if upto is None else back.steps[:upto + 1]
    return pd.DataFrame({
        "step": [s.index + 1 for s in steps],
        "node": [g.nodes[s.node].text for s in steps],
        "adjoint": [s.adjoint for s in steps],
        "sends": ["; ".join(f"{number(s.adjoint)} × {number(c.local)} = {number(c.amount)} → {g.nodes[c.target].text}"
                            for c in s.sent) or "—" for s in steps]})


def paths_chart(g: Graph, p: Paths) -> tuple[alt.LayerChart, pd.DataFrame]:
    """One bar per path from the variable to the output (the first :data:`DRAWN_PATHS` listed), its length the
    product of the local derivatives along it; the bars add up to ∂f/∂var (dashed rule)."""
    rows = []
    for k, path in enumerate(p.listed):
        route = " → ".join(g.nodes[i].label for i in path.nodes)
        rows.append({"path": f"{k + 1}. {route}", "route": route, "product": path.product,
                     "factors": " × ".join(number(x) for x in path.locals) or "1",
                     "sign": "positive" if path.product >= 0 else "negative"})
    df = pd.DataFrame(rows, columns=["path", "route", "product", "factors", "sign"])
    drawn = df.head(DRAWN_PATHS)
    more = p.total - len(drawn)
    title = alt.Title(f"∂f/∂{p.var} = Σ over {p.total:,} path{'s' if p.total != 1 else ''} = {number(p.gradient, 4)}",
                      subtitle="each bar: the product of the local derivatives along one path"
                      + (f"; {more:,} more paths not drawn" if more else ""))
    bars = alt.Chart(drawn).mark_bar().encode(
        y=alt.Y("path:N", sort=None, title=None, axis=alt.Axis(labelLimit=360)),
        x=alt.X("product:Q", title="product of local derivatives"),
        color=alt.Color("sign:N", scale=alt.Scale(domain=["positive", "negative"], range=[PALETTE[0], PALETTE[3]]),
                        legend=None),
        tooltip=[alt.Tooltip("route:N"), alt.Tooltip("factors:N"), alt.Tooltip("product:Q", format=".6g")])
    total = alt.Chart(pd.DataFrame({"g": [p.gradient if np.isfinite(p.gradient) else 0.0]})).mark_rule(
        strokeDash=[5, 4], color="#333").encode(x=alt.X("g:Q"))
    return alt.layer(bars, total).properties(title=title, height=max(60, 24 * len(drawn))), df


MODES = ("forward mode (a tangent per input)", "reverse mode (an adjoint per output)")


def mode_chart(costs: Sequence[ModeCosts]) -> tuple[alt.LayerChart, pd.DataFrame]:
    """Passes needed for the full Jacobian of R^n → R^m: n Jacobian-vector products forward, m vector-Jacobian
    products in reverse, grouped by (n, m), with the measured median time of each as a label."""
    rows = []
    for c in costs:
        for mode, passes, ms in ((MODES[0], c.jvps, c.forward_ms), (MODES[1], c.vjps, c.reverse_ms)):
            rows.append({"shape": f"{c.n} → {c.m}", "n": c.n, "m": c.m, "mode": mode, "passes": passes,
                         "ms": ms, "time": f"{ms:.2f} ms"})
    df = pd.DataFrame(rows, columns=["shape", "n", "m", "mode", "passes", "ms", "time"])
    base = alt.Chart(df).encode(
        x=alt.X("shape:N", sort=None, title="inputs n → outputs m", axis=alt.Axis(labelAngle=0)),
        xOffset=alt.XOffset("mode:N", scale=alt.Scale(domain=list(MODES))),
        y=alt.Y("passes:Q", title="passes for the whole Jacobian"))
    bars = base.mark_bar().encode(
        color=alt.Color("mode:N", scale=alt.Scale(domain=list(MODES), range=[PALETTE[1], PALETTE[0]]),
                        legend=legend(orient="top", title=None)),
        tooltip=[alt.Tooltip("shape:N"), alt.Tooltip("mode:N"), alt.Tooltip("passes:Q"),
                 alt.Tooltip("ms:Q", format=".3f", title="median time (ms)")])
    labels = base.mark_text(dy=-8, fontSize=11).encode(text=alt.Text("time:N"))
    return alt.layer(bars, labels).properties(
        title=alt.Title("Forward mode: one pass per input · reverse mode: one per output",
                        subtitle="labels: measured median time, the passes run one by one"),
        width=150 * max(1, len(costs)), height=260), df
