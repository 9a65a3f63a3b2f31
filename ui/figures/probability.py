"""Charts of the Probability and Statistics explorer (chapter 4): densities over seeded samples, running means in
their funnel, the central limit theorem's histogram, QQ plot and KS rate, likelihood surfaces with the ascent's
path and 100 Wald intervals, prior → posterior, and estimators' bias, variance and MSE. Pure Altair and pandas.

Colours are Okabe–Ito (colour-blind safe) and mean the same thing on every tab: prior orange, likelihood sky
blue, posterior dark blue; simulated solid, exact dashed."""

from __future__ import annotations

import math

import altair as alt
import numpy as np
import pandas as pd

from core import probability as P
from ui.charts import PALETTE, Template, slot
from ui.figures import legend
from ui.raster import VIRIDIS, colour, png_url

PRIOR, LIKELIHOOD, POSTERIOR = "#E69F00", "#56B4E9", "#0072B2"
LOG_N = alt.Scale(type="log")


def _finite(df: pd.DataFrame) -> pd.DataFrame:
    return df.replace([np.inf, -np.inf], np.nan).dropna()


# ------------------------------------------------------------------------------------------ distributions


def density_chart(e: P.Explored, label: str) -> tuple[alt.LayerChart, pd.DataFrame]:
    """The density (pmf: stems) over the sample's histogram on the density scale."""
    h = e.histogram
    bars = pd.DataFrame({"from": h.edges[:-1], "to": h.edges[1:], "density": h.density, "count": h.counts})
    hist = alt.Chart(bars).mark_rect(color="#bbbbbb", opacity=0.8).encode(
        x=alt.X("from:Q", title="x"), x2=alt.X2("to:Q"), y=alt.Y("density:Q", title="density" if not e.discrete else
                                                          "probability"), y2=alt.datum(0),
        tooltip=[alt.Tooltip("from:Q", format=".3g"), alt.Tooltip("to:Q", format=".3g"), alt.Tooltip("count:Q")])
    curve = pd.DataFrame({"x": e.x, "p": e.pdf})
    if e.discrete:
        exact = alt.Chart(curve).mark_point(filled=True, size=40, color=PALETTE[0], opacity=1).encode(
            x=alt.X("x:Q"), y=alt.Y("p:Q"),
            tooltip=[alt.Tooltip("x:Q"), alt.Tooltip("p:Q", format=".4g", title="P(X = x)")])
    else:
        exact = alt.Chart(_finite(curve)).mark_line(color=PALETTE[0], strokeWidth=2.5).encode(
            x=alt.X("x:Q"), y=alt.Y("p:Q"),
            tooltip=[alt.Tooltip("x:Q", format=".3g"), alt.Tooltip("p:Q", format=".4g")])
    title = alt.Title(f"{label}: the {'pmf' if e.discrete else 'density'} over {len(e.sample):,} draws",
                      subtitle="blue: exact; grey: the seeded sample's histogram")
    return alt.layer(hist, exact).properties(title=title, height=260), curve


def cdf_chart(e: P.Explored) -> tuple[alt.Chart, pd.DataFrame]:
    s = np.sort(e.sample)
    emp = pd.DataFrame({"x": s, "F": np.arange(1, len(s) + 1) / len(s)}).iloc[:: max(1, len(s) // 400)]
    exact = pd.DataFrame({"x": e.x, "F": e.cdf})
    lines = pd.concat([exact.assign(curve="exact F(x)"), emp.assign(curve="the sample's")], ignore_index=True)
    lo, hi = float(e.x[0]), float(e.x[-1])
    lines = lines[(lines["x"] >= lo) & (lines["x"] <= hi)]
    chart = alt.Chart(_finite(lines)).mark_line(interpolate="step-after" if e.discrete else "linear",
                                                clip=True).encode(
        x=alt.X("x:Q", scale=alt.Scale(domain=[lo, hi], nice=False)), y=alt.Y("F:Q", title="P(X ≤ x)"),
        color=alt.Color("curve:N", scale=alt.Scale(domain=["exact F(x)", "the sample's"],
                                                   range=[PALETTE[0], "#888888"]),
                        legend=legend(title=None, orient="top")))
    return chart.properties(title="The cumulative distribution", height=200), lines


# ------------------------------------------------------------------------------------------ limits


def _build_lln(funnel: bool) -> alt.LayerChart:
    paths = alt.Chart(alt.NamedData(name="paths")).mark_line(strokeWidth=1, opacity=0.55, color=PALETTE[0],
                                                              clip=True).encode(
        x=alt.X("n:Q", scale=LOG_N, title="n (draws so far)"), y=alt.Y("mean:Q", title="running mean X̄ₙ"),
        detail=alt.Detail("path:N"))
    layers = [paths]
    if funnel:
        layers.insert(0, alt.Chart(alt.NamedData(name="band")).mark_area(opacity=0.18, color=PALETTE[1]).encode(
            x=alt.X("n:Q", scale=LOG_N), y=alt.Y("lo:Q"), y2=alt.Y2("hi:Q")))
    layers.append(alt.Chart(alt.NamedData(name="centre")).mark_rule(color="black", strokeDash=[5, 3]).encode(
        y=alt.Y("c:Q")))
    return alt.layer(*layers).properties(title=alt.Title(slot("title"), subtitle=slot("subtitle")), height=280)


def lln_chart(lln: P.LawOfLargeNumbers) -> tuple[Template, pd.DataFrame]:
    """Running means of the shown paths (log n), the centre, and the band centre ± σ/√n when σ exists."""
    k = len(lln.steps)
    df = _finite(pd.DataFrame({"n": np.tile(lln.steps, len(lln.means)), "mean": lln.means.ravel(),
                               "path": np.repeat(np.arange(len(lln.means)), k)}))
    funnel = bool(np.isfinite(lln.funnel).any())
    data = {"paths": df, "centre": pd.DataFrame({"c": [lln.centre]})}
    if funnel:
        data["band"] = _finite(pd.DataFrame({"n": lln.steps, "lo": lln.centre - lln.funnel,
                                             "hi": lln.centre + lln.funnel}))
    fill = {"title": f"{len(lln.means)} of {lln.paths:,} sample paths",
            "subtitle": f"dashed: the {lln.centre_kind}; orange band: {lln.centre_kind} ± σ/√n" if funnel
            else f"dashed: the {lln.centre_kind}; no σ, no funnel"}
    return Template(_build_lln, (funnel,), data, fill), df


_OUTSIDE = ["measured", "Chebyshev's bound"]


def _build_outside() -> alt.Chart:
    return alt.Chart(alt.NamedData(name="lines")).mark_line(clip=True).encode(
        x=alt.X("n:Q", scale=LOG_N, title="n"), y=alt.Y("value:Q", title=slot("axis"), scale=alt.Scale(domain=[0, 1])),
        color=alt.Color("curve:N", scale=alt.Scale(domain=_OUTSIDE, range=[PALETTE[0], "#888888"]),
                        legend=legend(title=None, orient="top")),
        strokeDash=alt.StrokeDash("curve:N", scale=alt.Scale(domain=_OUTSIDE, range=[[1, 0], [5, 3]]), legend=None),
    ).properties(title=slot("title"), height=220)


def outside_chart(lln: P.LawOfLargeNumbers) -> tuple[Template, pd.DataFrame]:
    lines = _finite(pd.concat([pd.DataFrame({"n": lln.steps, "value": lln.outside, "curve": "measured"}),
                               pd.DataFrame({"n": lln.steps, "value": lln.chebyshev, "curve": "Chebyshev's bound"})],
                              ignore_index=True))
    return Template(_build_outside, (), {"lines": lines},
                    {"title": f"Paths outside ±{lln.eps:g}, over all {lln.paths:,}",
                     "axis": f"share with |X̄ₙ − centre| > {lln.eps:g}"}), lines


def _build_clt() -> alt.LayerChart:
    hist = alt.Chart(alt.NamedData(name="bars")).mark_rect(color="#bbbbbb").encode(
        x=alt.X("from:Q", title="standardised mean Zₙ", scale=alt.Scale(domain=[-4, 4])), x2=alt.X2("to:Q"),
        y=alt.Y("density:Q"), y2=alt.datum(0))
    normal = alt.Chart(alt.NamedData(name="normal")).mark_line(color=PALETTE[0], strokeWidth=2.5).encode(
        x=alt.X("z:Q"), y=alt.Y("p:Q"))
    return alt.layer(hist, normal).properties(title=alt.Title(slot("title"), subtitle=slot("subtitle")), height=240)


def clt_chart(c: P.CentralLimit) -> tuple[Template, pd.DataFrame]:
    h = c.histogram
    bars = pd.DataFrame({"from": h.edges[:-1], "to": h.edges[1:], "density": h.density})
    return Template(_build_clt, (), {"bars": bars, "normal": pd.DataFrame({"z": c.x, "p": c.normal_pdf})},
                    {"title": f"Means of n = {c.n} draws, standardised",
                     "subtitle": f"blue: N(0, 1); KS distance {c.ks:.3f}"}), bars


def _build_qq() -> alt.LayerChart:
    lim = alt.Scale(domain=[-4, 4])
    pts = alt.Chart(alt.NamedData(name="qq")).mark_circle(size=18, color=PALETTE[0], clip=True).encode(
        x=alt.X("normal:Q", scale=lim, title="N(0, 1) quantile"), y=alt.Y("sample:Q", scale=lim, title="Zₙ quantile"))
    diag = alt.Chart(alt.NamedData(name="diagonal")).mark_line(color="#888", strokeDash=[4, 3]).encode(
        x=alt.X("a:Q"), y=alt.Y("b:Q"))
    return alt.layer(diag, pts).properties(title="QQ plot: on the line = normal", width=240, height=240)


def qq_chart(c: P.CentralLimit) -> tuple[Template, pd.DataFrame]:
    df = pd.DataFrame({"normal": c.qq_theory, "sample": c.qq_sample})
    return Template(_build_qq, (), {"qq": df, "diagonal": pd.DataFrame({"a": [-4, 4], "b": [-4, 4]})}), df


def _build_ks() -> alt.LayerChart:
    pts = alt.Chart(alt.NamedData(name="ks")).mark_line(point=True, color=PALETTE[0]).encode(
        x=alt.X("n:Q", scale=LOG_N), y=alt.Y("KS:Q", scale=alt.Scale(type="log"), title="KS distance to N(0, 1)"),
        tooltip=[alt.Tooltip("n:Q"), alt.Tooltip("KS:Q", format=".4f")])
    berry = alt.Chart(alt.NamedData(name="rate")).mark_line(color="#888", strokeDash=[5, 3]).encode(
        x=alt.X("n:Q"), y=alt.Y("KS:Q"))
    floor = alt.Chart(alt.NamedData(name="floor")).mark_rule(color=PALETTE[3], strokeDash=[2, 2]).encode(
        y=alt.Y("f:Q"))
    here = alt.Chart(alt.NamedData(name="here")).mark_rule(color="#000", opacity=0.3).encode(x=alt.X("n:Q"))
    return alt.layer(pts, berry, floor, here).properties(
        title=alt.Title(slot("title"), subtitle="grey dashed: slope −½ (Berry–Esseen); red dotted: the simulation's "
                                                "noise floor"), height=240)


def ks_chart(k: P.KSCurve, n: int) -> tuple[Template, pd.DataFrame]:
    df = pd.DataFrame({"n": k.ns, "KS": k.distance, "fitted": k.fitted})
    rate = pd.DataFrame({"n": k.ns, "KS": float(k.distance[0]) * (k.ns / k.ns[0]) ** -0.5})
    slope = f"{k.slope:.2f}" if math.isfinite(k.slope) else "—"
    return Template(_build_ks, (), {"ks": df, "rate": rate, "floor": pd.DataFrame({"f": [k.floor]}),
                                    "here": pd.DataFrame({"n": [n]})},
                    {"title": f"The KS distance against n: fitted slope {slope}"}), df


# ------------------------------------------------------------------------------------------ likelihood


def _build_curve(name: str) -> alt.LayerChart:
    line = alt.Chart(alt.NamedData(name="curve")).mark_line(color=PALETTE[0]).encode(
        x=alt.X("θ:Q", title=name), y=alt.Y("ℓ:Q", title="log-likelihood ℓ", scale=alt.Scale(zero=False)))
    dot = alt.Chart(alt.NamedData(name="top")).mark_point(size=120, filled=True, color=PALETTE[3], opacity=1).encode(
        x=alt.X("θ:Q"), y=alt.Y("ℓ:Q"))
    return alt.layer(line, dot).properties(title=f"ℓ({name}) and the MLE", height=260)


def _build_surface(a: str, b: str, size: int) -> alt.LayerChart:
    sx = alt.Scale(domain=[slot("x")], nice=False, zero=False)
    sy = alt.Scale(domain=[slot("y")], nice=False, zero=False)
    picture = alt.Chart(alt.NamedData(name="picture")).mark_image(aspect=False, smooth=False).encode(
        x=alt.X("x0:Q", scale=sx, title=a), x2=alt.X2("x1:Q"), y=alt.Y("y0:Q", scale=sy, title=b), y2=alt.Y2("y1:Q"),
        url=alt.Url("url:N"))
    walk = alt.Chart(alt.NamedData(name="path")).mark_line(
        color="white", strokeWidth=1.5, point=alt.OverlayMarkDef(size=10, color="white"), clip=True).encode(
        x=alt.X(f"{a}:Q", scale=sx), y=alt.Y(f"{b}:Q", scale=sy), order=alt.Order("step:Q"))
    top = alt.Chart(alt.NamedData(name="top")).mark_point(size=160, shape="cross", filled=True, color=PALETTE[3],
                                                          opacity=1).encode(x=alt.X(f"{a}:Q", scale=sx),
                                                                            y=alt.Y(f"{b}:Q", scale=sy))
    ramp = alt.Chart(alt.NamedData(name="ramp")).mark_point(opacity=0).encode(
        color=alt.Color("v:Q", scale=alt.Scale(range=list(VIRIDIS), interpolate="rgb", domain=[slot("levels")]),
                        legend=legend(title="ℓ", orient="bottom", direction="horizontal", gradientLength=200)))
    title = alt.Title("The log-likelihood and the ascent", subtitle=slot("subtitle"))
    return alt.layer(picture, ramp, walk, top).properties(title=title, width=size, height=size)


def surface_chart(f: P.Fit, size: int = 270) -> tuple[Template, pd.DataFrame]:
    """ℓ over two parameters as a picture (viridis, bright = high), the ascent's path and the MLE; one parameter:
    the curve ℓ(θ) with the path's points on it (Templates: a model change sends data, not a new chart)."""
    path = pd.DataFrame(f.path, columns=list(f.names)[: f.path.shape[1]]).assign(step=np.arange(len(f.path)))
    if f.grid_y is None:
        curve = _finite(pd.DataFrame({"θ": f.grid_x, "ℓ": f.surface}))
        return Template(_build_curve, (f.names[0],), {"curve": curve, "top": pd.DataFrame(
            {"θ": [f.mle[0]], "ℓ": [f.loglik]})}), curve
    S = f.surface
    finite = S[np.isfinite(S)]
    lo = float(np.quantile(finite, 0.3)) if finite.size else 0.0
    hi = float(finite.max()) if finite.size else 1.0
    gx, gy = f.grid_x, f.grid_y
    picture = pd.DataFrame({"x0": [gx[0]], "x1": [gx[-1]], "y0": [gy[0]], "y1": [gy[-1]],
                            "url": [png_url(colour(np.clip(S, lo, None)[::-1], (lo, hi)))]})
    a, b = f.names[0], f.names[1]
    return Template(_build_surface, (a, b, size), {
        "picture": picture, "path": path, "top": pd.DataFrame({a: [f.mle[0]], b: [f.mle[1]]}),
        "ramp": pd.DataFrame({"v": [lo]})}, {
        "x": [float(gx[0]), float(gx[-1])], "y": [float(gy[0]), float(gy[-1])], "levels": [lo, hi],
        "subtitle": f"white: {f.adam_steps} Adam steps then {f.newton_steps} Newton; red cross: the MLE"}), path


def data_chart(x: np.ndarray, label: str) -> tuple[alt.Chart, pd.DataFrame]:
    counts, edges = np.histogram(x, 30)
    bars = pd.DataFrame({"from": edges[:-1], "to": edges[1:], "count": counts})
    return alt.Chart(bars).mark_rect(color="#bbbbbb").encode(
        x=alt.X("from:Q", title=label, scale=alt.Scale(zero=False)), x2=alt.X2("to:Q"), y=alt.Y("count:Q"),
        y2=alt.datum(0)).properties(title="The data", height=240), bars


def _build_data_fit(label: str, discrete: bool) -> alt.LayerChart:
    hist = alt.Chart(alt.NamedData(name="bars")).mark_rect(color="#bbbbbb").encode(
        x=alt.X("from:Q", title=label, scale=alt.Scale(zero=False)), x2=alt.X2("to:Q"), y=alt.Y("density:Q"),
        y2=alt.datum(0))
    fit = alt.Chart(alt.NamedData(name="curve"))
    fitted = (fit.mark_point(filled=True, color=PALETTE[3], size=30, opacity=1) if discrete else
              fit.mark_line(color=PALETTE[3], strokeWidth=2.5)).encode(x=alt.X("x:Q"), y=alt.Y("p:Q"))
    return alt.layer(hist, fitted).properties(title="The data and the fitted model", height=260)


def data_fit_chart(x: np.ndarray, f: P.Fit, label: str) -> tuple[Template, pd.DataFrame]:
    discrete = f.model == "poisson"
    lo, hi = float(np.min(x)), float(np.max(x))
    edges = np.arange(math.floor(lo) - 0.5, math.ceil(hi) + 1.5) if discrete else np.linspace(lo, hi, 31)
    counts, edges = np.histogram(x, edges)
    bars = pd.DataFrame({"from": edges[:-1], "to": edges[1:], "density": counts / (len(x) * np.diff(edges))})
    fam = P.likelihood.FAMILY_KEYS[f.model]
    params = dict(zip(fam, (float(v) for v in f.mle), strict=True))
    grid = np.arange(max(0, math.floor(lo)), math.ceil(hi) + 1) if discrete else np.linspace(lo, hi, 300)
    import torch

    dens = P.families.pdf_t(f.model, params, torch.as_tensor(grid, dtype=torch.float64)).numpy()
    return Template(_build_data_fit, (label, discrete), {"bars": bars, "curve": pd.DataFrame({"x": grid, "p": dens})}
                    ), bars


def _build_intervals(name: str) -> alt.LayerChart:
    scale = alt.Scale(domain=["yes", "no"], range=[PALETTE[0], PALETTE[3]])
    bars = alt.Chart(alt.NamedData(name="intervals")).mark_rule(strokeWidth=2).encode(
        x=alt.X("sample:Q", title="repeated sample"), y=alt.Y("lo:Q", title=name, scale=alt.Scale(zero=False)),
        y2=alt.Y2("hi:Q"), color=alt.Color("holds the truth:N", scale=scale, legend=legend(orient="top")))
    truth = alt.Chart(alt.NamedData(name="truth")).mark_rule(color="black", strokeDash=[5, 3]).encode(y=alt.Y("t:Q"))
    return alt.layer(bars, truth).properties(title=alt.Title(slot("title"), subtitle=slot("subtitle")), height=240)


def intervals_chart(cov: P.Coverage, which: int = 0, shown: int = 100) -> tuple[Template, pd.DataFrame]:
    k = min(shown, len(cov.lower))
    df = pd.DataFrame({"sample": np.arange(1, k + 1), "lo": cov.lower[:k, which], "hi": cov.upper[:k, which],
                       "estimate": cov.estimates[:k, which],
                       "holds the truth": np.where(cov.covered[:k, which], "yes", "no")})
    held = int(cov.covered[:k, which].sum())
    return Template(_build_intervals, (cov.names[which],), {"intervals": df, "truth": pd.DataFrame(
        {"t": [cov.truth[which]]})}, {"title": f"{held} of these {k} intervals hold the truth",
                                      "subtitle": f"all {len(cov.lower):,}: {cov.coverage[which]:.1%} "
                                                  f"(± {cov.margin:.1%}); dashed: the true {cov.names[which]}"}), df


# ------------------------------------------------------------------------------------------ Bayes


_CURVES = ["prior", "likelihood (scaled)", "posterior"]


def _build_posterior(axis: str) -> alt.LayerChart:
    chart = alt.Chart(alt.NamedData(name="curves")).mark_line(strokeWidth=2.5, clip=True).encode(
        x=alt.X("θ:Q", title=axis), y=alt.Y("density:Q", title="density"),
        color=alt.Color("curve:N", scale=alt.Scale(domain=_CURVES, range=[PRIOR, LIKELIHOOD, POSTERIOR]),
                        legend=legend(title=None, orient="top")),
        strokeDash=alt.StrokeDash("curve:N", scale=alt.Scale(domain=_CURVES, range=[[6, 3], [2, 2], [1, 0]]),
                                  legend=None))
    band = alt.Chart(alt.NamedData(name="band")).mark_rect(opacity=0.12, color=POSTERIOR).encode(
        x=alt.X("lo:Q"), x2=alt.X2("hi:Q"))
    return alt.layer(band, chart).properties(title=alt.Title(slot("title"), subtitle=slot("subtitle")), height=260)


def posterior_chart(u: P.Updating, k: int) -> tuple[Template, pd.DataFrame]:
    """Prior, likelihood (scaled to the posterior's height) and posterior after k observations (a Template: moving
    k swaps the curves only)."""
    theta = u.theta
    prior, post = u.densities[0], u.densities[k]
    with np.errstate(divide="ignore", invalid="ignore"):
        like = post / np.where(prior > 0, prior, np.nan) if k else np.full_like(theta, np.nan)
    if np.isfinite(like).any():
        like = like / np.nanmax(like) * np.nanmax(post)
    df = pd.concat([pd.DataFrame({"θ": theta, "density": prior, "curve": "prior"}),
                    pd.DataFrame({"θ": theta, "density": like, "curve": "likelihood (scaled)"}),
                    pd.DataFrame({"θ": theta, "density": post, "curve": "posterior"})], ignore_index=True)
    df = _finite(df)
    band = pd.DataFrame({"lo": [u.lower[k]], "hi": [u.upper[k]]})
    fill = {"title": f"Prior → posterior after {k} observation{'s' if k != 1 else ''}",
            "subtitle": f"shaded: the {u.level:.0%} credible interval"}
    axis = "p" if u.model == "beta_bernoulli" else "μ"
    return Template(_build_posterior, (axis,), {"curves": df, "band": band}, fill), df


_ESTIMATES = ["posterior mean", "MAP", "MLE"]


def _build_estimates() -> alt.LayerChart:
    band = alt.Chart(alt.NamedData(name="band")).mark_area(opacity=0.15, color=POSTERIOR).encode(
        x=alt.X("k:Q", title="observations seen"), y=alt.Y("lo:Q"), y2=alt.Y2("hi:Q"))
    lines = alt.Chart(alt.NamedData(name="lines")).mark_line(clip=True).encode(
        x=alt.X("k:Q"), y=alt.Y("value:Q", title="estimate"),
        color=alt.Color("estimate:N", scale=alt.Scale(domain=_ESTIMATES, range=[POSTERIOR, PALETTE[2], "#000000"]),
                        legend=legend(title=None, orient="top")),
        strokeDash=alt.StrokeDash("estimate:N", scale=alt.Scale(domain=_ESTIMATES,
                                                                range=[[1, 0], [4, 2], [2, 2]]), legend=None))
    here = alt.Chart(alt.NamedData(name="here")).mark_rule(color="#000", opacity=0.3).encode(x=alt.X("k:Q"))
    return alt.layer(band, lines, here).properties(title="Estimates as the data arrive", height=220)


def estimates_chart(u: P.Updating, k: int) -> tuple[Template, pd.DataFrame]:
    steps = np.arange(len(u.posterior_mean))
    df = _finite(pd.concat([pd.DataFrame({"k": steps, "value": u.posterior_mean, "estimate": "posterior mean"}),
                            pd.DataFrame({"k": steps, "value": u.map, "estimate": "MAP"}),
                            pd.DataFrame({"k": steps, "value": u.mle, "estimate": "MLE"})], ignore_index=True))
    band = pd.DataFrame({"k": steps, "lo": u.lower, "hi": u.upper})
    return Template(_build_estimates, (), {"band": band, "lines": df, "here": pd.DataFrame({"k": [k]})}), df


def _build_sensitivity(rows: int) -> alt.Chart:
    return alt.Chart(alt.NamedData(name="priors")).mark_point(filled=True, size=90, color=POSTERIOR, opacity=1).encode(
        x=alt.X("posterior mean:Q", scale=alt.Scale(zero=False)),
        y=alt.Y("prior:N", title=None, sort=None, axis=alt.Axis(labelLimit=300)),
    ).properties(title=slot("title"), height=25 * rows + 20)


def sensitivity_chart(u: P.Updating, k: int) -> tuple[Template, pd.DataFrame]:
    df = pd.DataFrame({"prior": list(u.prior_labels), "posterior mean": u.sensitivity[:, k]})
    return Template(_build_sensitivity, (len(df),), {"priors": df},
                    {"title": f"Prior sensitivity after {k} observations"}), df


# ------------------------------------------------------------------------------------------ estimators


_WHAT = {"bias": "Bias", "variance": "Variance", "mse": "Mean squared error"}


def _build_estimator(what: str) -> alt.Chart:
    return alt.Chart(alt.NamedData(name="curves")).mark_line(point=alt.OverlayMarkDef(size=20)).encode(
        x=alt.X("n:Q", scale=LOG_N, title="sample size n"),
        y=alt.Y("value:Q", title={"bias": "bias", "variance": "variance", "mse": "MSE = variance + bias²"}[what],
                scale=alt.Scale(type="symlog") if what == "mse" else alt.Scale(zero=what != "bias")),
        color=alt.Color("estimator:N", scale=alt.Scale(domain=[slot("labels")], range=[slot("colours")]),
                        legend=legend(title=None, orient="top", columns=1)),
        strokeDash=alt.StrokeDash("how:N", scale=alt.Scale(domain=["simulated", "exact"], range=[[1, 0], [5, 3]]),
                                  legend=legend(title=None, orient="top")),
        detail=alt.Detail("how:N"),
        tooltip=[alt.Tooltip("estimator:N"), alt.Tooltip("how:N"), alt.Tooltip("n:Q"),
                 alt.Tooltip("value:Q", format=".4g")]).properties(title=_WHAT[what], height=220)


def estimator_chart(s: P.Study, what: str) -> tuple[Template, pd.DataFrame]:
    """``what`` (bias, variance or mse) of each estimator against n: simulated solid, exact dashed."""
    rows = []
    for e in s.estimators:
        rows.append(pd.DataFrame({"n": s.ns, "value": getattr(e, what), "estimator": e.label, "how": "simulated"}))
        rows.append(pd.DataFrame({"n": s.ns, "value": getattr(e, f"exact_{what}"), "estimator": e.label,
                                  "how": "exact"}))
    df = _finite(pd.concat(rows, ignore_index=True))
    return Template(_build_estimator, (what,), {"curves": df}, _colours(s)), df


def _colours(s: P.Study) -> dict[str, list[str]]:
    """The estimators' labels and colours, filled into a structure built once for every study."""
    labels = [e.label for e in s.estimators]
    return {"labels": labels, "colours": PALETTE[: len(labels)]}


def _build_draws() -> alt.LayerChart:
    hist = alt.Chart(alt.NamedData(name="draws")).mark_bar(opacity=0.5, binSpacing=0).encode(
        x=alt.X("value:Q", bin=alt.Bin(maxbins=50), title=slot("axis")),
        y=alt.Y("count():Q", stack=None, title="samples"),
        color=alt.Color("estimator:N", scale=alt.Scale(domain=[slot("labels")], range=[slot("colours")]),
                        legend=legend(title=None, orient="top", columns=1)))
    truth = alt.Chart(alt.NamedData(name="truth")).mark_rule(color="black", strokeDash=[5, 3]).encode(x=alt.X("t:Q"))
    return alt.layer(hist, truth).properties(title=alt.Title(slot("title"), subtitle="dashed: the truth"),
                                             height=220)


def draws_chart(s: P.Study) -> tuple[Template, pd.DataFrame]:
    rows = [pd.DataFrame({"value": e.draws, "estimator": e.label}) for e in s.estimators]
    df = _finite(pd.concat(rows, ignore_index=True))
    return Template(_build_draws, (), {"draws": df, "truth": pd.DataFrame({"t": [s.truth]})},
                    {"title": f"Sampling distributions at n = {s.shown_n}", "axis": f"the estimate at n = {s.shown_n}",
                     **_colours(s)}), df


# ------------------------------------------------------------------------------------------ tables and words


def estimator_table(s: P.Study) -> pd.DataFrame:
    """Each estimator at the largest n: simulated against exact bias, variance and MSE."""
    i = len(s.ns) - 1
    return pd.DataFrame([{"estimator": e.label, "n": int(s.ns[i]),
                          "bias (simulated)": f"{e.bias[i]:.4g}", "bias (exact)": f"{e.exact_bias[i]:.4g}",
                          "variance (simulated)": f"{e.variance[i]:.4g}",
                          "variance (exact)": f"{e.exact_variance[i]:.4g}",
                          "MSE (simulated)": f"{e.mse[i]:.4g}", "MSE (exact)": f"{e.exact_mse[i]:.4g}"}
                         for e in s.estimators])


def distribution_notice(e: P.Explored, label: str) -> str:
    m = e.moments
    if not m.mean.defined:
        return (f"{m.mean.why}. The sample mean, {e.sample_mean:.4g}, is still a number, but another seed or "
                "another n gives a very different one: there is nothing for it to settle on.")
    gap = abs(e.sample_mean - m.mean.value)
    sd = math.sqrt(m.variance.value) if m.variance.defined else math.nan
    se = sd / math.sqrt(len(e.sample)) if math.isfinite(sd) else math.nan
    within = f", {gap / se:.1f} standard errors (σ/√n = {se:.3g})" if math.isfinite(se) and se > 0 else ""
    return (f"The sample mean of {len(e.sample):,} draws misses the exact mean {m.mean.value:.4g} by {gap:.3g}"
            f"{within}. Multiply n by 100 and the miss shrinks about 10×: the standard error falls as 1/√n.")


def lln_notice(lln: P.LawOfLargeNumbers, label: str) -> str:
    if lln.centre_kind != "mean":
        return (f"{label} has no mean: the running means jump whenever a huge draw arrives, at any n, and the share "
                f"of paths outside ±{lln.eps:g} does not fall ({lln.outside[0]:.0%} at n = 1, {lln.outside[-1]:.0%} "
                f"at n = {int(lln.steps[-1]):,}). The law of large numbers needs E|X| < ∞.")
    return (f"Every path drifts into the band ±σ/√n round the mean {lln.centre:.4g}, and the share of paths further "
            f"than {lln.eps:g} from it falls from {lln.outside[0]:.0%} at n = 1 to {lln.outside[-1]:.1%} at n = "
            f"{int(lln.steps[-1]):,}: the weak law of large numbers, P(|X̄ₙ − μ| > ε) → 0, seen over "
            f"{lln.paths:,} paths.")


def clt_notice(c: P.CentralLimit, k: P.KSCurve, label: str) -> str:
    slope = f"{k.slope:.2f}" if math.isfinite(k.slope) else "not measurable (too few points above the noise floor)"
    return (f"Whatever the parent, the standardised mean of n draws approaches N(0, 1) when σ is finite. At n = {c.n} "
            f"the KS distance is {c.ks:.3f}; across n its log–log slope is {slope}, against −½ for the Berry–Esseen "
            "rate (a skewed parent starts further away; a symmetric one can converge faster; Cauchy does not "
            "converge at all, its mean is Cauchy again).")


def mle_notice(f: P.Fit, cov: P.Coverage) -> str:
    k = int(cov.count[0])
    return (f"The ascent climbs ℓ to its top at {f.names[0]} = {f.mle[0]:.4g}; the curvature there, the observed "
            f"information, gives the standard error {f.se[0]:.2g}. Of {len(cov.lower):,} samples drawn from the fitted "
            f"model, {k:,} ({cov.coverage[0]:.1%}) had a 95 % interval θ̂ ± 1.96·SE that held the truth, within "
            f"{cov.margin:.1%} of the promised 95 %.")


def bayes_notice(u: P.Updating, k: int, truth: float) -> str:
    width0, width = u.upper[0] - u.lower[0], u.upper[k] - u.lower[k]
    return (f"After {k} observations the posterior mean is {u.posterior_mean[k]:.3g} (the truth: {truth:g}) and the "
            f"credible interval is {width / width0:.0%} as wide as the prior's. The posterior mean sits between the "
            "prior's and the MLE, weighted by how much each knows; with more data the priors in the strip agree. "
            "Updating one observation at a time gave the same posterior as all at once (to "
            f"{u.sequential_vs_batch:.0e}).")


def estimator_notice(s: P.Study) -> str:
    best = min(s.estimators, key=lambda e: e.mse[0])
    return (f"At n = {int(s.ns[0])} the smallest mean squared error ({best.mse[0]:.3g}) belongs to {best.label}, "
            "biased or not: MSE = variance + bias², and a little bias can buy a lot less variance. "
            "Solid: simulated; dashed: the exact formulas.")


TRY_THIS = [
    "Distributions: choose Cauchy and set the sample size to 100,000. The sample mean does not settle, and 5,358 "
    "draws fall outside the drawn window, which holds 94.7 % of the probability: the tails are that heavy.",
    "Law of large numbers: switch to Cauchy. No funnel, and the share of paths outside ±0.1 does not fall: 95 % at "
    "n = 1, 96.5 % at n = 1,000.",
    "Central limit theorem, Exponential: n = 1, then 5, then 30. The histogram loses its skew and the KS distance "
    "falls from 0.159 to 0.064 to 0.031; at n = 300 it is under the simulation's noise floor (0.019).",
    "Maximum likelihood: Iris petal length with a Normal model. The flowers' two clumps become one wide bell: the "
    "MLE fits the model you chose, not the data you hoped for.",
    "Bayesian updating, a coin: prior α = 2, β = 50 (mean 0.038) against a true p of 0.3. After 50 flips the "
    "posterior mean is only 0.147 while the MLE is 0.26: the prior counts like 52 earlier flips.",
    "Estimators, σ²: at n = 2 dividing by n (biased) has MSE 0.75 against 2 for dividing by n − 1 (exact values; "
    "the simulation agrees within a few %).",
]
