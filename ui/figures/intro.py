"""Charts and words of the Introduction explorer (chapter 1, Figures 1.1 and 1.2): the data in its PCA plane,
Euclidean-distance and cosine-similarity heatmaps in a chosen order, k-means step by step (centroid paths,
inertia per step, restarts, elbow and silhouette), and the network tabs' pictures.

Every encoding is an Altair object with its type written out (no shorthand strings to resolve per rerun)."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from ui.charts import PALETTE
from ui.figures import legend

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


def scatter(Z: np.ndarray, axes: tuple[str, str], classes: np.ndarray | None, clusters: np.ndarray | None,
            picked: np.ndarray, title: str, shown: np.ndarray) -> tuple[alt.Chart, pd.DataFrame]:
    """The data in its plane: colour = k-means cluster, shape = true class; picked rows stand out."""
    df = pd.DataFrame({"a": Z[shown, 0], "b": Z[shown, 1], "row": shown,
                       "class": classes[shown] if classes is not None else "—",
                       "cluster": _cluster_names(clusters)[shown] if clusters is not None else "—",
                       "picked": picked[shown]})
    any_pick = bool(picked.any())
    chart = alt.Chart(df, title=alt.Title(title, subtitle="colour: k-means cluster · shape: true class"
                                          + (" · picked rows drawn large" if any_pick else ""))).mark_point(
        filled=True).encode(
        x=alt.X("a:Q", title=axes[0], scale=alt.Scale(zero=False)),
        y=alt.Y("b:Q", title=axes[1], scale=alt.Scale(zero=False)),
        color=alt.Color("cluster:N", scale=alt.Scale(range=PALETTE), legend=legend(orient="bottom", title=None)),
        shape=alt.Shape("class:N", legend=legend(orient="bottom", title=None) if classes is not None else None),
        size=alt.condition(alt.datum.picked, alt.value(120), alt.value(30)),
        opacity=alt.condition(alt.datum.picked, alt.value(1.0), alt.value(0.25 if any_pick else 0.7)),
        tooltip=[alt.Tooltip("row:Q"), alt.Tooltip("class:N"), alt.Tooltip("cluster:N"),
                 alt.Tooltip("a:Q", format=".3f", title=axes[0]), alt.Tooltip("b:Q", format=".3f", title=axes[1])],
    ).properties(height=360)
    return chart, df


def heatmap(M: np.ndarray, rows: np.ndarray, order: np.ndarray, groups: np.ndarray | None, picked: np.ndarray,
            title: str, subtitle: str, scheme: str, domain: tuple[float, float], label: str,
            reverse: bool = False, size: int = 300) -> tuple[alt.LayerChart, pd.DataFrame]:
    """An m×m matrix drawn in ``order`` (positions along both axes), NaN cells (undefined) left out; the
    picked rows and columns full strength, the others faded; group boundaries as thin lines."""
    m = len(order)
    pos_i, pos_j = np.meshgrid(np.arange(m), np.arange(m), indexing="ij")
    Mo = M[np.ix_(order, order)]
    po = picked[order]
    df = pd.DataFrame({"i": pos_i.ravel(), "j": pos_j.ravel(), "value": Mo.ravel(),
                       "row i": rows[order][pos_i.ravel()], "row j": rows[order][pos_j.ravel()],
                       "lit": (po[pos_i] | po[pos_j]).ravel() if po.any() else np.ones(m * m, bool)})
    df = df[np.isfinite(df["value"])]
    axis = alt.Axis(title=None, labels=False, ticks=False, grid=False)
    cells = alt.Chart(df).mark_rect().encode(
        x=alt.X("j:O", axis=axis), y=alt.Y("i:O", axis=axis),
        color=alt.Color("value:Q", scale=alt.Scale(scheme=scheme, domain=list(domain), reverse=reverse),
                        legend=alt.Legend(title=label, orient="right", gradientLength=size - 40)),
        opacity=alt.condition(alt.datum.lit, alt.value(1.0), alt.value(0.3)),
        tooltip=[alt.Tooltip("row i:Q"), alt.Tooltip("row j:Q"), alt.Tooltip("value:Q", format=".4f", title=label)])
    out = cells
    if groups is not None and m > 1:
        g = np.asarray(groups)[order]
        cuts = np.flatnonzero(g[1:] != g[:-1]) + 0.5
        if len(cuts):
            lines = pd.DataFrame({"at": cuts})
            x = alt.Chart(lines).mark_rule(color="#000", strokeWidth=1).encode(
                x=alt.X("at:Q", scale=alt.Scale(domain=[-0.5, m - 0.5], nice=False), axis=None))
            y = alt.Chart(lines).mark_rule(color="#000", strokeWidth=1).encode(
                y=alt.Y("at:Q", scale=alt.Scale(domain=[-0.5, m - 0.5], nice=False, reverse=True), axis=None))
            out = alt.layer(cells, x, y).resolve_scale(x="independent", y="independent")
    return out.properties(title=alt.Title(title, subtitle=subtitle), width=size, height=size), df


def kmeans_step(Z: np.ndarray, axes: tuple[str, str], run, step: int, paths: np.ndarray,
                shown: np.ndarray) -> tuple[alt.LayerChart, pd.DataFrame]:
    """Half-step ``step`` of a k-means run: 0 the initial centroids, 2t + 1 assignment t, 2t + 2 update t;
    the centroids' paths so far (``paths``: their coordinates in the drawing plane, (T + 1, k, 2))."""
    t, phase = (step - 1) // 2, ("start" if step == 0 else "assign" if step % 2 else "update")
    labels = run.labels[t][shown] if step else None
    at = 0 if step == 0 else t if phase == "assign" else t + 1
    df = pd.DataFrame({"a": Z[shown, 0], "b": Z[shown, 1], "row": shown,
                       "cluster": _cluster_names(labels) if labels is not None else "not assigned yet"})
    k = paths.shape[1]
    names = [f"cluster {c + 1}" for c in range(k)]
    colours = alt.Scale(domain=[*names, "not assigned yet"], range=[*(PALETTE * 3)[:k], GREY])
    pts = alt.Chart(df).mark_circle(size=28, opacity=0.6).encode(
        x=alt.X("a:Q", title=axes[0], scale=alt.Scale(zero=False)),
        y=alt.Y("b:Q", title=axes[1], scale=alt.Scale(zero=False)),
        color=alt.Color("cluster:N", scale=colours, legend=legend(orient="bottom", title=None)),
        tooltip=[alt.Tooltip("row:Q"), alt.Tooltip("cluster:N")])
    trail = pd.DataFrame([{"a": paths[s, c, 0], "b": paths[s, c, 1], "cluster": names[c], "update": s}
                          for c in range(k) for s in range(at + 1)])
    path = alt.Chart(trail).mark_line(strokeWidth=2, point=alt.OverlayMarkDef(size=25)).encode(
        x=alt.X("a:Q"), y=alt.Y("b:Q"), detail=alt.Detail("cluster:N"), order=alt.Order("update:Q"),
        color=alt.Color("cluster:N", scale=colours, legend=None),
        tooltip=[alt.Tooltip("cluster:N"), alt.Tooltip("update:Q", title="after update")])
    now = trail[trail["update"] == at]
    cents = alt.Chart(now).mark_point(shape="diamond", size=260, filled=True, stroke="#000", strokeWidth=1.5,
                                      opacity=1).encode(
        x=alt.X("a:Q"), y=alt.Y("b:Q"), color=alt.Color("cluster:N", scale=colours, legend=None),
        tooltip=[alt.Tooltip("cluster:N"), alt.Tooltip("a:Q", format=".3f"), alt.Tooltip("b:Q", format=".3f")])
    what = {"start": "the initial centroids (◆)", "assign": f"step {t + 1}, assign: each point joins its nearest ◆",
            "update": f"step {t + 1}, update: each ◆ moves to the mean of its points"}[phase]
    chart = alt.layer(pts, path, cents).properties(
        title=alt.Title(f"k-means, {what}", subtitle="lines: each centroid's path so far"), height=380)
    return chart, df


def inertia_chart(run, step: int) -> tuple[alt.LayerChart, pd.DataFrame]:
    """Inertia after every assignment and every update, the current half-step marked."""
    T = run.steps
    df = pd.DataFrame({"half-step": np.arange(1, 2 * T + 1),
                       "inertia": np.ravel(np.c_[run.inertia_assign, run.inertia_update]),
                       "phase": ["assign", "update"] * T})
    line = alt.Chart(df).mark_line(point=True, color=PALETTE[0]).encode(
        x=alt.X("half-step:Q", title="half-step (odd: assign, even: update)", axis=alt.Axis(tickMinStep=1)),
        y=alt.Y("inertia:Q", scale=alt.Scale(zero=False), title="inertia Σ‖x − c(x)‖²"),
        tooltip=[alt.Tooltip("half-step:Q"), alt.Tooltip("phase:N"), alt.Tooltip("inertia:Q", format=".6g")])
    rule = alt.Chart(pd.DataFrame({"s": [max(step, 1)]})).mark_rule(color=PALETTE[3], strokeDash=[4, 3]).encode(
        x=alt.X("s:Q"))
    return alt.layer(line, rule).properties(title="Inertia never rises", height=220), df


def restarts_chart(inertia: np.ndarray, current: float) -> tuple[alt.LayerChart, pd.DataFrame]:
    df = pd.DataFrame({"inertia": inertia})
    bars = alt.Chart(df).mark_bar(color=PALETTE[0]).encode(
        x=alt.X("inertia:Q", bin=alt.Bin(maxbins=30), title="final inertia"),
        y=alt.Y("count():Q", title="runs"))
    rule = alt.Chart(pd.DataFrame({"x": [current]})).mark_rule(color=PALETTE[3], strokeWidth=2).encode(
        x=alt.X("x:Q"))
    return alt.layer(bars, rule).properties(
        title=alt.Title(f"{len(inertia)} restarts", subtitle="red: this seed's run"), height=220), df


def sweep_chart(sweep, k: int) -> tuple[alt.HConcatChart, pd.DataFrame]:
    df = pd.DataFrame({"k": sweep.ks, "inertia": sweep.inertia, "silhouette": sweep.silhouette})
    base = alt.Chart(df).encode(x=alt.X("k:O", axis=alt.Axis(labelAngle=0)))
    mark = alt.condition(alt.datum.k == k, alt.value(PALETTE[3]), alt.value(PALETTE[0]))
    elbow = base.mark_line(point=True).encode(
        y=alt.Y("inertia:Q", title="best inertia"), color=mark,
        tooltip=[alt.Tooltip("k:O"), alt.Tooltip("inertia:Q", format=".6g")]).properties(
        title="Elbow: inertia against k", height=200)
    sil = base.transform_filter("isValid(datum.silhouette)").mark_line(point=True).encode(
        y=alt.Y("silhouette:Q", title="mean silhouette"), color=mark,
        tooltip=[alt.Tooltip("k:O"), alt.Tooltip("silhouette:Q", format=".3f")]).properties(
        title="Silhouette against k (higher is better)", height=200)
    return alt.hconcat(elbow, sil), df


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
    "kmeans": "Each assignment can only lower the inertia (every point picks its nearest centroid), and each "
              "update can only lower it too (the mean minimises the squared distances to a set of points). So "
              "k-means always stops, but where depends on the start: the restarts histogram shows the different "
              "local minima it can land in.",
}

TRY_THIS = [
    "Distances, Wine: order the heatmaps by class. Without *Standardize*, proline (in the hundreds) decides every "
    "distance and the blocks blur; standardize and they appear.",
    "Distances: turn on *Scale each sample*. The Euclidean heatmap changes everywhere, the cosine one not at all "
    "(the caption gives the largest change of each).",
    "k-means, Two moons, k = 2: step through. The clusters cut each moon in half, and the silhouette still looks "
    "fine: k-means wants round, equal clusters.",
    "k-means, Unequal-size blobs, k = 3, initialisation *first k points*: the big cluster is split and the two "
    "small ones are merged. Try k-means++ and the restarts.",
    "k-means, Digits: raise k from 2 to 12 and watch the elbow. Does the silhouette peak at 10?",
]
