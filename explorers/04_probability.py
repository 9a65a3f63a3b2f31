"""Chapter 4, Probability theory and statistics: torch.distributions families with seeded samples, the law of
large numbers and the central limit theorem (with the Berry–Esseen rate), maximum likelihood on real columns of
scikit-learn's data with the Fisher information and 100 Wald intervals, conjugate Bayesian updating, and the bias
and variance of estimators."""

import numpy as np
import streamlit as st

from core import probability as P
from core.data import DataError
from ui import charts, compute, controls, layout, text
from ui.figures import probability as fig

TABS = ["Distributions", "Law of large numbers", "Central limit theorem", "Maximum likelihood", "Bayesian updating",
        "Estimators"]
FAMILIES = {k: f.label for k, f in P.FAMILIES.items()}
MODELS = {"normal": "Normal", "gamma": "Gamma", "exponential": "Exponential", "poisson": "Poisson"}
CLT_NS = [1, 2, 5, 10, 30, 100, 300, 1000]  # each one of P.KS_NS: the shown n is a column of the KS curve's paths
KS_REPLICATES = 5_000  # at 2,000 the exponential's fitted slope ranged from −0.28 to −0.57 over seeds
STUDIES = {"variance": "σ²: divide by n or by n − 1", "uniform": "θ of Uniform(0, θ): the maximum and fixes",
           "mean": "μ: the mean, a shrunk mean, the median", "stein": "θ in 5 dimensions: James–Stein"}


def family_controls(default: str = "exponential") -> tuple[str, dict[str, float]]:
    """A family and its parameters (each family's sliders have their own keys: pr_<family>_<parameter>)."""
    name = controls.selectbox("Distribution", "pr_fam", list(FAMILIES), list(FAMILIES).index(default),
                              format_func=FAMILIES.get)
    params = {}
    for p in P.FAMILIES[name].params:
        value = controls.slider(p.label, f"pr_{name}_{p.key}", int(p.low) if p.integer else p.low,
                                int(p.high) if p.integer else p.high, int(p.default) if p.integer else p.default,
                                1 if p.integer else p.step)
        params[p.key] = float(value)
    try:
        return name, P.check_params(name, params)
    except DataError as err:
        text.note(st, f"{err} Using the defaults instead.")
        return name, P.check_params(name, None)


def _moment(m: P.Moment) -> str:
    return f"{m.value:.4g}" if m.defined else "none"


def distributions_tab(ctrl):
    with ctrl:
        name, params = family_controls("gamma")
        n = controls.select_slider("Sample size", "pr_n", [10, 100, 1000, 10000, 100000], 1000)
        seed = controls.seed("pr_seed")
    e, t = compute.run(f"density, cdf and {n:,} draws", P.explore, name, params, n, seed)
    layout.compute_line(t)
    m = e.moments
    layout.metrics(("Mean", _moment(m.mean), m.mean.why or "exact"),
                   ("Sample mean", f"{e.sample_mean:.4g}", f"of the {n:,} draws"),
                   ("Variance", _moment(m.variance), m.variance.why or "exact"),
                   ("Sample variance", f"{e.sample_variance:.4g}", "divided by n − 1"),
                   ("Skewness", _moment(m.skewness), m.skewness.why or "exact"),
                   ("Sample skewness", f"{e.sample_skewness:.3g}", "m₃/m₂^{3/2}"))
    layout.formula(rf"f(x)={P.FAMILIES[name].formula}")
    h = e.histogram
    if h.clipped_below or h.clipped_above:
        st.caption(f"{h.clipped_below + h.clipped_above:,} of the {n:,} draws fall outside the drawn window "
                   f"({h.clipped_below:,} below, {h.clipped_above:,} above) and are not in the histogram: the "
                   f"window holds {e.window_mass:.1%} of the probability.")
    left, right = layout.side_by_side([1.4, 1])
    with left:
        charts.show(*fig.density_chart(e, FAMILIES[name]), "density")
    with right:
        charts.show(*fig.cdf_chart(e), "cdf")
    layout.notice(fig.distribution_notice(e, FAMILIES[name]))


def lln_tab(ctrl):
    with ctrl:
        name, params = family_controls("exponential")
        # at most 5 million draws a move: 10,000 × 10,000 took 3.6–7.8 s here
        paths = controls.select_slider("Sample paths", "pr_paths", [20, 200, 1000], 200)
        steps = controls.select_slider("Draws per path", "pr_steps", [100, 1000, 5000], 1000)
        eps = controls.select_slider("Band ε", "pr_eps", [0.05, 0.1, 0.2, 0.5, 1.0], 0.1)
        seed = controls.seed("pr_seed")
    with st.spinner(f"{paths:,} paths × {steps:,} draws…"):
        lln, t = compute.run(f"{paths:,} running means of {steps:,} draws", P.law_of_large_numbers, name, params,
                             paths, steps, eps, seed)
    layout.compute_line(t)
    last = lln.outside[-1]
    layout.metrics((f"The {lln.centre_kind}", f"{lln.centre:.4g}"),
                   ("σ", f"{lln.sd:.4g}" if np.isfinite(lln.sd) else "none", "the funnel is ± σ/√n"),
                   (f"Outside ±{eps:g} at n = {steps:,}", f"{last:.1%}", "over every path"),
                   ("Chebyshev's bound there", f"{lln.chebyshev[-1]:.1%}" if np.isfinite(lln.chebyshev[-1])
                    else "none", "σ²/(nε²), when σ exists"))
    if lln.note:
        text.note(st, lln.note)
    charts.show(*fig.lln_chart(lln), "running means")
    charts.show(*fig.outside_chart(lln), "outside the band")
    layout.notice(fig.lln_notice(lln, FAMILIES[name]))


def clt_tab(ctrl):
    with ctrl:
        name, params = family_controls("exponential")
        n = controls.select_slider("n (draws per mean)", "pr_clt_n", CLT_NS, 5)
        seed = controls.seed("pr_seed")
    try:
        with st.spinner(f"the KS distance for n = 1…1,000 ({KS_REPLICATES:,} means each)…"):
            k, t2 = compute.run(f"{KS_REPLICATES:,} paths of 1,000 draws: the KS distance at {len(P.KS_NS)} sizes",
                                P.ks_curve, name, params, replicates=KS_REPLICATES, seed=seed)
        c = compute.call(P.central_limit_at, k, n)  # the means of the paths' first n draws: milliseconds
    except DataError as err:  # a constant (p = 0 or 1): nothing to standardise
        text.note(st, f"{err} Here is the distribution itself.")
        e, t = compute.run("density, cdf and 1,000 draws", P.explore, name, params, 1000, seed)
        layout.compute_line(t)
        charts.show(*fig.density_chart(e, FAMILIES[name]), "density")
        return
    layout.compute_line(t2)
    if c.note:
        text.note(st, c.note)
    layout.metrics(("KS distance at this n", f"{c.ks:.4f}", "sup |F̂(z) − Φ(z)|"),
                   ("Fitted slope", f"{k.slope:.2f}" if np.isfinite(k.slope) else "—",
                    "of log KS on log n, over the points above the noise floor; Berry–Esseen: −½. An estimate: "
                    "for the exponential it was −0.44 and −0.49 at seeds 0 and 1"),
                   ("Noise floor", f"{k.floor:.4f}", f"1.358/√{KS_REPLICATES:,}: below it the simulation cannot see"))
    left, right = layout.side_by_side([1.4, 1])
    with left:
        charts.show(*fig.clt_chart(c), "standardised means")
    with right:
        charts.show(*fig.qq_chart(c), "qq plot", width="content")
    charts.show(*fig.ks_chart(k, n), "ks against n")
    layout.notice(fig.clt_notice(c, k, FAMILIES[name]))


def mle_tab(ctrl):
    with ctrl:
        key = controls.selectbox("Data", "pr_data", list(P.DATA), format_func=lambda k: P.DATA[k][2].split(":")[0]
                                 + ": " + P.DATA[k][1])
        model = controls.radio("Model", "pr_model", list(MODELS), list(MODELS).index(P.DATA[key][3]),
                               format_func=MODELS.get, horizontal=False)
    x = compute.call(P.data_column, key)
    st.caption(P.DATA[key][2])
    try:
        f, t1 = compute.run(f"maximum likelihood, {MODELS[model]} on {len(x)} values", P.fit, model, x, on="cpu")
    except DataError as err:  # a count model on measurements, a positive model on negative values
        text.note(st, f"{err} Choose another model for these data.")
        charts.show(*fig.data_chart(x, P.DATA[key][1]), "data")
        return
    cov, t2 = compute.run("1,000 repeated samples and their 95 % Wald intervals", P.wald_coverage, model,
                          tuple(float(v) for v in f.mle), len(x), 1000, on="cpu")
    layout.compute_line(t1, t2)
    layout.metrics(*[(f"MLE {nm}", f"{v:.4g}", f"± {se:.2g} (standard error from the observed information)")
                     for nm, v, se in zip(f.names, f.mle, f.se, strict=True)],
                   ("log-likelihood", f"{f.loglik:.2f}", f"{f.adam_steps} Adam + {f.newton_steps} Newton steps"))
    left, right = layout.side_by_side([1.2, 1])
    with left:
        charts.show(*fig.surface_chart(f), "log-likelihood", width="content" if f.grid_y is not None else "stretch")
    with right:
        charts.show(*fig.data_fit_chart(x, f, P.DATA[key][1]), "data and fit")
    charts.show(*fig.intervals_chart(cov), "wald intervals")
    layout.notice(fig.mle_notice(f, cov))


def bayes_tab(ctrl):
    with ctrl:
        kind = controls.radio("Model", "pr_bayes", ["coin", "mean"], format_func={
            "coin": "a coin: Beta prior, Bernoulli data", "mean": "a mean: normal prior, normal data"}.get,
                              horizontal=False)
        n = controls.select_slider("Observations", "pr_nobs", [10, 50, 200, 1000], 50)
        k = controls.slider("Seen so far", "pr_k", 0, n, min(10, n))
        if kind == "coin":
            truth = controls.slider("True p", "pr_p", 0.0, 1.0, 0.3, 0.05)
            a = controls.select_slider("Prior α", "pr_a", [0.5, 1.0, 2.0, 5.0, 10.0, 50.0], 1.0)
            b = controls.select_slider("Prior β", "pr_b", [0.5, 1.0, 2.0, 5.0, 10.0, 50.0], 1.0)
        else:
            truth = controls.slider("True μ", "pr_mu", -3.0, 3.0, 1.0, 0.1)
            a = controls.slider("Prior mean μ₀", "pr_mu0", -3.0, 3.0, 0.0, 0.1)
            b = controls.select_slider("Prior sd τ₀", "pr_tau0", [0.1, 0.3, 1.0, 3.0, 10.0], 1.0)
        seed = controls.seed("pr_seed")
    if kind == "coin":
        u, t = compute.run(f"{n} flips, updated one by one", P.beta_bernoulli, None, truth, n, seed, a, b, on="cpu")
    else:
        u, t = compute.run(f"{n} draws, updated one by one", P.normal_normal, None, truth, 1.0, n, seed, a, b,
                           on="cpu")
    layout.compute_line(t)
    layout.metrics(("Posterior mean", f"{u.posterior_mean[k]:.4g}"),
                   ("MAP", f"{u.map[k]:.4g}" if np.isfinite(u.map[k]) else "not unique"),
                   ("MLE", f"{u.mle[k]:.4g}" if np.isfinite(u.mle[k]) else "no data yet"),
                   (f"{u.level:.0%} credible interval", f"{u.lower[k]:.3g} to {u.upper[k]:.3g}"),
                   ("One at a time − all at once", f"{u.sequential_vs_batch:.1e}", "relative, over every parameter"))
    charts.show(*fig.posterior_chart(u, k), "prior and posterior")
    left, right = layout.side_by_side([1.3, 1])
    with left:
        charts.show(*fig.estimates_chart(u, k), "estimates")
    with right:
        charts.show(*fig.sensitivity_chart(u, k), "prior sensitivity")
    st.caption(f"The same posterior on a grid of {len(u.theta)} points, updated one observation at a time: its "
               f"mean {u.grid_mean:.6g}, its largest gap from the conjugate formula {u.grid_error:.1e} of the peak.")
    layout.notice(fig.bayes_notice(u, k, truth))


def estimators_tab(ctrl):
    with ctrl:
        study = controls.radio("Estimate", "pr_study", list(STUDIES), format_func=STUDIES.get, horizontal=False)
        seed = controls.seed("pr_seed")
    runner = {"variance": P.variance_estimators, "uniform": P.uniform_maximum, "mean": P.mean_estimators,
              "stein": P.shrinkage}[study]
    s, t = compute.run(f"5,000 samples at each of {len(P.estimators.NS)} sizes", runner, seed=seed)
    layout.compute_line(t)
    if s.note:
        text.note(st, s.note)
    layout.metrics(*[(f"MSE, {e.key}, n = {int(s.ns[0])}", f"{e.mse[0]:.3g}", f"{e.label}; exact "
                      f"{e.exact_mse[0]:.3g}") for e in s.estimators])
    left, right = layout.side_by_side([1, 1])
    with left:
        charts.show(*fig.estimator_chart(s, "bias"), "bias")
    with right:
        charts.show(*fig.estimator_chart(s, "variance"), "variance")
    left, right = layout.side_by_side([1, 1])
    with left:
        charts.show(*fig.estimator_chart(s, "mse"), "mse")
    with right:
        charts.show(*fig.draws_chart(s), "sampling distributions")
    st.dataframe(fig.estimator_table(s), hide_index=True)
    layout.notice(fig.estimator_notice(s))


layout.explorer(4, TABS, (distributions_tab, lln_tab, clt_tab, mle_tab, bayes_tab, estimators_tab),
                fig.TRY_THIS, __file__)
