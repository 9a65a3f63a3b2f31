"""Charts of the Multivariate Calculus explorer (chapter 3): the function's map with its level curves and
gradient field, slices and Taylor models, the Jacobian's circle-to-ellipse picture, and the error curves of
finite differences. Pure Altair and pandas: no Streamlit.

Every chart that a slider redraws is a :class:`ui.charts.Template`: its structure is built once, the data
(and the titles, axis ranges and legend thresholds, as slots) change per move."""

from __future__ import annotations

import math

import altair as alt
import numpy as np
import pandas as pd

from core import calculus as C
from ui.charts import PALETTE, Template, slot
from ui.figures import legend
from ui.raster import colour, png_url

BANDS = 13  # colour bands of the map: 12 level curves between them
ARROWS = 15  # gradient arrows per side of the map
SIZE = 360  # px, the square maps


# ------------------------------------------------------------------------------------------ the map of f


def band_colours(n: int) -> list[str]:
    """``n`` colours evenly along :data:`ui.raster.VIRIDIS` (the picture's bands and the legend's)."""
    rgba = colour(np.linspace(0, 1, n)[None], (0.0, 1.0))[0]
    return [f"#{r:02x}{g:02x}{b:02x}" for r, g, b, _ in rgba]


def _band_picture(F: np.ndarray, levels: np.ndarray) -> str:
    """The grid as filled contour bands: each cell coloured by how many levels lie below its value (the legend's
    threshold scale, with the same colours), rows flipped so that y grows upwards; undefined cells clear."""
    n = len(levels) + 1
    index = np.searchsorted(levels, np.nan_to_num(F, nan=-np.inf), side="right").astype(float)
    index[np.isnan(F)] = np.nan
    shade = index / max(1, n - 1)
    return png_url(colour(shade[::-1], (0.0, 1.0)))


def _pieces(lines: list[tuple[float, np.ndarray]]) -> pd.DataFrame:
    """contourpy's NaN-separated level curves as rows with a piece number (one line each) and an order within it,
    built with numpy at once (a frame per piece cost ~20 ms a move)."""
    if not lines:
        return pd.DataFrame({"x": [], "y": [], "level": [], "piece": [], "order": []})
    pts = np.concatenate([np.vstack([p, np.full((1, 2), np.nan)]) for _, p in lines])
    level = np.concatenate([np.full(len(p) + 1, lv) for lv, p in lines])
    gap = ~np.isfinite(pts).all(1)
    piece = np.cumsum(gap)
    keep = ~gap
    pts, level, piece = pts[keep], level[keep], piece[keep]
    start = np.r_[0, np.flatnonzero(np.diff(piece)) + 1]
    order = np.arange(len(piece)) - np.repeat(start, np.diff(np.r_[start, len(piece)]))
    counts = np.bincount(piece)
    single = counts[piece] < 2  # a lone point draws no line
    return pd.DataFrame({"x": pts[~single, 0], "y": pts[~single, 1], "level": level[~single],
                         "piece": piece[~single], "order": order[~single]})


def _arrow_rows(x: np.ndarray, y: np.ndarray, dx: np.ndarray, dy: np.ndarray, length: float) -> pd.DataFrame:
    """Arrows of a fixed ``length`` along (dx, dy) from (x, y): a shaft (x, y → x2, y2) and the head's screen angle
    (Vega's ``angle`` turns a shape clockwise from pointing up; the map's two axes have the same scale)."""
    norm = np.hypot(dx, dy)
    with np.errstate(invalid="ignore", divide="ignore"):
        ux, uy = dx / norm, dy / norm
    ok = np.isfinite(ux) & np.isfinite(uy) & (norm > 0)
    return pd.DataFrame({"x": x[ok], "y": y[ok], "x2": x[ok] + length * ux[ok], "y2": y[ok] + length * uy[ok],
                         "angle": np.degrees(np.arctan2(ux[ok], uy[ok])), "size": norm[ok]})


def _build_map(with_tangent: bool, with_vectors: bool = True, with_legend: bool = False) -> alt.LayerChart:
    sx = alt.Scale(domain=[slot("xdomain")], nice=False, zero=False)
    sy = alt.Scale(domain=[slot("ydomain")], nice=False, zero=False)
    X, Y = alt.X("x:Q", scale=sx, title="x"), alt.Y("y:Q", scale=sy, title="y")
    picture = alt.Chart(alt.NamedData(name="picture")).mark_image(aspect=False, smooth=False).encode(
        x=alt.X("x0:Q", scale=sx, title="x"), x2=alt.X2("x1:Q"), y=alt.Y("y0:Q", scale=sy, title="y"),
        y2=alt.Y2("y1:Q"),
        url=alt.Url("url:N"))
    # the bands' legend: an invisible mark on a threshold scale with the picture's colours and the levels as cuts
    ramp = alt.Chart(alt.NamedData(name="ramp")).mark_point(opacity=0).encode(
        x=X, y=Y,
        color=alt.Color("f:Q", scale=alt.Scale(type="threshold", domain=[slot("levels")], range=[slot("colours")]),
                        legend=legend(title=slot("legend"), orient="right", format=".3~g", labelFontSize=10)
                        if with_legend else None))
    lines = alt.Chart(alt.NamedData(name="contours")).mark_line(color="white", strokeWidth=1, opacity=0.8,
                                                                clip=True).encode(
        x=X, y=Y, detail=alt.Detail("piece:N"), order=alt.Order("order:Q"),
        tooltip=[alt.Tooltip("level:Q", title="level f =", format=".4g")])
    shafts = alt.Chart(alt.NamedData(name="arrows")).mark_rule(color="#222", strokeWidth=1, opacity=0.55,
                                                               clip=True).encode(
        x=X, y=Y, x2=alt.X2("x2:Q"), y2=alt.Y2("y2:Q"),
        tooltip=[alt.Tooltip("x:Q", format=".2f"), alt.Tooltip("y:Q", format=".2f"),
                 alt.Tooltip("size:Q", title="‖∇f‖", format=".3g")])
    heads = alt.Chart(alt.NamedData(name="arrows")).mark_point(shape="triangle-up", filled=True, size=18,
                                                               color="#222", opacity=0.55, clip=True).encode(
        x=alt.X("x2:Q", scale=sx), y=alt.Y("y2:Q", scale=sy), angle=alt.Angle("angle:Q", scale=None))
    layers = [picture, ramp, lines, shafts, heads]
    if with_tangent:
        layers.append(alt.Chart(alt.NamedData(name="tangent")).mark_line(
            color="black", strokeDash=[5, 3], strokeWidth=1.5, clip=True).encode(x=X, y=Y))
    if not with_vectors:
        layers.append(alt.Chart(alt.NamedData(name="point")).mark_point(
            size=120, filled=True, fill="white", stroke="black", strokeWidth=2, opacity=1).encode(x=X, y=Y))
        return alt.layer(*layers).properties(title=alt.Title(slot("title"), subtitle=slot("subtitle")),
                                             width=SIZE, height=SIZE)
    vectors = alt.Chart(alt.NamedData(name="vectors"))
    vec_colour = alt.Color("what:N", scale=alt.Scale(domain=["∇f (steepest ascent)", "direction u"],
                                                     range=[PALETTE[1], PALETTE[0]]),
                           legend=legend(title=None, orient="bottom", direction="horizontal"))
    layers += [vectors.mark_rule(strokeWidth=3.5, clip=True).encode(x=X, y=Y, x2=alt.X2("x2:Q"), y2=alt.Y2("y2:Q"),
                                                                    color=vec_colour),
               vectors.mark_point(shape="triangle-up", filled=True, size=140, opacity=1, clip=True).encode(
                   x=alt.X("x2:Q", scale=sx), y=alt.Y("y2:Q", scale=sy), angle=alt.Angle("angle:Q", scale=None),
                   color=alt.Color("what:N", legend=None)),
               alt.Chart(alt.NamedData(name="point")).mark_point(
                   size=160, filled=True, fill="white", stroke="black", strokeWidth=2, opacity=1).encode(
                   x=X, y=Y, tooltip=[alt.Tooltip("x:Q", format=".3f"), alt.Tooltip("y:Q", format=".3f"),
                                      alt.Tooltip("f:Q", format=".5g")])]
    return alt.layer(*layers).properties(title=alt.Title(slot("title"), subtitle=slot("subtitle")),
                                         width=SIZE, height=SIZE)


def field_map(fld: C.Field, pt: C.Point, angle: float, title: str, subtitle: str,
              tangent: bool = True) -> tuple[Template, pd.DataFrame]:
    """f's map as filled bands between 12 level curves (at quantiles of its values on the map, so that steep and
    flat functions both show detail), the gradient's direction on a coarse grid (arrows of one length), the point
    with ∇f and the chosen direction u, and the level curve's tangent at the point (dashed, ⟂ ∇f)."""
    xs, ys = fld.xs, fld.ys
    span = float(xs[-1] - xs[0])
    levels = C.contour_levels(fld.F, BANDS - 1)
    lines = _pieces(C.contours(fld, levels))
    step = max(1, len(xs) // ARROWS)
    idx = np.arange(step // 2, len(xs), step)
    GX, GY = np.meshgrid(xs[idx], ys[idx])
    arrows = _arrow_rows(GX.ravel(), GY.ravel(), fld.gx[np.ix_(idx, idx)].ravel(), fld.gy[np.ix_(idx, idx)].ravel(),
                         0.7 * span / ARROWS)
    dx = span / (len(xs) - 1)
    picture = pd.DataFrame({"x0": [xs[0] - dx / 2], "x1": [xs[-1] + dx / 2], "y0": [ys[0] - dx / 2],
                            "y1": [ys[-1] + dx / 2], "url": [_band_picture(fld.F, levels)]})
    g = pt.grad_exact
    u = C.unit(angle)
    reach = 0.22 * span
    vec = []
    if pt.defined and np.linalg.norm(g) > 0:
        vec.append(("∇f (steepest ascent)", g[0], g[1]))
    vec.append(("direction u", u[0], u[1]))
    vectors = pd.concat([_arrow_rows(np.array([pt.x]), np.array([pt.y]), np.array([a]), np.array([b]), reach)
                         .assign(what=w) for w, a, b in vec], ignore_index=True)
    tangent_rows = pd.DataFrame({"x": [], "y": []})
    if tangent and pt.defined and np.linalg.norm(g) > 0:
        t = np.array([-g[1], g[0]]) / np.linalg.norm(g)
        tangent_rows = pd.DataFrame({"x": pt.x + np.array([-1, 1]) * 0.3 * span * t[0],
                                     "y": pt.y + np.array([-1, 1]) * 0.3 * span * t[1]})
    ramp = pd.DataFrame({"x": [xs[0]], "y": [ys[0]], "f": [float(levels[0]) if len(levels) else 0.0]})
    point_rows = pd.DataFrame({"x": [pt.x], "y": [pt.y], "f": [pt.value if np.isfinite(pt.value) else None]})
    data = {"picture": picture, "ramp": ramp, "contours": lines, "arrows": arrows, "tangent": tangent_rows,
            "vectors": vectors, "point": point_rows}
    cuts = [float(v) for v in levels] or [0.0]
    fill = {"title": title, "subtitle": subtitle, "xdomain": [float(xs[0]), float(xs[-1])],
            "ydomain": [float(ys[0]), float(ys[-1])], "levels": cuts,
            "colours": band_colours(len(cuts) + 1)}
    export = lines.rename(columns={"piece": "curve"})[["level", "curve", "x", "y"]]
    return Template(_build_map, (tangent, True, False), data, fill), export


# ------------------------------------------------------------------------------------------ slices and Taylor

MODEL_NAMES = {"f": "f along the line", "first": "1st order: tangent line", "second": "2nd order: + ½t²uᵀHu"}


def _build_slice(names: tuple[str, ...], height: int) -> alt.LayerChart:
    colours = {"f": "#000000", "first": PALETTE[0], "second": PALETTE[1]}
    dashes = {"f": [1, 0], "first": [6, 3], "second": [2, 2]}
    domain = [MODEL_NAMES[n] for n in names]
    curves = alt.Chart(alt.NamedData(name="curves")).mark_line(strokeWidth=2.2, clip=True).encode(
        x=alt.X("t:Q", title="t (distance from the point along u)"),
        y=alt.Y("value:Q", title="value", scale=alt.Scale(domain=[slot("ydomain")], zero=False, nice=False)),
        color=alt.Color("curve:N", scale=alt.Scale(domain=domain, range=[colours[n] for n in names]),
                        legend=legend(title=None, orient="top")),
        strokeDash=alt.StrokeDash("curve:N", scale=alt.Scale(domain=domain, range=[dashes[n] for n in names]),
                                  legend=None),
        tooltip=[alt.Tooltip("curve:N"), alt.Tooltip("t:Q", format=".3f"), alt.Tooltip("value:Q", format=".5g")])
    here = alt.Chart(alt.NamedData(name="here")).mark_point(size=90, filled=True, color="black", opacity=1).encode(
        x=alt.X("t:Q"), y=alt.Y("value:Q"))
    return alt.layer(curves, here).properties(title=alt.Title(slot("title"), subtitle=slot("subtitle")),
                                              height=height)


def slice_chart(sl: C.Slice, names: tuple[str, ...], title: str, subtitle: str,
                height: int = 260) -> tuple[Template, pd.DataFrame]:
    """f along p + t·u and its Taylor models (``names``: a subset of ``f``, ``first``, ``second``); the value axis
    follows f (a model far off the chart is cut, not allowed to flatten f's curve)."""
    cols = {"f": sl.f, "first": sl.first, "second": sl.second}
    df = pd.concat([pd.DataFrame({"t": sl.t, "value": cols[n], "curve": MODEL_NAMES[n]}) for n in names],
                   ignore_index=True)
    finite = sl.f[np.isfinite(sl.f)]
    if finite.size:
        lo, hi = float(finite.min()), float(finite.max())
        pad = 0.08 * (hi - lo) if hi > lo else max(1.0, abs(hi)) * 0.1
        ydomain = [lo - pad, hi + pad]
    else:
        ydomain = [-1.0, 1.0]
    mid = len(sl.t) // 2
    here = pd.DataFrame({"t": [0.0], "value": [float(sl.f[mid]) if np.isfinite(sl.f[mid]) else None]})
    df = df.replace([np.inf, -np.inf], np.nan)
    return Template(_build_slice, (tuple(names), height), {"curves": df, "here": here},
                    {"title": title, "subtitle": subtitle, "ydomain": ydomain}), df


def _build_taylor_errors() -> alt.LayerChart:
    lines = {"|f − T₁| (1st order)": PALETTE[0], "|f − T₂| (2nd order)": PALETTE[1],
             "slope 2 (h²)": "#999999", "slope 3 (h³)": "#555555"}
    scale = alt.Scale(domain=list(lines), range=list(lines.values()))
    dash = alt.Scale(domain=list(lines), range=[[1, 0], [1, 0], [5, 4], [2, 3]])
    return alt.Chart(alt.NamedData(name="errors")).mark_line(point=alt.OverlayMarkDef(size=16), clip=True).encode(
        x=alt.X("h:Q", scale=alt.Scale(type="log"), title="h (distance along u)", axis=alt.Axis(format="~e")),
        y=alt.Y("error:Q", scale=alt.Scale(type="log"), title="error", axis=alt.Axis(format="~e")),
        color=alt.Color("curve:N", scale=scale, legend=legend(title=None, orient="top", columns=2)),
        strokeDash=alt.StrokeDash("curve:N", scale=dash, legend=None),
        tooltip=[alt.Tooltip("curve:N"), alt.Tooltip("h:Q", format=".2e"), alt.Tooltip("error:Q", format=".2e")],
    ).properties(title=alt.Title(slot("title"), subtitle=slot("subtitle")), height=260)


def taylor_error_chart(te: C.TaylorErrors) -> tuple[Template, pd.DataFrame]:
    """The two models' errors against h on log–log axes with reference lines of slopes 2 and 3 through their
    largest-h errors (an error curve parallel to a reference has that order); errors at round-off level (below
    1e-15 of f) are left out: a log axis cannot show the zeros of an exact model."""
    rows = []
    for name, err in (("|f − T₁| (1st order)", te.first), ("|f − T₂| (2nd order)", te.second)):
        keep = np.isfinite(err) & (err > 1e-15)
        rows.append(pd.DataFrame({"h": te.h[keep], "error": err[keep], "curve": name}))
    for name, err, p in (("slope 2 (h²)", te.first, 2), ("slope 3 (h³)", te.second, 3)):
        if np.isfinite(err[0]) and err[0] > 1e-15:
            rows.append(pd.DataFrame({"h": te.h, "error": err[0] * (te.h / te.h[0]) ** p, "curve": name}))
    df = pd.concat(rows, ignore_index=True)
    df = df[df["error"] > 1e-300]

    def fitted(s: float) -> str:
        return f"{s:.2f}" if math.isfinite(s) else "—"

    return Template(_build_taylor_errors, (), {"errors": df},
                    {"title": "Taylor errors shrink like powers of h",
                     "subtitle": f"fitted slopes: 1st order {fitted(te.slope_first)}, 2nd order "
                                 f"{fitted(te.slope_second)}"}), df


# ------------------------------------------------------------------------------------------ Jacobian


def _build_plane(which: str) -> alt.LayerChart:
    sx = alt.Scale(domain=[slot("xdomain")], nice=False, zero=False)
    sy = alt.Scale(domain=[slot("ydomain")], nice=False, zero=False)
    names = {"domain": ("x", "y"), "image": ("u", "v")}[which]
    X, Y = alt.X("x:Q", scale=sx, title=names[0]), alt.Y("y:Q", scale=sy, title=names[1])
    kinds = {"grid": ("#bbbbbb", [1, 0], 1), "circle": ("#000000", [1, 0], 2.5),
             "image of the circle": ("#000000", [1, 0], 2.5),
             "linear map of the circle (ellipse)": (PALETTE[1], [6, 3], 2.5)}
    domain = ["circle"] if which == "domain" else ["image of the circle", "linear map of the circle (ellipse)"]
    curves = alt.Chart(alt.NamedData(name="curves")).mark_line(clip=True).encode(
        x=X, y=Y, detail=alt.Detail("piece:N"), order=alt.Order("order:Q"),
        color=alt.Color("kind:N", scale=alt.Scale(domain=["grid", *domain], range=[kinds[k][0] for k in
                                                                                     ["grid", *domain]]),
                        legend=legend(title=None, orient="bottom", direction="vertical")),
        strokeDash=alt.StrokeDash("kind:N", scale=alt.Scale(domain=["grid", *domain],
                                                            range=[kinds[k][1] for k in ["grid", *domain]]),
                                  legend=None),
        strokeWidth=alt.StrokeWidth("kind:N", scale=alt.Scale(domain=["grid", *domain],
                                                              range=[kinds[k][2] for k in ["grid", *domain]]),
                                    legend=None))
    layers = [curves]
    if which == "image":
        axes = alt.Chart(alt.NamedData(name="axes"))
        layers.append(axes.mark_rule(strokeWidth=2.5, color=PALETTE[0], clip=True).encode(
            x=X, y=Y, x2=alt.X2("x2:Q"), y2=alt.Y2("y2:Q"),
            tooltip=[alt.Tooltip("axis:N"), alt.Tooltip("length:Q", format=".4g")]))
        layers.append(axes.mark_text(dx=0, dy=-9, fontSize=12, color=PALETTE[0]).encode(
            x=alt.X("x2:Q", scale=sx), y=alt.Y("y2:Q", scale=sy), text=alt.Text("axis:N")))
    layers.append(alt.Chart(alt.NamedData(name="centre")).mark_point(size=60, filled=True, color="black",
                                                                     opacity=1).encode(x=X, y=Y))
    return alt.layer(*layers).properties(title=alt.Title(slot("title"), subtitle=slot("subtitle")),
                                         width=300, height=300)


def _square(points: np.ndarray, pad: float = 0.12) -> tuple[list[float], list[float]]:
    """Equal x and y ranges round the finite points (a circle must look round)."""
    pts = points[np.isfinite(points).all(1)]
    if not len(pts):
        return [-1.0, 1.0], [-1.0, 1.0]
    lo, hi = pts.min(0), pts.max(0)
    half = max(float((hi - lo).max()) / 2 * (1 + pad), 1e-9)
    mid = (lo + hi) / 2
    return [float(mid[0] - half), float(mid[0] + half)], [float(mid[1] - half), float(mid[1] + half)]


def _grid_lines(x: float, y: float, radius: float, count: int = 5, n: int = 41) -> list[np.ndarray]:
    ticks = np.linspace(-radius, radius, count)
    s = np.linspace(-radius, radius, n)
    return ([np.stack([np.full(n, x + t), y + s], 1) for t in ticks] +
            [np.stack([x + s, np.full(n, y + t)], 1) for t in ticks])


def _curve_rows(curves: list[tuple[str, np.ndarray]]) -> pd.DataFrame:
    return pd.concat([pd.DataFrame({"x": c[:, 0], "y": c[:, 1], "kind": k, "piece": i, "order": np.arange(len(c))})
                      for i, (k, c) in enumerate(curves)], ignore_index=True)


def map_planes(m: C.LocalMap, image_of, x: float, y: float, radius: float,
               names: tuple[str, str]) -> tuple[Template, Template, pd.DataFrame]:
    """The circle (and a grid) round p, and beside it their images under F and the circle's under the
    linearisation (an ellipse), with the ellipse's axes r·σ₁ u₁ and r·σ₂ u₂. ``image_of`` maps (m, 2) points."""
    grid = _grid_lines(x, y, radius)
    domain_curves = [("grid", g) for g in grid] + [("circle", m.circle)]
    image_curves = ([("grid", image_of(g)) for g in grid] + [("image of the circle", m.image),
                                                             ("linear map of the circle (ellipse)", m.linear)])
    left, right = _curve_rows(domain_curves), _curve_rows(image_curves)
    right = right.replace([np.inf, -np.inf], np.nan).dropna()
    xd, yd = _square(m.circle)
    xi, yi = _square(np.concatenate([m.linear, m.image[np.isfinite(m.image).all(1)]]))
    axes = pd.DataFrame({"x": [], "y": [], "x2": [], "y2": [], "axis": [], "length": []})
    if np.isfinite(m.singular_values).all():
        axes = pd.DataFrame({"x": [m.centre[0]] * 2, "y": [m.centre[1]] * 2,
                             "x2": m.centre[0] + radius * m.singular_values * m.U[0],
                             "y2": m.centre[1] + radius * m.singular_values * m.U[1],
                             "axis": ["r·σ₁", "r·σ₂"], "length": radius * m.singular_values})
    plane = Template(_build_plane, ("domain",), {"curves": left, "centre": pd.DataFrame({"x": [x], "y": [y]})},
                     {"title": "Near the point (x, y)", "subtitle": f"a circle of radius {radius:g}",
                      "xdomain": xd, "ydomain": yd})
    image = Template(_build_plane, ("image",),
                     {"curves": right, "axes": axes,
                      "centre": pd.DataFrame({"x": [m.centre[0]], "y": [m.centre[1]]})},
                     {"title": f"Its image under ({names[0]}, {names[1]})",
                      "subtitle": "the true image (black) and the Jacobian's ellipse (dashed)",
                      "xdomain": xi, "ydomain": yi})
    export = pd.concat([left.assign(plane="domain"), right.assign(plane="image")], ignore_index=True)
    return plane, image, export


def det_map(det: C.Field, x: float, y: float) -> tuple[Template, pd.DataFrame]:
    """det J over the map's domain as bands (negative: the map flips orientation), with its zero level (the fold)
    drawn bold where it exists."""
    F = det.F
    finite = F[np.isfinite(F)]
    lines = []
    if finite.size and finite.min() < 0 < finite.max():
        lines = C.contours(det, np.array([0.0]))
    levels = C.contour_levels(F, BANDS - 1)
    contours = _pieces(lines)
    xs, ys = det.xs, det.ys
    dx = float(xs[1] - xs[0])
    picture = pd.DataFrame({"x0": [xs[0] - dx / 2], "x1": [xs[-1] + dx / 2], "y0": [ys[0] - dx / 2],
                            "y1": [ys[-1] + dx / 2], "url": [_band_picture(F, levels)]})
    cuts = [float(v) for v in levels] or [0.0]
    data = {"picture": picture, "ramp": pd.DataFrame({"x": [xs[0]], "y": [ys[0]], "f": [cuts[0]]}),
            "contours": contours, "arrows": pd.DataFrame({"x": [], "y": [], "x2": [], "y2": [], "angle": [],
                                                          "size": []}),
            "point": pd.DataFrame({"x": [x], "y": [y]})}
    fill = {"title": "det J: where the map folds",
            "subtitle": "white: det J = 0 (the map is not locally invertible)" if lines else
                        "det J keeps one sign here: no fold in this window",
            "xdomain": [float(xs[0]), float(xs[-1])], "ydomain": [float(ys[0]), float(ys[-1])], "levels": cuts,
            "colours": band_colours(len(cuts) + 1)}
    X, Y = np.meshgrid(xs, ys)
    export = pd.DataFrame({"x": X.ravel(), "y": Y.ravel(), "det_J": F.ravel()})
    fill["legend"] = "det J between"
    return Template(_build_map, (False, False, True), data, fill), export


# ------------------------------------------------------------------------------------------ differences

METHOD_COLOURS = {"forward": PALETTE[0], "central": PALETTE[1], "complex": PALETTE[2]}


def _build_differences(methods: tuple[str, ...]) -> alt.LayerChart:
    names = [C.METHODS[m] for m in methods]
    colour_scale = alt.Scale(domain=names, range=[METHOD_COLOURS[m] for m in methods])
    lines = alt.Chart(alt.NamedData(name="errors")).mark_line(point=alt.OverlayMarkDef(size=12), clip=True).encode(
        x=alt.X("h:Q", scale=alt.Scale(type="log", reverse=True), title="step h (smaller to the right)",
                axis=alt.Axis(format="~e")),
        y=alt.Y("error:Q", scale=alt.Scale(type="log", domain=[1e-17, 10], clamp=True),
                title="error of the derivative", axis=alt.Axis(format="~e")),
        color=alt.Color("method:N", scale=colour_scale, legend=legend(title=None, orient="top", columns=1)),
        strokeDash=alt.StrokeDash("precision:N", scale=alt.Scale(domain=["float64", "float32"],
                                                                 range=[[1, 0], [5, 3]]),
                                  legend=legend(title=None, orient="top")),
        detail=alt.Detail("precision:N"),
        tooltip=[alt.Tooltip("method:N"), alt.Tooltip("precision:N"), alt.Tooltip("h:Q", format=".1e"),
                 alt.Tooltip("error:Q", format=".2e")])
    marks = alt.Chart(alt.NamedData(name="predicted")).mark_rule(strokeDash=[2, 2], strokeWidth=1.5).encode(
        x=alt.X("h:Q"), color=alt.Color("method:N", scale=colour_scale, legend=None),
        tooltip=[alt.Tooltip("label:N", title="predicted best h")])
    return alt.layer(lines, marks).properties(title=alt.Title(slot("title"), subtitle=slot("subtitle")), height=320)


def differences_chart(d: C.Differences, variable: str) -> tuple[Template, pd.DataFrame]:
    """Each method's error against h (float64 solid, float32 dashed; errors of 0 drawn at 1e-17, the axis floor),
    and the predicted best steps √ε and ∛ε (float64) as thin rules."""
    methods = tuple(m for m in C.METHODS if np.isfinite(d.errors[(m, "float64")]).any())
    rows = []
    for m in methods:
        for prec in ("float64", "float32"):
            err = d.errors[(m, prec)]
            rows.append(pd.DataFrame({"h": d.h, "error": np.maximum(err, 1e-17), "method": C.METHODS[m],
                                      "precision": prec}))
    df = pd.concat(rows, ignore_index=True).replace([np.inf, -np.inf], np.nan).dropna()
    predicted = pd.DataFrame([{"h": d.predicted[(m, "float64")], "method": C.METHODS[m],
                               "label": f"{C.METHODS[m].split(' ')[0]}: {d.predicted[(m, 'float64')]:.1e} (float64)"}
                              for m in methods if math.isfinite(d.predicted[(m, "float64")])])
    return Template(_build_differences, (methods,), {"errors": df, "predicted": predicted},
                    {"title": f"∂f/∂{variable}: truncation falls, round-off rises",
                     "subtitle": "dotted: the predicted best h in float64"}), df


# ------------------------------------------------------------------------------------------ tables and words


def _num(v: float, digits: int = 10) -> str:
    return f"{v:.{digits}g}" if np.isfinite(v) else "undefined"


def gradient_table(pt: C.Point) -> pd.DataFrame:
    """∇f three ways, with each one's largest difference from the exact value."""
    rows = []
    for how, g in (("exact (sympy, in float64)", pt.grad_exact), ("autograd (torch.autograd.grad)", pt.grad_autograd),
                   ("central differences, h = ∛ε·max(1, |x|)", pt.grad_fd)):
        rows.append({"how": how, "∂f/∂x": _num(g[0]), "∂f/∂y": _num(g[1]),
                     "largest difference from exact": f"{np.abs(g - pt.grad_exact).max():.1e}"})
    return pd.DataFrame(rows)


def hessian_table(pt: C.Point) -> pd.DataFrame:
    """The Hessian's eigenpairs: the curvature along each eigenvector."""
    return pd.DataFrame([{"eigenvalue λ": _num(pt.eigenvalues[i], 6),
                          "eigenvector": f"({pt.eigenvectors[0, i]:.3f}, {pt.eigenvectors[1, i]:.3f})",
                          "f curves": "up" if pt.eigenvalues[i] > 0 else "down" if pt.eigenvalues[i] < 0 else "—"}
                         for i in range(2)])


def gradient_notice(pt: C.Point, angle: float) -> str:
    g = pt.grad_exact
    norm = float(np.linalg.norm(g))
    if norm == 0:
        return (f"∇f = 0 at ({pt.x:g}, {pt.y:g}): every direction's slope ∇f·u is 0 here, a critical point. "
                "The Taylor tab's Hessian says which kind.")
    steepest = float(np.degrees(np.arctan2(g[1], g[0]))) % 360
    return (f"The arrow ∇f is perpendicular to the level curve through the point (dashed) and points uphill: turn u "
            f"to θ ≈ {steepest:.0f}° and ∇f·u reaches its largest value, ‖∇f‖ = {norm:.4g}; at θ = "
            f"{(steepest + 90) % 360:.0f}° or {(steepest + 270) % 360:.0f}° (along the level curve) it is 0, and "
            f"at {(steepest + 180) % 360:.0f}° it is −‖∇f‖, the direction gradient descent takes.")


def taylor_notice(pt: C.Point, te: C.TaylorErrors, crit: C.Point | None) -> str:
    first = "—" if not np.isfinite(te.slope_first) else f"{te.slope_first:.2f}"
    second = "—" if not np.isfinite(te.slope_second) else f"{te.slope_second:.2f}"
    orders = (f"Divide h by 10 and the tangent's error falls about 100× (fitted slope {first}: O(h²)), the quadratic "
              f"model's about 1000× (slope {second}: O(h³)), until round-off stops them.")
    if not np.isfinite(te.slope_second):
        orders = (f"The tangent's error falls like h² (fitted slope {first}); the quadratic model has no error "
                  "above round-off at all: along this line f is itself a quadratic.")
    verdicts = {"minimum": "both eigenvalues are positive: a minimum",
                "maximum": "both eigenvalues are negative: a maximum",
                "saddle": "the eigenvalues have opposite signs: a saddle (a minimum along one eigenvector, a maximum "
                          "along the other)",
                "degenerate": "an eigenvalue is 0: the second-derivative test cannot decide (x⁴ + y⁴ and x⁴ − y⁴ both "
                              "look like this)"}
    if pt.critical:
        return f"∇f = 0 here and {verdicts[pt.verdict]}. {orders}"
    found = (f" Newton's method on ∇f = 0 from here reaches ({crit.x:.4g}, {crit.y:.4g}), where "
             f"{verdicts[crit.verdict]}." if crit else
             " Newton's method on ∇f = 0 from here finds no critical point inside the window.")
    return f"∇f ≠ 0, so this is no critical point; near it the quadratic model is {pt.shape}.{found} {orders}"


def polygon_area(points: np.ndarray) -> float:
    """The shoelace area of a closed curve (NaN if any point is undefined)."""
    if not np.isfinite(points).all():
        return float("nan")
    x, y = points[:, 0], points[:, 1]
    return float(0.5 * abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))))


def mapper(u, v):
    """(m, 2) points ↦ their images under (u, v), in float64, NaN where undefined."""
    import torch

    from core import expr as E

    fu, fv = E.to_torch(u), E.to_torch(v)

    def image_of(points: np.ndarray) -> np.ndarray:
        X = torch.as_tensor(points[:, 0], dtype=torch.float64)
        Y = torch.as_tensor(points[:, 1], dtype=torch.float64)
        return np.stack([fu(X, Y).numpy(), fv(X, Y).numpy()], axis=1)

    return image_of


def jacobian_notice(m: C.LocalMap, radius: float, area: float) -> str:
    s1, s2 = m.singular_values
    flip = " and flips it over (det J < 0)" if m.det < 0 else ""
    if abs(m.det) < 1e-12 * max(1.0, s1):
        return (f"det J = 0 here: the map squashes the circle flat (σ₂ = {s2:.2g}), onto a segment; near this point "
                "it is not invertible. This is the fold drawn in white on the right.")
    return (f"Near the point the map acts like its Jacobian: it stretches the circle of radius {radius:g} into an "
            f"ellipse with semi-axes {radius * s1:.3g} and {radius * s2:.3g} (r·σ₁, r·σ₂){flip}, and multiplies "
            f"areas by |det J| = {abs(m.det):.4g}. The true image's area ratio is {area:.4g}: shrink r and the two "
            "agree better, since the map's error from its linearisation is O(r²).")


def differences_notice(d: C.Differences, var: str) -> str:
    fwd, cen = d.errors[("forward", "float64")], d.errors[("central", "float64")]
    text_ = (f"Forward differences are best at h ≈ {d.best[('forward', 'float64')]:.0e} (error "
             f"{np.nanmin(fwd):.0e}), central ones at h ≈ {d.best[('central', 'float64')]:.0e} (error "
             f"{np.nanmin(cen):.0e}), near the predicted √ε ≈ 1e-08 and ∛ε ≈ 6e-06: to the left truncation "
             "error (∝ h, ∝ h²) dominates, to the right round-off (∝ ε/h). In float32 (dashed) ε is 2⁻²³ and "
             "everything happens at much larger h.")
    cx = d.errors[("complex", "float64")]
    if np.isfinite(cx).any():
        low = float(np.nanmin(cx))
        reached = "the exact value to the last bit" if low == 0 else f"an error of {low:.0e}"
        text_ += (f" The complex step subtracts nothing, so round-off never grows: it reaches {reached} and stays "
                  "there, like autograd.")
    return text_


def leaf_table(rp) -> pd.DataFrame:
    """Every leaf's gradient from the stepper beside torch.autograd's on the same graph."""
    auto = rp.autograd.gradient
    return pd.DataFrame([{"leaf": name, "backprop (the stepper)": f"{g:.10g}",
                          "torch.autograd": f"{auto[name]:.10g}" if name in auto else "—",
                          "difference": f"{abs(g - auto[name]):.1e}" if name in auto else "—"}
                         for name, g in rp.backward.gradient.items()])


def backprop_notice(rp, what: str, costs) -> str:
    paths = f"{len(rp.backward.steps)} backward steps"
    reuse = ("Each node's adjoint is final before it sends: it has heard from every node that uses it, so a variable "
             "used twice adds two contributions, one per path.")
    c = costs[0]
    mode = (f" For the full Jacobian of R^{c.n} → R^{c.m}, forward mode needs {c.jvps} passes and reverse mode "
            f"{c.vjps}: a loss has one output and millions of weights, hence backpropagation.")
    who = "f" if what == "f" else "the loss"
    return (f"One sweep backwards ({paths}) gives ∂{who} for every leaf at once, equal to torch.autograd to "
            f"{rp.largest_difference:.0e}. {reuse}{mode}")


TRY_THIS = [
    "Taylor, Egg crate, point (1.5, 0): ∇f ≠ 0 there, so no verdict; Newton's method on ∇f = 0 from it lands on "
    "(1.571, 0), that is (π/2, 0), where both of the Hessian's eigenvalues are −1: a maximum.",
    "Gradient field, the default point: turn u to 50°. ∇f·u is almost 0 (−0.0043): u now runs along the dashed "
    "tangent of the level curve, perpendicular to ∇f.",
    "Taylor, Saddle x² − y², point (0, 0): a saddle; at θ = 0° uᵀHu = 2 (f curves up), at θ = 90° it is −2.",
    "Taylor, Flat bottom x⁴ + y⁴, point (0, 0): the Hessian is 0 and the verdict is degenerate, yet 0 is the minimum.",
    "Jacobian, Fold (x, y²): move y to 0. det J = 2y is 0 there: the circle's image folds flat onto a segment.",
    "Backprop graph, a small network: step back through it. Each weight's ∂L/∂w is final only after every node "
    "that uses it has sent its share.",
    "Backprop graph: n = 256 inputs, m = 1 output. Forward mode needs 256 passes for the Jacobian, reverse mode 1.",
    "Autograd vs differences: type relu(x) + y and put x at 0. gradcheck fails (autograd says 0, the central "
    "difference ½), and there is no complex step: relu is not complex-differentiable.",
]
