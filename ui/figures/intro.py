"""Charts and words of the Introduction explorer (chapter 1, Figures 1.1 and 1.2): the data in its PCA plane,
Euclidean-distance and cosine-similarity heatmaps in a chosen order, k-means step by step (centroid paths,
inertia per step, restarts, elbow and silhouette), and the network tabs' pictures.

Every encoding is an Altair object with its type written out (no shorthand strings to resolve per rerun)."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from ui.charts import PALETTE, Template, slot
from ui.figures import legend
from ui.raster import VIRIDIS, colour, png_url

GREY = "#bbbbbb"
DRAW_POINTS = 2000  # points drawn in a scatter; more are sampled (the page says so)


def plane(X: np.ndarray, pca) -> tuple[np.ndarray, tuple[str, str]]:
    """Coordinates to draw: the two columns themselves for 2-D data, else the first two principal axes."""
    if X.shape[1] == 2:
        return np.asarray(X, dtype=float), ("x₁", "x₂")
    Z = (np.asarray(X, dtype=float) - pca.mean) / pca.scale @ pca.components[:2].T
    if Z.shape[1] == 1:
        Z = np.c_[Z, np.zeros(len(Z))]
    r = pca.explained_variance_ratio
    return Z, tuple(f"PC{i + 1} ({r[i]:.0%} of variance)" if i < len(r) else f"PC{i + 1}" for i in (0, 1))


def _cluster_names(labels: np.ndarray) -> np.ndarray:
    return np.array([f"cluster {c + 1}" for c in range(int(labels.max()) + 1)], dtype=object)[labels]


def _build_scatter(axes: tuple[str, str], classes: bool, any_pick: bool) -> alt.Chart:
    subtitle = "colour: k-means cluster · shape: true class" + (" · picked rows drawn large" if any_pick else "")
    return alt.Chart(alt.NamedData(name="points"), title=alt.Title(slot("title"), subtitle=subtitle)).mark_point(
        filled=True).encode(
        x=alt.X("a:Q", title=axes[0], scale=alt.Scale(zero=False)),
        y=alt.Y("b:Q", title=axes[1], scale=alt.Scale(zero=False)),
        # two legend columns: one row of labels runs past a phone's narrow chart
        color=alt.Color("cluster:N", scale=alt.Scale(range=PALETTE),
                        legend=legend(orient="bottom", title=None, columns=2)),
        shape=alt.Shape("class:N", legend=legend(orient="bottom", title=None, columns=2) if classes else None),
        size=alt.condition(alt.datum.picked, alt.value(120), alt.value(30)),
        opacity=alt.condition(alt.datum.picked, alt.value(1.0), alt.value(0.25 if any_pick else 0.7)),
        tooltip=[alt.Tooltip("row:Q"), alt.Tooltip("class:N"), alt.Tooltip("cluster:N"),
                 alt.Tooltip("a:Q", format=".3f", title=axes[0]), alt.Tooltip("b:Q", format=".3f", title=axes[1])],
    ).properties(height=360)


def scatter(Z: np.ndarray, axes: tuple[str, str], classes: np.ndarray | None, clusters: np.ndarray | None,
            picked: np.ndarray, title: str, shown: np.ndarray) -> tuple[Template, pd.DataFrame]:
    """The data in its plane: colour = k-means cluster, shape = true class; picked rows stand out."""
    df = pd.DataFrame({"a": Z[shown, 0], "b": Z[shown, 1], "row": shown,
                       "class": classes[shown] if classes is not None else "—",
                       "cluster": _cluster_names(clusters)[shown] if clusters is not None else "—",
                       "picked": picked[shown]})
    key = (tuple(axes), classes is not None, bool(picked.any()))
    return Template(_build_scatter, key, {"points": df}, {"title": title}), df


def _build_heatmap(label: str, size: int, m: int, cuts: bool) -> alt.TopLevelMixin:
    axis = alt.Axis(title=None, labels=False, ticks=False, grid=False, domain=False)
    across = alt.Scale(domain=[0, m], nice=False, zero=False)
    down = alt.Scale(domain=[0, m], nice=False, zero=False, reverse=True)
    picture = alt.Chart(alt.NamedData(name="picture")).mark_image(aspect=False, smooth=False).encode(
        x=alt.X("x0:Q", scale=across, axis=axis), x2="x1:Q", y=alt.Y("y0:Q", scale=down, axis=axis), y2="y1:Q",
        url=alt.Url("url:N"))
    # the colour legend, from an invisible mark on the same scale as the picture's colours
    ramp = alt.Chart(alt.NamedData(name="ramp")).mark_point(opacity=0).encode(
        color=alt.Color("value:Q", scale=alt.Scale(range=list(VIRIDIS), interpolate="rgb", domain=[slot("domain")]),
                        legend=alt.Legend(title=label, orient="bottom", direction="horizontal",
                                          gradientLength=size - 80)))
    layers = [picture, ramp]
    if cuts:
        cut = alt.Chart(alt.NamedData(name="cuts")).mark_rule(color="#000", strokeWidth=1)
        layers += [cut.encode(x=alt.X("at:Q", scale=across, axis=None)),
                   cut.encode(y=alt.Y("at:Q", scale=down, axis=None))]
    return alt.layer(*layers).properties(title=alt.Title(slot("title"), subtitle=slot("subtitle")), width=size,
                                         height=size)


def heatmap(M: np.ndarray, rows: np.ndarray, order: np.ndarray, groups: np.ndarray | None, picked: np.ndarray,
            title: str, subtitle: str, domain: tuple[float, float], label: str,
            size: int = 300) -> tuple[Template, pd.DataFrame]:
    """An m×m matrix drawn in ``order`` (positions along both axes) as one picture: NaN cells (undefined) left
    blank, the picked rows and columns full strength, the others faded, group boundaries as thin lines. A picture,
    not m² rectangles: 300² cells as Vega marks took the browser here ~12 s to draw. Returns the cells as a table
    (for the download)."""
    m = len(order)
    Mo = M[np.ix_(order, order)]
    po = picked[order]
    faded = ~(po[:, None] | po[None, :]) if po.any() else None
    picture = pd.DataFrame({"x0": [0], "x1": [m], "y0": [0], "y1": [m], "url": [png_url(colour(Mo, domain, faded))]})
    cuts = np.zeros(0)
    if groups is not None and m > 1:
        g = np.asarray(groups)[order]
        cuts = np.flatnonzero(g[1:] != g[:-1]) + 1.0
    key = (label, size, m, bool(len(cuts)))
    pos_i, pos_j = np.meshgrid(np.arange(m), np.arange(m), indexing="ij")
    cells = pd.DataFrame({"row i": rows[order][pos_i.ravel()], "row j": rows[order][pos_j.ravel()], label: Mo.ravel()})
    return Template(_build_heatmap, key, {"picture": picture, "ramp": pd.DataFrame({"value": list(domain)}),
                                          "cuts": pd.DataFrame({"at": cuts})},
                    {"title": title, "subtitle": subtitle, "domain": [float(domain[0]), float(domain[1])]}), cells


def _build_kmeans_step(axes: tuple[str, str]) -> alt.LayerChart:
    colours = alt.Scale(domain=[slot("names")], range=[slot("colours")])
    pts = alt.Chart(alt.NamedData(name="points")).mark_circle(size=28, opacity=0.6).encode(
        x=alt.X("a:Q", title=axes[0], scale=alt.Scale(zero=False)),
        y=alt.Y("b:Q", title=axes[1], scale=alt.Scale(zero=False)),
        color=alt.Color("cluster:N", scale=colours, legend=legend(orient="bottom", title=None, columns=2)),
        tooltip=[alt.Tooltip("row:Q"), alt.Tooltip("cluster:N")])
    path = alt.Chart(alt.NamedData(name="trail")).mark_line(strokeWidth=2, point=alt.OverlayMarkDef(size=25)).encode(
        x=alt.X("a:Q"), y=alt.Y("b:Q"), detail=alt.Detail("cluster:N"), order=alt.Order("update:Q"),
        color=alt.Color("cluster:N", scale=colours, legend=None),
        tooltip=[alt.Tooltip("cluster:N"), alt.Tooltip("update:Q", title="after update")])
    cents = alt.Chart(alt.NamedData(name="now")).mark_point(shape="diamond", size=260, filled=True, stroke="#000",
                                                            strokeWidth=1.5, opacity=1).encode(
        x=alt.X("a:Q"), y=alt.Y("b:Q"), color=alt.Color("cluster:N", scale=colours, legend=None),
        tooltip=[alt.Tooltip("cluster:N"), alt.Tooltip("a:Q", format=".3f"), alt.Tooltip("b:Q", format=".3f")])
    return alt.layer(pts, path, cents).properties(
        title=alt.Title(slot("title"), subtitle="lines: each centroid's path so far"), height=380)


def kmeans_step(Z: np.ndarray, axes: tuple[str, str], run, step: int, paths: np.ndarray,
                shown: np.ndarray) -> tuple[Template, pd.DataFrame]:
    """Half-step ``step`` of a k-means run: 0 the initial centroids, 2t + 1 assignment t, 2t + 2 update t;
    the centroids' paths so far (``paths``: their coordinates in the drawing plane, (T + 1, k, 2))."""
    t, phase = (step - 1) // 2, ("start" if step == 0 else "assign" if step % 2 else "update")
    labels = run.labels[t][shown] if step else None
    at = 0 if step == 0 else t if phase == "assign" else t + 1
    df = pd.DataFrame({"a": Z[shown, 0], "b": Z[shown, 1], "row": shown,
                       "cluster": _cluster_names(labels) if labels is not None else "not assigned yet"})
    k = paths.shape[1]
    names = [f"cluster {c + 1}" for c in range(k)]
    trail = pd.DataFrame([{"a": paths[s, c, 0], "b": paths[s, c, 1], "cluster": names[c], "update": s}
                          for c in range(k) for s in range(at + 1)])
    now = trail[trail["update"] == at]
    what = {"start": "the initial centroids (◆)", "assign": f"step {t + 1}, assign: each point joins its nearest ◆",
            "update": f"step {t + 1}, update: each ◆ moves to the mean of its points"}[phase]
    return Template(_build_kmeans_step, (tuple(axes),), {"points": df, "trail": trail, "now": now},
                    {"title": f"k-means, {what}", "names": [*names, "not assigned yet"],
                     "colours": [*(PALETTE * 3)[:k], GREY]}), df


def _build_inertia() -> alt.LayerChart:
    line = alt.Chart(alt.NamedData(name="inertia")).mark_line(point=True, color=PALETTE[0]).encode(
        x=alt.X("half-step:Q", title="half-step (odd: assign, even: update)", axis=alt.Axis(tickMinStep=1)),
        y=alt.Y("inertia:Q", scale=alt.Scale(zero=False), title="inertia Σ‖x − c(x)‖²"),
        tooltip=[alt.Tooltip("half-step:Q"), alt.Tooltip("phase:N"), alt.Tooltip("inertia:Q", format=".6g")])
    rule = alt.Chart(alt.NamedData(name="now")).mark_rule(color=PALETTE[3], strokeDash=[4, 3]).encode(x=alt.X("s:Q"))
    return alt.layer(line, rule).properties(title="Inertia never rises", height=220)


def inertia_chart(run, step: int) -> tuple[Template, pd.DataFrame]:
    """Inertia after every assignment and every update, the current half-step marked."""
    T = run.steps
    df = pd.DataFrame({"half-step": np.arange(1, 2 * T + 1),
                       "inertia": np.ravel(np.c_[run.inertia_assign, run.inertia_update]),
                       "phase": ["assign", "update"] * T})
    return Template(_build_inertia, (), {"inertia": df, "now": pd.DataFrame({"s": [max(step, 1)]})}), df


def _build_restarts() -> alt.LayerChart:
    bars = alt.Chart(alt.NamedData(name="runs")).mark_bar(color=PALETTE[0]).encode(
        x=alt.X("inertia:Q", bin=alt.Bin(maxbins=30), title="final inertia"), y=alt.Y("count():Q", title="runs"))
    rule = alt.Chart(alt.NamedData(name="this")).mark_rule(color=PALETTE[3], strokeWidth=2).encode(x=alt.X("x:Q"))
    return alt.layer(bars, rule).properties(title=alt.Title(slot("title"), subtitle="red: this seed's run"),
                                            height=220)


def restarts_chart(inertia: np.ndarray, current: float) -> tuple[Template, pd.DataFrame]:
    df = pd.DataFrame({"inertia": inertia})
    return Template(_build_restarts, (), {"runs": df, "this": pd.DataFrame({"x": [current]})},
                    {"title": f"{len(inertia)} restarts"}), df


def _build_sweep() -> alt.HConcatChart:
    base = alt.Chart(alt.NamedData(name="sweep")).encode(x=alt.X("k:O", axis=alt.Axis(labelAngle=0)))
    mark = alt.condition(alt.datum.this, alt.value(PALETTE[3]), alt.value(PALETTE[0]))
    elbow = base.mark_line(point=True).encode(
        y=alt.Y("inertia:Q", title="best inertia"), color=mark,
        tooltip=[alt.Tooltip("k:O"), alt.Tooltip("inertia:Q", format=".6g")]).properties(
        title="Elbow: inertia against k", height=200)
    sil = base.transform_filter("isValid(datum.silhouette)").mark_line(point=True).encode(
        y=alt.Y("silhouette:Q", title="mean silhouette"), color=mark,
        tooltip=[alt.Tooltip("k:O"), alt.Tooltip("silhouette:Q", format=".3f")]).properties(
        title="Silhouette against k (higher is better)", height=200)
    return alt.hconcat(elbow, sil)


def sweep_chart(sweep, k: int) -> tuple[Template, pd.DataFrame]:
    df = pd.DataFrame({"k": sweep.ks, "inertia": sweep.inertia, "silhouette": sweep.silhouette})
    return Template(_build_sweep, (), {"sweep": df.assign(this=df["k"] == int(k))}), df


def span(values: np.ndarray) -> tuple[float, float]:
    """A colour scale's domain: the values' range (a constant matrix gets a unit-wide one)."""
    lo, hi = (float(values.min()), float(values.max())) if values.size else (0.0, 1.0)
    return (lo, hi) if hi > lo else (lo - 0.5, hi + 0.5)


def picked(pick: str, row: int | None, clusters: np.ndarray, y: np.ndarray | None, class_names: list[str],
           n: int) -> np.ndarray:
    """Which rows the "Pick out" choice names: a k-means cluster, a true class, one row, or none."""
    out = np.zeros(n, bool)
    if pick.startswith("cluster "):
        out = clusters == int(pick.split()[1]) - 1
    elif pick.startswith("class ") and y is not None and pick[6:] in class_names:
        out = y == class_names.index(pick[6:])
    elif pick == "one point" and row is not None and 0 <= row < n:
        out[row] = True
    return out


def scaling_caption(eff, on: bool) -> str:
    """What scaling each sample does to the two heatmaps, with the page's own numbers."""
    did = "changed" if on else "would change"
    return (f"**Scaling each sample** by a factor between ¼ and 4 {did} the Euclidean distances by up to "
            f"**{eff.euclidean_change:.0%}** of the largest one, and the cosine similarities by at most "
            f"**{eff.cosine_change:.1e}**: rounding error. " + ("Compare the heatmaps with the toggle off."
                                                               if on else "Turn on *Scale each sample* to see it."))


def restarts_caption(rs, current: float) -> str:
    best = float(rs.inertia.min())
    at_best = int(np.sum(rs.inertia <= best * (1 + 1e-9)))
    return (f"{at_best} of the {len(rs.inertia)} restarts reached the lowest inertia found, {best:.6g}; the worst "
            f"ended at {rs.inertia.max():.6g}. This seed's run: {current:.6g}.")


TEXT = {
    "distances": "Each cell compares two samples. Sorted by class or by cluster, the Euclidean heatmap turns into "
                 "dark blocks on the diagonal (near neighbours) and the cosine heatmap into bright ones (same "
                 "direction). Cosine ignores a sample's length: scaling a sample moves it along its own ray, "
                 "which changes every distance to it and no angle.",
    "network": "Each neuron only adds up weighted inputs and bends the sum through σ; stacked, such neurons bend "
               "the plane into the decision surface. Gradient descent moves every weight downhill on the loss, "
               "which backpropagation computes layer by layer from the output back.",
    "kmeans": "Each assignment can only lower the inertia (every point picks its nearest centroid), and each "
              "update can only lower it too (the mean minimises the squared distances to a set of points). So "
              "k-means always stops, but where depends on the start: the restarts histogram shows the different "
              "local minima it can land in.",
}

TRY_THIS = [
    "k-means, Iris, k = 3: seed 0's start ends in a poor minimum (inertia 142.754, ARI 0.429 with the species), as 5 "
    "of the 50 restarts do; seed 1 reaches the best one (78.851, ARI 0.730). The restarts' histogram shows both.",
    "k-means, Wine, k = 3: the adjusted Rand index with the three cultivars is 0.352. Turn on *Standardize*: 0.915. "
    "Unscaled, proline (in the hundreds) decides every distance; the Distances tab, ordered by class, shows it.",
    "Distances: turn on *Scale each sample*. The Euclidean heatmap changes everywhere, the cosine one not at all "
    "(the caption gives the largest change of each).",
    "k-means, Two moons, k = 2: the straight boundary puts 77 of the 300 points with the other moon (ARI 0.234), "
    "yet the silhouette, 0.488, looks respectable: k-means wants round, equal clusters.",
    "k-means, Unequal-size blobs, k = 3, seed 1: *random points* and *the first k points* split the big cluster and "
    "merge the two small ones (ARI 0.477 and 0.530); k-means++ finds all three (ARI 0.927). Then look at the restarts.",
    "k-means, Digits, elbow up to k = 12: no sharp elbow, and the silhouette peaks at k = 9 (0.189), not at the "
    "ten digits.",
    "Network: set the learning rate to 30. The loss blows up at epoch 5 and training stops there; at 10 it "
    "survives but ends far worse than at 0.3. Then try the sigmoid with 4 layers and compare with tanh.",
    "Vanishing gradients: with 8 sigmoid layers the first layer's gradient starts about 240,000 times smaller than "
    "the output layer's; with tanh and ReLU about 3 times. Move the step and watch whether it recovers.",
]


# ------------------------------------------------------------------------------------------ Figure 1.2

SIGN = alt.Scale(domain=["positive", "negative"], range=["#D55E00", "#0072B2"])
MAX_DRAWN_UNITS = 16  # a layer wider than this (the digits' 64 pixels) draws its first and last units only


def _drawn(width: int) -> list[int]:
    if width <= MAX_DRAWN_UNITS:
        return list(range(width))
    half = MAX_DRAWN_UNITS // 2
    return [*range(half), *range(width - half, width)]


def architecture(result, snapshot: int, feature_names: tuple[str, ...], class_names: tuple[str, ...],
                 picked: tuple[int, int] | None = None) -> tuple[Template, pd.DataFrame]:
    """Figure 1.2(a) from the actual weights at one snapshot: units as circles in columns (input, hidden,
    output), every weight an edge, its colour the sign and its width the magnitude; ``picked`` = (layer, unit)
    outlined."""
    params = result.params(snapshot)
    sizes = result.sizes
    shown = [_drawn(s) for s in sizes]

    def ypos(layer: int, unit: int) -> float:
        units = shown[layer]
        return (units.index(unit) - (len(units) - 1) / 2) if unit in units else 0.0

    top = max(float(np.abs(W).max()) for W, _ in params) or 1.0
    edges = []
    for li, (W, _) in enumerate(params):
        for j in shown[li + 1]:
            for i in shown[li]:
                w = float(W[j, i])
                edges.append({"edge": f"{li}-{i}-{j}", "x": li, "y": ypos(li, i), "x2": li + 1, "y2": ypos(li + 1, j),
                              "w": w, "sign": "positive" if w >= 0 else "negative", "size": 0.3 + 4.5 * abs(w) / top,
                              "from": f"layer {li} unit {i}", "to": f"layer {li + 1} unit {j}"})
    E = pd.DataFrame(edges)
    names = [list(feature_names)] + [[f"h{li}.{u}" for u in range(s)] for li, s in enumerate(sizes[1:-1], 1)] + \
        [list(class_names)]
    nodes = pd.DataFrame([{"x": li, "y": ypos(li, u), "unit": str(names[li][u]) if u < len(names[li]) else str(u),
                           "layer": "input" if li == 0 else "output" if li == len(sizes) - 1 else f"hidden {li}",
                           "bias": float(params[li - 1][1][u]) if li else np.nan,
                           "picked": picked is not None and (li, u) == picked}
                          for li in range(len(sizes)) for u in shown[li]])
    cut = any(len(s) < n for s, n in zip(shown, sizes, strict=True))
    return Template(_build_architecture, (tuple(sizes), cut), {"edges": E, "nodes": nodes},
                    {"title": f"The network at epoch {int(result.snapshot_epochs[snapshot])}"}), E


def _build_architecture(sizes: tuple[int, ...], cut: bool) -> alt.LayerChart:
    lines = alt.Chart(alt.NamedData(name="edges")).mark_rule(opacity=0.75).encode(
        x=alt.X("x:Q", axis=None), y=alt.Y("y:Q", axis=None), x2=alt.X2("x2:Q"), y2=alt.Y2("y2:Q"),
        color=alt.Color("sign:N", scale=SIGN, legend=legend(orient="bottom", title="weight")),
        strokeWidth=alt.StrokeWidth("size:Q", scale=None, legend=None),
        tooltip=[alt.Tooltip("from:N"), alt.Tooltip("to:N"), alt.Tooltip("w:Q", format=".4f", title="weight")])
    dots = alt.Chart(alt.NamedData(name="nodes")).mark_circle(size=260, stroke="#000", opacity=1).encode(
        x=alt.X("x:Q"), y=alt.Y("y:Q"),
        color=alt.condition(alt.datum.picked, alt.value("#F0E442"), alt.value("#ffffff")),
        strokeWidth=alt.condition(alt.datum.picked, alt.value(3), alt.value(1)),
        tooltip=[alt.Tooltip("layer:N"), alt.Tooltip("unit:N"), alt.Tooltip("bias:Q", format=".4f")])
    title = alt.Title(slot("title"), subtitle=f"{' → '.join(map(str, sizes))} units; edge width = "
                      f"|w|{' (wide layers: first and last 8 units drawn)' if cut else ''}")
    return alt.layer(lines, dots).properties(title=title, height=320)


def _build_surface(class_names: tuple[str, ...]) -> alt.LayerChart:
    cells = alt.Chart(alt.NamedData(name="grid")).mark_rect(opacity=0.8).encode(
        x=alt.X("x:Q", title="x₁", scale=alt.Scale(nice=False, zero=False)), x2=alt.X2("x2:Q"),
        y=alt.Y("y:Q", title="x₂", scale=alt.Scale(nice=False, zero=False)), y2=alt.Y2("y2:Q"),
        color=alt.Color("p:Q", scale=alt.Scale(scheme="blueorange", domain=[0, 1]),
                        legend=alt.Legend(title=f"P({class_names[1]})", orient="right")))
    pts = alt.Chart(alt.NamedData(name="points")).mark_point(size=30, strokeWidth=1.2).encode(
        x=alt.X("x:Q"), y=alt.Y("y:Q"),
        color=alt.Color("class:N", scale=alt.Scale(domain=list(class_names), range=["#0072B2", "#D55E00"]),
                        legend=None),  # named in the subtitle: a legend under this narrow chart ran past it
        fill=alt.condition(alt.datum.set == "train", alt.Color("class:N", legend=None), alt.value("transparent")),
        tooltip=[alt.Tooltip("class:N"), alt.Tooltip("set:N")])
    return alt.layer(cells, pts).properties(
        title=alt.Title(slot("title"),
                        subtitle=[f"points: {class_names[0]} blue, {class_names[1]} orange",
                                  "filled: training; hollow: test"]), height=320)


def surface_chart(surf, X: np.ndarray, y: np.ndarray, is_train: np.ndarray,
                  class_names: tuple[str, ...]) -> tuple[Template, pd.DataFrame]:
    """P(class 1) over the plane with the data on top (train filled, test hollow)."""
    gx, gy = np.meshgrid(surf.xs, surf.ys)
    dx, dy = surf.xs[1] - surf.xs[0], surf.ys[1] - surf.ys[0]
    G = pd.DataFrame({"x": gx.ravel(), "y": gy.ravel(), "x2": gx.ravel() + dx, "y2": gy.ravel() + dy,
                      "p": surf.prob.ravel()})
    P = pd.DataFrame({"x": X[:, 0], "y": X[:, 1], "class": np.asarray(class_names, dtype=object)[y],
                      "set": np.where(is_train, "train", "test")})
    return Template(_build_surface, (tuple(class_names),), {"grid": G, "points": P},
                    {"title": f"Decision surface at epoch {int(surf.epoch)}"}), G


def _build_history(what: str) -> alt.LayerChart:
    line = alt.Chart(alt.NamedData(name="history")).mark_line().encode(
        x=alt.X("epoch:Q"), y=alt.Y("value:Q", title="cross-entropy" if what == "loss" else "accuracy",
                                    scale=alt.Scale(zero=False),
                                    axis=alt.Axis(format="%") if what != "loss" else alt.Axis()),
        color=alt.Color("set:N", scale=alt.Scale(domain=["train", "test"], range=[PALETTE[0], PALETTE[3]]),
                        legend=legend(orient="top", title=None)),
        tooltip=[alt.Tooltip("epoch:Q"), alt.Tooltip("set:N"), alt.Tooltip("value:Q", format=".4f")])
    rule = alt.Chart(alt.NamedData(name="now")).mark_rule(strokeDash=[4, 3], color="#555").encode(x=alt.X("e:Q"))
    title = "Loss over the epochs (backprop + gradient descent)" if what == "loss" else "Accuracy"
    return alt.layer(line, rule).properties(title=title, height=220)


def history_chart(result, epoch: int, what: str) -> tuple[Template, pd.DataFrame]:
    """Train and test loss (``what="loss"``) or accuracy over the epochs, the replayed epoch marked."""
    e = np.arange(len(result.train_loss))
    a, b = (result.train_loss, result.test_loss) if what == "loss" else (result.train_acc, result.test_acc)
    df = pd.concat([pd.DataFrame({"epoch": e, "value": a, "set": "train"}),
                    pd.DataFrame({"epoch": e, "value": b, "set": "test"})]).dropna()
    return Template(_build_history, (what,), {"history": df, "now": pd.DataFrame({"e": [epoch]})}), df


def neuron_table(nr, names: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"input": names[: len(nr.x)] if len(names) >= len(nr.x) else [f"x{i}" for i in
                                                                                       range(len(nr.x))],
                         "x": nr.x, "w": nr.w, "w·x": nr.products})


def _build_activation(activation: str) -> alt.LayerChart:
    curve = alt.Chart(alt.NamedData(name="curve")).mark_line(color=PALETTE[0]).encode(
        x=alt.X("z:Q"), y=alt.Y("a:Q", title=f"σ(z), {activation}"))
    dot = alt.Chart(alt.NamedData(name="here")).mark_point(size=160, filled=True, color=PALETTE[3]).encode(
        x=alt.X("z:Q"), y=alt.Y("a:Q"), tooltip=[alt.Tooltip("z:Q", format=".4f"), alt.Tooltip("a:Q", format=".4f")])
    return alt.layer(curve, dot).properties(title=slot("title"), height=200)


def activation_chart(nr, z: np.ndarray, a: np.ndarray) -> tuple[Template, pd.DataFrame]:
    df = pd.DataFrame({"z": z, "a": a})
    here = pd.DataFrame({"z": [nr.z], "a": [nr.a]})
    return Template(_build_activation, (nr.activation,), {"curve": df, "here": here},
                    {"title": f"z = {nr.z:.4f} → σ(z) = {nr.a:.4f}"}), df


def _build_grads() -> alt.Chart:
    return alt.Chart(alt.NamedData(name="norms")).mark_line(point=True).encode(
        x=alt.X("layer:O", title="layer (1 = next to the input)", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("norm:Q", scale=alt.Scale(type="log"), title="‖∂L/∂W‖ (log scale)"),
        color=alt.Color("activation:N", scale=alt.Scale(range=PALETTE), legend=legend(orient="top", title=None)),
        tooltip=[alt.Tooltip("activation:N"), alt.Tooltip("layer:O"), alt.Tooltip("norm:Q", format=".3e")],
    ).properties(title=slot("title"), height=280)


def grad_chart(van, step: int) -> tuple[Template, pd.DataFrame]:
    """‖∂L/∂W_l‖ per layer (log scale), one line per activation, at one training step."""
    rows = [{"layer": li + 1, "norm": float(van.grad_norm[a, step, li]), "activation": act}
            for a, act in enumerate(van.activations) for li in range(van.grad_norm.shape[2])]
    df = pd.DataFrame(rows)
    df = df[df["norm"] > 0]
    return Template(_build_grads, (), {"norms": df}, {"title": f"Gradient norm per layer, step {step}"}), df


def derivative_chart(van) -> tuple[alt.LayerChart, pd.DataFrame]:
    df = pd.concat([pd.DataFrame({"z": van.z, "slope": van.derivative[a], "activation": act})
                    for a, act in enumerate(van.activations)])
    lines = alt.Chart(df).mark_line().encode(
        x=alt.X("z:Q"), y=alt.Y("slope:Q", title="σ'(z)"),
        color=alt.Color("activation:N", scale=alt.Scale(range=PALETTE), legend=legend(orient="top", title=None)))
    quarter = alt.Chart(pd.DataFrame({"y": [0.25]})).mark_rule(strokeDash=[4, 3], color="#555").encode(y=alt.Y("y:Q"))
    return alt.layer(lines, quarter).properties(title="σ'(z): the sigmoid's never exceeds ¼ (dashed)",
                                               height=280), df


def _build_fits() -> alt.LayerChart:
    faint = alt.Chart(alt.NamedData(name="fits")).mark_line(opacity=0.25, color=PALETTE[5], clip=True).encode(
        x=alt.X("x:Q"), y=alt.Y("y:Q", scale=alt.Scale(domain=[-2, 2])), detail=alt.Detail("fit:N"))
    bold = alt.Chart(alt.NamedData(name="lines")).mark_line(clip=True).encode(
        x=alt.X("x:Q"), y=alt.Y("y:Q"),
        color=alt.Color("curve:N", scale=alt.Scale(domain=["mean fit", "truth"], range=[PALETTE[0], "#000"]),
                        legend=legend(orient="top", title=None)),
        strokeDash=alt.StrokeDash("curve:N", scale=alt.Scale(domain=["mean fit", "truth"], range=[[1, 0], [6, 4]]),
                                  legend=None),
        strokeWidth=alt.value(3))
    pts = alt.Chart(alt.NamedData(name="points")).mark_circle(color="#555", size=25).encode(
        x=alt.X("x:Q"), y=alt.Y("y:Q"))
    return alt.layer(faint, bold, pts).properties(
        title=alt.Title(slot("title"),
                        subtitle="faint: fits to resampled training sets; dots: one training set"), height=300)


def fits_chart(bv, i: int) -> tuple[Template, pd.DataFrame]:
    """Many faint fits of one degree, their mean bold, the truth dashed, one training set's points."""
    drawn = bv.fits_grid[i]
    fits = pd.DataFrame({"x": np.tile(bv.x_grid, len(drawn)), "y": np.ravel(drawn),
                         "fit": np.repeat(np.arange(len(drawn)), len(bv.x_grid))})
    lines = pd.DataFrame({"x": np.r_[bv.x_grid, bv.x_grid], "y": np.r_[bv.mean_fit_grid[i], bv.truth_grid],
                          "curve": ["mean fit"] * len(bv.x_grid) + ["truth"] * len(bv.x_grid)})
    points = pd.DataFrame({"x": bv.x_example, "y": bv.y_example})
    return Template(_build_fits, (), {"fits": fits, "lines": lines, "points": points},
                    {"title": f"Degree {int(bv.degrees[i])}: {len(drawn)} of {int(bv.n_sets)} fits"}), lines


DECOMPOSITION = ("bias²", "variance", "noise σ²", "bias² + variance + noise", "measured test error",
                 "training error")


def _build_decomposition() -> alt.LayerChart:
    lines = alt.Chart(alt.NamedData(name="terms")).transform_fold(list(DECOMPOSITION), as_=["term", "value"]).mark_line(
        point=True).encode(
        x=alt.X("degree:O", axis=alt.Axis(labelAngle=0)), y=alt.Y("value:Q", scale=alt.Scale(type="log"),
                                                                   title="mean squared error (log)"),
        color=alt.Color("term:N", scale=alt.Scale(domain=list(DECOMPOSITION), range=PALETTE[:len(DECOMPOSITION)]),
                        legend=legend(orient="right", title=None)),
        tooltip=[alt.Tooltip("degree:O"), alt.Tooltip("term:N"), alt.Tooltip("value:Q", format=".4g")])
    rule = alt.Chart(alt.NamedData(name="now")).mark_rule(strokeDash=[4, 3], color="#555").encode(x=alt.X("d:O"))
    return alt.layer(lines, rule).properties(title="Bias² + variance + noise = expected test error", height=300)


def decomposition_chart(bv, degree: int) -> tuple[Template, pd.DataFrame]:
    df = pd.DataFrame(dict(zip(("degree", *DECOMPOSITION),
                               (bv.degrees, bv.bias2, bv.variance, bv.noise, bv.bias2 + bv.variance + bv.noise,
                                bv.expected_error, bv.train_error), strict=True)))
    return Template(_build_decomposition, (), {"terms": df, "now": pd.DataFrame({"d": [degree]})}), df


def _build_penalty(names: tuple[str, ...]) -> alt.Chart:
    chart = alt.Chart(alt.NamedData(name="weights")).mark_bar().encode(
        x=alt.X("weight:Q", title="final weight"), y=alt.Y("count:Q", title="weights"),
        color=alt.Color("penalty:N", scale=alt.Scale(domain=list(names), range=PALETTE[:3]), legend=None),
        row=alt.Row("penalty:N", title=None, sort=list(names)),
        tooltip=[alt.Tooltip("penalty:N"), alt.Tooltip("weight:Q", format=".3f"), alt.Tooltip("count:Q")])
    return chart.properties(height=90, title="Weight histograms").resolve_scale(y="independent")


def penalty_chart(pen) -> tuple[Template, pd.DataFrame]:
    centres = (pen.bin_edges[:-1] + pen.bin_edges[1:]) / 2
    df = pd.DataFrame({"weight": np.tile(centres, len(pen.names)), "count": np.ravel(pen.counts[:len(pen.names)]),
                       "penalty": np.repeat(list(pen.names), len(centres))})
    return Template(_build_penalty, (tuple(pen.names),), {"weights": df}), df


def activate(name: str, z: np.ndarray, nr=None) -> np.ndarray:
    """σ(z) for drawing. For an output unit (softmax), its probability as its own logit z varies with the
    others fixed: e^z / (e^z + S) = logistic(z − ln S), S recovered from the neuron's own z and a."""
    if name == "sigmoid":
        return 1 / (1 + np.exp(-z))
    if name == "tanh":
        return np.tanh(z)
    if name == "relu":
        return np.maximum(z, 0)
    a = min(max(nr.a, 1e-300), 1 - 1e-16)
    return 1 / (1 + np.exp(-(z - nr.z - np.log((1 - a) / a))))


def neuron_text(nr) -> str:
    where = f"output unit {nr.unit}" if nr.activation == "softmax" else f"unit {nr.unit} of hidden layer {nr.layer}"
    fn = "softmax(z)[unit] = P(this class)" if nr.activation == "softmax" else f"{nr.activation}(z)"
    n = len(nr.x)
    return (f"Sample {nr.sample}, {where}, epoch {nr.epoch}: "
            f"w·x = Σ of the {n} products below = **{float(nr.products.sum()):.4f}**; plus the bias b = "
            f"**{nr.b:.4f}** gives **z = {nr.z:.4f}**; then {fn} = **{nr.a:.4f}**.")


def confusion_frame(M: np.ndarray, names: tuple[str, ...]) -> pd.DataFrame:
    return pd.DataFrame(M, index=[f"true {n}" for n in names], columns=[f"predicted {n}" for n in names])


def ratio_text(r: float) -> str:
    """A gradient ratio; 0/0 (every gradient of the network vanished, e.g. dead ReLUs) is said to be undefined."""
    return f"{r:.2e}" if np.isfinite(r) else "undefined (0/0)"


def vanishing_notice(van, ratio: np.ndarray) -> str:
    by = {a: ratio_text(r) for a, r in zip(van.activations, ratio, strict=True)}
    return (f"With {van.depth} sigmoid layers the gradient reaching the first layer is {by['sigmoid']} times "
            f"the output layer's; with ReLU {by['relu']}, with tanh {by['tanh']}. Backpropagation multiplies "
            "by σ'(z) once per layer, and the sigmoid's σ' is at most ¼: the first layers of a deep sigmoid network "
            "barely learn.")


def penalty_frame(pen) -> pd.DataFrame:
    return pd.DataFrame({"penalty": pen.names, "weights exactly 0": pen.zeros,
                         "of": [len(w) for w in pen.weights],
                         "largest |w|": [float(np.abs(w).max()) for w in pen.weights],
                         "train loss": pen.train_loss, "test loss": pen.test_loss, "gap (test − train)": pen.gap})


def penalty_notice(pen) -> str:
    n = len(pen.weights[1])
    return (f"L1 set {pen.zeros[1]} of {n} weights exactly to zero; L2 set {pen.zeros[2]} (it shrinks every weight "
            f"but never to zero). The train/test gap: {pen.gap[0]:.3f} without a penalty, {pen.gap[1]:.3f} with L1, "
            f"{pen.gap[2]:.3f} with L2.")
