"""Charts of the Linear Algebra (PCA/SVD) explorer.

Every encoding is an ``alt.X``/``alt.Tooltip``/… object, never a bare shorthand string: Altair
resolves a bare string through its JSON schema on every call (~5 ms a chart), on every rerun."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from core.linalg import PCAResult, SVDRace


def scree(result: PCAResult, k: int, max_components: int = 40) -> tuple[alt.LayerChart, pd.DataFrame]:
    """Explained variance per component (bars, the first k highlighted) and its running total."""
    r = min(len(result.explained_variance_ratio), max_components)
    ratio = result.explained_variance_ratio[:r]
    df = pd.DataFrame({"component": np.arange(1, r + 1), "explained": ratio,
                       "cumulative": np.cumsum(result.explained_variance_ratio)[:r],
                       "eigenvalue": result.explained_variance[:r],
                       "kept": np.where(np.arange(1, r + 1) <= k, "kept (first k)", "dropped")})
    base = alt.Chart(df).encode(x=alt.X("component:O", title="principal component",
                                        axis=alt.Axis(labelAngle=0, labelOverlap="greedy")))
    tips = [alt.Tooltip("component"), alt.Tooltip("eigenvalue:Q", format=".4g", title="eigenvalue λ"),
            alt.Tooltip("explained:Q", format=".1%"), alt.Tooltip("cumulative:Q", format=".1%")]
    bars = base.mark_bar().encode(
        y=alt.Y("explained:Q", axis=alt.Axis(format="%"), title="share of variance"),
        color=alt.Color("kept:N", scale=alt.Scale(domain=["kept (first k)", "dropped"],
                                                  range=["#0072B2", "#b9c7d3"]), title=None,
                        legend=alt.Legend(orient="right")),
        tooltip=tips)
    line = base.mark_line(point=True, color="#D55E00").encode(y=alt.Y("cumulative:Q"), tooltip=tips)
    ninety = alt.Chart(pd.DataFrame({"y": [0.9], "label": ["90 %"]}))
    rule = ninety.mark_rule(strokeDash=[4, 4], color="#777").encode(y=alt.Y("y:Q"))
    # below the rule at the right, where the running total has passed 90 % and the bars are short
    rule_label = ninety.mark_text(align="right", baseline="top", dx=-4, dy=4, color="#555").encode(
        y=alt.Y("y:Q"), x=alt.value("width"), text=alt.Text("label:N"))
    title = alt.Title(f"Scree plot: {df.cumulative.iloc[min(k, r) - 1]:.1%} of the variance in the first {k}",
                      subtitle="bars: each eigenvalue's share λᵢ / Σλ; line: the running total (λ₁ the largest)")
    return (bars + line + rule + rule_label).properties(title=title, height=300), df


def projection(scores: np.ndarray, labels: np.ndarray | None, ratio: np.ndarray) -> tuple[alt.Chart, pd.DataFrame]:
    """The data in the plane of the first two principal components, coloured by class."""
    df = pd.DataFrame({"PC1": scores[:, 0], "PC2": scores[:, 1] if scores.shape[1] > 1 else 0.0,
                       "row": np.arange(len(scores))})
    df["class"] = labels if labels is not None else "all"
    pct = [f"{ratio[i]:.1%}" if i < len(ratio) else "—" for i in (0, 1)]
    chart = alt.Chart(df).mark_circle(size=40, opacity=0.75).encode(
        x=alt.X("PC1:Q", title=f"PC1 ({pct[0]} of variance)"),
        y=alt.Y("PC2:Q", title=f"PC2 ({pct[1]} of variance)"),
        color=alt.Color("class:N", title="class", legend=None if labels is None else alt.Legend()),
        tooltip=[alt.Tooltip("row"), alt.Tooltip("class"), alt.Tooltip("PC1:Q", format=".3f"),
                 alt.Tooltip("PC2:Q", format=".3f")],
    ).properties(title="PC1 vs PC2", height=380).interactive()
    return chart, df


def axes_over_cloud(X: np.ndarray, result: PCAResult, true_angle: float | None) -> tuple[alt.LayerChart, pd.DataFrame]:
    """The raw x–y cloud with each principal axis drawn from the mean, ±2√λ long."""
    pts = pd.DataFrame({"x": X[:, 0], "y": X[:, 1]})
    segs = []
    for i in range(min(2, len(result.components))):
        v = result.components[i, :2] * result.scale[:2]
        half = 2 * np.sqrt(result.explained_variance[i])
        for sign in (-1, 1):
            segs.append({"axis": f"PC{i + 1}", "end": sign, "x": result.mean[0] + sign * half * v[0],
                         "y": result.mean[1] + sign * half * v[1], "λ": result.explained_variance[i]})
    axes = pd.DataFrame(segs)
    lim = float(np.abs(X[:, :2]).max()) * 1.05
    sc = alt.Scale(domain=[-lim, lim])
    cloud = alt.Chart(pts).mark_circle(size=18, opacity=0.35, color="#56B4E9").encode(
        x=alt.X("x:Q", scale=sc), y=alt.Y("y:Q", scale=sc))
    lines = alt.Chart(axes).mark_line(strokeWidth=5).encode(
        x=alt.X("x:Q"), y=alt.Y("y:Q"), detail=alt.Detail("axis:N"),
        color=alt.Color("axis:N", scale=alt.Scale(domain=["PC1", "PC2"], range=["#D55E00", "#009E73"]),
                        title="axis"),
        tooltip=[alt.Tooltip("axis"), alt.Tooltip("λ:Q", format=".3f", title="eigenvalue λ")])
    # The angle of the line as drawn, in the raw x–y coordinates: PC1 mapped back through the scaling
    # (when standardized, PCA's axes live in the scaled space and map to lines that need not be at right angles).
    drawn = result.components[0, :2] * result.scale[:2]
    angle = np.degrees(np.arctan2(drawn[1], drawn[0])) % 180
    subtitle = f"PC1 at {angle:.1f}°" + (f"; the true major axis at {true_angle % 180:.1f}°"
                                         if true_angle is not None else "")
    if X.shape[1] > 2:
        subtitle += " (x–y view)"
    subtitle = [subtitle]
    if np.any(result.scale != 1):
        subtitle.append("standardized: the correlation matrix's axes, drawn in raw units")
    # Equal width and height with equal domains: right angles look right.
    return (cloud + lines).properties(title=alt.Title("Principal axes over the raw cloud", subtitle=subtitle),
                                      height=380, width=380), axes


def loadings(result: PCAResult, feature_names: tuple[str, ...], k: int) -> tuple[alt.Chart, pd.DataFrame]:
    """How much each original feature contributes to each kept component."""
    k = min(k, 8, len(result.components))
    rows = [{"component": f"PC{i + 1}", "feature": f, "loading": result.components[i, j]}
            for i in range(k) for j, f in enumerate(feature_names)]
    df = pd.DataFrame(rows)
    chart = alt.Chart(df).mark_rect().encode(
        x=alt.X("component:O", sort=None), y=alt.Y("feature:N", sort=None, title=None),
        color=alt.Color("loading:Q", scale=alt.Scale(scheme="redblue", domainMid=0, reverse=True)),
        tooltip=[alt.Tooltip("component"), alt.Tooltip("feature"), alt.Tooltip("loading:Q", format=".3f")],
    ).properties(title="Loadings: each axis as a mix of the original features",
                 height=min(600, 18 * len(feature_names) + 40))
    return chart, df


def image_grid(images: list[np.ndarray], titles: list[str], rows: list[str] | None = None, cell: int = 70,
               symmetric: bool = False, columns: int = 8, title: str = "") -> tuple[alt.FacetChart, pd.DataFrame]:
    """Small images as heatmap facets: in named rows (originals above reconstructions) when ``rows`` is
    given, else wrapped ``columns`` to a line. ``symmetric`` centres a red–blue scale on 0 (loadings)."""
    h, w = images[0].shape
    rr, cc = np.indices((h, w))
    df = pd.concat([pd.DataFrame({"r": rr.ravel(), "c": cc.ravel(), "value": img.ravel(), "image": name,
                                  "set": rows[i] if rows else "", "order": i})
                    for i, (img, name) in enumerate(zip(images, titles, strict=True))], ignore_index=True)
    if symmetric:
        lim = float(np.abs(df.value).max()) or 1.0
        scale = alt.Scale(scheme="redblue", domain=[-lim, lim], reverse=True)
    else:
        scale = alt.Scale(scheme="greys", domain=[0, 16])
    base = alt.Chart(df).mark_rect().encode(
        x=alt.X("c:O", axis=None), y=alt.Y("r:O", axis=None),
        color=alt.Color("value:Q", scale=scale, legend=None),
        tooltip=[alt.Tooltip("image"), alt.Tooltip("r"), alt.Tooltip("c"), alt.Tooltip("value:Q", format=".2f")],
    ).properties(width=cell, height=cell * h / w)
    header = alt.Header(labelFontSize=13, title=None)
    if rows:
        chart = base.facet(column=alt.Column("image:N", sort=alt.SortField("order"), header=header, title=None),
                           row=alt.Row("set:N", sort=list(dict.fromkeys(rows)), header=header, title=None),
                           spacing=6)
    else:
        chart = base.facet(alt.Facet("image:N", sort=alt.SortField("order"), header=header, title=None),
                           columns=columns, spacing=6)
    return chart.properties(title=title), df


def error_curve(curve: np.ndarray, k: int, measured: float) -> tuple[alt.LayerChart, pd.DataFrame]:
    """Relative squared reconstruction error over k, with the measured error at the chosen k."""
    df = pd.DataFrame({"k": np.arange(len(curve)), "relative squared error": curve})
    line = alt.Chart(df).mark_line(point=alt.OverlayMarkDef(size=25)).encode(
        x=alt.X("k:Q", title="components kept k"),
        y=alt.Y("relative squared error:Q", axis=alt.Axis(format="%"), title="relative squared error"),
        tooltip=[alt.Tooltip("k"), alt.Tooltip("relative squared error:Q", format=".3%")])
    dot = alt.Chart(pd.DataFrame({"k": [k], "measured": [measured]})).mark_point(
        size=300, shape="diamond", filled=True, color="#D55E00").encode(
        x=alt.X("k:Q"), y=alt.Y("measured:Q", title="relative squared error"),
        tooltip=[alt.Tooltip("k"), alt.Tooltip("measured:Q", format=".3%",
                                                           title="measured ‖X−X̂‖²/‖X‖²")])
    return (line + dot).properties(title="Reconstruction error: Σ of the discarded σ² over Σ σ²",
                                   height=320), df


def spectrum(S: np.ndarray, rank: int) -> tuple[alt.LayerChart, pd.DataFrame]:
    """Singular values on a log scale, the kept ones highlighted, the cut marked."""
    idx = np.arange(1, len(S) + 1)
    df = pd.DataFrame({"i": idx, "σ": np.maximum(S, 1e-300),
                       "part": np.where(idx <= rank, "kept", "discarded")})
    points = alt.Chart(df).mark_circle(size=28, opacity=0.9).encode(
        x=alt.X("i:Q", title="index i"),
        y=alt.Y("σ:Q", scale=alt.Scale(type="log"), title="singular value σᵢ"),
        color=alt.Color("part:N", scale=alt.Scale(domain=["kept", "discarded"], range=["#0072B2", "#E69F00"]),
                        title=None),
        tooltip=[alt.Tooltip("i"), alt.Tooltip("σ:Q", format=".4g"), alt.Tooltip("part")])
    cut = alt.Chart(pd.DataFrame({"i": [rank + 0.5]})).mark_rule(strokeDash=[5, 4], color="#555").encode(x=alt.X("i:Q"))
    return (points + cut).properties(title=f"Singular values (log scale), cut after r = {rank}",
                                     height=260), df


def race(result: SVDRace, height: int = 300) -> tuple[alt.Chart, alt.Chart, pd.DataFrame]:
    """Time and error of exact vs randomized SVD as the matrix grows (two charts, one table)."""
    rows = []
    for (m, n), te, tr, eo, er in zip(result.sizes, result.exact_seconds, result.randomized_seconds,
                                      result.optimal_error, result.randomized_error, strict=True):
        size = f"{m}×{n}"
        rows += [{"size": size, "m": m, "method": "exact (torch.linalg.svd)", "seconds": te, "error": eo},
                 {"size": size, "m": m, "method": "randomized (torch.svd_lowrank)", "seconds": tr, "error": er}]
    df = pd.DataFrame(rows)
    colour = alt.Color("method:N", title=None,
                       legend=alt.Legend(orient="bottom", direction="vertical", labelLimit=320))
    tips = [alt.Tooltip("size"), alt.Tooltip("method"), alt.Tooltip("seconds:Q", format=".4f"),
            alt.Tooltip("error:Q", format=".4%")]
    base = alt.Chart(df).encode(x=alt.X("m:Q", title="rows m (columns ≈ ¾ m)"), color=colour, tooltip=tips)
    times = base.mark_line(point=True).encode(
        y=alt.Y("seconds:Q", scale=alt.Scale(type="log"), title="seconds (log scale)"),
    ).properties(title="Time", height=height)
    errors = base.mark_line(point=True, strokeDash=[1, 0]).encode(
        y=alt.Y("error:Q", axis=alt.Axis(format=".2%"), title=f"rank-{result.rank} error (relative)"),
        strokeDash=alt.StrokeDash("method:N", legend=None),
    ).properties(title="Error (exact = the optimum)", height=height)
    return times, errors, df
