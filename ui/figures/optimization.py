"""Charts of the Optimization explorer: landscapes with trajectories, loss and distance curves, the
step-through arrows, the quadratic's theory, the race's bands and the network's loss curves.

Encodings are objects (``alt.X``…), never bare shorthand strings (see ui/figures/linear_algebra.py)."""

from __future__ import annotations

import functools
import math

import altair as alt
import numpy as np
import pandas as pd

from core.optim import (
    OPTIMIZERS,
    TARGET,
    Landscape,
    NetRace,
    QuadraticTheory,
    Runs,
    Tuned,
    distance_to_minimum,
    gap,
    grid_values,
)
from ui.charts import Template

# One colour per optimizer, the same in every chart (Okabe–Ito first, then two more).
COLOURS = {"sgd": "#000000", "momentum": "#0072B2", "nesterov": "#56B4E9", "adagrad": "#009E73",
           "rmsprop": "#E69F00", "adam": "#D55E00", "adamw": "#CC79A7", "nadam": "#882255", "radam": "#999999",
           "newton": "#F0E442"}
LOG_FLOOR = 1e-16  # f − f* below this is drawn at it: log axes cannot show 0
MAX_POINTS = 300  # per curve sent to the browser


def label(kind: str) -> str:
    return OPTIMIZERS[kind][0]


def _colour_scale(kinds: list[str]) -> alt.Scale:
    return alt.Scale(domain=[label(k) for k in kinds], range=[COLOURS[k] for k in kinds])


def _colour(kinds: list[str]) -> alt.Color:
    return alt.Color("optimizer:N", scale=_colour_scale(kinds),
                     legend=alt.Legend(title=None, orient="top", columns=min(len(kinds), 4), labelLimit=110))


def _stride(n: int) -> np.ndarray:
    """Indices 0…n−1 thinned to about MAX_POINTS, always keeping the first and the last."""
    if n <= MAX_POINTS:
        return np.arange(n)
    return np.unique(np.concatenate([np.linspace(0, n - 1, MAX_POINTS).round().astype(int), [n - 1]]))


def _shade(land: Landscape, F: np.ndarray) -> np.ndarray:
    """What the heatmap colours: log10(1 + f − f*) where f* is known (detail near the minimum),
    else a signed log (saddles go to −∞)."""
    if land.f_min is not None:
        return np.log10(1.0 + np.maximum(F - land.f_min, 0.0))
    return np.sign(F) * np.log10(1.0 + np.abs(F))


def heat_frame(land: Landscape, xs: np.ndarray, ys: np.ndarray, F: np.ndarray) -> pd.DataFrame:
    """Grid cells (edges, f and the colour value) for :func:`heat_layer`. In float32: the cells are drawn and
    their tooltips formatted to 3–4 digits, and a map travels to every viewer on every move (6,400 cells:
    150 KiB instead of 300)."""
    dx, dy = xs[1] - xs[0], ys[1] - ys[0]
    X, Y = np.meshgrid(xs, ys)
    columns = {"x": X - dx / 2, "x2": X + dx / 2, "y": Y - dy / 2, "y2": Y + dy / 2, "f": F, "shade": _shade(land, F)}
    return pd.DataFrame({k: v.ravel().astype(np.float32) for k, v in columns.items()})


@functools.lru_cache(maxsize=32)
def _landscape_frame(land: Landscape, resolution: int = 80) -> pd.DataFrame:
    return heat_frame(land, *grid_values(land, resolution))


def heat_layer(bounded: bool, sx: alt.Scale, sy: alt.Scale, data: str = "heat", legend: bool = True) -> alt.Chart:
    """The landscape as cells painted with ``fill`` (so ``color`` stays free for the optimizers);
    ``bounded``: the landscape has a minimum (else a diverging scale around f = 0)."""
    return alt.Chart(alt.NamedData(name=data)).mark_rect(clip=True).encode(
        x=alt.X("x:Q", scale=sx, title="x"), x2=alt.X2("x2:Q"), y=alt.Y("y:Q", scale=sy, title="y"),
        y2=alt.Y2("y2:Q"),
        fill=alt.Fill("shade:Q", scale=alt.Scale(scheme="viridis" if bounded else "redblue", reverse=not bounded),
                      legend=alt.Legend(title="log₁₀(1+f−f*)" if bounded else "±log₁₀(1+|f|)",
                                        orient="bottom", gradientLength=140, direction="horizontal")
                      if legend else None),
        tooltip=[alt.Tooltip("x:Q", format=".3f"), alt.Tooltip("y:Q", format=".3f"), alt.Tooltip("f:Q", format=".4g")])


MAP_NAMES = {"Ill-conditioned quadratic": "the ill-conditioned quadratic", "Rosenbrock": "Rosenbrock's function",
             "Himmelblau": "Himmelblau's function", "Beale": "Beale's function", "Rastrigin": "Rastrigin's function",
             "Saddle": "the saddle", "Monkey saddle": "the monkey saddle"}
_PATH_TIPS = (("optimizer", "N", None), ("step", "Q", None), ("x", "Q", ".4f"), ("y", "Q", ".4f"), ("f", "Q", ".4g"),
              ("lr", "Q", ".3g"))


def _tips(spec) -> list[alt.Tooltip]:
    return [alt.Tooltip(f"{f}:{t}", format=fmt) if fmt else alt.Tooltip(f"{f}:{t}") for f, t, fmt in spec]


def _build_map(name: str, box: tuple[float, ...], bounded: bool, has_minima: bool, kinds: tuple[str, ...],
               with_step: bool, size: int) -> alt.LayerChart:
    """The map's structure: the same for every κ, start and step (only the data change)."""
    x0, x1, y0, y1 = box
    sx, sy = alt.Scale(domain=[x0, x1], nice=False, zero=False), alt.Scale(domain=[y0, y1], nice=False, zero=False)
    layers = [heat_layer(bounded, sx, sy)]
    if kinds:
        layers.append(alt.Chart(alt.NamedData(name="paths")).mark_line(
            clip=True, strokeWidth=2.5, point=alt.OverlayMarkDef(size=14, filled=True)).encode(
            x=alt.X("x:Q", scale=sx), y=alt.Y("y:Q", scale=sy), order=alt.Order("step:Q"), color=_colour(list(kinds)),
            tooltip=_tips(_PATH_TIPS)))
    what = ["start", "global minimum"][: 1 + has_minima]
    # The heatmap owns the fill scale: the markers tell start from minimum by their shape.
    layers.append(alt.Chart(alt.NamedData(name="marks")).mark_point(
        size=240, filled=True, fill="white", stroke="black", strokeWidth=1.5, opacity=1, clip=True).encode(
        x=alt.X("x:Q", scale=sx), y=alt.Y("y:Q", scale=sy),
        shape=alt.Shape("what:N", scale=alt.Scale(domain=what, range=["diamond", "cross"][: len(what)]),
                        legend=alt.Legend(title=None, orient="bottom")),
        tooltip=[alt.Tooltip("what:N"), alt.Tooltip("x:Q", format=".4f"), alt.Tooltip("y:Q", format=".4f")]))
    if with_step and kinds:
        layers.append(alt.Chart(alt.NamedData(name="now")).mark_point(
            size=260, filled=True, stroke="white", strokeWidth=2, clip=True).encode(
            x=alt.X("x:Q", scale=sx), y=alt.Y("y:Q", scale=sy),
            color=alt.Color("optimizer:N", scale=_colour_scale(list(kinds)), legend=None),  # the paths' legend
            tooltip=_tips(_PATH_TIPS)))
    title = alt.Title(f"Paths on {MAP_NAMES.get(name, name)}",
                      subtitle="big dots: where each optimizer is at step t" if with_step else "")
    return alt.layer(*layers, title=title, width=size, height=size)


def trajectories(land: Landscape, runs: Runs | None, rows: list[int], step: int | None = None, size: int = 320,
                 start: tuple[float, float] | None = None) -> tuple[Template, pd.DataFrame]:
    """Every chosen row's path over the landscape, its start, the minima, and (optionally) where
    each optimizer is at ``step``. With no runs: the landscape, the start and the minima."""
    rows = list(rows) if runs is not None else []
    kinds = tuple(runs.kinds[r] for r in rows)
    idx = _stride(runs.steps + 1) if runs is not None else np.arange(0)
    frames = [pd.DataFrame({"optimizer": label(runs.kinds[r]), "step": idx, "x": runs.positions[idx, r, 0],
                            "y": runs.positions[idx, r, 1], "f": runs.losses[idx, r], "lr": runs.lrs[r]})
              for r in rows]
    df = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        {"optimizer": [], "step": [], "x": [], "y": [], "f": [], "lr": []})
    first = runs.positions[0, rows[0]] if rows else np.array(start or land.start, dtype=float)
    marks = pd.DataFrame({"x": [first[0]] + [m[0] for m in land.minima], "y": [first[1]] + [m[1] for m in land.minima],
                          "what": ["start"] + ["global minimum"] * len(land.minima)})
    data = {"heat": _landscape_frame(land), "paths": df, "marks": marks}
    if step is not None and rows:
        data["now"] = pd.DataFrame({"optimizer": [label(k) for k in kinds], "step": step,
                                    "x": runs.positions[step, rows, 0], "y": runs.positions[step, rows, 1],
                                    "f": runs.losses[step, rows], "lr": runs.lrs[rows]})
    key = (land.name, land.box, land.f_min is not None, bool(land.minima), kinds, step is not None and bool(rows), size)
    return Template(_build_map, key, data), df


def _build_loss(kinds: tuple[str, ...], bounded: bool) -> alt.Chart:
    y_title = "f − f* (log scale)" if bounded else "f (symmetric log scale)"
    return alt.Chart(alt.NamedData(name="curves")).mark_line(strokeWidth=2.5).encode(
        x=alt.X("step:Q", title="step"),
        y=alt.Y("gap:Q", scale=alt.Scale(type="log" if bounded else "symlog"), title=y_title),
        color=_colour(list(kinds)), tooltip=[alt.Tooltip("optimizer:N"), alt.Tooltip("step:Q"),
                                             alt.Tooltip("gap:Q", format=".3e", title="f − f*" if bounded else "f")],
    ).properties(title="f − f* per step" if bounded else "f per step (no minimum)", height=300)


def _build_distance(kinds: tuple[str, ...]) -> alt.Chart:
    return alt.Chart(alt.NamedData(name="curves")).mark_line(strokeWidth=2.5).encode(
        x=alt.X("step:Q", title="step"), y=alt.Y("distance:Q", scale=alt.Scale(type="log"),
                                                  title="distance to the nearest minimum"),
        color=_colour(list(kinds)), tooltip=[alt.Tooltip("optimizer:N"), alt.Tooltip("step:Q"),
                                             alt.Tooltip("distance:Q", format=".3e")],
    ).properties(title="Distance to the minimum", height=300)


def curves(land: Landscape, runs: Runs, rows: list[int]) -> tuple[Template, Template | None, pd.DataFrame]:
    """f − f* over the steps (log scale; f itself on a symmetric log scale where f is unbounded) and
    the distance to the nearest minimum."""
    kinds = tuple(runs.kinds[r] for r in rows)
    idx = _stride(runs.steps + 1)
    frames = []
    for r in rows:
        g = gap(land, runs.losses[idx, r])
        d = distance_to_minimum(land, runs.positions[idx, r])
        frames.append(pd.DataFrame({"optimizer": label(runs.kinds[r]), "step": idx,
                                    "gap": np.maximum(g, LOG_FLOOR) if land.f_min is not None else g,
                                    "distance": np.maximum(d, LOG_FLOOR) if d is not None else np.nan}))
    df = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        {"optimizer": [], "step": [], "gap": [], "distance": []})
    loss = Template(_build_loss, (kinds, land.f_min is not None), {"curves": df})
    dist = Template(_build_distance, (kinds,), {"curves": df}) if land.minima else None
    return loss, dist, df.rename(columns={"gap": "f − f*" if land.f_min is not None else "f"})


ARROWS = {"−lr·∇f: plain gradient descent's step": "#000000", "−lr·m: the momentum (first moment)": "#0072B2",
          "the step the optimizer took": "#D55E00"}


def _build_arrows(bounded: bool, title: str, size: int) -> alt.LayerChart:
    sx, sy = alt.Scale(nice=False, zero=False), alt.Scale(nice=False, zero=False)  # fitted to the zoomed cells
    colour = alt.Color("arrow:N", scale=alt.Scale(domain=list(ARROWS), range=list(ARROWS.values())),
                       legend=alt.Legend(title=None, orient="bottom", direction="vertical", labelLimit=360))
    shaft = alt.Chart(alt.NamedData(name="arrows")).mark_rule(strokeWidth=3.5, clip=True).encode(
        x=alt.X("x:Q", scale=sx), y=alt.Y("y:Q", scale=sy), x2=alt.X2("x_end:Q"), y2=alt.Y2("y_end:Q"), color=colour,
        tooltip=[alt.Tooltip("arrow:N"), alt.Tooltip("dx:Q", format=".3e"), alt.Tooltip("dy:Q", format=".3e")])
    head = alt.Chart(alt.NamedData(name="arrows")).mark_point(
        shape="triangle-up", size=160, filled=True, opacity=1, clip=True).encode(
        x=alt.X("x_end:Q", scale=sx), y=alt.Y("y_end:Q", scale=sy), angle=alt.Angle("angle:Q", scale=None),
        color=colour, tooltip=[alt.Tooltip("arrow:N")])
    dot = alt.Chart(alt.NamedData(name="point")).mark_point(
        size=120, filled=True, color="white", stroke="black").encode(x=alt.X("x:Q", scale=sx), y=alt.Y("y:Q", scale=sy))
    # The heatmap paints with fill, the arrows with colour: two scales, no resolve needed.
    return alt.layer(heat_layer(bounded, sx, sy, "zoom", legend=False), shaft, head, dot,
                     title=alt.Title(title, subtitle="the landscape around the point at step t"),
                     width=size, height=size)


def step_arrows(land: Landscape, runs: Runs, row: int, step: int, zoom: tuple[np.ndarray, np.ndarray, np.ndarray],
                momentum: np.ndarray | None, size: int = 260) -> tuple[Template, pd.DataFrame]:
    """At ``step`` (from x_t to x_{t+1}), around one optimizer's point: the gradient step plain
    gradient descent would take at the same learning rate, the momentum, and the actual step."""
    lr = runs.lrs[row] * runs.lr_factors[step]
    p = runs.positions[step, row]
    vectors = {"−lr·∇f: plain gradient descent's step": -lr * runs.gradient[step, row],
               "the step the optimizer took": runs.positions[step + 1, row] - p}
    if momentum is not None:
        vectors["−lr·m: the momentum (first moment)"] = -lr * momentum
    df = pd.DataFrame([{"arrow": k, "x": p[0], "y": p[1], "x_end": p[0] + v[0], "y_end": p[1] + v[1], "dx": v[0],
                        "dy": v[1], "angle": float(np.degrees(np.arctan2(v[0], v[1])) % 360)}
                       for k, v in vectors.items()])
    data = {"zoom": heat_frame(land, *zoom), "arrows": df, "point": pd.DataFrame({"x": [p[0]], "y": [p[1]]})}
    return Template(_build_arrows, (land.f_min is not None, f"{label(runs.kinds[row])}, up close", size), data), df


def theory_rates(th: QuadraticTheory, height: int = 330) -> tuple[alt.LayerChart, pd.DataFrame]:
    """‖x_t‖ for gradient descent and heavy ball, measured (points) and the bound each theory gives (dashed):
    ‖x₀‖·rᵗ for gradient descent, ‖x₀‖·(1 + ct)·ρᵗ for heavy ball (its companion matrix has a double root)."""
    t = np.arange(len(th.gd_error))
    idx = _stride(len(t))
    gd = f"gradient descent, lr {th.lr:.3g}"
    hb = "heavy ball, optimal lr and μ"
    df = pd.concat([
        pd.DataFrame({"step": t[idx], "method": gd, "kind": "measured ‖xₜ‖", "value": th.gd_error[idx]}),
        pd.DataFrame({"step": t[idx], "method": gd, "kind": "bound ‖x₀‖·rᵗ", "value": th.gd_bound[idx]}),
        pd.DataFrame({"step": t[idx], "method": hb, "kind": "measured ‖xₜ‖", "value": th.hb_error[idx]}),
        pd.DataFrame({"step": t[idx], "method": hb, "kind": "bound ‖x₀‖·(1 + ct)·ρᵗ", "value": th.hb_bound[idx]}),
    ], ignore_index=True)
    df["value"] = np.clip(df["value"].to_numpy(dtype=float), 1e-300, 1e300)
    df = df[df["value"] > 1e-200]
    colour = alt.Color("method:N", scale=alt.Scale(domain=[gd, hb], range=["#000000", "#0072B2"]),
                       legend=alt.Legend(title=None, orient="top", direction="vertical", labelLimit=400))
    y = alt.Y("value:Q", scale=alt.Scale(type="log"), title="distance to the minimum ‖xₜ‖ (log)")
    tips = [alt.Tooltip("method:N"), alt.Tooltip("kind:N", title="curve"), alt.Tooltip("step:Q"),
            alt.Tooltip("value:Q", format=".3e")]
    measured = alt.Chart(df[df.kind == "measured ‖xₜ‖"]).mark_point(size=30, filled=True).encode(
        x=alt.X("step:Q"), y=y, color=colour, tooltip=tips)
    theory = alt.Chart(df[df.kind != "measured ‖xₜ‖"]).mark_line(strokeDash=[6, 4], strokeWidth=2).encode(
        x=alt.X("step:Q"), y=y, color=colour, tooltip=tips)
    # The bounds' formulas are in the caption under the chart (the page's): subtitles here would squeeze the
    # plot, which Streamlit fits with its title and legend into ``height``.
    return alt.layer(theory, measured).properties(
        title=alt.Title("‖xₜ‖: measured and bounded", subtitle="dots: measured; dashed: the bounds (below)"),
        height=height), df


def heavy_ball_factor(th: QuadraticTheory) -> float:
    """c in heavy ball's bound ‖x₀‖·(1 + ct)·ρᵗ: 2√κ/(√κ+1)."""
    root_kappa = math.sqrt(th.eigenvalues[1] / th.eigenvalues[0])
    return 2 * root_kappa / (root_kappa + 1)


def eigen_components(th: QuadraticTheory, height: int = 330) -> tuple[alt.LayerChart, pd.DataFrame]:
    """Gradient descent's error split along the Hessian's eigenvectors: each part shrinks by |1 − lr λᵢ|."""
    t = np.arange(len(th.components))
    idx = _stride(len(t))
    frames = []
    for i, lam in enumerate(th.eigenvalues):
        sub = "₁₂"[i]
        name = f"v{sub}: λ{sub} = {lam:.3g}, |1 − lr λ{sub}| = {abs(1 - th.lr * lam):.3f}"
        frames.append(pd.DataFrame({"step": t[idx], "component": name, "measured": th.components[idx, i],
                                    "predicted": th.components_predicted[idx, i]}))
    df = pd.concat(frames, ignore_index=True)
    # A component below ~1e-14 of the whole error is rounding noise of the projection, not signal.
    floor = np.tile(1e-14 * th.gd_error[idx], len(th.eigenvalues))
    df = df[(df.measured > np.maximum(floor, 1e-200)) & (df.predicted > 1e-200) & np.isfinite(df.predicted)
            & (df.predicted < 1e300)]
    colour = alt.Color("component:N", scale=alt.Scale(range=["#D55E00", "#009E73"]),
                       legend=alt.Legend(title=None, orient="top", direction="vertical", labelLimit=480))
    y = alt.Y("measured:Q", scale=alt.Scale(type="log"), title="|⟨xₜ, vᵢ⟩| (log)")
    dots = alt.Chart(df).mark_point(size=30, filled=True).encode(
        x=alt.X("step:Q"), y=y, color=colour,
        tooltip=[alt.Tooltip("component:N"), alt.Tooltip("step:Q"), alt.Tooltip("measured:Q", format=".3e"),
                 alt.Tooltip("predicted:Q", format=".3e")])
    line = alt.Chart(df).mark_line(strokeDash=[6, 4], strokeWidth=2).encode(
        x=alt.X("step:Q"), y=alt.Y("predicted:Q", scale=alt.Scale(type="log")), color=colour)
    return alt.layer(line, dots).properties(
        title=alt.Title("The error per eigen-direction", subtitle="dots: measured; dashed: |1 − lr λᵢ|ᵗ × the start"),
        height=height), df


def _build_bands(kinds: tuple[str, ...], bounded: bool) -> alt.LayerChart:
    scale = alt.Scale(type="log" if bounded else "symlog")
    # The band fills by its own copy of the optimizer column: on the same field Vega-Lite would merge the
    # fill and colour legends, and the band's "no legend" would hide the lines' legend too.
    band = alt.Chart(alt.NamedData(name="bands")).mark_area(opacity=0.18).encode(
        x=alt.X("step:Q"), y=alt.Y("best seed:Q", scale=scale,
                                   title="f − f* (median and seed range)" if bounded else "f (median and seed range)"),
        y2=alt.Y2("worst seed:Q"), fill=alt.Fill("band:N", scale=_colour_scale(list(kinds)), legend=None))
    line = alt.Chart(alt.NamedData(name="bands")).mark_line(strokeWidth=2.5).encode(
        x=alt.X("step:Q"), y=alt.Y("median:Q", scale=scale), color=_colour(list(kinds)),
        tooltip=[alt.Tooltip("optimizer:N"), alt.Tooltip("step:Q"), alt.Tooltip("median:Q", format=".3e"),
                 alt.Tooltip("best seed:Q", format=".3e"), alt.Tooltip("worst seed:Q", format=".3e")])
    return alt.layer(band, line, height=360, title=alt.Title(
        "Each optimizer at its tuned rate", subtitle="line: the median seed; band: best to worst seed"))


def race_bands(land: Landscape, runs: Runs, rows_by_kind: dict[str, np.ndarray]) -> tuple[Template, pd.DataFrame]:
    """For each optimizer at its tuned rate: the median f − f* over the seeds, and the band from the
    best to the worst seed."""
    idx = _stride(runs.steps + 1)
    frames = []
    for kind, rows in rows_by_kind.items():
        g = gap(land, runs.losses[np.ix_(idx, rows)])
        if land.f_min is not None:
            g = np.maximum(g, LOG_FLOOR)
        frames.append(pd.DataFrame({"optimizer": label(kind), "band": label(kind), "step": idx,
                                    "median": np.median(g, axis=1), "best seed": g.min(axis=1),
                                    "worst seed": g.max(axis=1)}))
    df = pd.concat(frames, ignore_index=True)
    return Template(_build_bands, (tuple(rows_by_kind), land.f_min is not None), {"bands": df}), df


def _build_sensitivity(kinds: tuple[str, ...], bounded: bool = True) -> alt.LayerChart:
    x = alt.X("lr:Q", scale=alt.Scale(type="log"), title="learning rate (log)")
    y = alt.Y("final:Q", scale=alt.Scale(type="log" if bounded else "symlog"),
              title="mean final f − f* (log)" if bounded else "mean final f (symmetric log)")
    line = alt.Chart(alt.NamedData(name="grid")).mark_line(point=True, strokeWidth=2).encode(
        x=x, y=y, color=_colour(list(kinds)),
        tooltip=[alt.Tooltip("optimizer:N"), alt.Tooltip("lr:Q", format=".3g"),
                 alt.Tooltip("final:Q", format=".3e", title="mean final f − f*")])
    chosen = alt.Chart(alt.NamedData(name="chosen")).mark_point(
        size=260, shape="circle", filled=False, strokeWidth=3).encode(
        x=x, y=y, color=alt.Color("optimizer:N", scale=_colour_scale(list(kinds)), legend=None))
    return alt.layer(line, chosen, height=340, title=alt.Title(
        "The tuning grid: the final value per learning rate",
        subtitle="circled: the rate chosen; a curve stops where a seed diverged"))


def lr_sensitivity(tuned: Tuned, bounded: bool = True) -> tuple[Template, pd.DataFrame]:
    """Mean final f − f* against the learning rate, per optimizer: the tuning grid made visible
    (a missing point: at least one seed diverged)."""
    rows = []
    for i, kind in enumerate(tuned.kinds):
        for j, lr in enumerate(tuned.grid):
            score = tuned.table[i, j]
            rows.append({"optimizer": label(kind), "lr": lr,
                         "final": (max(score, LOG_FLOOR) if bounded else score) if np.isfinite(score) else np.nan,
                         "chosen": bool(np.isclose(lr, tuned.best_lr[kind]))})
    df = pd.DataFrame(rows)
    finite = df.dropna(subset=["final"])
    data = {"grid": finite, "chosen": finite[finite.chosen]}
    return Template(_build_sensitivity, (tuple(tuned.kinds), bounded), data), df.rename(
        columns={"final": "mean final f − f*" if bounded else "mean final f"})


def net_curves(race: NetRace) -> tuple[alt.Chart, pd.DataFrame]:
    idx = _stride(race.steps + 1)
    df = pd.concat([pd.DataFrame({"optimizer": label(k), "step": idx, "training loss": race.train_loss[i, idx]})
                    for i, k in enumerate(race.kinds)], ignore_index=True)
    chart = alt.Chart(df).mark_line(strokeWidth=2.5).encode(
        x=alt.X("step:Q"), y=alt.Y("training loss:Q", scale=alt.Scale(type="log"),
                                   title="cross-entropy on the training set (log)"),
        color=alt.Color("optimizer:N", scale=_colour_scale(list(race.kinds)),
                        legend=alt.Legend(title=None, orient="top", columns=min(len(race.kinds), 3), labelLimit=110)),
        tooltip=[alt.Tooltip("optimizer:N"), alt.Tooltip("step:Q"), alt.Tooltip("training loss:Q", format=".4f")],
    ).properties(title=alt.Title(f"Training a {race.parameters}-parameter network",
                                 subtitle=["the same initial weights and the same",
                                           "mini-batches for every optimizer"]),
                 height=340)
    return chart, df


def decision_map(race: NetRace, index: int | None, size: int = 240) -> tuple[alt.LayerChart, pd.DataFrame]:
    """The data (test points ringed) over one trained network's P(class 1); just the data when
    ``index`` is None."""
    pts = pd.DataFrame({"x₁": race.X[:, 0], "x₂": race.X[:, 1], "class": race.y.astype(str),
                        "set": np.where(race.is_test, "test", "training")})
    sx = alt.Scale(domain=[float(race.xs[0]), float(race.xs[-1])], nice=False, zero=False)
    sy = alt.Scale(domain=[float(race.ys[0]), float(race.ys[-1])], nice=False, zero=False)
    layers = []
    if index is not None:
        dx, dy = race.xs[1] - race.xs[0], race.ys[1] - race.ys[0]
        X, Y = np.meshgrid(race.xs, race.ys)
        cells = pd.DataFrame({"x": (X - dx / 2).ravel(), "x2": (X + dx / 2).ravel(), "y": (Y - dy / 2).ravel(),
                              "y2": (Y + dy / 2).ravel(), "P(class 1)": race.prob[index].ravel()})
        layers.append(alt.Chart(cells).mark_rect(opacity=0.75, clip=True).encode(
            x=alt.X("x:Q", scale=sx, title="x₁"), x2=alt.X2("x2"), y=alt.Y("y:Q", scale=sy, title="x₂"),
            y2=alt.Y2("y2"), color=alt.Color("P(class 1):Q", scale=alt.Scale(scheme="blueorange", domain=[0, 1]),
                                             legend=alt.Legend(orient="bottom", gradientLength=100))))
    layers.append(alt.Chart(pts).mark_point(filled=True, size=36, opacity=0.9).encode(
        x=alt.X("x₁:Q", scale=sx), y=alt.Y("x₂:Q", scale=sy),
        fill=alt.Fill("class:N", scale=alt.Scale(domain=["0", "1"], range=["#0072B2", "#D55E00"]),
                      legend=alt.Legend(orient="bottom", direction="vertical")),
        shape=alt.Shape("set:N", scale=alt.Scale(domain=["training", "test"], range=["circle", "diamond"]),
                        legend=alt.Legend(orient="bottom", title=None, direction="vertical")),
        stroke=alt.value("white"), strokeWidth=alt.value(0.6),
        tooltip=[alt.Tooltip("x₁:Q", format=".3f"), alt.Tooltip("x₂:Q", format=".3f"), alt.Tooltip("class:N"),
                 alt.Tooltip("set:N")]))
    title = f"What {label(race.kinds[index])} learned" if index is not None else "The data"
    chart = alt.layer(*layers).resolve_scale(color="independent")
    return chart.properties(title=alt.Title(title, subtitle="colour: the network's P(class 1); ◆ test points"
                                            if index is not None else "◆ held-out test points"),
                            width=size, height=size), pts


def summary_table(land: Landscape, runs: Runs, rows) -> pd.DataFrame:
    """Where each chosen row ended, and how."""
    final = runs.positions[-1, rows]
    dist = distance_to_minimum(land, final)
    table = pd.DataFrame({
        "optimizer": [label(runs.kinds[r]) for r in rows],
        "learning rate": runs.lrs[rows],
        "final f − f*" if land.f_min is not None else "final f": gap(land, runs.losses[-1, rows]),
        "final point": [f"({x:.4g}, {y:.4g})" for x, y in final],
        "status": [("left for infinity" if land.f_min is None else "diverged") + f" at step {runs.diverged_at[r]}"
                   if runs.diverged_at[r] >= 0 else "ok" for r in rows]})
    if dist is not None:
        table.insert(4, "distance to the minimum", dist)
    return table


def race_table(land: Landscape, runs: Runs, tuned: Tuned, by_kind: dict[str, np.ndarray]) -> tuple[pd.DataFrame, str]:
    """The race's ranking: fewest steps to the target, then the lowest mean final value; and the name
    of the final-value column. Short column names: the table fits a 1400-px window without scrolling."""
    kinds = list(by_kind)
    final_name = "mean final f − f*" if land.f_min is not None else "mean final f"
    steps = "steps to target"
    table = pd.DataFrame([{
        "optimizer": label(k), "tuned rate": tuned.best_lr[k], steps: tuned.steps_to_target[k],
        final_name: tuned.final[k],
        "worst seed": float(np.max(gap(land, runs.losses[-1, by_kind[k]]))),
        "diverged": int(np.sum(runs.diverged_at[by_kind[k]] >= 0))} for k in kinds])
    table = table.sort_values([steps, final_name], kind="stable")
    table.insert(0, "rank", np.arange(1, len(table) + 1))
    table[steps] = table[steps].map(lambda v: "never" if not np.isfinite(v) else f"{v:.0f}")
    return table, final_name


def step_caption(inspect: str, lr_t: float, g: np.ndarray, d: np.ndarray) -> str:
    """What the step-through shows for optimizer ``inspect``: its rule, the step's angle to −∇f, and how
    to read its arrows."""
    norms = float(np.linalg.norm(g) * np.linalg.norm(d))
    text = f"`{OPTIMIZERS[inspect][1]}`, learning rate {lr_t:.3g} at this step. "
    if norms > 0:
        angle = np.degrees(np.arccos(np.clip(np.dot(-g, d) / norms, -1, 1)))
        text += f"The step points {angle:.1f}° away from steepest descent −∇f."
    else:
        text += "No step here: the gradient or the step is zero."
    if inspect in ("adam", "adamw"):
        text += (" The blue arrow is −lr·m̂ before the second-moment scaling, the orange one the step after it: the "
                 "gap between them is the scaling 1/(√v̂ + ε), per coordinate (*scaling* in the table multiplies "
                 "m̂). A coordinate with large past gradients gets a small factor; that is how Adam evens out a "
                 "badly scaled valley." + (" AdamW's step also shrinks x by lr·0.01." if inspect == "adamw" else ""))
    elif inspect == "nadam":
        text += (" NAdam steps along a mix of the gradient and m̂ (a Nesterov look-ahead), each scaled by "
                 "1/(√v̂ + ε): the orange arrow is that mix, not −lr·m̂ rescaled.")
    elif inspect == "radam":
        text += (" RAdam takes un-scaled steps −lr·m̂ until its variance estimate is trustworthy (the first five "
                 "steps); after that, m̂ is scaled by 1/(√v̂ + ε) times a rectification factor.")
    elif inspect in ("rmsprop", "adagrad"):
        text += (" *Scaling* 1/(√v + ε) per coordinate: the black arrow is the gradient step, the orange one the "
                 "same gradient rescaled; a coordinate with large past gradients gets a small factor.")
    return text


# ------------------------------------------------------------------------ the page's longer texts

TUNED_HELP = ("Tuned: each optimizer gets the rate from a grid (1e-4, 3.2e-4, 1e-3, … 1, 3.16: half a decade apart) "
              f"that brings f − f* to stay below {TARGET:g} of its start in the fewest steps here (the lowest final "
              "value among rates that never do). On the quadratic, gradient descent's best step 2/(1 + 1/κ) falls "
              "between the grid's 1 and 3.16, so tuned SGD runs at 1; the Theory tab runs it at its optimum. One for "
              "all: the same rate for every optimizer.")
HB_MEASURED_HELP = ("Measured like GD's, over the second half of the run. Its error is (a + b·t)·ρᵗ (a double root, "
                    "see the math), so over steps T/2…T the factor (a + bT)/(a + bT/2) ≈ 2 adds about 2^(2/T) to ρ: "
                    "the measured rate comes down to ρ only as T grows. — : the error reached 0 (to rounding) before "
                    "a rate could be measured.")


def theory_caption(th: QuadraticTheory) -> str:
    """What the Theory tab's dashed lines are, and its eigenvalue order."""
    return (f"Left, dashed: the bounds ‖x₀‖·rᵗ for gradient descent (r = max |1 − lr λᵢ|) and ‖x₀‖·(1 + ct)·ρᵗ for "
            f"heavy ball (c = 2√κ/(√κ+1) = {heavy_ball_factor(th):.3g}): ρ is only heavy ball's asymptotic rate. "
            "Right: eigenvalues in ascending order (as torch.linalg.eigh returns them), so v₁ is the flat direction "
            "(λ₁ = 1/κ) and v₂ the steep one (λ₂ = 1).")


def race_caption(land: Landscape, tuned: Tuned, seeds: int, steps: int, schedule: str, mu: float,
                 kappa: float) -> str:
    """How the fair race ranks and tunes, and (on the quadratic) that GD's best step is off the grid."""
    rule = (f"the mean number of steps until f − f* stays below {TARGET:g} of its start, then by the mean final value"
            if land.f_min is not None else "the mean final f (no minimum here: lower is further down the landscape)")
    text = (f"Ranked by {rule}, over {seeds} seed(s): the same {steps}-step budget, starts and noise for all; "
            f"schedule: {schedule}; μ = {mu:g}. Each optimizer's rate is the best of {len(tuned.grid)} from "
            f"{tuned.grid[0]:g} to {tuned.grid[-1]:.3g}, half a decade apart, by the same rule (a rate where any "
            "seed diverges is out).")
    if land.key == "quadratic" and kappa > 1:
        best = 2 / (1 + 1 / kappa)
        below = max(g for g in tuned.grid if g <= best)
        above = min((g for g in tuned.grid if g > best), default=float("inf"))
        text += f" Gradient descent's best step here, 2/(1 + 1/κ) = {best:.3g}, is not on the grid (it lies between " \
                f"{below:.3g} and {above:.3g})."
    return text
