"""Charts, metrics and words of the Differential Geometry explorer (chapter 8): a k-NN graph seen from the side
with its shortest path and short-circuit edges, the unrolling and its trustworthiness; Gaussian curvature over a
surface's parameter rectangle with a geodesic triangle, the surface in an oblique view; a small network's Hessian
spectrum, loss slices and sharpness against 2/η; Fisher ellipses, the half-plane geodesic, plain and natural
gradient paths. Pure Altair, pandas and numpy (views of results, no mathematics of their own).

Every chart is a :class:`ui.charts.Template` (its structure built once, its data sent per move). Colours are
Okabe–Ito: the path along the data black, short-circuits vermilion; the geodesic blue, the chord orange; plain
gradient descent orange, natural blue (solid in (μ, σ), dashed in (μ, log σ))."""

from __future__ import annotations

import math

import altair as alt
import numpy as np
import pandas as pd

from core.geometry import fisher as fi
from core.geometry import hessian as hs
from core.geometry import manifold as mf
from core.geometry import surfaces as sf
from ui.charts import PALETTE, Template, slot
from ui.figures import legend
from ui.raster import VIRIDIS, colour, png_url

BLUE, ORANGE, GREEN, RED, GREY = PALETTE[0], PALETTE[1], PALETTE[2], PALETTE[3], "#999999"
MAX_EDGES = 1500  # ordinary k-NN edges drawn (a random, fixed subsample of them past this)
MAX_SHORT = 600  # short-circuit edges drawn
TRUST_KS = (3, 5, 10, 20, 40, 80)
SWEEP_KS = (2, 3, 5, 10, 15, 20, 30, 50)
SWEEP_ISOMAP_KS = (3, 5, 10, 15, 20, 30)  # at most six Isomaps (core's note: k_sweep n ≤ 800, ≤ 6 values)
UNROLLABLE = ("swiss_roll", "s_curve")
DEG = 180 / math.pi
SIDE = 300  # px: the height of the charts of points (a view of the data, an unrolling), near square in a column
POINT = alt.OverlayMarkDef(color="#000000", size=30)
# the networks' inputs and classes (core.geometry.hessian.DATASETS), for counting parameters before any training
NET_SHAPES = {"iris": (4, 3), "breast_cancer": (30, 2), "digits": (64, 10)}


def num(v: float, digits: int = 3) -> str:
    """``digits`` decimals, without the sign of a value that rounds to zero ("-0.000")."""
    out = f"{v:.{digits}f}"
    return out.lstrip("-") if float(out) == 0 else out


def n_params(data: str, width: int) -> int:
    """Parameters of the one-hidden-layer network data → width → classes (weights and biases)."""
    d, k = NET_SHAPES[data]
    return (d + 1) * width + (width + 1) * k


# ------------------------------------------------------------------------------------------ manifolds


def view_xy(data: mf.ManifoldData) -> tuple[np.ndarray, np.ndarray, str, str]:
    """A 2-D view of the points: the roll and the S-curve seen end-on (x, z), the sphere as a map (longitude,
    latitude), the digits on their first two principal axes."""
    X = np.asarray(data.X)
    if data.name in UNROLLABLE:
        return X[:, 0], X[:, 2], "x", "z"
    if data.name == "sphere":
        r = np.linalg.norm(X, axis=1)
        return np.degrees(np.arctan2(X[:, 1], X[:, 0])), np.degrees(np.arcsin(np.clip(X[:, 2] / r, -1, 1))), \
            "longitude, °", "latitude, °"
    C = X - X.mean(axis=0)
    _, _, Vt = np.linalg.svd(C, full_matrices=False)
    P = C @ Vt[:2].T
    return P[:, 0], P[:, 1], "principal axis 1", "principal axis 2"


def _colour_kind(view: mf.GraphView) -> str:
    if not view.graph.connected:
        return "component"
    return "digit" if view.data.name == "digits" else "value"


def _colour_encoding(kind: str, title: str) -> alt.Color:
    if kind == "value":
        return alt.Color("c:Q", scale=alt.Scale(scheme="viridis"), legend=legend(
            title=title, orient="bottom", direction="horizontal", gradientLength=180))
    if kind == "digit":
        return alt.Color("c:N", scale=alt.Scale(scheme="category10"), legend=legend(title="digit", orient="bottom",
                                                                                    columns=10))
    order = ["largest", "2nd", "3rd", "others"]
    return alt.Color("c:N", scale=alt.Scale(domain=order, range=[BLUE, ORANGE, GREEN, GREY]),
                     legend=legend(title="component", orient="bottom", columns=4))


def _colours(view: mf.GraphView, rows: np.ndarray) -> np.ndarray:
    kind = _colour_kind(view)
    if kind == "component":
        names = np.array(["largest", "2nd", "3rd", "others"])
        return names[np.minimum(view.graph.component[rows], 3)]
    if kind == "digit":
        return np.asarray(view.data.labels)[rows].astype(str)
    return np.asarray(view.data.colour)[rows]


def _labels(data: str, X: alt.X, Y: alt.Y) -> tuple[alt.Chart, alt.Chart]:
    """Point names (A, B, C) in bold black over a white halo, readable on dark points and colour maps alike."""
    base = alt.Chart(alt.NamedData(name=data))
    halo = base.mark_text(fontSize=18, fontWeight="bold", dx=10, dy=-10, color="#ffffff", stroke="#ffffff",
                          strokeWidth=4, strokeJoin="round").encode(x=X, y=Y, text=alt.Text("name:N"))
    text = base.mark_text(fontSize=18, fontWeight="bold", dx=10, dy=-10, color="#000000").encode(
        x=X, y=Y, text=alt.Text("name:N"))
    return halo, text


def _pieces(x: np.ndarray, y: np.ndarray, jump: float | None) -> np.ndarray:
    """A piece number per vertex of a polyline: a new piece where x jumps by more than ``jump`` (a map's seam)."""
    if jump is None or len(x) < 2:
        return np.zeros(len(x), dtype=int)
    return np.r_[0, np.cumsum(np.abs(np.diff(x)) > jump)]


def _build_graph(kind: str, colour_title: str, xname: str, yname: str) -> alt.LayerChart:
    X, Y = alt.X("x:Q", title=xname, scale=alt.Scale(zero=False)), alt.Y("y:Q", title=yname,
                                                                         scale=alt.Scale(zero=False))
    edges = alt.Chart(alt.NamedData(name="edges")).mark_rule(color=GREY, opacity=0.35, strokeWidth=0.7).encode(
        x=X, y=Y, x2=alt.X2("x2:Q"), y2=alt.Y2("y2:Q"))
    dots = alt.Chart(alt.NamedData(name="points")).mark_circle(size=16, opacity=0.8).encode(
        x=X, y=Y, color=_colour_encoding(kind, colour_title),
        tooltip=[alt.Tooltip("i:Q", title="point"), alt.Tooltip("c:N", title=colour_title)])
    short = alt.Chart(alt.NamedData(name="short")).mark_rule(color=RED, strokeWidth=1.6, opacity=0.85).encode(
        x=X, y=Y, x2=alt.X2("x2:Q"), y2=alt.Y2("y2:Q"))
    path = alt.Chart(alt.NamedData(name="path")).mark_line(color="#000000", strokeWidth=3, point=POINT).encode(
        x=X, y=Y, order=alt.Order("step:Q"), detail=alt.Detail("piece:N"))
    return alt.layer(edges, dots, short, path, *_labels("ends", X, Y)).properties(
        title=alt.Title(slot("title"), subtitle=slot("subtitle")), height=SIDE)


def _segments(xs: np.ndarray, ys: np.ndarray, pairs: np.ndarray, jump: float | None) -> pd.DataFrame:
    a, b = pairs[:, 0], pairs[:, 1]
    df = pd.DataFrame({"x": xs[a], "y": ys[a], "x2": xs[b], "y2": ys[b]})
    return df[(df["x"] - df["x2"]).abs() <= jump] if jump is not None else df


def graph_chart(view: mf.GraphView) -> tuple[Template, pd.DataFrame]:
    """The points in a 2-D view, a sample of the k-NN graph's edges (grey), its short-circuits (red) and the
    shortest path from A to B (black)."""
    xs, ys, xname, yname = view_xy(view.data)
    jump = 180.0 if view.data.name == "sphere" else None
    n, g, pair = len(xs), view.graph, view.pair
    rows = np.arange(n)
    points = pd.DataFrame({"i": rows, "x": xs, "y": ys, "c": _colours(view, rows)})
    short_set = np.zeros(len(g.edges), dtype=bool)
    short_set[view.short_circuits] = True
    ordinary = np.flatnonzero(~short_set)
    rng = np.random.default_rng(0)
    drawn = np.sort(rng.choice(ordinary, MAX_EDGES, replace=False)) if len(ordinary) > MAX_EDGES else ordinary
    shorts = view.short_circuits[:MAX_SHORT]
    path = pd.DataFrame({"x": xs[pair.path], "y": ys[pair.path], "step": np.arange(len(pair.path)),
                         "piece": _pieces(xs[pair.path], ys[pair.path], jump)})
    ends = pd.DataFrame({"x": xs[[pair.source, pair.target]], "y": ys[[pair.source, pair.target]], "name": ["A", "B"]})
    sub = f"{len(drawn):,} of {len(ordinary):,} edges drawn (grey)"
    if len(view.short_circuits):
        sub += f"; red: {min(len(shorts), len(view.short_circuits)):,} of {len(view.short_circuits):,} short-circuits"
    sub += "; black: the shortest path from A to B" if len(pair.path) > 1 else "; no path joins A and B"
    names = {"swiss_roll": "The roll seen end-on", "s_curve": "The S-curve from the side",
             "sphere": "The sphere as a map", "digits": "The digits on their first two principal axes"}
    kind = _colour_kind(view)
    title = view.data.colour_name if kind == "value" else "component" if kind == "component" else "digit"
    return Template(_build_graph, (kind, title, xname, yname), {
        "edges": _segments(xs, ys, g.edges[drawn], jump), "short": _segments(xs, ys, g.edges[shorts], jump),
        "points": points, "path": path, "ends": ends},
        {"title": f"{names[view.data.name]}: the k-NN graph, k = {g.k}", "subtitle": sub}), points


def _build_unrolled(kind: str, colour_title: str) -> alt.LayerChart:
    X, Y = alt.X("x:Q", title="axis 1", scale=alt.Scale(zero=False)), alt.Y("y:Q", title="axis 2",
                                                                            scale=alt.Scale(zero=False))
    dots = alt.Chart(alt.NamedData(name="points")).mark_circle(size=16, opacity=0.8).encode(
        x=X, y=Y, color=_colour_encoding(kind, colour_title))
    path = alt.Chart(alt.NamedData(name="path")).mark_line(color="#000000", strokeWidth=3, point=POINT).encode(
        x=X, y=Y, order=alt.Order("step:Q"))
    return alt.layer(dots, path, *_labels("ends", X, Y)).properties(
        title=alt.Title(slot("title"), subtitle=slot("subtitle")), height=SIDE)


def unrolled_chart(emb: mf.Embedding, view: mf.GraphView) -> tuple[Template, pd.DataFrame]:
    """The 2-D embedding of the largest component, the path from A to B where it lies in it."""
    where = np.full(len(view.data.X), -1)
    where[emb.rows] = np.arange(len(emb.rows))
    points = pd.DataFrame({"i": emb.rows, "x": emb.Y[:, 0], "y": emb.Y[:, 1], "c": _colours(view, emb.rows)})
    on = where[view.pair.path] if len(view.pair.path) else np.zeros(0, dtype=int)
    on = on[on >= 0]
    path = pd.DataFrame({"x": emb.Y[on, 0], "y": emb.Y[on, 1], "step": np.arange(len(on))})
    ends = [(where[i], name) for i, name in ((view.pair.source, "A"), (view.pair.target, "B")) if where[i] >= 0]
    ends_df = pd.DataFrame({"x": [emb.Y[i, 0] for i, _ in ends], "y": [emb.Y[i, 1] for i, _ in ends],
                            "name": [nm for _, nm in ends]})
    label = mf.METHODS[emb.method]
    if view.data.unrollable:
        sub = f"|Spearman ρ| of the best axis with {view.data.intrinsic_names[0]}: {emb.recovery:.4f} (1: unrolled)"
    else:
        sub = f"{len(emb.rows):,} points, neighbourhoods kept: T(10) = {trust_at(emb, 10)}"
    kind = _colour_kind(view)
    title = view.data.colour_name if kind == "value" else kind
    return Template(_build_unrolled, (kind, title), {"points": points, "path": path, "ends": ends_df},
                    {"title": f"{label}'s unrolling of the largest component", "subtitle": sub}), points


def trust_at(emb: mf.Embedding, k: int) -> str:
    hit = np.flatnonzero(emb.trust_ks == k)
    return f"{emb.trustworthiness[hit[0]]:.4f}" if len(hit) else "n/a"


def _build_trust() -> alt.LayerChart:
    line = alt.Chart(alt.NamedData(name="trust")).mark_line(color=BLUE, strokeWidth=2.5, point=True).encode(
        x=alt.X("k:Q", scale=alt.Scale(type="log"), title="neighbourhood size k"),
        y=alt.Y("T:Q", title="trustworthiness T(k)", scale=alt.Scale(zero=False)),
        tooltip=[alt.Tooltip("k:Q"), alt.Tooltip("T:Q", format=".4f")])
    return alt.layer(line).properties(
        title=alt.Title(slot("title"), subtitle="1: every embedded neighbour was a neighbour in the data"),
        height=220)


def trust_chart(emb: mf.Embedding) -> tuple[Template, pd.DataFrame]:
    df = pd.DataFrame({"k": emb.trust_ks, "T": emb.trustworthiness})
    return Template(_build_trust, (), {"trust": df},
                    {"title": f"{mf.METHODS[emb.method]}: how trustworthy are its neighbourhoods?"}), df


def _build_sweep(isomap: bool) -> alt.LayerChart:
    scale = alt.Scale(domain=["short-circuit edges", "components"], range=[RED, BLUE])
    x = alt.X("k:Q", scale=alt.Scale(type="log"), title="neighbours k")
    counts = alt.Chart(alt.NamedData(name="counts")).mark_line(point=True, strokeWidth=2.5).encode(
        x=x, y=alt.Y("count:Q", scale=alt.Scale(type="symlog"), title="count"),
        color=alt.Color("what:N", scale=scale, legend=legend(orient="top", title=None)),
        tooltip=[alt.Tooltip("k:Q"), alt.Tooltip("what:N"), alt.Tooltip("count:Q")])
    here = alt.Chart(alt.NamedData(name="here")).mark_rule(color="#000000", strokeDash=[4, 3]).encode(x=alt.X("k:Q"))
    layers = [counts, here]
    if isomap:
        rec = alt.Chart(alt.NamedData(name="recovery")).mark_line(point=True, color=GREEN, strokeWidth=2.5).encode(
            x=x, y=alt.Y("rho:Q", title="Isomap's |ρ| with the sheet", scale=alt.Scale(domain=[0, 1])))
        chart = alt.layer(alt.layer(counts, here), rec).resolve_scale(y="independent")
    else:
        chart = alt.layer(*layers)
    return chart.properties(title=alt.Title(slot("title"), subtitle=slot("subtitle")), height=220)


def sweep_chart(s: mf.KSweep, k: int) -> tuple[Template, pd.DataFrame]:
    iso = bool(np.isfinite(s.recovery).any())
    df = pd.DataFrame({"k": s.ks, "components": s.components, "short-circuit edges": s.short_circuits,
                       "largest component": s.largest, "Isomap |ρ|": s.recovery})
    counts = pd.concat([pd.DataFrame({"k": s.ks, "count": s.short_circuits, "what": "short-circuit edges"}),
                        pd.DataFrame({"k": s.ks, "count": s.components, "what": "components"})], ignore_index=True)
    sub = "dashed: the k chosen" + ("; green: how well Isomap recovers the sheet (right axis)" if iso else "")
    return Template(_build_sweep, (iso,), {"counts": counts, "here": pd.DataFrame({"k": [k]}),
                                           **({"recovery": pd.DataFrame({"k": s.ks, "rho": s.recovery})}
                                              if iso else {})},
                    {"title": "What k does to the graph", "subtitle": sub}), df


Rows = list[list[tuple[str, str, str]]]  # rows of metrics: (label, value, help)


def graph_metrics(view: mf.GraphView) -> Rows:
    p, g = view.pair, view.graph
    n = len(view.data.X)
    along = f"{p.graph:.3f}" if math.isfinite(p.graph) else "no path"
    true = f"{p.intrinsic:.3f}" if math.isfinite(p.intrinsic) else "unknown"
    shorts = f"{len(view.short_circuits):,}" if view.edge_intrinsic is not None else "n/a"
    return [[("Euclidean |AB|", f"{p.euclidean:.3f}", "straight through the space the data sits in"),
            ("Along the graph", along, f"Dijkstra on the k-NN graph: {max(len(p.path) - 1, 0)} edges"),
            ("True geodesic", true, "along the noise-free sheet (closed form); the digits have none"),
            ("Components", f"{len(g.component_sizes):,}", f"the largest holds {g.component_sizes[0]:,} of {n:,} "
                                                          "points"),
            ("Short-circuits", shorts, f"edges whose true geodesic is over {view.ratio:g}× their length")]]


def embed_metrics(emb: mf.Embedding, view: mf.GraphView) -> Rows:
    out = [("Points unrolled", f"{len(emb.rows):,} of {len(view.data.X):,}", "the largest component"),
           ("Trustworthiness T(10)", trust_at(emb, 10), "scikit-learn's definition")]
    if view.data.unrollable:
        out.insert(1, (f"{mf.METHODS[emb.method]} recovers {view.data.intrinsic_names[0].split(' (')[0]}",
                       f"{emb.recovery:.4f}", "|Spearman ρ| of the best axis with it"))
    return [out]


def manifold_notice(view: mf.GraphView, emb: mf.Embedding | None) -> str:
    p, g = view.pair, view.graph
    if p.source == p.target:
        return "A and B are the same point: every distance between them is 0. Move one of them."
    if not math.isfinite(p.graph):
        return (f"With k = {g.k} the graph has {len(g.component_sizes)} components and A and B lie in different "
                f"ones: no path along the data joins them. The largest component holds {g.component_sizes[0]:,} "
                "points; a larger k joins the pieces.")
    said = f"A and B are {p.euclidean:.3f} apart in a straight line but {p.graph:.3f} along the graph"
    if math.isfinite(p.intrinsic):
        said += f", where the sheet itself says {p.intrinsic:.3f}"
        if p.short_circuits_on_path:
            said += (f". The path takes {p.short_circuits_on_path} short-circuit edge"
                     f"{'s' if p.short_circuits_on_path > 1 else ''} (red): with k = {g.k} a point's neighbours "
                     "include points on the next layer of the sheet, and the graph distance falls far below the "
                     "truth")
        else:
            said += (f": the graph distance is {p.graph / p.intrinsic:.3f} times the true geodesic" if p.intrinsic > 0
                     else "")
    said += "."
    if emb is not None and view.data.unrollable:
        said += (f" {mf.METHODS[emb.method]} puts the sheet flat with |ρ| = {emb.recovery:.4f} against its intrinsic "
                 "coordinate" + (" (1 is perfect)." if emb.recovery > 0.99 else
                                 ": the unrolling is folded, as a short-circuit or a torn graph makes it."))
    return said


# ------------------------------------------------------------------------------------------ surfaces


def _axis(surface: str) -> tuple[str, str, float]:
    """The chart's horizontal and vertical titles (the sphere as a map: longitude across, latitude up) and the
    factor from radians to the shown unit."""
    names = sf.PARAMETER_NAMES[surface]
    if surface == "saddle":
        return names[0], names[1], 1.0
    if surface == "sphere":
        return f"{names[1]}, °", f"{names[0]}, °", DEG
    return f"{names[0]}, °", f"{names[1]}, °", DEG


def _uv(P: np.ndarray, surface: str) -> tuple[np.ndarray, np.ndarray]:
    """Parameters (..., 2) as (across, up) in the chart: swapped on the sphere."""
    return (P[..., 1], P[..., 0]) if surface == "sphere" else (P[..., 0], P[..., 1])


def _wrapped(params: np.ndarray, s: sf.Shape, scale: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A path in the parameter rectangle, periodic coordinates brought back into it: (across, up, piece), a new
    piece where it wraps."""
    P = np.array(params, dtype=float)
    for i, periodic in enumerate(s.periodic):
        if periodic:
            P[:, i] = (P[:, i] + math.pi) % (2 * math.pi) - math.pi
    jump = np.r_[False, (np.abs(np.diff(P, axis=0)) > math.pi).any(axis=1)]
    across, up = _uv(P, s.name)
    return across * scale, up * scale, np.cumsum(jump)


def _build_curvature(uname: str, vname: str) -> alt.LayerChart:
    X, Y = alt.X("u:Q", title=uname, scale=alt.Scale(domain=[slot("u")], nice=False, zero=False)), \
        alt.Y("v:Q", title=vname, scale=alt.Scale(domain=[slot("v")], nice=False, zero=False))
    cells = alt.Chart(alt.NamedData(name="cells")).mark_rect().encode(
        x=X, x2=alt.X2("u2:Q"), y=Y, y2=alt.Y2("v2:Q"),
        color=alt.Color("K:Q", scale=alt.Scale(scheme="blueorange", domain=[slot("K")]),
                        legend=legend(title="K", orient="right", gradientLength=140)),
        tooltip=[alt.Tooltip("K:Q", format=".4f")])
    kinds = ["geodesic AB", "straight in the chart", "sides BC, CA"]
    scale = alt.Scale(domain=kinds, range=["#000000", PALETTE[4], "#444444"])
    lines = alt.Chart(alt.NamedData(name="lines")).mark_line(strokeWidth=2.5, clip=True).encode(
        x=X, y=Y, order=alt.Order("step:Q"), detail=alt.Detail("key:Q"),
        color=alt.Color("kind:N", scale=scale, legend=legend(orient="top", title=None)),
        strokeDash=alt.StrokeDash("kind:N", scale=alt.Scale(domain=kinds, range=[[1, 0], [6, 4], [2, 2]]),
                                  legend=None))
    return alt.layer(cells, lines, *_labels("corners", X, Y)).properties(
        title=alt.Title(slot("title"), subtitle=slot("subtitle")), height=300)


def curvature_chart(grid: sf.CurvatureGrid, tri: sf.GeodesicTriangle) -> tuple[Template, pd.DataFrame]:
    """K over the parameter rectangle (orange > 0, blue < 0), the triangle's sides and the straight line A → B in
    the chart (where Newton's method starts)."""
    s = grid.surface
    uname, vname, scale = _axis(s.name)
    (ua, ub), (va, vb) = s.domain()
    du, dv = (ub - ua) / len(grid.u), (vb - va) / len(grid.v)
    U, V = np.meshgrid(grid.u, grid.v)
    lo = np.stack([U - du / 2, V - dv / 2], -1).reshape(-1, 2) * scale
    hi = np.stack([U + du / 2, V + dv / 2], -1).reshape(-1, 2) * scale
    (u0, v0), (u1, v1) = _uv(lo, s.name), _uv(hi, s.name)
    cells = pd.DataFrame({"u": u0, "u2": u1, "v": v0, "v2": v1, "K": grid.K.ravel()})
    ab = tri.sides[0].params
    t = np.linspace(0, 1, 40)[:, None]
    paths = [side.params for side in tri.sides] + [ab[0] + t * (ab[-1] - ab[0])]
    kinds = ["geodesic AB", "sides BC, CA", "sides BC, CA", "straight in the chart"]
    parts = [_wrapped(P, s, scale) for P in paths]
    lengths = [len(p[0]) for p in parts]
    lines = pd.DataFrame({"u": np.concatenate([p[0] for p in parts]), "v": np.concatenate([p[1] for p in parts]),
                          "step": np.concatenate([np.arange(n) for n in lengths]),
                          "kind": np.repeat(kinds, lengths),
                          "key": np.concatenate([100 * i + p[2] for i, p in enumerate(parts)])})
    across, up = _uv(tri.corners * scale, s.name)
    corners = pd.DataFrame({"u": across, "v": up, "name": list("ABC")})
    m = float(np.nanmax(np.abs(grid.K))) or 1.0
    (x0, y0), (x1, y1) = (_uv(np.array(p) * scale, s.name) for p in ((ua, va), (ub, vb)))
    return Template(_build_curvature, (uname, vname), {"cells": cells, "lines": lines, "corners": corners},
                    {"u": [float(x0), float(x1)], "v": [float(y0), float(y1)], "K": [-m, m],
                     "title": f"Gaussian curvature K over the chart: ∫K dA = {num(grid.total_curvature, 4)}" + (
                         f" (2πχ = {num(grid.gauss_bonnet, 4)})" if grid.gauss_bonnet is not None else ""),
                     "subtitle": "orange: K > 0, blue: K < 0; the geodesic triangle ABC and the straight line "
                                 "A → B in the chart"}), cells


AZIMUTH, ELEVATION = math.radians(35), math.radians(28)


def _project(P: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """An oblique view of points (..., 3): turned by the azimuth about z, tilted by the elevation."""
    x, y, z = P[..., 0], P[..., 1], P[..., 2]
    across = x * math.cos(AZIMUTH) - y * math.sin(AZIMUTH)
    depth = x * math.sin(AZIMUTH) + y * math.cos(AZIMUTH)
    return across, z * math.cos(ELEVATION) - depth * math.sin(ELEVATION)


def _build_surface() -> alt.LayerChart:
    X, Y = alt.X("x:Q", axis=None, scale=alt.Scale(zero=False)), alt.Y("y:Q", axis=None, scale=alt.Scale(zero=False))
    mesh = alt.Chart(alt.NamedData(name="mesh")).mark_line(color=GREY, strokeWidth=0.8, opacity=0.55).encode(
        x=X, y=Y, order=alt.Order("step:Q"), detail=alt.Detail("line:Q"))
    kinds = ["geodesic AB", "chord AB", "sides BC, CA"]
    scale = alt.Scale(domain=kinds, range=[BLUE, ORANGE, "#444444"])
    curves = alt.Chart(alt.NamedData(name="curves")).mark_line(strokeWidth=3).encode(
        x=X, y=Y, order=alt.Order("step:Q"), detail=alt.Detail("key:Q"),
        color=alt.Color("kind:N", scale=scale, legend=legend(orient="top", title=None)),
        strokeDash=alt.StrokeDash("kind:N", scale=alt.Scale(domain=kinds, range=[[1, 0], [6, 4], [2, 2]]),
                                  legend=None))
    return alt.layer(mesh, curves, *_labels("corners", X, Y)).properties(
        title=alt.Title(slot("title"), subtitle=slot("subtitle")), height=300)


def surface_chart(grid: sf.CurvatureGrid, tri: sf.GeodesicTriangle) -> tuple[Template, pd.DataFrame]:
    """The surface as a wire mesh in an oblique view, the geodesic A → B on it and the chord through space."""
    P = grid.points  # (b, a, 3): rows v, columns u
    every = max(1, len(grid.u) // 16)
    lines = np.concatenate([P[:, ::every].transpose(1, 0, 2), P[::every]])  # (lines, points, 3)
    x, y = _project(lines)
    count, points = x.shape
    mesh = pd.DataFrame({"x": x.ravel(), "y": y.ravel(), "step": np.tile(np.arange(points), count),
                         "line": np.repeat(np.arange(count), points)})
    ab = tri.sides[0].points
    paths = [side.points for side in tri.sides] + [np.stack([ab[0], ab[-1]])]
    lengths = [len(P) for P in paths]
    x, y = _project(np.concatenate(paths))
    curves = pd.DataFrame({"x": x, "y": y, "step": np.concatenate([np.arange(n) for n in lengths]),
                           "kind": np.repeat(["geodesic AB", "sides BC, CA", "sides BC, CA", "chord AB"], lengths),
                           "key": np.repeat(np.arange(4), lengths)})
    ends = np.stack([side.points[0] for side in tri.sides])
    x, y = _project(ends)
    names = {"sphere": f"A sphere of radius {grid.surface.R:g}", "saddle": "The saddle z = x² − y²",
             "torus": f"A torus, R = {grid.surface.R:g}, r = {grid.surface.r:g}"}
    g = tri.sides[0]
    return Template(_build_surface, (), {"mesh": mesh, "curves": curves,
                                         "corners": pd.DataFrame({"x": x, "y": y, "name": list("ABC")})},
                    {"title": names[grid.surface.name],
                     "subtitle": f"the geodesic A → B, {g.length:.4f} long, against the chord, {g.chord:.4f}"}), mesh


def _build_angles() -> alt.LayerChart:
    bars = alt.Chart(alt.NamedData(name="angles")).mark_bar(height=34).encode(
        x=alt.X("from:Q", title="degrees", scale=alt.Scale(domain=[0, slot("top")])), x2=alt.X2("to:Q"),
        y=alt.Y("row:N", title=None), color=alt.Color("corner:N", scale=alt.Scale(
            domain=["A", "B", "C"], range=[BLUE, ORANGE, GREEN]), legend=legend(orient="top", title=None)),
        tooltip=[alt.Tooltip("corner:N"), alt.Tooltip("degrees:Q", format=".2f")])
    pi = alt.Chart(alt.NamedData(name="pi")).mark_rule(color="#000000", strokeWidth=2.5, strokeDash=[5, 3]).encode(
        x=alt.X("at:Q"))
    return alt.layer(bars, pi).properties(title=alt.Title(slot("title"), subtitle="dashed: 180°, a flat triangle's "
                                                                                  "sum"), height=90)


def angles_chart(tri: sf.GeodesicTriangle) -> tuple[Template, pd.DataFrame]:
    deg = np.nan_to_num(np.degrees(tri.angles))
    ends = np.cumsum(deg)
    df = pd.DataFrame({"row": "angles", "corner": list("ABC"), "from": ends - deg, "to": ends, "degrees": deg})
    title = (f"Angle sum {math.degrees(tri.angle_sum):.2f}° against 180°" if math.isfinite(tri.angle_sum)
             else "The angle sum is undefined: two corners coincide")
    return Template(_build_angles, (), {"angles": df, "pi": pd.DataFrame({"at": [180.0]})},
                    {"top": max(200.0, float(ends[-1]) * 1.05), "title": title}), df


def _rad(v: float) -> str:
    return f"{v:.4f}" if math.isfinite(v) else "undefined"


def surface_metrics(tri: sf.GeodesicTriangle) -> Rows:
    g = tri.sides[0]
    third = (("Great circle", f"{g.closed_form:.4f}", "R·arccos(⟨a, b⟩/R²), the closed form")
             if g.closed_form is not None else
             ("Straight in the chart", f"{g.start_length:.4f}", "the straight line in the parameters, drawn on the "
                                                                "surface: Newton's start"))
    total = f"{math.degrees(tri.angle_sum):.2f}°" if math.isfinite(tri.angle_sum) else "undefined"
    rows = [[("Geodesic AB", f"{g.length:.4f}", f"{g.iterations} Newton steps, {len(g.params) - 1} segments"),
             ("Chord |AB|", f"{g.chord:.4f}", "straight through space"), third],
            [("Angle sum", total, "of the geodesic triangle ABC; flat: 180°"),
             ("Excess, sum − π", _rad(tri.excess), "radians"),
             ("∫∫ K dA", _rad(tri.curvature_integral), "over the triangle, midpoint rule: Gauss–Bonnet's other side")]]
    if tri.closed_form_excess is not None:
        rows[1].append(("Area / R²", _rad(tri.closed_form_excess), "the spherical excess in closed form"))
    return rows


def surface_notice(tri: sf.GeodesicTriangle) -> str:
    g, s = tri.sides[0], tri.surface
    if g.chord == 0:
        return "A and B are the same point: there is no geodesic between them and no triangle; move one of them."
    said = (f"The geodesic from A to B is {g.length:.4f} long, the chord through space {g.chord:.4f}: a path that "
            "stays on the surface must bend with it. ")
    if not math.isfinite(tri.angle_sum):
        return said + "Two corners coincide, so the triangle has no angle there; move one of them."
    sign = "more" if tri.excess > 0 else "less"
    said += (f"The triangle's angles sum to {math.degrees(tri.angle_sum):.2f}°, {sign} than 180° by "
             f"{abs(tri.excess):.4f} rad; ")
    if math.isfinite(tri.curvature_integral):
        said += (f"Gauss–Bonnet says this equals ∫∫K dA over the triangle, here {tri.curvature_integral:.4f}"
                 + (" (K = 1/R² everywhere: the area over R²)." if s.name == "sphere" else "."))
    else:
        said += "the triangle winds round the chart's seam, so its inside is not a region of the rectangle."
    return said


# ------------------------------------------------------------------------------------------ loss curvature


def _build_spectrum(dense: bool) -> alt.LayerChart:
    scale = alt.Scale(domain=["positive", "≈ 0", "negative"], range=[BLUE, GREY, RED])
    x = alt.X("rank:Q", title="rank (largest first)", scale=alt.Scale(type="log", domain=[slot("ranks")], nice=False))
    y = alt.Y("eigenvalue:Q", title="eigenvalue (symlog)", scale=alt.Scale(type="symlog", constant=1e-4, nice=False),
              axis=alt.Axis(values=[slot("ticks")], format="~g"))
    layers = []
    if dense:
        layers.append(alt.Chart(alt.NamedData(name="eigen")).mark_circle(size=22, opacity=0.8).encode(
            x=x, y=y, color=alt.Color("sign:N", scale=scale, legend=legend(orient="top", title=None)),
            tooltip=[alt.Tooltip("rank:Q"), alt.Tooltip("eigenvalue:Q", format=".4g")]))
    layers.append(alt.Chart(alt.NamedData(name="top")).mark_point(size=110, shape="diamond", filled=False,
                                                                  strokeWidth=2).encode(
        x=x, y=y, shape=alt.Shape("method:N", legend=legend(orient="top", title=None)),
        color=alt.value(ORANGE), tooltip=[alt.Tooltip("method:N"), alt.Tooltip("eigenvalue:Q", format=".6g")]))
    return alt.layer(*layers).properties(title=alt.Title(slot("title"), subtitle=slot("subtitle")), height=280)


def spectrum_chart(spec: hs.HessianSpectrum | None, tops: list[hs.TopEigen]) -> tuple[Template, pd.DataFrame]:
    """Every eigenvalue of the exact Hessian (symlog: a few large, a bulk near 0, some negative) and the top ones
    by the iterative methods."""
    names = {"scipy": "ARPACK (scipy)", "lanczos": "Lanczos (torch)"}
    top = pd.concat([pd.DataFrame({"rank": np.arange(1, len(t.eigenvalues) + 1), "eigenvalue": t.eigenvalues,
                                   "method": names[t.method]}) for t in tops], ignore_index=True)
    data = {"top": top}
    if spec is not None:
        ev = spec.eigenvalues[::-1]
        sign = np.where(np.abs(ev) <= spec.tol, "≈ 0", np.where(ev > 0, "positive", "negative"))
        data["eigen"] = pd.DataFrame({"rank": np.arange(1, len(ev) + 1), "eigenvalue": ev, "sign": sign})
        title = f"All {len(ev):,} eigenvalues of the exact Hessian"
        sub = (f"{spec.negative} negative, {spec.near_zero} within ±{spec.tol:.1e} of 0; open marks: the top "
               f"{len(tops[0].eigenvalues)} from Hessian-vector products alone")
    else:
        title = f"The top {len(tops[0].eigenvalues)} eigenvalues from Hessian-vector products"
        sub = f"{tops[0].n_params:,} parameters: no dense Hessian"
    frame = data.get("eigen", top)
    values = frame["eigenvalue"].to_numpy()
    lo, hi = float(min(values.min(), 0.0)), float(max(values.max(), 0.0))
    ticks = [0.0] + [s * 10.0 ** e for e in range(-4, 4) for s in (1, -1) if lo <= s * 10.0 ** e <= hi]
    return Template(_build_spectrum, (spec is not None,), data,
                    {"title": title, "subtitle": sub, "ranks": [0.8, float(frame["rank"].max()) * 1.25],
                     "ticks": sorted(ticks)}), frame


def _build_image(side: int, legend_title: str) -> alt.LayerChart:
    sx = alt.Scale(domain=[slot("x")], nice=False, zero=False)
    sy = alt.Scale(domain=[slot("y")], nice=False, zero=False)
    picture = alt.Chart(alt.NamedData(name="picture")).mark_image(aspect=False, smooth=False).encode(
        x=alt.X("x0:Q", scale=sx, title=slot("xtitle")), x2=alt.X2("x1:Q"),
        y=alt.Y("y0:Q", scale=sy, title=slot("ytitle")), y2=alt.Y2("y1:Q"), url=alt.Url("url:N"))
    ramp = alt.Chart(alt.NamedData(name="ramp")).mark_point(opacity=0).encode(
        x=alt.X("x:Q", scale=sx), y=alt.Y("y:Q", scale=sy),
        color=alt.Color("value:Q", scale=alt.Scale(range=list(VIRIDIS), interpolate="rgb", domain=[slot("domain")]),
                        legend=legend(title=legend_title, orient="bottom", direction="horizontal",
                                      gradientLength=180)))
    return alt.layer(picture, ramp).properties(title=alt.Title(slot("title"), subtitle=slot("subtitle")),
                                               width=side, height=side)


def _image(M: np.ndarray, box: tuple[float, float, float, float], domain: tuple[float, float], legend_title: str,
           fill: dict, side: int = 220) -> tuple[Template, pd.DataFrame]:
    x0, x1, y0, y1 = box
    pic = png_url(colour(M[::-1], domain))
    ramp = pd.DataFrame({"x": [x0, x1], "y": [y0, y1], "value": list(domain)})
    return Template(_build_image, (side, legend_title), {
        "picture": pd.DataFrame({"x0": [x0], "x1": [x1], "y0": [y0], "y1": [y1], "url": [pic]}), "ramp": ramp},
        {"x": [x0, x1], "y": [y0, y1], "domain": list(domain), **fill}), pd.DataFrame(M)


def hessian_image(spec: hs.HessianSpectrum) -> tuple[Template, pd.DataFrame]:
    """log₁₀|H_ij| as a picture (P ≤ 1,000): its blocks are the layers' weights and biases."""
    H = np.abs(spec.hessian)
    L = np.log10(np.maximum(H, 1e-8))
    hi = float(L.max())
    p = len(H)
    return _image(L, (0.5, p + 0.5, 0.5, p + 0.5), (hi - 6, hi), "log₁₀|H_ij|",
                  {"xtitle": "parameter j", "ytitle": "parameter i", "title": "The Hessian, entry by entry",
                   "subtitle": "W₁, b₁, W₂, b₂ in order: the layers' blocks"})


def top_table(spec: hs.HessianSpectrum | None, tops: list[hs.TopEigen]) -> pd.DataFrame:
    """The top eigenvalues by each method, with what each cost."""
    rows = []
    if spec is not None:
        k = len(tops[0].eigenvalues)
        rows.append({"method": "dense eigvalsh", **{f"λ{i + 1}": v for i, v in enumerate(spec.eigenvalues[::-1][:k])},
                     "Hessian-vector products": spec.n_params,
                     "seconds": spec.seconds_hessian + spec.seconds_eig})
    for t in tops:
        rows.append({"method": {"scipy": "ARPACK (scipy)", "lanczos": "Lanczos (torch)"}[t.method],
                     **{f"λ{i + 1}": v for i, v in enumerate(t.eigenvalues)}, "Hessian-vector products": t.matvecs,
                     "seconds": t.seconds})
    return pd.DataFrame(rows)


def spectrum_metrics(spec: hs.HessianSpectrum | None, top: hs.TopEigen) -> Rows:
    if spec is None:
        return [[("Parameters", f"{top.n_params:,}", "past the exact Hessian's limit here"),
                 ("λ₁ (ARPACK)", f"{top.eigenvalues[0]:.4g}", f"{top.matvecs} Hessian-vector products"),
                 ("λ₂", f"{top.eigenvalues[1]:.4g}", "the second largest")]]
    ev = spec.eigenvalues
    return [[("Parameters", f"{spec.n_params:,}", f"network {'–'.join(map(str, spec.sizes))}"),
             ("λ_max", f"{ev[-1]:.4g}", "the sharpest direction"), ("λ_min", f"{ev[0]:.3g}", "below 0: not a minimum")],
            [("Negative", f"{spec.negative:,}", f"eigenvalues below −{spec.tol:.1e}"),
             ("Near zero", f"{spec.near_zero:,}", "flat directions"),
             ("Training loss", f"{spec.loss:.4f}", f"accuracy {spec.accuracy:.1%}, ‖∇L‖ = {spec.grad_norm:.2e}")]]


def spectrum_notice(spec: hs.HessianSpectrum | None, tops: list[hs.TopEigen]) -> str:
    s, lz = tops
    agree = float(np.max(np.abs(s.eigenvalues - lz.eigenvalues)))
    said = (f"ARPACK and the Lanczos written in torch find the top {len(s.eigenvalues)} eigenvalues from "
            f"{s.matvecs} and {lz.matvecs} Hessian-vector products, agreeing to {agree:.1e}")
    if spec is None:
        return said + " without ever forming the Hessian."
    ev = spec.eigenvalues
    dense = float(np.max(np.abs(spec.eigenvalues[::-1][:len(s.eigenvalues)] - s.eigenvalues)))
    big = int((ev > 0.01 * ev[-1]).sum())
    said += (f", and the dense eigvalsh to {dense:.1e}, which needed all {spec.n_params:,}. Only {big} of the "
             f"{spec.n_params:,} eigenvalues exceed 1 % of λ_max = {ev[-1]:.4g}; {spec.near_zero} lie within "
             f"±{spec.tol:.1e} of 0 and {spec.negative} are negative (the smallest {ev[0]:.3g}). ")
    if spec.negative:
        return said + ("The loss curves up steeply along a few directions and is nearly flat, even slightly "
                       "downhill, along most: θ* after training is a point on a wide, flat valley floor, not a "
                       "strict minimum.")
    return said + "Every direction curves up: θ* is a minimum, steep along a few directions and flat along most."


def _build_slices() -> alt.LayerChart:
    kinds = ["top eigenvector v₁", "eigenvector v₂", "random d₁ (filter-normalised)", "random d₂"]
    scale = alt.Scale(domain=kinds, range=[RED, ORANGE, BLUE, PALETTE[5]])
    lines = alt.Chart(alt.NamedData(name="lines")).mark_line(strokeWidth=2.5).encode(
        x=alt.X("alpha:Q", title="α (a step of α·direction from θ*)"),
        y=alt.Y("loss:Q", title="training loss", scale=alt.Scale(zero=False)),
        color=alt.Color("direction:N", scale=scale, legend=legend(orient="top", title=None, columns=2)))
    quad = alt.Chart(alt.NamedData(name="quad")).mark_line(strokeDash=[4, 3], color="#000000", strokeWidth=1.5,
                                                           clip=True).encode(
        x=alt.X("alpha:Q"), y=alt.Y("loss:Q"), detail=alt.Detail("direction:N"))
    return alt.layer(lines, quad).properties(title=alt.Title(slot("title"), subtitle=slot("subtitle")), height=280)


def slices_chart(sl: hs.LossSlices) -> tuple[Template, pd.DataFrame]:
    names = ["top eigenvector v₁", "eigenvector v₂"]
    parts = [pd.DataFrame({"alpha": sl.alphas, "loss": sl.eigen_1d[i], "direction": names[i]}) for i in range(2)]
    parts += [pd.DataFrame({"alpha": sl.random_alphas, "loss": sl.random_1d[i],
                            "direction": ["random d₁ (filter-normalised)", "random d₂"][i]}) for i in range(2)]
    lines = pd.concat(parts, ignore_index=True)
    top = float(lines["loss"].max())
    quad = pd.concat([pd.DataFrame({"alpha": sl.alphas, "loss": np.minimum(sl.quadratic_1d[i], top * 1.05),
                                    "direction": names[i]}) for i in range(2)], ignore_index=True)
    return Template(_build_slices, (), {"lines": lines, "quad": quad},
                    {"title": f"The loss along four directions through θ* (L = {sl.loss_at_minimum:.4f})",
                     "subtitle": f"eigenvectors have length 1, the random directions ‖d‖ ≈ {sl.random_norms[0]:.2f}; "
                                 "dashed: L* + gα + ½λα², the quadratic model"}), lines


def slice_images(sl: hs.LossSlices) -> list[tuple[Template, pd.DataFrame]]:
    """The 2-D slices as pictures on one colour scale (log₁₀ of the loss)."""
    E, R = np.log10(np.maximum(sl.eigen_2d, 1e-12)), np.log10(np.maximum(sl.random_2d, 1e-12))
    finite = np.concatenate([E[np.isfinite(E)], R[np.isfinite(R)]])
    domain = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    a, r = sl.alphas, sl.random_alphas
    return [_image(E, (a[0], a[-1], a[0], a[-1]), domain, "log₁₀ loss",
                   {"xtitle": "α along v₁", "ytitle": "β along v₂", "title": "Along the top two eigenvectors",
                    "subtitle": f"λ₁ = {sl.top_eigenvalues[0]:.4g}, λ₂ = {sl.top_eigenvalues[1]:.4g}"}),
            _image(R, (r[0], r[-1], r[0], r[-1]), domain, "log₁₀ loss",
                   {"xtitle": "α along d₁", "ytitle": "β along d₂", "title": "Along two random directions",
                    "subtitle": "filter-normalised (Li et al. 2018)"})]


def slice_metrics(sl: hs.LossSlices) -> Rows:
    i = len(sl.alphas) - 1
    return [[("L(θ*)", f"{sl.loss_at_minimum:.4f}", "the training loss at the trained weights"),
            ("λ₁, λ₂", f"{sl.top_eigenvalues[0]:.3g}, {sl.top_eigenvalues[1]:.3g}", "by Lanczos"),
            (f"Rise along v₁ at α = {sl.alphas[i]:g}", f"{sl.eigen_1d[0, i] - sl.loss_at_minimum:.4f}",
             "a unit vector: a step of length α"),
            (f"Rise along d₁ at α = {sl.random_alphas[i]:g}", f"{sl.random_1d[0, i] - sl.loss_at_minimum:.4f}",
             f"a step of length {sl.random_alphas[i] * sl.random_norms[0]:.3g}")]]


def slices_notice(sl: hs.LossSlices) -> str:
    i = len(sl.alphas) - 1
    up_v = sl.eigen_1d[0, i] - sl.loss_at_minimum
    up_d = sl.random_1d[0, i] - sl.loss_at_minimum
    return (f"A step of length {sl.alphas[i]:g} along the top eigenvector raises the loss by {up_v:.4f}; along a "
            f"random filter-normalised direction, a step {sl.random_norms[0]:.2f} times as long raises it by "
            f"{up_d:.4f}. A random direction is almost orthogonal to the few sharp ones: its curvature dᵀHd/‖d‖² "
            "averages the whole spectrum, mostly the flat bulk, so random slices look smooth and bowl-shaped even "
            "where the surface is sharp or indefinite along a few directions.")


def _build_eos() -> alt.LayerChart:
    x = alt.X("step:Q", title="gradient-descent step")
    sharp = alt.Chart(alt.NamedData(name="sharp")).mark_line(color=RED, strokeWidth=2.5).encode(
        x=x, y=alt.Y("sharpness:Q", title="sharpness λ_max"))
    edge = alt.Chart(alt.NamedData(name="edge")).mark_rule(color="#000000", strokeDash=[6, 3], strokeWidth=2).encode(
        y=alt.Y("y:Q"))
    label = alt.Chart(alt.NamedData(name="edge")).mark_text(align="right", dx=-4, dy=-8, color="#000000").encode(
        x=alt.value(alt.expr("width")), y=alt.Y("y:Q"), text=alt.Text("label:N"))
    return alt.layer(sharp, edge, label).properties(title=alt.Title(slot("title"), subtitle=slot("subtitle")),
                                                    height=250)


def eos_chart(r: hs.EdgeOfStability) -> tuple[Template, pd.DataFrame]:
    ok = np.isfinite(r.sharpness)
    df = pd.DataFrame({"step": r.steps[ok], "sharpness": r.sharpness[ok]})
    return Template(_build_eos, (), {"sharp": df, "edge": pd.DataFrame({"y": [r.threshold],
                                                                        "label": [f"2/η = {r.threshold:g}"]})},
                    {"title": f"Sharpness during gradient descent with η = {r.lr:g}",
                     "subtitle": "the Hessian's largest eigenvalue, by warm-started Lanczos; dashed: 2/η, where a "
                                 "quadratic stops being stable"}), df


def _build_eos_loss() -> alt.Chart:
    return alt.Chart(alt.NamedData(name="loss")).mark_line(color=BLUE, strokeWidth=2.5).encode(
        x=alt.X("step:Q", title="gradient-descent step"), y=alt.Y("loss:Q", title="training loss",
                                                                 scale=alt.Scale(type="log"))).properties(
        title=alt.Title(slot("title"), subtitle="log scale: at the edge it falls, but not every step"), height=220)


def eos_loss_chart(r: hs.EdgeOfStability) -> tuple[Template, pd.DataFrame]:
    df = pd.DataFrame({"step": r.steps, "loss": r.loss, "accuracy": r.accuracy})
    return Template(_build_eos_loss, (), {"loss": df[np.isfinite(df["loss"]) & (df["loss"] > 0)]},
                    {"title": f"The training loss: {r.loss[0]:.4f} to {r.loss[-1]:.4g}"}), df


def eos_metrics(r: hs.EdgeOfStability) -> Rows:
    sharp = r.sharpness[np.isfinite(r.sharpness)]
    ran = f"diverged at {r.diverged_at}" if r.diverged_at is not None else f"{len(r.steps) - 1}"
    return [[("2/η", f"{r.threshold:.4g}", "the stability limit of a quadratic"),
             ("Max sharpness", f"{sharp.max():.4g}", "the largest λ_max over the run"),
             ("Last sharpness", f"{sharp[-1]:.4g}", "the last measurement"),
             ("Final loss", f"{r.loss[-1]:.4g}", f"accuracy {r.accuracy[-1]:.1%}"),
             ("Steps", ran, "gradient-descent steps taken")]]


def eos_notice(r: hs.EdgeOfStability) -> str:
    sharp = r.sharpness[np.isfinite(r.sharpness)]
    if r.diverged_at is not None:
        return (f"With η = {r.lr:g} the first sharpness, {sharp[0]:.4g}, is already above 2/η = {r.threshold:.4g}: "
                f"gradient descent overshoots along the sharpest direction, further each step, and the loss blew "
                f"up at step {r.diverged_at}.")
    ok = np.isfinite(r.sharpness)
    steps, values = r.steps[ok], r.sharpness[ok]
    low = int(np.argmin(values))
    said = ""
    if values[0] > r.threshold and low > 0:
        said = (f"It starts above 2/η = {r.threshold:.4g} (at {values[0]:.4g}): the first steps overshoot, the loss "
                f"jumps, and the sharpness falls to {values[low]:.4g} by step {int(steps[low])}, a catapult. ")
    again = np.flatnonzero((steps >= steps[low]) & (values >= 0.95 * r.threshold))
    if not len(again):
        return said + (f"With η = {r.lr:g} the sharpness peaks at {values.max():.4g} and ends at {values[-1]:.4g}, "
                       f"never near 2/η = {r.threshold:.4g}: the step is small enough for every direction, and the "
                       f"loss falls steadily, to {r.loss[-1]:.4g}.")
    return said + (f"The sharpness rises from {values[low]:.4g} until it reaches 2/η = {r.threshold:.4g} at step "
                   f"{int(steps[again[0]])}, then hovers there (last {values[-1]:.4g}) while the loss keeps falling, "
                   f"to {r.loss[-1]:.4g}: training sits at the edge of stability (Cohen et al. 2021), where a "
                   "quadratic model of the loss says it should diverge.")


# ------------------------------------------------------------------------------------------ Fisher


def _build_fisher(log_sigma: bool) -> alt.LayerChart:
    sx = alt.Scale(domain=[slot("x")], nice=False, zero=False)
    sy = alt.Scale(domain=[slot("y")], nice=False, zero=False, type="log" if log_sigma else "linear")
    X, Y = alt.X("mu:Q", title="μ", scale=sx), alt.Y("sigma:Q", title="σ (log scale)" if log_sigma else "σ",
                                                     scale=sy)
    rings = alt.Chart(alt.NamedData(name="rings")).mark_line(color=GREY, strokeWidth=1, clip=True).encode(
        x=X, y=Y, order=alt.Order("i:Q"), detail=alt.Detail("ring:N"))
    kinds = [slot("kinds")]
    paths = alt.Chart(alt.NamedData(name="paths")).mark_line(strokeWidth=2.8, clip=True).encode(
        x=X, y=Y, order=alt.Order("step:Q"), detail=alt.Detail("key:N"),
        color=alt.Color("kind:N", scale=alt.Scale(domain=kinds, range=[slot("colours")]),
                        legend=legend(orient="top", title=None, columns=2)),
        strokeDash=alt.StrokeDash("kind:N", scale=alt.Scale(domain=kinds, range=[slot("dashes")]), legend=None))
    marks = alt.Chart(alt.NamedData(name="marks")).mark_point(shape="cross", size=160, filled=True, color="#000000",
                                                              clip=True).encode(x=X, y=Y)
    names = alt.Chart(alt.NamedData(name="marks")).mark_text(fontSize=15, dx=10, dy=-10, align="left",
                                                             color="#000000", clip=True).encode(
        x=X, y=Y, text=alt.Text("name:N"))
    return alt.layer(rings, paths, marks, names).properties(
        title=alt.Title(slot("title"), subtitle=slot("subtitle")), height=300)


def _rings(ell: fi.FisherEllipses) -> pd.DataFrame:
    m, p = ell.outlines.shape[:2]
    return pd.DataFrame({"mu": ell.outlines[..., 0].ravel(), "sigma": ell.outlines[..., 1].ravel(),
                         "i": np.tile(np.arange(p), m), "ring": np.repeat(np.arange(m), p)})


def rao_chart(rao: fi.FisherRao, ell: fi.FisherEllipses, box: tuple) -> tuple[Template, pd.DataFrame]:
    """Fisher ellipses over (μ, σ), the half-plane geodesic between the two Gaussians, the straight segment."""
    (m0, m1), (s0, s1) = box
    geo = pd.DataFrame({"mu": rao.path[:, 0], "sigma": rao.path[:, 1], "step": np.arange(len(rao.path)),
                        "kind": "Fisher–Rao geodesic", "key": "g"})
    straight = pd.DataFrame({"mu": [rao.start[0], rao.end[0]], "sigma": [rao.start[1], rao.end[1]], "step": [0, 1],
                             "kind": "straight segment", "key": "s"})
    marks = pd.DataFrame({"mu": [rao.start[0], rao.end[0]], "sigma": [rao.start[1], rao.end[1]],
                          "name": ["p₁", "p₂"]})
    shape = "a vertical line (equal means)" if rao.centre is None else (
        f"a half-ellipse centred on σ = 0 at μ = {rao.centre:.3f} (a half-circle in (μ/√2, σ))")
    return Template(_build_fisher, (False,), {"rings": _rings(ell), "paths": pd.concat([geo, straight]),
                                              "marks": marks},
                    {"x": [m0, m1], "y": [s0, s1], "kinds": ["Fisher–Rao geodesic", "straight segment"],
                     "colours": [BLUE, ORANGE], "dashes": [[1, 0], [6, 4]],
                     "title": f"The Fisher–Rao geodesic from p₁ to p₂: length {rao.distance:.4f}",
                     "subtitle": f"grey: Fisher balls of equal radius (small where σ is small; the axes are not to "
                                 f"scale); the geodesic is "
                                 f"{shape}"}), geo


def _build_densities() -> alt.LayerChart:
    return alt.Chart(alt.NamedData(name="curves")).mark_line(strokeWidth=2.2).encode(
        x=alt.X("x:Q", title="x"), y=alt.Y("density:Q", title="density"), detail=alt.Detail("t:N"),
        color=alt.Color("t:Q", scale=alt.Scale(range=[BLUE, ORANGE]),
                        legend=legend(title="along the geodesic", orient="top", gradientLength=120))).properties(
        title=alt.Title("The distributions along the geodesic", subtitle=slot("subtitle")), height=240)


def densities_chart(rao: fi.FisherRao) -> tuple[Template, pd.DataFrame]:
    """N(μ, σ²) at five points evenly spaced in Fisher length along the geodesic."""
    picks = np.linspace(0, len(rao.path) - 1, 5).round().astype(int)
    lo = float(min(rao.path[:, 0] - 3.5 * rao.path[:, 1]))
    hi = float(max(rao.path[:, 0] + 3.5 * rao.path[:, 1]))
    x = np.linspace(lo, hi, 400)
    parts = []
    for j, i in enumerate(picks):
        mu, s = rao.path[i]
        parts.append(pd.DataFrame({"x": x, "density": np.exp(-0.5 * ((x - mu) / s) ** 2) / (s * math.sqrt(2 * math.pi)),
                                   "t": j / 4}))
    df = pd.concat(parts, ignore_index=True)
    top = float(df["density"].max())
    df["density"] = df["density"].clip(upper=top)
    return Template(_build_densities, (), {"curves": df},
                    {"subtitle": "five Gaussians evenly spaced in Fisher length: each step changes the distribution "
                                 "by the same amount"}), df


def rao_metrics(rao: fi.FisherRao) -> Rows:
    return [[("Fisher–Rao d", f"{rao.distance:.4f}", "√2·arccosh(1 + (Δμ²/2 + Δσ²)/(2σ₁σ₂))"),
            ("KL(p₁‖p₂)", f"{rao.kl_forward:.4f}", "nats"), ("KL(p₂‖p₁)", f"{rao.kl_reverse:.4f}", "nats: not "
                                                                                             "symmetric"),
            ("d²/2", f"{rao.distance ** 2 / 2:.4f}", "what both KLs approach for nearby distributions"),
            ("Euclidean", f"{rao.euclidean:.4f}", "in (μ, σ): blind to σ's scale")]]


def rao_notice(rao: fi.FisherRao) -> str:
    (m1, s1), (m2, s2) = rao.start, rao.end
    if rao.distance == 0:
        return ("p₁ and p₂ are the same Gaussian: the Fisher–Rao distance and both KLs are 0. Move one of them to "
                "see the geodesic swing up towards larger σ.")
    return (f"The Fisher–Rao distance from N({m1:g}, {s1:g}²) to N({m2:g}, {s2:g}²) is {rao.distance:.4f}; KL is "
            f"{rao.kl_forward:.4f} one way and {rao.kl_reverse:.4f} the other, so it is no distance, though both "
            f"approach d²/2 = {rao.distance ** 2 / 2:.4f} as the two come close. The ellipses shrink with σ: a "
            "change of μ by 0.1 matters far more to a narrow Gaussian than to a wide one, so the shortest way "
            "between two distributions swings up to larger σ, where moving μ is cheap.")


FIT_KINDS = ["plain, (μ, σ)", "plain, (μ, log σ)", "natural, (μ, σ)", "natural, (μ, log σ)"]


def fit_box(f: fi.GaussianFits) -> tuple[tuple[float, float], tuple[float, float]]:
    """The part of (μ, σ) the charts show: the start, the optimum and room round them (runaways are clipped)."""
    (m0, s0), (m, s) = f.start, f.mle
    lo, hi = min(m0, m) - 1.5, max(m0, m) + 1.5
    return (lo, hi), (min(s0, s) / 2, max(s0, s) * 2)


def fits_chart(f: fi.GaussianFits, ell: fi.FisherEllipses, log_sigma: bool) -> tuple[Template, pd.DataFrame]:
    parts = []
    for p in f.paths:
        kind = f"{p.method}, {fi.CHARTS[p.chart]}"
        parts.append(pd.DataFrame({"mu": p.mu, "sigma": p.sigma, "step": np.arange(len(p.mu)), "kind": kind,
                                   "key": kind}))
    paths = pd.concat(parts, ignore_index=True)
    (m0, m1), (s0, s1) = fit_box(f)
    marks = pd.DataFrame({"mu": [f.start[0], f.mle[0]], "sigma": [f.start[1], f.mle[1]], "name": ["start", "MLE"]})
    view = "(μ, log σ): σ on a log scale" if log_sigma else "(μ, σ)"
    return Template(_build_fisher, (log_sigma,), {"rings": _rings(ell), "paths": paths, "marks": marks},
                    {"x": [m0, m1], "y": [s0, s1], "kinds": FIT_KINDS, "colours": [ORANGE, ORANGE, BLUE, BLUE],
                     "dashes": [[1, 0], [6, 4], [1, 0], [6, 4]],
                     "title": f"The four descents seen in {view}",
                     "subtitle": f"η = {f.lr:g}; blue: natural (the two nearly one line), orange: plain; dashed: "
                                 "stepped in (μ, log σ)"}), paths


def _build_fit_loss() -> alt.Chart:
    return alt.Chart(alt.NamedData(name="loss")).mark_line(strokeWidth=2.5).encode(
        x=alt.X("step:Q", title="step"), y=alt.Y("gap:Q", title="NLL − NLL at the MLE", scale=alt.Scale(type="log")),
        color=alt.Color("kind:N", scale=alt.Scale(domain=FIT_KINDS, range=[ORANGE, ORANGE, BLUE, BLUE]),
                        legend=legend(orient="top", title=None, columns=2)),
        strokeDash=alt.StrokeDash("kind:N", scale=alt.Scale(domain=FIT_KINDS, range=[[1, 0], [6, 4], [1, 0],
                                                                                     [6, 4]]), legend=None)
    ).properties(title=alt.Title("How far each is from the best fit", subtitle="average negative log-likelihood "
                                 "above its minimum, nats; log scale"), height=240)


def fit_loss_chart(f: fi.GaussianFits) -> tuple[Template, pd.DataFrame]:
    best = 0.5 * math.log(2 * math.pi) + math.log(f.mle[1]) + 0.5
    df = pd.concat([pd.DataFrame({"step": np.arange(len(p.loss)), "gap": np.maximum(p.loss - best, 1e-16),
                                  "kind": f"{p.method}, {fi.CHARTS[p.chart]}"}) for p in f.paths], ignore_index=True)
    return Template(_build_fit_loss, (), {"loss": df}), df


def paths_apart(f: fi.GaussianFits, method: str = "natural") -> float:
    """The largest distance in (μ, σ) between ``method``'s two paths ("natural" or "plain": one stepped in
    (μ, σ), one in (μ, log σ)), step by step (NaN when one stopped)."""
    a, b = f.path(method, "sigma"), f.path(method, "log_sigma")
    if a.stopped_at is not None or b.stopped_at is not None:
        return math.nan
    m = min(len(a.mu), len(b.mu))
    return float(np.max(np.hypot(a.mu[:m] - b.mu[:m], a.sigma[:m] - b.sigma[:m])))


def _end(p: fi.FitPath) -> str:
    if p.stopped_at is not None:
        return f"stopped at step {p.stopped_at}"
    return f"({num(p.mu[-1])}, {p.sigma[-1]:.3f})"


def fit_metrics(f: fi.GaussianFits) -> Rows:
    ends = [(f"{p.method.capitalize()}, {fi.CHARTS[p.chart]}", _end(p), "where it ended, (μ, σ)") for p in f.paths]
    return [[("MLE (x̄, s)", f"({num(f.mle[0])}, {f.mle[1]:.3f})", f"of the {len(f.sample):,} draws: every path's goal"),
             *ends[2:]], [("Natural paths apart", f"{gap:.3g}" if math.isfinite(gap := paths_apart(f)) else "n/a",
                           "the largest distance between them in (μ, σ), step by step"),
                          *ends[:2]]]


def fits_notice(f: fi.GaussianFits) -> str:
    stopped = [p for p in f.paths if p.stopped_at is not None]
    gap, plain = paths_apart(f), paths_apart(f, "plain")
    if math.isfinite(gap):
        said = (f"The two natural-gradient paths, one stepped in (μ, σ) and one in (μ, log σ), stay within {gap:.3g} "
                f"of each other at η = {f.lr:g}" + (f"; the two plain ones drift {plain:.3g} apart. " if
                                                     math.isfinite(plain) else ". "))
    else:
        said = f"At η = {f.lr:g} a natural-gradient run left the model, so the two natural paths part at once. "
    said += ("The natural gradient F⁻¹∇L is a property of the distributions, not of how they are written down, so "
             "for small steps the chart does not matter, where plain gradient descent depends on it. The two "
             "natural paths agree only for small steps: at large η each overshoots in its own chart (a natural step in "
             "log σ multiplies σ by e^(−ηg/2), g = ∂L/∂log σ: enormous when the start is far from the data).")
    return said + (" " + " ".join(p.note for p in stopped) if stopped else "")


def _build_race() -> alt.Chart:
    scale = alt.Scale(domain=["plain gradient descent", "natural gradient (exact Fisher)"], range=[ORANGE, BLUE])
    return alt.Chart(alt.NamedData(name="race")).mark_line(strokeWidth=2.5, point=True).encode(
        x=alt.X("iteration:Q"), y=alt.Y("gap:Q", title="loss − the best loss seen", scale=alt.Scale(type="log")),
        color=alt.Color("method:N", scale=scale, legend=legend(orient="top", title=None))).properties(
        title=alt.Title(slot("title"), subtitle="penalised mean log-loss above the lowest value either reached"),
        height=260)


def race_chart(r: fi.LogisticRace) -> tuple[Template, pd.DataFrame]:
    best = float(min(r.plain_loss.min(), r.natural_loss.min()))
    df = pd.concat([pd.DataFrame({"iteration": np.arange(len(r.plain_loss)), "loss": r.plain_loss,
                                  "method": "plain gradient descent"}),
                    pd.DataFrame({"iteration": np.arange(len(r.natural_loss)), "loss": r.natural_loss,
                                  "method": "natural gradient (exact Fisher)"})], ignore_index=True)
    df["gap"] = np.maximum(df["loss"] - best, 1e-15)
    return Template(_build_race, (), {"race": df},
                    {"title": f"Logistic regression on {r.n} rows, {r.features} features"}), df


def catch_up(r: fi.LogisticRace) -> int | None:
    """The first iteration at which natural GD's loss is at or below plain GD's final loss."""
    hit = np.flatnonzero(r.natural_loss <= r.plain_loss[-1])
    return int(hit[0]) if len(hit) else None


def race_metrics(r: fi.LogisticRace) -> Rows:
    k = catch_up(r)
    return [[("Plain GD, final loss", f"{r.plain_loss[-1]:.6f}", f"η = {r.lr_plain:g}"),
             ("Natural GD, final loss", f"{r.natural_loss[-1]:.6f}", f"η = {r.lr_natural:g}"),
             ("Natural reaches it", f"iteration {k}" if k is not None else "never", "the first iteration at which "
                                                                                   "natural GD is as low as plain "
                                                                                   "GD's end")],
            [("Plain accuracy", f"{r.plain_accuracy[-1]:.1%}", "on the training rows"),
             ("Natural accuracy", f"{r.natural_accuracy[-1]:.1%}", "on the training rows")]]


def race_notice(r: fi.LogisticRace) -> str:
    if r.natural_stopped_at is not None:
        return (f"Natural gradient descent with η = {r.lr_natural:g} diverged at step {r.natural_stopped_at}: for "
                "logistic regression the natural step is Newton's, which with η = 1 already jumps to the minimum of "
                "the quadratic model; a step much longer than that overshoots by more than it gains. Plain gradient "
                f"descent ends at {r.plain_loss[-1]:.6f}.")
    k = catch_up(r)
    said = (f"After {len(r.plain_loss) - 1} iterations plain gradient descent is at {r.plain_loss[-1]:.6f}; "
            f"natural gradient descent reached that loss at iteration {k} and ends at {r.natural_loss[-1]:.6f}. "
            if k is not None else
            f"Plain gradient descent ends at {r.plain_loss[-1]:.6f}, natural at {r.natural_loss[-1]:.6f}. ")
    return said + ("For logistic regression the Fisher matrix is also the Hessian of the loss, so the natural "
                   "step is Newton's: it rescales every direction by its curvature, where plain gradient descent "
                   "crawls along the flat, nearly separable ones.")


TRY_THIS = [
    "Manifolds: move k from 10 to 15. One short-circuit edge now joins two layers of the roll: A to B along the graph "
    "drops from 70.145 to 31.438 against a true geodesic of 68.503, and Isomap's |ρ| with the arc length falls from "
    "0.9999 to 0.7296.",
    "Manifolds: k = 2 tears the roll into 41 components (the largest has 141 points), k = 3 into 3, of 619, 176 and "
    "5 points: no path crosses from one to another, and the unrolling shows only the largest.",
    "Manifolds: choose t-SNE. Its neighbourhoods are trustworthy (T(10) = 0.9982 on 400 points) but its axes do not "
    "follow the roll: |ρ| with the arc length is 0.3393, against Isomap's 0.9999.",
    "Surfaces: choose the torus. The triangle reaching round to the inner side has angles summing to 164.27°, 0.2746 "
    "short of π, and ∫∫K dA over it is −0.2718: the inside of the ring is curved like a saddle.",
    "Surfaces: on the sphere set R = 2. The angle sum stays 217.28°: the triangle's area grows fourfold while "
    "K = 1/R² falls fourfold, so the excess is still 0.6507.",
    "Loss curvature, Edge of stability: with η = 0.1 the sharpness never passes 5.373, far below 2/η = 20; with "
    "η = 5 it starts at 5.342, already above 2/η = 0.4, and gradient descent diverges at step 2.",
    "Fisher and natural gradient, Fitting N(μ, σ²): set the start σ₀ to 0.5. Far from the data with a narrow start one "
    "natural step is no longer small, and the two natural paths part by up to 2.1, against 0.0164 from σ₀ = 2.",
    "Fisher and natural gradient, Distance: put both means at 0. The geodesic is a vertical line and "
    "d = √2·ln(σ₂/σ₁) = 1.5537.",
]
