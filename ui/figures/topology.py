"""Charts of the Topology explorer: the cloud with its ε-balls and Rips complex, barcodes, persistence
diagrams with the region of the features alive at ε, Betti curves, stability, the topological loss and
the homology of a network's layers.

Layered charts whose structure stays while ε moves are :class:`ui.charts.Template`s (structure built once,
data named); ball sizes travel in the data (``size`` with an identity scale), so ε never rebuilds a chart."""

from __future__ import annotations

import math

import altair as alt
import numpy as np
import pandas as pd

from core.topology import RipsAt
from ui.charts import Template
from ui.figures import legend

DIM_COLOURS = {"H0": "#0072B2", "H1": "#D55E00", "H2": "#009E73"}
CLASS_COLOURS = ["#0072B2", "#E69F00"]
MAX_BARS = 60  # per dimension in a barcode: the longest ones (the rest are noise-sized)
# Fixed-size charts fit the columns they are drawn in at 1400 px (side by side: about 330, 300 and 285 px for the
# 1 : 1, 1 : 1.2 and 1 : 1.3 splits of the main column), axes and labels included.
MAP_PX = 320


def square_domain(X2: np.ndarray, pad: float = 0.0, min_aspect: float = 0.45) -> tuple[float, float, float, float]:
    """(x0, y0, width, height) in data units: a window holding every point with ``pad`` around, as wide as
    it is tall or wider (down to ``min_aspect``), drawn with the same scale on both axes (balls stay round)."""
    lo, hi = X2.min(axis=0) - pad, X2.max(axis=0) + pad
    # snapped outwards to a grid of a quarter of the window's order of magnitude: a small change of the cloud
    # (noise, seed) keeps the window, so the chart's cached structure (charts.Template) is reused
    step = 10.0 ** math.floor(math.log10(max(float(max(hi - lo)), 1e-9))) / 4
    lo, hi = np.floor(lo / step) * step, np.ceil(hi / step) * step
    w = float(max(hi - lo)) or 1.0
    h = max(float(hi[1] - lo[1]), min_aspect * w)
    mid = (lo + hi) / 2
    return (round(float(mid[0] - w / 2), 6), round(float(mid[1] - h / 2), 6), round(w, 6), round(h, 6))


def _height(domain: tuple, size: int) -> int:
    return round(size * domain[3] / domain[2])


def _xy(domain: tuple[float, float, float, float], axes: bool = False):
    x0, y0, w, h = domain
    sx = alt.Scale(domain=[x0, x0 + w], nice=False, zero=False, padding=0)
    sy = alt.Scale(domain=[y0, y0 + h], nice=False, zero=False, padding=0)
    ax = alt.Axis(title=None, grid=False) if axes else None
    return alt.X("px:Q", scale=sx, axis=ax), alt.Y("py:Q", scale=sy, axis=ax)


def _segments(X2: np.ndarray, pairs: np.ndarray) -> pd.DataFrame:
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    return pd.DataFrame({"px": X2[pairs[:, 0], 0], "py": X2[pairs[:, 0], 1], "px2": X2[pairs[:, 1], 0],
                         "py2": X2[pairs[:, 1], 1]})


def _build_complex(title: str, domain: tuple, balls: bool, cycle: bool, size: int) -> alt.LayerChart:
    x, y = _xy(domain)
    layers = []
    if balls:
        layers.append(alt.Chart(alt.NamedData(name="balls")).mark_circle(color="#56B4E9", opacity=0.13,
                                                                          clip=True).encode(
            x=x, y=y, size=alt.Size("size:Q", scale=None)))
    layers.append(alt.Chart(alt.NamedData(name="tris")).mark_line(
        fill="#E69F00", fillOpacity=0.22, stroke=None, interpolate="linear-closed").encode(
        x=x, y=y, detail=alt.Detail("t:N"), order=alt.Order("o:Q")))
    layers.append(alt.Chart(alt.NamedData(name="edges")).mark_rule(color="#555", opacity=0.5, strokeWidth=0.8).encode(
        x=x, y=y, x2=alt.X2("px2:Q"), y2=alt.Y2("py2:Q")))
    if cycle:
        layers.append(alt.Chart(alt.NamedData(name="cycle")).mark_rule(color="#CC0000", strokeWidth=3.5).encode(
            x=x, y=y, x2=alt.X2("px2:Q"), y2=alt.Y2("py2:Q")))
    layers.append(alt.Chart(alt.NamedData(name="points")).mark_circle(size=28, color="#222", opacity=0.9).encode(
        x=x, y=y, tooltip=[alt.Tooltip("point:Q"), alt.Tooltip("px:Q", title="x", format=".3f"),
                           alt.Tooltip("py:Q", title="y", format=".3f")]))
    return alt.layer(*layers, title=title, width=size, height=_height(domain, size))


def complex_map(X2: np.ndarray, rips: RipsAt, domain: tuple, balls: bool, cycle: np.ndarray | None,
                title: str, size: int = MAP_PX) -> tuple[Template, pd.DataFrame]:
    """The points (first two coordinates), the balls of radius ε/2, the complex's edges and triangles at ε
    and, when given, a representative cycle (vertices in order, closed)."""
    pts = pd.DataFrame({"px": X2[:, 0], "py": X2[:, 1], "point": np.arange(len(X2))})
    ppu = size / domain[2]
    data = {"points": pts, "edges": _segments(X2, rips.edges)}
    if balls:
        data["balls"] = pts.assign(size=(rips.eps * ppu) ** 2)  # a circle's size is its box's area: (2r)²
    t = rips.triangles
    data["tris"] = pd.DataFrame({"px": X2[t.ravel(), 0], "py": X2[t.ravel(), 1],
                                 "t": np.repeat(np.arange(len(t)), 3), "o": np.tile([0, 1, 2], len(t))})
    if cycle is not None:
        data["cycle"] = _segments(X2, np.stack([cycle, np.roll(cycle, -1)], axis=1))
    return Template(_build_complex, (title, domain, balls, cycle is not None, size), data), pts


def _bars_frame(dgms: tuple[np.ndarray, ...], top: float, cap: int = MAX_BARS) -> tuple[pd.DataFrame, int]:
    rows, hidden = [], 0
    for k, d in enumerate(dgms):
        pers = d[:, 1] - d[:, 0]
        order = np.argsort(-pers, kind="stable")
        hidden += max(len(order) - cap, 0)
        for rank, i in enumerate(order[:cap]):
            b, e = float(d[i, 0]), float(d[i, 1])
            rows.append({"dim": f"H{k}", "rank": rank + 1, "birth": b, "death": e if np.isfinite(e) else None,
                         "end": min(e, top), "infinite": not np.isfinite(e)})
    df = pd.DataFrame(rows, columns=["dim", "rank", "birth", "death", "end", "infinite"])
    df["row"] = np.arange(len(df))[::-1]
    return df, hidden


def _build_barcode(title: str, top: float, rows: int, dims: tuple[str, ...], highlight: bool) -> alt.LayerChart:
    x = alt.X("birth:Q", title="ε", scale=alt.Scale(domain=[0, top], nice=False), axis=alt.Axis(tickCount=8))
    y = alt.Y("row:Q", axis=None, scale=alt.Scale(domain=[-1, rows], nice=False))
    colour = alt.Color("dim:N", scale=alt.Scale(domain=list(dims), range=[DIM_COLOURS[d] for d in dims]),
                       legend=legend(title=None, orient="top"))
    width = float(np.clip(260 / max(rows, 1), 1.2, 7))
    bars = alt.Chart(alt.NamedData(name="bars")).mark_rule(strokeWidth=width).encode(
        x=x, x2=alt.X2("end:Q"), y=y, color=colour,
        tooltip=[alt.Tooltip("dim:N"), alt.Tooltip("rank:Q", title="rank by length"),
                 alt.Tooltip("birth:Q", format=".4f"), alt.Tooltip("death:Q", format=".4f")])
    inf = alt.Chart(alt.NamedData(name="bars")).transform_filter("datum.infinite").mark_point(
        shape="triangle-right", filled=True, size=70).encode(x=alt.X("end:Q"), y=y, color=colour)
    rule = alt.Chart(alt.NamedData(name="eps")).mark_rule(color="black", strokeDash=[5, 3], strokeWidth=2).encode(
        x=alt.X("eps:Q"))
    layers = [bars, inf, rule]
    if highlight:
        layers.insert(0, alt.Chart(alt.NamedData(name="picked")).mark_rule(
            strokeWidth=width + 7, color="#CC0000", opacity=0.45).encode(x=x, x2=alt.X2("end:Q"), y=y))
    return alt.layer(*layers, title=title, height=300)


def barcode(dgms: tuple[np.ndarray, ...], eps: float, top: float, picked: int | None = None,
            title: str = "Barcode") -> tuple[Template, pd.DataFrame, int]:
    """One bar per class, [birth, death), grouped by dimension, longest first; ▸ marks a bar that never
    dies. ``picked``: the rank of an H1 bar to highlight."""
    df, hidden = _bars_frame(dgms, top)
    data = {"bars": df, "eps": pd.DataFrame({"eps": [eps]})}
    if picked is not None:
        data["picked"] = df[(df["dim"] == "H1") & (df["rank"] == picked)]
    dims = tuple(f"H{k}" for k in range(len(dgms)))
    return Template(_build_barcode, (title, top, len(df), dims, picked is not None), data), df, hidden


def _build_diagram(title: str, top: float, dims: tuple[str, ...], highlight: bool) -> alt.LayerChart:
    sc = alt.Scale(domain=[0, top * 1.04], nice=False)
    x = alt.X("birth:Q", title="birth", scale=sc)
    y = alt.Y("shown:Q", title="death", scale=sc)
    alive = alt.Chart(alt.NamedData(name="alive")).mark_rect(color="#F0E442", opacity=0.35).encode(
        x=alt.X("x0:Q", scale=sc), x2=alt.X2("x1:Q"), y=alt.Y("y0:Q", scale=sc), y2=alt.Y2("y1:Q"))
    diag = alt.Chart(alt.NamedData(name="diag")).mark_line(color="#777", strokeDash=[4, 3]).encode(
        x=alt.X("d:Q", scale=sc), y=alt.Y("d:Q", scale=sc))
    inf = alt.Chart(alt.NamedData(name="diag")).mark_rule(color="#bbb").encode(y=alt.Y("inf:Q", scale=sc))
    colour = alt.Color("dim:N", scale=alt.Scale(domain=list(dims), range=[DIM_COLOURS[d] for d in dims]),
                       legend=legend(title=None, orient="top"))
    pts = alt.Chart(alt.NamedData(name="points")).mark_point(filled=True, size=55, opacity=0.85).encode(
        x=x, y=y, color=colour, shape=alt.Shape("kind:N", scale=alt.Scale(domain=["finite", "never dies (∞)"],
                                                                          range=["circle", "triangle-up"]),
                                               legend=None),
        tooltip=[alt.Tooltip("dim:N"), alt.Tooltip("birth:Q", format=".4f"), alt.Tooltip("death:Q", format=".4f"),
                 alt.Tooltip("persistence:Q", format=".4f")])
    layers = [alive, diag, inf, pts]
    if highlight:
        layers.append(alt.Chart(alt.NamedData(name="picked")).mark_point(
            size=380, color="#CC0000", strokeWidth=3, filled=False).encode(x=x, y=y))
    return alt.layer(*layers, title=title, width=240, height=240)


def diagram(dgms: tuple[np.ndarray, ...], eps: float, top: float, picked: int | None = None,
            title: str = "Persistence diagram", first_dim: int = 0) -> tuple[Template, pd.DataFrame]:
    """(birth, death) per class; the diagonal; classes that never die on the line at the top; the yellow
    region holds the classes alive at ε (birth ≤ ε < death): their count per colour is β_k(ε)."""
    frames = []
    for k, d in enumerate(dgms):
        pers = d[:, 1] - d[:, 0]
        rank = np.empty(len(d), dtype=int)
        rank[np.argsort(-pers, kind="stable")] = np.arange(1, len(d) + 1)
        fin = np.isfinite(d[:, 1])
        frames.append(pd.DataFrame({"dim": f"H{k + first_dim}", "birth": d[:, 0],
                                    "death": np.where(fin, d[:, 1], np.nan),
                                    "shown": np.where(fin, d[:, 1], top), "persistence": np.where(fin, pers, np.nan),
                                    "kind": np.where(fin, "finite", "never dies (∞)"), "rank": rank}))
    df = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    e = min(eps, top)
    data = {"points": df, "alive": pd.DataFrame({"x0": [0.0], "x1": [e], "y0": [e], "y1": [top * 1.04]}),
            "diag": pd.DataFrame({"d": [0.0, top * 1.04],
                                  "inf": [top, top] if any(np.isinf(d[:, 1]).any() for d in dgms) else np.nan})}
    if picked is not None:
        data["picked"] = df[(df["dim"] == "H1") & (df["rank"] == picked)]
    dims = tuple(f"H{k + first_dim}" for k in range(len(dgms)))
    return Template(_build_diagram, (title, top, dims, picked is not None), data), df


def _build_betti(top: float, dims: tuple[str, ...]) -> alt.VConcatChart:
    panels = []
    for i, d in enumerate(dims):
        last = i == len(dims) - 1
        x = alt.X("eps:Q", title="ε" if last else None, scale=alt.Scale(domain=[0, top], nice=False),
                  axis=alt.Axis(tickCount=8, labels=last))
        line = alt.Chart(alt.NamedData(name="curves")).transform_filter(f"datum.dim == '{d}'").mark_line(
            interpolate="step-after", color=DIM_COLOURS[d]).encode(
            x=x,
            y=alt.Y("betti:Q", title=f"β{'₀₁₂'[i]}(ε)", axis=alt.Axis(tickMinStep=1)),
            tooltip=[alt.Tooltip("eps:Q", format=".3f"), alt.Tooltip("betti:Q", title=f"β{'₀₁₂'[i]}")])
        rule = alt.Chart(alt.NamedData(name="eps")).mark_rule(color="black", strokeDash=[5, 3], strokeWidth=2).encode(
            x=alt.X("eps:Q"))
        panels.append(alt.layer(line, rule).properties(width=290, height=int(210 / len(dims)) + 20))
    return alt.vconcat(*panels, spacing=6, title=alt.Title(
        "Betti curves", subtitle="β₀ counts components, β₁ loops, β₂ voids; dashed: ε"))


def betti_curves(dgms: tuple[np.ndarray, ...], eps: float, top: float, points: int = 300
                 ) -> tuple[Template, pd.DataFrame]:
    from core.topology import betti_at

    grid = np.linspace(0, top, points)
    df = pd.concat([pd.DataFrame({"dim": f"H{k}", "eps": grid, "betti": betti_at(d, grid)})
                    for k, d in enumerate(dgms)], ignore_index=True)
    dims = tuple(f"H{k}" for k in range(len(dgms)))
    return Template(_build_betti, (top, dims), {"curves": df, "eps": pd.DataFrame({"eps": [eps]})}), df


# ------------------------------------------------------------------------------------------- stability


def _build_stability(trials: int) -> alt.LayerChart:
    x = alt.X("σ:Q", title="noise σ added to every coordinate")
    dots = alt.Chart(alt.NamedData(name="points")).mark_point(filled=True, size=70, opacity=0.85).encode(
        x=x, y=alt.Y("bottleneck:Q", title="distance (square-root scale)", scale=alt.Scale(type="sqrt")),
        color=alt.Color("diagram:N", scale=alt.Scale(domain=["H0", "H1"], range=[DIM_COLOURS["H0"], DIM_COLOURS["H1"]]),
                        legend=legend(title="bottleneck distance", orient="top")),
        tooltip=[alt.Tooltip("σ:Q", format=".3f"), alt.Tooltip("diagram:N"),
                 alt.Tooltip("bottleneck:Q", format=".4f")])
    lines = alt.Chart(alt.NamedData(name="bounds")).mark_line(color="#444").encode(
        x=x, y=alt.Y("value:Q"), strokeDash=alt.StrokeDash("bound:N", scale=alt.Scale(
            domain=["2 · max displacement", "max |ΔD|"], range=[[1, 0], [6, 4]]),
            legend=legend(title="bound (largest of the trials)", orient="top")),
        tooltip=[alt.Tooltip("σ:Q", format=".3f"), alt.Tooltip("bound:N"), alt.Tooltip("value:Q", format=".4f")])
    rule = alt.Chart(alt.NamedData(name="shown")).mark_rule(color="#999", strokeDash=[2, 2]).encode(x=x)
    return alt.layer(rule, lines, dots).resolve_scale(color="independent", strokeDash="independent").properties(
        title=alt.Title("Stability: d_B(clean, noisy) never exceeds the bound",
                        subtitle=f"{trials} perturbation{'s' if trials > 1 else ''} per σ; dotted: the σ shown"),
        height=320)


def stability_chart(res, shown: float) -> tuple[Template, pd.DataFrame]:
    s, trials = res.bottleneck.shape[:2]
    df = pd.DataFrame({"σ": np.repeat(res.sigmas, trials), "trial": np.tile(np.arange(trials), s),
                       "H0": res.bottleneck[:, :, 0].ravel(), "H1": res.bottleneck[:, :, 1].ravel(),
                       "2 · max displacement": 2 * res.displacement.ravel(),
                       "max |ΔD|": res.max_dist_change.ravel()})
    pts = df.melt(id_vars=["σ", "trial"], value_vars=["H0", "H1"], var_name="diagram", value_name="bottleneck")
    # the largest over the trials: each trial's d_B is under its own bound, hence under this line (a mean could be
    # exceeded by a trial whose own bound is above it)
    bounds = df.groupby("σ", as_index=False)[["2 · max displacement", "max |ΔD|"]].max().melt(
        id_vars=["σ"], var_name="bound", value_name="value")
    data = {"points": pts, "bounds": bounds, "shown": pd.DataFrame({"σ": [shown]})}
    return Template(_build_stability, (trials,), data), df


def _build_overlay(top: float, sigma: float) -> alt.LayerChart:
    sc = alt.Scale(domain=[0, top], nice=False)
    diag = alt.Chart(alt.NamedData(name="diag")).mark_line(color="#777", strokeDash=[4, 3]).encode(
        x=alt.X("d:Q", scale=sc, title="birth"), y=alt.Y("d:Q", scale=sc, title="death"))
    pts = alt.Chart(alt.NamedData(name="points")).mark_point(size=60, strokeWidth=2).encode(
        x=alt.X("birth:Q", scale=sc, title="birth"), y=alt.Y("death:Q", scale=sc, title="death"),
        color=alt.Color("dim:N", scale=alt.Scale(domain=["H0", "H1"], range=[DIM_COLOURS["H0"], DIM_COLOURS["H1"]]),
                        legend=legend(title=None, orient="top")),
        shape=alt.Shape("cloud:N", scale=alt.Scale(domain=["clean", "perturbed"], range=["circle", "cross"]),
                        legend=legend(title=None, orient="top")),
        tooltip=[alt.Tooltip("cloud:N"), alt.Tooltip("dim:N"), alt.Tooltip("birth:Q", format=".4f"),
                 alt.Tooltip("death:Q", format=".4f")])
    return alt.layer(diag, pts, title=f"Diagrams: clean ○, σ = {sigma:g} +").properties(
        width=260, height=260)


def overlay_diagrams(clean: tuple[np.ndarray, ...], noisy: tuple[np.ndarray, ...], sigma: float
                     ) -> tuple[Template, pd.DataFrame]:
    rows = []
    for which, dgms in (("clean", clean), ("perturbed", noisy)):
        for k, d in enumerate(dgms):
            fin = d[np.isfinite(d[:, 1])]
            rows.append(pd.DataFrame({"cloud": which, "dim": f"H{k}", "birth": fin[:, 0], "death": fin[:, 1]}))
    df = pd.concat(rows, ignore_index=True)
    top = round(float(max(df["death"].max() if len(df) else 1.0, 1e-6)) * 1.05, 6)
    data = {"points": df, "diag": pd.DataFrame({"d": [0.0, top]})}
    return Template(_build_overlay, (top, float(sigma)), data), df


def _build_displacement(dom: tuple, sigma: float, size: int) -> alt.LayerChart:
    x, y = _xy(dom)
    x0, y0, w, h = dom
    sx = alt.Scale(domain=[x0, x0 + w], nice=False, zero=False, padding=0)
    sy = alt.Scale(domain=[y0, y0 + h], nice=False, zero=False, padding=0)
    src = alt.NamedData(name="moves")
    seg = alt.Chart(src).mark_rule(color="#D55E00", opacity=0.7).encode(x=x, y=y, x2=alt.X2("px2:Q"),
                                                                         y2=alt.Y2("py2:Q"))
    clean = alt.Chart(src).mark_circle(size=22, color="#999").encode(x=x, y=y)
    noisy = alt.Chart(src).mark_circle(size=22, color="#0072B2").encode(
        x=alt.X("px2:Q", scale=sx, axis=None), y=alt.Y("py2:Q", scale=sy, axis=None),
        tooltip=[alt.Tooltip("moved:Q", format=".4f")])
    return alt.layer(seg, clean, noisy, title=f"σ = {sigma:g}: grey → blue", width=size,
                     height=_height(dom, size))


def displacement_map(X: np.ndarray, Y: np.ndarray, sigma: float, size: int = 300) -> tuple[Template, pd.DataFrame]:
    dom = square_domain(np.vstack([X[:, :2], Y[:, :2]]), 0.05)
    df = pd.DataFrame({"px": X[:, 0], "py": X[:, 1], "px2": Y[:, 0], "py2": Y[:, 1],
                       "moved": np.linalg.norm(X - Y, axis=1)})
    return Template(_build_displacement, (dom, float(sigma), size), {"moves": df}), df


# -------------------------------------------------------------------------------------- topological loss


def _build_descent(domain: tuple, size: int) -> alt.LayerChart:
    x, y = _xy(domain, axes=True)
    edges = alt.Chart(alt.NamedData(name="targets")).mark_rule(strokeWidth=3).encode(
        x=x, y=y, x2=alt.X2("px2:Q"), y2=alt.Y2("py2:Q"),
        color=alt.Color("edge:N", scale=alt.Scale(domain=["birth edge", "death edge"],
                                                  range=["#0072B2", "#D55E00"]),
                        legend=legend(title=None, orient="bottom", labelLimit=320)))
    pts = alt.Chart(alt.NamedData(name="points")).mark_circle(size=40, color="#222").encode(x=x, y=y)
    return alt.layer(edges, pts, title="The points at this step", width=size, height=_height(domain, size))


def descent_map(frame: np.ndarray, targets: np.ndarray, domain: tuple, goal: str, size: int = 240
                ) -> tuple[Template, pd.DataFrame]:
    """The cloud at one step, with the birth and the death edges of the pairs the loss pulls on."""
    pts = pd.DataFrame({"px": frame[:, 0], "py": frame[:, 1]})
    t = np.asarray(targets, dtype=np.int64).reshape(-1, 4)
    births, deaths = _segments(frame, t[:, :2]), _segments(frame, t[:, 2:])
    births["edge"], deaths["edge"] = "birth edge", "death edge"
    return Template(_build_descent, (domain, size), {"points": pts, "targets": pd.concat([births, deaths])}), pts


def _build_descent_curves() -> alt.LayerChart:
    lines = alt.Chart(alt.NamedData(name="curves")).mark_line().encode(
        x=alt.X("step:Q", title="gradient step"), y=alt.Y("value:Q", title="persistence"),
        color=alt.Color("what:N", scale=alt.Scale(domain=["largest H1 persistence", "total H1 persistence"],
                                                  range=["#D55E00", "#0072B2"]),
                        legend=legend(title=None, orient="top")),
        tooltip=[alt.Tooltip("step:Q"), alt.Tooltip("what:N"), alt.Tooltip("value:Q", format=".4f")])
    rule = alt.Chart(alt.NamedData(name="step")).mark_rule(color="black", strokeDash=[5, 3]).encode(
        x=alt.X("step:Q"))
    return alt.layer(lines, rule, title="What the loss moves").properties(height=300)


def descent_curves(res, step: int) -> tuple[Template, pd.DataFrame]:
    df = pd.DataFrame({"step": np.arange(len(res.top)), "largest H1 persistence": res.top,
                       "total H1 persistence": res.total}).melt(id_vars=["step"], var_name="what", value_name="value")
    return Template(_build_descent_curves, (), {"curves": df, "step": pd.DataFrame({"step": [step]})}), df


# ----------------------------------------------------------------------------------- inside a network


CLASSES = ["class 0 (ring A)", "class 1 (ring B)"]


def _build_layer_betti(title: str, dim: int) -> alt.Chart:
    return alt.Chart(alt.NamedData(name="betti")).mark_line(point=alt.OverlayMarkDef(size=80)).encode(
        x=alt.X("layer:O", title="layer (0 = input, last = output)", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("β:Q", title=f"β{'₀' if dim == 0 else '₁'}", axis=alt.Axis(tickMinStep=1),
                scale=alt.Scale(domainMin=0)),
        color=alt.Color("class:N", scale=alt.Scale(domain=CLASSES, range=CLASS_COLOURS),
                        legend=legend(title=None, orient="top")),
        xOffset=alt.XOffset("class:N", scale=alt.Scale(paddingOuter=0.6)),
        tooltip=[alt.Tooltip("name:N", title="layer"), alt.Tooltip("class:N"), alt.Tooltip("β:Q")],
    ).properties(title=title, height=240)


def layer_betti_chart(names: tuple[str, ...], betti: np.ndarray, title: str, dim: int
                      ) -> tuple[Template, pd.DataFrame]:
    """β_dim per layer (rows) and class (columns)."""
    df = pd.DataFrame({"layer": np.repeat(np.arange(len(names)), 2), "name": np.repeat(list(names), 2),
                       "class": np.tile(CLASSES, len(names)), "β": betti.ravel()})
    return Template(_build_layer_betti, (title, dim), {"betti": df}), df


def _build_layer_view(title: str, size: int) -> alt.Chart:
    return alt.Chart(alt.NamedData(name="view")).mark_circle(size=26, opacity=0.8).encode(
        x=alt.X("pc1:Q", title="PC 1"), y=alt.Y("pc2:Q", title="PC 2"),
        color=alt.Color("class:N", scale=alt.Scale(domain=CLASSES, range=CLASS_COLOURS),
                        legend=legend(title=None, orient="top")),
    ).properties(title=title, width=size, height=size)


def layer_view(view: np.ndarray, y: np.ndarray, title: str, size: int = 225) -> tuple[Template, pd.DataFrame]:
    df = pd.DataFrame({"pc1": view[:, 0], "pc2": view[:, 1], "class": np.where(y == 0, *CLASSES)})
    return Template(_build_layer_view, (title, size), {"view": df}), df


def _build_class_barcode(title: str) -> alt.FacetChart:
    bars = alt.Chart(alt.NamedData(name="bars")).mark_bar(height=5).encode(
        x=alt.X("start:Q", title="ε ÷ the class cloud's diameter"), x2=alt.X2("end:Q"),
        y=alt.Y("bar:N", sort=None, axis=None),
        color=alt.Color("dim:N", scale=alt.Scale(domain=["H0", "H1"], range=[DIM_COLOURS["H0"], DIM_COLOURS["H1"]]),
                        legend=legend(title=None, orient="top")),
        opacity=alt.Opacity("counted:N", scale=alt.Scale(domain=["counted", "below the threshold"],
                                                         range=[1.0, 0.3]), legend=None),
        tooltip=[alt.Tooltip("class:N"), alt.Tooltip("dim:N"), alt.Tooltip("length:Q", format=".3f"),
                 alt.Tooltip("counted:N")])
    return bars.properties(height=130, width=330).facet(
        row=alt.Row("class:N", title=None, header=alt.Header(labelFontSize=14))).properties(title=title)


def class_barcode(per_class: tuple, scales: np.ndarray, fraction: float, title: str
                  ) -> tuple[Template, pd.DataFrame]:
    """H0 and H1 bars of both classes in one layer (the 12 longest of each), each in units of its class
    cloud's diameter, faded below the threshold above which a bar is counted."""
    rows = []
    for c, (h0, h1) in enumerate(per_class):
        scale = max(float(scales[c]), 1e-12)
        for k, d in enumerate((h0, h1)):
            pers = (np.where(np.isfinite(d[:, 1]), d[:, 1], scale) - d[:, 0]) / scale
            order = np.argsort(-pers, kind="stable")[:12]
            for r, i in enumerate(order):
                rows.append({"class": f"class {c}", "dim": f"H{k}", "bar": f"c{c} H{k} #{r + 1}",
                             "start": d[i, 0] / scale, "end": d[i, 0] / scale + pers[i], "length": pers[i],
                             "counted": "counted" if pers[i] > fraction else "below the threshold"})
    df = pd.DataFrame(rows, columns=["class", "dim", "bar", "start", "end", "length", "counted"])
    return Template(_build_class_barcode, (title,), {"bars": df}), df
