"""Charts of the Information Theory explorer (chapter 6): code lengths against surprisal, cross-entropy as entropy
plus KL, forward and reverse KL fits on their landscape, the training loss in bits, mutual-information estimators
against the exact value, and softmax temperature with reliability diagrams. Pure Altair and pandas.

Every chart is a :class:`ui.charts.Template` (its structure built once, its data sent per move), so sliders that
only change numbers cost no Altair work. Colours are Okabe–Ito: p grey or dark blue, q orange; the forward fit
blue, the reverse fits vermilion, the α fit green; exact values dashed."""

from __future__ import annotations

import math

import altair as alt
import numpy as np
import pandas as pd

from core.information import calibration as cal
from core.information import discrete as dis
from core.information import kl_fit as klf
from core.information import kl_fit_2d as k2
from core.information import likelihood as lik
from core.information import mutual as mi
from ui.charts import PALETTE, Template, slot
from ui.figures import legend
from ui.raster import VIRIDIS, colour, png_url

P_COLOUR, Q_COLOUR = PALETTE[0], PALETTE[1]
FORWARD, REVERSE, ALPHA = PALETTE[0], PALETTE[3], PALETTE[2]
LOG = alt.Scale(type="log")


def num(v: float) -> str:
    """Three decimals, without the sign of a value that rounds to zero ("-0.000")."""
    text = f"{v:.3f}"
    return "0.000" if text == "-0.000" else text


def _finite(values: np.ndarray) -> np.ndarray:
    return np.where(np.isfinite(values), values, np.nan)


# ------------------------------------------------------------------------------------------ entropy and codes


def _build_code(order: tuple[str, ...]) -> alt.LayerChart:
    x = alt.X("symbol:N", sort=list(order), title=None, axis=alt.Axis(labelAngle=0))
    bars = alt.Chart(alt.NamedData(name="code")).mark_bar(color=P_COLOUR, opacity=0.75).encode(
        x=x, y=alt.Y("length:Q", title="bits"),
        tooltip=[alt.Tooltip("symbol:N"), alt.Tooltip("p:Q", format=".4f"), alt.Tooltip("codeword:N"),
                 alt.Tooltip("length:Q"), alt.Tooltip("surprisal:Q", format=".3f", title="−log₂ p")])
    ticks = alt.Chart(alt.NamedData(name="code")).mark_tick(color=Q_COLOUR, thickness=3, size=18).encode(
        x=x, y=alt.Y("surprisal:Q"))
    return alt.layer(bars, ticks).properties(
        title=alt.Title(slot("title"), subtitle="bars: the Huffman codeword's length ℓ(x); orange ticks: −log₂ p(x)"),
        height=230)


def code_chart(code: dis.Code) -> tuple[Template, pd.DataFrame]:
    df = code_table(code)
    shown = df[df["p"] > 0]
    return Template(_build_code, (tuple(shown["symbol"]),), {"code": shown},
                    {"title": f"Average length {code.average_length:.3f} bits against H = {code.entropy:.3f} bits"}
                    ), df


def code_table(code: dis.Code) -> pd.DataFrame:
    return pd.DataFrame({"symbol": list(code.symbols), "p": code.p, "surprisal": _finite(code.surprisal),
                         "codeword": list(code.codewords), "length": code.lengths})


def code_notice(code: dis.Code, unit: str, entropy: float) -> str:
    gap = code.average_length - code.entropy
    return (f"The entropy is {entropy:.4g} {unit}: the fewest bits per symbol any code can average. Huffman's code "
            f"averages {code.average_length:.4g} bits, {gap:.3g} above H and, as it must, less than H + 1. A symbol "
            "of probability p gets about −log₂ p bits (the ticks); where p is a power of ½ the two agree exactly. "
            f"Kraft's sum Σ2^−ℓ is {code.kraft:.4g}: a prefix code can never exceed 1.")


# ------------------------------------------------------------------------------------------ cross-entropy and KL


def _build_pq(order: tuple[str, ...]) -> alt.Chart:
    scale = alt.Scale(domain=["p", "q"], range=[P_COLOUR, Q_COLOUR])
    return alt.Chart(alt.NamedData(name="pq")).mark_bar().encode(
        x=alt.X("symbol:N", sort=list(order), title=None, axis=alt.Axis(labelAngle=0)),
        xOffset=alt.XOffset("distribution:N", sort=["p", "q"]), y=alt.Y("probability:Q"),
        color=alt.Color("distribution:N", scale=scale, legend=legend(orient="top", title=None)),
        tooltip=[alt.Tooltip("symbol:N"), alt.Tooltip("distribution:N"), alt.Tooltip("probability:Q", format=".4f")]
    ).properties(title="p (the truth) and q (the model, the code)", height=220)


def pq_chart(d: dis.Divergences) -> tuple[Template, pd.DataFrame]:
    k = len(d.symbols)
    df = pd.DataFrame({"symbol": list(d.symbols) * 2, "distribution": ["p"] * k + ["q"] * k,
                       "probability": np.concatenate([d.p, d.q])})
    return Template(_build_pq, (tuple(d.symbols),), {"pq": df}), df


def _build_stack(unit: str) -> alt.Chart:
    scale = alt.Scale(domain=["H(p)", "KL(p‖q)"], range=[P_COLOUR, Q_COLOUR])
    return alt.Chart(alt.NamedData(name="stack")).mark_bar(height=34).encode(
        x=alt.X("from:Q", title=unit), x2=alt.X2("to:Q"), y=alt.Y("row:N", title=None),
        color=alt.Color("part:N", scale=scale, legend=legend(orient="top", title=None)),
        tooltip=[alt.Tooltip("part:N"), alt.Tooltip("size:Q", format=".4f")]
    ).properties(title=alt.Title(slot("title"), subtitle="coding p with q's code costs the extra KL(p‖q) per symbol"),
                 height=90)


def stack_chart(d: dis.Divergences) -> tuple[Template, pd.DataFrame]:
    """H(p, q) = H(p) + KL(p‖q) as one stacked bar (only when both are finite)."""
    df = pd.DataFrame({"row": ["H(p, q)", "H(p, q)"], "part": ["H(p)", "KL(p‖q)"],
                       "from": [0.0, d.entropy_p], "to": [d.entropy_p, d.cross_entropy],
                       "size": [d.entropy_p, d.kl_pq]})
    return Template(_build_stack, (d.unit,), {"stack": df},
                    {"title": f"H(p, q) = {d.cross_entropy:.4f} = H(p) {d.entropy_p:.4f} + KL(p‖q) {d.kl_pq:.4f} "
                              f"{d.unit}"}), df


def _build_terms(order: tuple[str, ...], unit: str) -> alt.Chart:
    scale = alt.Scale(domain=["KL(p‖q)", "KL(q‖p)"], range=[P_COLOUR, Q_COLOUR])
    return alt.Chart(alt.NamedData(name="terms")).mark_bar().encode(
        x=alt.X("symbol:N", sort=list(order), title=None, axis=alt.Axis(labelAngle=0)),
        xOffset=alt.XOffset("divergence:N", sort=["KL(p‖q)", "KL(q‖p)"]), y=alt.Y("term:Q", title=unit),
        color=alt.Color("divergence:N", scale=scale, legend=legend(orient="top", title=None)),
        tooltip=[alt.Tooltip("symbol:N"), alt.Tooltip("divergence:N"), alt.Tooltip("term:Q", format=".4f")]
    ).properties(title=alt.Title("Each symbol's share", subtitle=slot("subtitle")), height=220)


def terms_chart(d: dis.Divergences) -> tuple[Template, pd.DataFrame]:
    k = len(d.symbols)
    df = pd.DataFrame({"symbol": list(d.symbols) * 2, "divergence": ["KL(p‖q)"] * k + ["KL(q‖p)"] * k,
                       "term": _finite(np.concatenate([d.kl_pq_terms, d.kl_qp_terms]))})
    infinite = int((~np.isfinite(np.concatenate([d.kl_pq_terms, d.kl_qp_terms]))).sum())
    sub = "p log(p/q) and q log(q/p): a share can be negative, the sum cannot"
    if infinite:
        sub += f"; {infinite} infinite share(s) not drawn"
    return Template(_build_terms, (tuple(d.symbols), d.unit), {"terms": df}, {"subtitle": sub}), df


def divergence_notice(d: dis.Divergences) -> str:
    if not math.isfinite(d.kl_pq):
        return ("q gives probability 0 to a symbol that p says can happen: q's code has no codeword for it, so "
                "H(p, q) and KL(p‖q) are infinite. A model that calls a possible outcome impossible pays an infinite "
                f"log-loss the first time it happens. Jensen–Shannon stays finite ({d.js:.4g} {d.unit}): it compares "
                "each with their average.")
    return (f"KL(p‖q) = {d.kl_pq:.4g} and KL(q‖p) = {d.kl_qp:.4g} {d.unit}: KL is not symmetric, so it is not a "
            f"distance. It is never negative and is 0 only when q = p. Jensen–Shannon, {d.js:.4g} {d.unit}, is "
            "symmetric and at most 1 bit.")


# ------------------------------------------------------------------------------------------ forward vs reverse KL


def _build_fits(reverse: int) -> alt.LayerChart:
    kinds = ["p (the mixture)", "forward KL(p‖q)", "reverse KL(q‖p)", "α-divergence"]
    scale = alt.Scale(domain=kinds, range=["#999999", FORWARD, REVERSE, ALPHA])
    area = alt.Chart(alt.NamedData(name="p")).mark_area(opacity=0.35, color="#999999").encode(
        x=alt.X("x:Q", title="x"), y=alt.Y("density:Q", title="density"))
    lines = alt.Chart(alt.NamedData(name="q")).mark_line(strokeWidth=2.2).encode(
        x=alt.X("x:Q"), y=alt.Y("density:Q"), detail=alt.Detail("fit:N"),
        color=alt.Color("kind:N", scale=scale, legend=legend(orient="top", title=None)),
        strokeDash=alt.StrokeDash("start:N", legend=None))
    return alt.layer(area, lines).properties(
        title=alt.Title("The mixture p and the Gaussians q fitted to it",
                        subtitle=f"{reverse} reverse fit(s), one from each start (dashed after the first)"), height=250)


def fits_chart(f: klf.KLFits) -> tuple[Template, pd.DataFrame]:
    x = f.x
    rows = [pd.DataFrame({"x": x, "density": f.q_forward, "fit": "forward", "kind": "forward KL(p‖q)",
                          "start": "0"})]
    for i, q in enumerate(f.q_reverse):
        rows.append(pd.DataFrame({"x": x, "density": q, "fit": f"reverse {i + 1}", "kind": "reverse KL(q‖p)",
                                  "start": str(i)}))
    if f.q_alpha is not None:
        rows.append(pd.DataFrame({"x": x, "density": f.q_alpha, "fit": "alpha", "kind": "α-divergence",
                                  "start": "0"}))
    step = max(1, len(x) // 300)  # 801 quadrature points: every other one draws the same curve
    q = pd.concat(rows, ignore_index=True)
    q = q[q.index % step == 0] if step > 1 else q
    p = pd.DataFrame({"x": x[::step], "density": f.p[::step]})
    return Template(_build_fits, (len(f.q_reverse),), {"p": p, "q": q}), q


def _build_landscape(direction: str) -> alt.LayerChart:
    sx = alt.Scale(domain=[slot("x")], nice=False, zero=False)
    sy = alt.Scale(type="log", domain=[slot("y")], nice=False)
    picture = alt.Chart(alt.NamedData(name="picture")).mark_image(aspect=False, smooth=False).encode(
        x=alt.X("x0:Q", scale=sx, title="μ of q"), x2=alt.X2("x1:Q"), y=alt.Y("y0:Q", scale=sy, title="σ of q"),
        y2=alt.Y2("y1:Q"), url=alt.Url("url:N"))
    kinds = ["forward KL(p‖q)", "reverse KL(q‖p)", "α-divergence"]
    cscale = alt.Scale(domain=kinds, range=["#ffffff", "#ff9f80", "#a6f0c6"])
    paths = alt.Chart(alt.NamedData(name="paths")).mark_line(strokeWidth=2, clip=True).encode(
        x=alt.X("mu:Q", scale=sx), y=alt.Y("sd:Q", scale=sy), order=alt.Order("step:Q"), detail=alt.Detail("fit:N"),
        color=alt.Color("kind:N", scale=cscale, legend=legend(orient="top", title=None)))
    ends = alt.Chart(alt.NamedData(name="ends")).mark_point(shape="cross", size=120, filled=True, opacity=1,
                                                            clip=True).encode(
        x=alt.X("mu:Q", scale=sx), y=alt.Y("sd:Q", scale=sy), color=alt.Color("kind:N", scale=cscale, legend=None))
    names = {"forward": "KL(p‖q)", "reverse": "KL(q‖p)", "alpha": "the α-divergence"}
    return alt.layer(picture, paths, ends).properties(
        title=alt.Title(f"{names[direction]} over (μ, σ): bright = small", subtitle=slot("subtitle")), height=260)


def landscape_chart(land: klf.Landscape, f: klf.KLFits) -> tuple[Template, pd.DataFrame]:
    """The divergence as a picture (log of the value, viridis reversed so that low is bright), the fits' paths."""
    V = np.log10(np.maximum(land.values, 1e-4))
    finite = V[np.isfinite(V)]
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    pic = png_url(colour((hi + lo - np.clip(V, lo, hi))[::-1], (lo, hi)))
    x0, x1, y0, y1 = float(land.mu[0]), float(land.mu[-1]), float(land.sd[0]), float(land.sd[-1])
    fits = [("forward", "forward KL(p‖q)", f.forward)] + [
        (f"reverse {i + 1}", "reverse KL(q‖p)", r) for i, r in enumerate(f.reverse)]
    if f.alpha is not None:
        fits.append(("alpha", "α-divergence", f.alpha))
    paths = pd.concat([pd.DataFrame({"mu": r.mu, "sd": r.sd, "step": np.arange(len(r.mu)), "fit": name,
                                     "kind": kind}) for name, kind, r in fits], ignore_index=True)
    inside = (paths["mu"].between(x0, x1)) & (paths["sd"].between(y0, y1))
    ends = paths.groupby("fit", sort=False).tail(1)
    return Template(_build_landscape, (land.direction,), {
        "picture": pd.DataFrame({"x0": [x0], "x1": [x1], "y0": [y0], "y1": [y1], "url": [pic]}),
        "paths": paths[inside], "ends": ends[ends.index.isin(paths[inside].index)]},
        {"x": [x0, x1], "y": [y0, y1], "subtitle": "lines: each fit's path from its start; crosses: where it ended"}
        ), paths


def fits_table(f: klf.KLFits) -> pd.DataFrame:
    rows = [("forward KL(p‖q)", f.forward)] + [(f"reverse KL(q‖p), start {i + 1}", r) for i, r in enumerate(f.reverse)]
    if f.alpha is not None:
        rows.append((f"α = {f.alpha.alpha:g}", f.alpha))
    return pd.DataFrame({"fit": [n for n, _ in rows], "start μ": [r.mu[0] for _, r in rows],
                         "start σ": [r.sd[0] for _, r in rows], "μ": [r.mu[-1] for _, r in rows],
                         "σ": [r.sd[-1] for _, r in rows], "KL(p‖q), nats": [r.kl_forward for _, r in rows],
                         "KL(q‖p), nats": [r.kl_reverse for _, r in rows],
                         "nearest component": [int(r.nearest_component) + 1 for _, r in rows]})


def _ellipse(mu: np.ndarray, cov: np.ndarray, k: float = 2.0, points: int = 60) -> np.ndarray:
    vals, vecs = np.linalg.eigh(cov)
    t = np.linspace(0, 2 * np.pi, points)
    circle = np.stack([np.cos(t), np.sin(t)])
    return (mu[:, None] + vecs @ (k * np.sqrt(np.maximum(vals, 0))[:, None] * circle)).T


def _build_fits_2d(side: int) -> alt.LayerChart:
    sx = alt.Scale(domain=[slot("x")], nice=False, zero=False)
    sy = alt.Scale(domain=[slot("y")], nice=False, zero=False)
    picture = alt.Chart(alt.NamedData(name="picture")).mark_image(aspect=False, smooth=False).encode(
        x=alt.X("x0:Q", scale=sx, title="x₁"), x2=alt.X2("x1:Q"), y=alt.Y("y0:Q", scale=sy, title="x₂"),
        y2=alt.Y2("y1:Q"), url=alt.Url("url:N"))
    kinds = ["forward KL(p‖q)", "reverse KL(q‖p)"]
    cscale = alt.Scale(domain=kinds, range=["#ffffff", "#ff9f80"])
    rings = alt.Chart(alt.NamedData(name="rings")).mark_line(strokeWidth=2.2, clip=True).encode(
        x=alt.X("a:Q", scale=sx), y=alt.Y("b:Q", scale=sy), order=alt.Order("i:Q"), detail=alt.Detail("fit:N"),
        color=alt.Color("kind:N", scale=cscale, legend=legend(orient="top", title=None)))
    return alt.layer(picture, rings).properties(
        title=alt.Title("In the plane: p's density and each fitted q's 2σ ellipse",
                        subtitle="forward covers both modes; each reverse fit settles on one"), width=side,
        height=side)


def fits_2d_chart(f: k2.KLFits2D, side: int = 300) -> tuple[Template, pd.DataFrame]:
    x0, x1, y0, y1 = float(f.x[0]), float(f.x[-1]), float(f.y[0]), float(f.y[-1])
    pic = png_url(colour(f.p[::-1], (0.0, float(f.p.max()))))
    rows = [("forward", "forward KL(p‖q)", f.forward)] + [(f"reverse {i + 1}", "reverse KL(q‖p)", r)
                                                          for i, r in enumerate(f.reverse)]
    rings = pd.concat([pd.DataFrame(_ellipse(r.mu[-1], r.cov[-1]), columns=["a", "b"]).assign(
        i=np.arange(60), fit=name, kind=kind) for name, kind, r in rows], ignore_index=True)
    return Template(_build_fits_2d, (side,), {
        "picture": pd.DataFrame({"x0": [x0], "x1": [x1], "y0": [y0], "y1": [y1], "url": [pic]}), "rings": rings},
        {"x": [x0, x1], "y": [y0, y1]}), rings


def kl_notice(f: klf.KLFits) -> str:
    mean, sd = f.moment_match
    said = (f"The forward fit ends at μ = {num(f.forward.mu[-1])}, σ = {f.forward.sd[-1]:.3f}: the mixture's own "
            f"mean and standard deviation ({num(mean)}, {sd:.3f}), since minimising KL(p‖q) over Gaussians matches "
            "moments. It covers every mode, putting mass where p has little; KL(q‖p) punishes exactly that, so the "
            "reverse fits seek a mode. ")
    ends = [(num(r.mu[0]), num(r.mu[-1]), f"{r.sd[-1]:.3f}") for r in f.reverse]
    places = sorted({(m, s) for _, m, s in ends}, key=lambda e: float(e[0]))
    said += "From μ = " + ", ".join(start for start, _, _ in ends) + " they end at " + "; ".join(
        f"μ = {m}, σ = {s}" for _, m, s in ends) + ". "
    if len(places) == 1:
        said += (f"All {len(ends)} starts end at the same Gaussian: from these starts KL(q‖p) has one answer."
                  if len(ends) > 1 else "")
    else:
        said += (f"{len(places)} different ends: KL(q‖p) has more than one stationary point, and which one a fit "
                 "reaches depends on where it starts (compare their KL(q‖p) in the table: the smallest is the "
                 "best of them).")
    return said


# ------------------------------------------------------------------------------------------ cross-entropy is likelihood


def _build_loss() -> alt.LayerChart:
    scale = alt.Scale(domain=["training rows", "held-out rows"], range=[PALETTE[0], PALETTE[1]])
    lines = alt.Chart(alt.NamedData(name="loss")).mark_line(strokeWidth=2).encode(
        x=alt.X("epoch:Q"), y=alt.Y("bits:Q", title="cross-entropy, bits per sample", scale=alt.Scale(type="symlog")),
        color=alt.Color("rows:N", scale=scale, legend=legend(orient="top", title=None)))
    rules = alt.Chart(alt.NamedData(name="marks")).mark_rule(strokeDash=[5, 3], color="#666").encode(y=alt.Y("bits:Q"))
    labels = alt.Chart(alt.NamedData(name="marks")).mark_text(align="right", dx=-4, dy=-7, color="#444").encode(
        x=alt.value(alt.expr("width")), y=alt.Y("bits:Q"), text=alt.Text("label:N"))
    return alt.layer(lines, rules, labels).properties(
        title=alt.Title(slot("title"), subtitle="dashed: log₂ K (an untrained model), H(Y) (a model that ignores x)"),
        height=260)


def loss_chart(r: lik.LikelihoodResult) -> tuple[Template, pd.DataFrame]:
    epochs = np.arange(len(r.train_bits))
    df = pd.concat([pd.DataFrame({"epoch": epochs, "bits": r.train_bits, "rows": "training rows"}),
                    pd.DataFrame({"epoch": epochs, "bits": r.test_bits, "rows": "held-out rows"}).dropna()],
                   ignore_index=True)
    uniform, h = f"log₂ {len(r.classes)} = {r.uniform_bits:.3f}", f"H(Y) = {r.label_entropy_bits:.3f}"
    if abs(r.uniform_bits - r.label_entropy_bits) < 0.03:  # balanced classes: one line, one label
        marks = pd.DataFrame({"bits": [r.uniform_bits], "label": [f"{uniform}, and {h}"]})
    else:
        marks = pd.DataFrame({"bits": [r.uniform_bits, r.label_entropy_bits], "label": [uniform, h]})
    return Template(_build_loss, (), {"loss": df, "marks": marks},
                    {"title": f"Training drives the cross-entropy down: {r.train_cross_entropy_bits:.3f} bits per "
                              "sample"}), df


def _build_surprisal() -> alt.Chart:
    scale = alt.Scale(domain=["training rows", "held-out rows"], range=[PALETTE[0], PALETTE[1]])
    return alt.Chart(alt.NamedData(name="bars")).mark_rect(opacity=0.6).encode(
        x=alt.X("from:Q", title="−log₂ q(y|x), bits"), x2=alt.X2("to:Q"),
        y=alt.Y("share:Q", title="share of rows"), y2=alt.datum(0),
        color=alt.Color("rows:N", scale=scale, legend=legend(orient="top", title=None))).properties(
        title=alt.Title("Each sample's surprisal at the end", subtitle="its KL from its one-hot label"), height=220)


def surprisal_chart(r: lik.LikelihoodResult, bins: int = 30) -> tuple[Template, pd.DataFrame]:
    s = np.minimum(r.surprisal_bits, 12.0)
    edges = np.linspace(0, max(float(np.quantile(s, 0.99)), 1e-3), bins + 1)  # the last 1 % piles into the top bin
    s = np.minimum(s, edges[-1])
    parts = []
    for name, rows in (("training rows", r.is_train), ("held-out rows", ~r.is_train)):
        if rows.any():
            counts, _ = np.histogram(s[rows], edges)
            parts.append(pd.DataFrame({"from": edges[:-1], "to": edges[1:], "share": counts / rows.sum(),
                                       "rows": name}))
    df = pd.concat(parts, ignore_index=True)
    return Template(_build_surprisal, (), {"bars": df}), df


def likelihood_notice(r: lik.LikelihoodResult) -> str:
    n = int(r.is_train.sum())
    return (f"Minimising cross-entropy is maximising likelihood: the training loss {r.train_cross_entropy_bits:.4f} "
            f"bits per sample is −log-likelihood {-r.log_likelihood:.2f} nats ÷ ({n} rows × ln 2). With one-hot labels "
            "H(e_y) = 0, so each sample's loss is exactly its KL(e_y‖q), and that is what training drives down. "
            f"A model that ignored x could reach only H(Y) = {r.label_entropy_bits:.3f} bits; the model reaches "
            f"{r.test_cross_entropy_bits:.3f} bits on rows it never saw.")


# ------------------------------------------------------------------------------------------ mutual information


def _build_mi(unit: str, exact: bool) -> alt.LayerChart:
    scale = alt.Scale(domain=["plug-in (histogram)", "k-NN (scikit-learn)"], range=[PALETTE[1], PALETTE[0]])
    dots = alt.Chart(alt.NamedData(name="estimates")).mark_point(filled=True, size=30, opacity=0.45).encode(
        x=alt.X("n:Q", scale=LOG, title="sample size n"), y=alt.Y("estimate:Q", title=f"I(X; Y), {unit}"),
        color=alt.Color("estimator:N", scale=scale, legend=legend(orient="top", title=None)))
    means = alt.Chart(alt.NamedData(name="means")).mark_line(strokeWidth=2, point=True).encode(
        x=alt.X("n:Q", scale=LOG), y=alt.Y("estimate:Q"), color=alt.Color("estimator:N", scale=scale))
    bias = alt.Chart(alt.NamedData(name="bias")).mark_line(color=PALETTE[1], strokeDash=[2, 2]).encode(
        x=alt.X("n:Q", scale=LOG), y=alt.Y("estimate:Q"))
    layers = [dots, means, bias]
    if exact:
        layers.append(alt.Chart(alt.NamedData(name="exact")).mark_rule(color="#000", strokeDash=[6, 3]).encode(
            y=alt.Y("value:Q")))
    return alt.layer(*layers).properties(title=alt.Title(slot("title"), subtitle=slot("subtitle")), height=270)


def mi_chart(c: mi.Convergence) -> tuple[Template, pd.DataFrame]:
    R = c.plugin.shape[0]
    n = np.tile(c.sizes, R)
    est = pd.concat([pd.DataFrame({"n": n, "estimate": c.plugin.ravel(), "estimator": "plug-in (histogram)"}),
                     pd.DataFrame({"n": n, "estimate": c.knn.ravel(), "estimator": "k-NN (scikit-learn)"})],
                    ignore_index=True)
    means = est.groupby(["estimator", "n"], as_index=False)["estimate"].mean()
    exact = math.isfinite(c.exact.value)
    bias = pd.DataFrame({"n": c.sizes, "estimate": (c.exact.value if exact else 0.0) + c.independent_bias})
    sub = (f"dashed black: the exact −½ log(1 − ρ²) = {c.exact.value:.4f} {c.unit}; " if exact else
           "the exact value is infinite at |ρ| = 1; ") + f"dotted: exact + ({c.bins}−1)²/(2n), the plug-in's bias"
    return Template(_build_mi, (c.unit, exact), {"estimates": est, "means": means, "bias": bias,
                                                 **({"exact": pd.DataFrame({"value": [c.exact.value]})} if exact
                                                    else {})},
                    {"title": f"Two estimators of I(X; Y) at ρ = {c.exact.rho:g}, {R} samples per size",
                     "subtitle": sub}), est


def _build_pixels(title: str) -> alt.Chart:
    return alt.Chart(alt.NamedData(name="pixels")).mark_rect().encode(
        x=alt.X("column:O", title=None, axis=None), y=alt.Y("row:O", title=None, axis=None),
        color=alt.Color("mi:Q", scale=alt.Scale(range=list(VIRIDIS), interpolate="rgb", domain=[slot("domain")]),
                        legend=legend(title="bits", orient="bottom", direction="horizontal", gradientLength=160)),
        tooltip=[alt.Tooltip("row:O"), alt.Tooltip("column:O"), alt.Tooltip("mi:Q", format=".3f")]
    ).properties(title=title, width=200, height=200)


def pixel_chart(values: np.ndarray, title: str, top: float) -> tuple[Template, pd.DataFrame]:
    r, c = np.indices(values.shape)
    df = pd.DataFrame({"row": r.ravel(), "column": c.ravel(), "mi": values.ravel()})
    return Template(_build_pixels, (title,), {"pixels": df}, {"domain": [0.0, top]}), df


def mi_notice(c: mi.Convergence) -> str:
    if not math.isfinite(c.exact.value):
        return (f"{c.exact.note} The estimates at n = {int(c.sizes[-1]):,} are "
                f"{c.plugin[:, -1].mean():.3g} (plug-in) and {c.knn[:, -1].mean():.3g} (k-NN) {c.unit}.")
    plug, knn = c.plugin[:, 0].mean(), c.knn[:, 0].mean()
    return (f"Exact: {c.exact.value:.4f} {c.unit}. At n = {int(c.sizes[0])} the plug-in estimate averages {plug:.3f} "
            f"and the k-NN {knn:.3f}; at n = {int(c.sizes[-1]):,}, {c.plugin[:, -1].mean():.3f} and "
            f"{c.knn[:, -1].mean():.3f}. A histogram of {c.bins}×{c.bins} cells sees structure in noise when n is "
            "small (its bias, about (B − 1)²/(2n), dotted), and its cells blur the dependence when ρ is large; the "
            "k-NN estimator is far less biased.")


# ------------------------------------------------------------------------------------------ temperature and calibration


def _build_tempered() -> alt.LayerChart:
    bars = alt.Chart(alt.NamedData(name="probs")).mark_bar(opacity=0.8).encode(
        x=alt.X("class:O", title="class (digit)", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("p:Q", title="probability", scale=alt.Scale(domain=[0, 1])),
        color=alt.Color("which:N", scale=alt.Scale(domain=["the true class", "other classes"],
                                                   range=[PALETTE[2], PALETTE[0]]),
                        legend=legend(orient="top", title=None)))
    drawn = alt.Chart(alt.NamedData(name="probs")).mark_tick(color=PALETTE[3], thickness=3, size=22).encode(
        x=alt.X("class:O"), y=alt.Y("drawn:Q"))
    return alt.layer(bars, drawn).properties(
        title=alt.Title(slot("title"), subtitle=slot("subtitle")), height=230)


def tempered_chart(t: cal.Tempered) -> tuple[Template, pd.DataFrame]:
    df = pd.DataFrame({"class": np.arange(10), "p": t.probs, "drawn": t.counts / max(len(t.samples), 1),
                       "which": np.where(np.arange(10) == t.label, "the true class", "other classes")})
    return Template(_build_tempered, (), {"probs": df},
                    {"title": f"softmax(z/T) at T = {t.T:g} for test image {t.row} (a {t.label})",
                     "subtitle": f"entropy {t.entropy_bits:.3f} bits; red ticks: the share of {len(t.samples)} "
                                 "classes drawn from it"}), df


def _build_entropy_t() -> alt.LayerChart:
    line = alt.Chart(alt.NamedData(name="sweep")).mark_line(color=PALETTE[0], strokeWidth=2).encode(
        x=alt.X("T:Q", scale=LOG, title="temperature T"), y=alt.Y("bits:Q", title="mean entropy, bits"))
    top = alt.Chart(alt.NamedData(name="top")).mark_rule(strokeDash=[5, 3], color="#666").encode(y=alt.Y("bits:Q"))
    here = alt.Chart(alt.NamedData(name="here")).mark_rule(color=PALETTE[3]).encode(x=alt.X("T:Q"))
    return alt.layer(line, top, here).properties(
        title=alt.Title("The test images' mean predictive entropy against T",
                        subtitle="dashed: log₂ 10, the uniform; red: the T chosen"), height=230)


def entropy_t_chart(t: cal.Tempered) -> tuple[Template, pd.DataFrame]:
    df = pd.DataFrame({"T": t.temperatures, "bits": t.mean_entropy_bits})
    return Template(_build_entropy_t, (), {"sweep": df, "top": pd.DataFrame({"bits": [t.max_entropy_bits]}),
                                           "here": pd.DataFrame({"T": [t.T]})}), df


def _build_reliability(title: str) -> alt.LayerChart:
    bars = alt.Chart(alt.NamedData(name="bins")).mark_rect(color=PALETTE[0], opacity=0.75, stroke="white").encode(
        x=alt.X("from:Q", title="confidence", scale=alt.Scale(domain=[0, 1])), x2=alt.X2("to:Q"),
        y=alt.Y("accuracy:Q", title="accuracy", scale=alt.Scale(domain=[0, 1])), y2=alt.datum(0),
        tooltip=[alt.Tooltip("count:Q"), alt.Tooltip("accuracy:Q", format=".3f"),
                 alt.Tooltip("confidence:Q", format=".3f")])
    gap = alt.Chart(alt.NamedData(name="bins")).mark_rule(color=PALETTE[3], strokeWidth=3).encode(
        x=alt.X("mid:Q"), y=alt.Y("accuracy:Q"), y2=alt.Y2("confidence:Q"))
    diagonal = alt.Chart(alt.NamedData(name="diagonal")).mark_line(color="#666", strokeDash=[4, 3]).encode(
        x=alt.X("a:Q"), y=alt.Y("a:Q"))
    return alt.layer(bars, gap, diagonal).properties(
        title=alt.Title(title, subtitle=slot("subtitle")), height=230)


def reliability_chart(r: cal.Reliability, title: str) -> tuple[Template, pd.DataFrame]:
    e = r.edges
    df = pd.DataFrame({"from": e[:-1], "to": e[1:], "mid": (e[:-1] + e[1:]) / 2, "count": r.counts,
                       "accuracy": r.accuracy, "confidence": r.confidence}).dropna()
    return Template(_build_reliability, (title,), {"bins": df, "diagonal": pd.DataFrame({"a": [0.0, 1.0]})},
                    {"subtitle": f"ECE {r.ece:.4f}, NLL {r.nll:.4f} nats; red: the gap to the diagonal"}), df


def _build_nll_t() -> alt.LayerChart:
    line = alt.Chart(alt.NamedData(name="sweep")).mark_line(color=PALETTE[0], strokeWidth=2).encode(
        x=alt.X("T:Q", scale=LOG, title="temperature T"), y=alt.Y("nll:Q", title="validation NLL, nats",
                                                               scale=alt.Scale(zero=False)))
    best = alt.Chart(alt.NamedData(name="best")).mark_rule(color=PALETTE[2], strokeWidth=2).encode(x=alt.X("T:Q"))
    return alt.layer(line, best).properties(
        title=alt.Title(slot("title"), subtitle="green: the T that minimises it, fitted on the validation rows"),
        height=230)


def nll_t_chart(c: cal.Calibration) -> tuple[Template, pd.DataFrame]:
    df = pd.DataFrame({"T": c.temperatures, "nll": c.validation_nll})
    return Template(_build_nll_t, (), {"sweep": df, "best": pd.DataFrame({"T": [c.T]})},
                    {"title": f"Temperature scaling: T = {c.T:.3f}"}), df


def calibration_notice(t: cal.Tempered, c: cal.Calibration) -> str:
    way = "over-confident (T > 1 softens it)" if c.T > 1 else "under-confident (T < 1 sharpens it)"
    return (f"T changes how sure the model sounds, not what it picks: accuracy is {t.accuracy:.1%} at every T > 0. "
            f"At T → 0 the softmax becomes the arg max (entropy 0); as T grows it flattens to the uniform "
            f"({t.max_entropy_bits:.3f} bits). The network was {way}: scaling its logits by 1/{c.T:.3f} took the test "
            f"rows' ECE from {c.before.ece:.4f} to {c.after.ece:.4f} and their NLL from {c.before.nll:.4f} to "
            f"{c.after.nll:.4f} nats.")


TRY_THIS = [
    "Entropy and codes: choose Powers of ½. Huffman's code averages 1.75 bits, exactly the entropy. A loaded die: "
    "H = 2.161 bits against Huffman's 2.2; a fair die: 2.585 against 2.667, no power of ½ in sight.",
    "Entropy and codes, English letters of Python's reference manual: a fixed 5-bit code spends 1,557,360 bits on "
    "its 311,472 letters, Huffman's 1,299,289; and knowing the letter before lowers the entropy from 4.145 to 3.196 "
    "bits.",
    "Cross-entropy and KL: set q's face 6 to 0. KL(p‖q) becomes infinite (q says a six cannot happen; p throws one "
    "half the time) while KL(q‖p) is exactly 1 bit.",
    "Cross-entropy and KL, letters of two texts: KL(p‖q) is 0.0357 bits, KL(q‖p) is infinite: “j” and “q” occur in "
    "the manual, never in the Zen of Python.",
    "Forward vs reverse KL: set the left weight to 0.8. The forward fit moves to μ = −1.200, σ = 1.709, the mixture's "
    "own mean and sd; the reverse fit that starts at that mean falls into the heavier mode, at μ = −1.999.",
    "Likelihood: Digits, 300 epochs, λ = 0. The training loss falls to 0.0045 bits per sample while "
    "the held-out loss is 0.352: the model is sure of what it memorised. With λ = 0.001: 0.081 and 0.170.",
    "Mutual information: ρ = 0 and 40 bins. The exact value is 0, yet the plug-in estimate at n = 50 averages 3.40 "
    "bits: 1,600 cells for 50 points find structure in noise. The k-NN estimate is 0.000.",
    "Calibration: T = 0.05, then 20. Accuracy stays at 96.0 %; test image 0's entropy goes from 0.000 "
    "to 3.254 bits, near the uniform's 3.322.",
]
