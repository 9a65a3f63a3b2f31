"""core.probability against independent references: scipy.stats densities, cdfs and moments (numerical
integration for the mixture), Kolmogorov–Smirnov tests of the samplers, the closed-form MLEs and scipy's
Gamma fit, the conjugate posteriors against direct formulas and scipy's Beta quantiles, and the estimators'
closed-form bias and variance; seeded results reproducible and blind to torch's global generator."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from scipy import integrate, stats

from core import probability as pr
from core.data import DataError
from core.probability import families as fam
from core.probability import likelihood as lk
from core.probability import limits

CPU = torch.device("cpu")


class _Mixture:
    """w N(μ₁, σ₁²) + (1 − w) N(μ₂, σ₂²) by hand from scipy's normal."""

    def __init__(self, weight, mu1, sigma1, mu2, sigma2):
        self.w, self.a, self.b = weight, stats.norm(mu1, sigma1), stats.norm(mu2, sigma2)

    def pdf(self, x):
        return self.w * self.a.pdf(x) + (1 - self.w) * self.b.pdf(x)

    def cdf(self, x):
        return self.w * self.a.cdf(x) + (1 - self.w) * self.b.cdf(x)

    def stats(self, moments="mvsk"):
        def e(f):
            return integrate.quad(lambda t: f(t) * self.pdf(t), -np.inf, np.inf, epsabs=1e-13, epsrel=1e-12)[0]

        m = e(lambda t: t)
        c2, c3, c4 = (e(lambda t, k=k: (t - m) ** k) for k in (2, 3, 4))
        return m, c2, c3 / c2**1.5, c4 / c2**2 - 3


def reference(name, P):
    """The scipy.stats distribution of the same family (torch's Geometric counts failures: scipy's geom, loc −1)."""
    return {
        "normal": lambda: stats.norm(P["mu"], P["sigma"]),
        "bernoulli": lambda: stats.bernoulli(P["p"]),
        "binomial": lambda: stats.binom(int(P["trials"]), P["p"]),
        "poisson": lambda: stats.poisson(P["rate"]),
        "geometric": lambda: stats.geom(P["p"], loc=-1),
        "uniform": lambda: stats.uniform(P["low"], P["high"] - P["low"]),
        "exponential": lambda: stats.expon(scale=1 / P["rate"]),
        "gamma": lambda: stats.gamma(P["concentration"], scale=1 / P["rate"]),
        "beta": lambda: stats.beta(P["a"], P["b"]),
        "student_t": lambda: stats.t(P["df"]),
        "cauchy": lambda: stats.cauchy(P["loc"], P["scale"]),
        "laplace": lambda: stats.laplace(P["loc"], P["scale"]),
        "mixture": lambda: _Mixture(P["weight"], P["mu1"], P["sigma1"], P["mu2"], P["sigma2"]),
    }[name]()


SETTINGS = [(name, None) for name in pr.FAMILIES] + [
    ("normal", {"mu": 1.0, "sigma": 0.3}),
    ("bernoulli", {"p": 0.8}),
    ("binomial", {"trials": 25, "p": 0.6}),
    ("poisson", {"rate": 0.7}),
    ("poisson", {"rate": 30.0}),
    ("geometric", {"p": 0.05}),
    ("geometric", {"p": 0.9}),
    ("uniform", {"low": -2.0, "high": 3.0}),
    ("exponential", {"rate": 0.3}),
    ("gamma", {"concentration": 0.5, "rate": 2.0}),
    ("gamma", {"concentration": 9.0, "rate": 0.5}),
    ("beta", {"a": 0.5, "b": 0.5}),
    ("beta", {"a": 3.0, "b": 1.2}),
    ("student_t", {"df": 1.5}),
    ("student_t", {"df": 5.0}),
    ("student_t", {"df": 50.0}),
    ("cauchy", {"loc": 1.0, "scale": 2.0}),
    ("laplace", {"loc": -1.0, "scale": 0.5}),
    ("mixture", {"weight": 0.5, "mu1": -1.0, "sigma1": 0.3, "mu2": 2.0, "sigma2": 1.5}),
]


@pytest.mark.parametrize("name,params", SETTINGS)
def test_density_cdf_and_moments_equal_scipy(name, params):
    e = pr.explore(name, params, n=50, device=CPU)
    ref = reference(name, e.params)
    if e.discrete:
        np.testing.assert_array_equal(e.x, np.arange(len(e.x)))
        np.testing.assert_allclose(e.pdf, ref.pmf(e.x), rtol=1e-9, atol=1e-14)
        assert e.window_mass == pytest.approx(ref.cdf(e.x[-1]), abs=1e-12)
    else:
        inside = ~np.isclose(e.x, e.params.get("high", np.inf))  # scipy's uniform pdf is closed at b; so is ours
        np.testing.assert_allclose(e.pdf[inside], ref.pdf(e.x[inside]), rtol=1e-9, atol=1e-14)
        lo, hi = pr.window(name, e.params)
        assert e.window_mass == pytest.approx(ref.cdf(hi) - ref.cdf(lo), abs=1e-10)
    np.testing.assert_allclose(e.cdf, ref.cdf(e.x), rtol=1e-9, atol=1e-11)
    for mine, theirs in zip((e.moments.mean, e.moments.variance, e.moments.skewness, e.moments.kurtosis),
                            ref.stats(moments="mvsk"), strict=True):
        theirs = float(theirs)
        if math.isfinite(theirs):
            assert mine.defined and mine.value == pytest.approx(theirs, rel=1e-8, abs=1e-10), (mine, theirs)
        else:  # undefined or infinite: a reason, and NaN (never inf) as the number
            assert not mine.defined and math.isnan(mine.value) and mine.why, (mine, theirs)
            assert str(mine) == mine.why and str(mine).lower() not in ("inf", "-inf", "nan")


def test_moments_say_why_they_do_not_exist():
    assert str(pr.moments("cauchy").mean).startswith("Cauchy has no mean")
    assert "infinite variance" in pr.moments("student_t", {"df": 1.5}).variance.why
    assert "no mean" in pr.moments("student_t", {"df": 0.8}).mean.why
    m = pr.moments("bernoulli", {"p": 0.0})
    assert m.mean.value == 0 and m.variance.value == 0 and "constant" in m.skewness.why
    assert math.isnan(m.skewness.value)


@pytest.mark.parametrize("name,params", [s for s in SETTINGS if s[1] is not None] + [("mixture", None)])
def test_samples_follow_the_distribution(name, params):
    """Every hand-built sampler (generator-aware) against the exact cdf: a KS test for continuous families,
    the largest gap between empirical and exact cdf on the integers for discrete ones (both at the 0.1 % level)."""
    P = pr.check_params(name, params)
    x = pr.sample(name, P, 4000, seed=11, device=CPU)
    ref = reference(name, P)
    if pr.FAMILIES[name].discrete:
        assert np.all(x == np.round(x)) and x.min() >= 0
        k = np.arange(int(x.max()) + 1)
        gap = np.abs(np.searchsorted(np.sort(x), k, side="right") / len(x) - ref.cdf(k)).max()
        assert gap < 1.95 / math.sqrt(len(x))
    else:
        assert stats.kstest(x, ref.cdf).pvalue > 1e-3


def test_sample_moments_and_histogram_are_the_samples_own():
    e = pr.explore("gamma", {"concentration": 2.0, "rate": 1.5}, n=3000, seed=4, bins=30, device=CPU)
    assert e.sample_mean == pytest.approx(e.sample.mean())
    assert e.sample_variance == pytest.approx(e.sample.var(ddof=1))
    assert e.sample_skewness == pytest.approx(stats.skew(e.sample))
    h = e.histogram
    counts, _ = np.histogram(e.sample, bins=h.edges)
    np.testing.assert_array_equal(h.counts, counts)
    assert h.counts.sum() + h.clipped_below + h.clipped_above == 3000
    np.testing.assert_allclose((h.density * np.diff(h.edges)).sum(), h.counts.sum() / 3000)


def test_heavy_tails_are_clipped_and_counted():
    e = pr.explore("cauchy", n=20_000, seed=1, device=CPU)
    h = e.histogram
    outside = h.clipped_below + h.clipped_above
    assert outside == int(((e.sample < h.edges[0]) | (e.sample > h.edges[-1])).sum())
    # Cauchy ±12γ leaves out 1 − (2/π) arctan 12 ≈ 5.3 % of the mass
    assert outside / 20_000 == pytest.approx(1 - e.window_mass, abs=0.006)
    d = pr.explore("geometric", {"p": 0.2}, n=5000, seed=2, device=CPU).histogram
    assert d.counts.sum() + d.clipped_above == 5000 and d.clipped_below == 0
    np.testing.assert_allclose(np.diff(d.edges), 1.0)


def test_seeded_samples_are_reproducible_and_ignore_the_global_generator():
    state = torch.get_rng_state()
    torch.manual_seed(123)
    a = pr.sample("student_t", {"df": 3.0}, 500, seed=7, device=CPU)
    torch.manual_seed(999)
    torch.rand(1000)
    b = pr.sample("student_t", {"df": 3.0}, 500, seed=7, device=CPU)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, pr.sample("student_t", {"df": 3.0}, 500, seed=8, device=CPU))
    before = torch.get_rng_state()
    pr.explore("mixture", n=500, seed=3, device=CPU)
    pr.law_of_large_numbers("normal", paths=20, steps=50, device=CPU)
    pr.central_limit("exponential", n=5, replicates=100, device=CPU)
    assert torch.equal(before, torch.get_rng_state())
    torch.set_rng_state(state)
    r1 = pr.wald_coverage("gamma", (2.0, 1.0), n=30, replications=50, seed=5, device=CPU)
    torch.manual_seed(0)
    r2 = pr.wald_coverage("gamma", (2.0, 1.0), n=30, replications=50, seed=5, device=CPU)
    np.testing.assert_array_equal(r1.estimates, r2.estimates)


SEEDED = [
    (lambda s: pr.explore("beta", n=300, seed=s, device=CPU).sample),
    (lambda s: pr.law_of_large_numbers("laplace", paths=40, steps=60, seed=s, device=CPU).final),
    (lambda s: pr.central_limit("poisson", n=7, replicates=200, seed=s, device=CPU).z),
    (lambda s: pr.ks_curve("gamma", ns=(1, 5, 25), replicates=200, seed=s, device=CPU).distance),
    (lambda s: pr.wald_coverage("exponential", (2.0,), n=20, replications=50, seed=s, device=CPU).lower),
    (lambda s: pr.beta_bernoulli(n=30, seed=s, device=CPU).data),
    (lambda s: pr.normal_normal(n=30, seed=s, device=CPU).data),
    (lambda s: pr.variance_estimators("uniform", ns=(3,), replicates=100, seed=s, shown_n=3, device=CPU)
     .get("biased").draws),
    (lambda s: pr.mean_estimators("geometric", ns=(3,), replicates=100, seed=s, shown_n=3, device=CPU)
     .get("median").draws),
    (lambda s: pr.uniform_maximum(ns=(4,), replicates=100, seed=s, shown_n=4, device=CPU).get("max").draws),
    (lambda s: pr.shrinkage(ns=(4,), replicates=100, seed=s, shown_n=4, device=CPU).get("james_stein").draws),
]


@pytest.mark.parametrize("run", SEEDED)
def test_every_seeded_result_is_reproducible_whatever_the_global_generator(run):
    torch.manual_seed(1)
    first = run(5)
    torch.manual_seed(2)
    torch.randn(100)
    np.testing.assert_array_equal(first, run(5))
    assert not np.array_equal(first, run(6))


def test_float32_as_on_a_gpu_agrees_with_float64(monkeypatch):
    """A GPU computes in float32 (core.device.compute_dtype): the same code path, run here on the CPU."""
    exact = (pr.explore("gamma", n=10, device=CPU), pr.fit("gamma", pr.data_column("diabetes_progression"),
                                                            device=CPU), pr.beta_bernoulli(n=40, seed=1, device=CPU))
    for module in (fam, limits, lk, pr.bayes, pr.estimators):
        monkeypatch.setattr(module, "compute_dtype", lambda device: torch.float32)
    e, f, u = (pr.explore("gamma", n=10, device=CPU), pr.fit("gamma", pr.data_column("diabetes_progression"),
                                                             device=CPU), pr.beta_bernoulli(exact[2].data, device=CPU))
    np.testing.assert_allclose(e.pdf, exact[0].pdf, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(e.cdf, exact[0].cdf, rtol=1e-5, atol=1e-7)
    assert f.converged
    np.testing.assert_allclose(f.mle, exact[1].mle, rtol=1e-4)
    np.testing.assert_allclose(f.se, exact[1].se, rtol=1e-3)
    np.testing.assert_array_equal(u.params, exact[2].params)  # float32 draws differ: the same data passed in
    np.testing.assert_allclose(u.densities, exact[2].densities, rtol=1e-4, atol=1e-6)
    assert u.grid_error < 1e-4


@pytest.mark.parametrize("name,params", [
    ("normal", {"sigma": 1e-6}), ("bernoulli", {"p": 0.0}), ("bernoulli", {"p": 1.0}),
    ("binomial", {"trials": 0, "p": 0.5}), ("binomial", {"trials": 40, "p": 1.0}), ("geometric", {"p": 1.0}),
    ("geometric", {"p": 1e-4}), ("beta", {"a": 0.01, "b": 0.01}), ("gamma", {"concentration": 0.01, "rate": 50.0}),
    ("poisson", {"rate": 1e-6}), ("student_t", {"df": 0.3}), ("exponential", {"rate": 1e4}),
    ("mixture", {"weight": 0.0}), ("mixture", {"weight": 1.0, "sigma1": 1e-5}), ("uniform", {"low": 0, "high": 1e-9}),
])
def test_edge_parameters_work(name, params):
    e = pr.explore(name, params, n=2000, device=CPU)
    assert np.isfinite(e.x).all() and np.isfinite(e.cdf).all() and np.isfinite(e.sample).all()
    assert np.all(np.isfinite(e.pdf) & (e.pdf >= 0))
    assert e.cdf.min() >= 0 and e.cdf.max() <= 1 + 1e-12
    for m in (e.moments.mean, e.moments.variance, e.moments.skewness, e.moments.kurtosis):
        assert math.isfinite(m.value) or (m.why and math.isnan(m.value))
    h = e.histogram
    assert h.counts.sum() + h.clipped_below + h.clipped_above == 2000
    if name == "beta":  # mass piles at both ends, half each
        assert e.sample.min() >= 0 and e.sample.max() <= 1
        assert 0.45 < e.sample.mean() < 0.55 and np.mean((e.sample < 0.01) | (e.sample > 0.99)) > 0.9


@pytest.mark.parametrize("name,params,words", [
    ("normal", {"sigma": 0.0}, "outside its domain"), ("normal", {"sigma": float("nan")}, "finite"),
    ("bernoulli", {"p": 1.5}, "outside its domain"), ("geometric", {"p": 0.0}, "outside its domain"),
    ("binomial", {"trials": 2.5}, "whole number"), ("uniform", {"low": 1.0, "high": 1.0}, "less than"),
    ("normal", {"tau": 1.0}, "no parameter"), ("lognormal", None, "Unknown distribution"),
    ("beta", {"a": -1.0}, "outside its domain"), ("normal", {"mu": "abc"}, "number"),
])
def test_impossible_parameters_are_refused_with_a_reason(name, params, words):
    with pytest.raises(DataError, match=words):
        pr.explore(name, params, device=CPU)


def test_registry_sliders_fit_their_domains():
    for f in pr.FAMILIES.values():
        for p in f.params:
            assert p.low <= p.default <= p.high and p.step > 0
            pr.check_params(f.key, {p.key: p.low if f.key != "uniform" else p.default})
            pr.check_params(f.key, {p.key: p.high if f.key != "uniform" else p.default})
        assert isinstance(pr.distribution(f.key, device=CPU), torch.distributions.Distribution)


# ------------------------------------------------------------------------------------------ limits


def test_law_of_large_numbers_running_means_and_band_counts():
    r = pr.law_of_large_numbers("exponential", {"rate": 2.0}, paths=30, steps=500, eps=0.05, seed=3,
                                shown_paths=30, device=CPU)
    draws = fam.sample_t("exponential", {"rate": 2.0}, 0, seed=3, device=CPU, shape=(30, 500)).numpy()
    running = np.cumsum(draws, axis=1) / np.arange(1, 501)
    np.testing.assert_allclose(r.means, running[:, r.steps - 1], rtol=1e-12)
    np.testing.assert_allclose(r.outside, (np.abs(running[:, r.steps - 1] - 0.5) > 0.05).mean(0))
    assert r.steps[0] == 1 and r.steps[-1] == 500 and np.all(np.diff(r.steps) > 0)
    np.testing.assert_allclose(r.funnel, 0.5 / np.sqrt(r.steps))
    assert r.centre == 0.5 and r.centre_kind == "mean"


def test_law_of_large_numbers_matches_the_exact_tail_and_cauchy_never_settles(monkeypatch):
    monkeypatch.setattr(limits, "CHUNK", 50_000)  # several chunks: counts must add up across them
    P, eps = 4000, 0.1
    r = pr.law_of_large_numbers("normal", {"sigma": 1.0}, paths=P, steps=400, eps=eps, seed=1, device=CPU)
    exact = 2 * stats.norm.sf(eps * np.sqrt(r.steps))  # X̄ₙ ~ N(0, 1/n)
    assert np.all(np.abs(r.outside - exact) <= 4.5 * np.sqrt(exact * (1 - exact) / P) + 1e-12)
    assert np.all(r.chebyshev >= exact - 1e-12)
    assert r.outside[-1] == np.mean(np.abs(r.final) > eps) and len(r.final) == P
    c = pr.law_of_large_numbers("cauchy", paths=P, steps=400, eps=eps, seed=1, device=CPU)
    stay = 1 - 2 / np.pi * np.arctan(eps)  # X̄ₙ ~ Cauchy(0, 1) for every n
    assert np.all(np.abs(c.outside - stay) <= 4.5 * math.sqrt(stay * (1 - stay) / P))
    assert np.isnan(c.funnel).all() and c.centre_kind == "median" and "no mean" in c.note
    t = pr.law_of_large_numbers("student_t", {"df": 1.5}, paths=50, steps=100, device=CPU)
    assert "infinite variance" in t.note and t.centre_kind == "mean" and np.isnan(t.chebyshev).all()
    with pytest.raises(DataError, match="ε"):
        pr.law_of_large_numbers("normal", eps=0.0, device=CPU)
    with pytest.raises(DataError, match="Paths"):
        pr.law_of_large_numbers("normal", paths=20_000, device=CPU)


def test_ks_distance_equals_scipy():
    z = torch.from_numpy(np.random.default_rng(0).standard_t(5, 700))
    assert limits.ks_normal_t(z) == pytest.approx(stats.kstest(z.numpy(), "norm").statistic, abs=1e-12)
    c = pr.central_limit("exponential", n=20, replicates=3000, seed=2, device=CPU)
    assert c.ks == pytest.approx(stats.kstest(c.z, "norm").statistic, abs=1e-12)
    assert abs(c.z.mean()) < 4 / math.sqrt(3000) and c.z.var() == pytest.approx(1, abs=0.1)
    np.testing.assert_allclose(c.qq_theory, np.sort(c.qq_theory))
    np.testing.assert_allclose(c.qq_sample, np.sort(c.z)[np.searchsorted(np.sort(c.z), c.qq_sample)])
    h = c.histogram
    assert h.counts.sum() + h.clipped_below + h.clipped_above == 3000


def test_the_clt_at_one_n_read_from_the_curve_paths_is_the_standardised_mean_of_their_first_n_draws():
    k = pr.ks_curve("gamma", {"concentration": 2.0, "rate": 3.0}, ns=(1, 3, 12), replicates=2000, seed=4, device=CPU)
    c = pr.central_limit_at(k, 12)
    np.testing.assert_array_equal(c.z, k.z[:, 2])
    assert (k.centre, k.scale) == pytest.approx((2 / 3, math.sqrt(2) / 3))  # the Gamma(2, 3)'s mean and sd
    assert c.ks == pytest.approx(stats.kstest(c.z, "norm").statistic, abs=1e-12) == pytest.approx(k.distance[2])
    # a Gamma(2, 3) mean of 12 draws is Gamma(24, 36): its standardised cdf, and the draws' KS distance to it
    exact = stats.gamma(24, scale=1 / 36)
    assert stats.kstest(c.z * k.scale / math.sqrt(12) + k.centre, exact.cdf).pvalue > 1e-3
    with pytest.raises(DataError, match="not one of the curve's sizes"):
        pr.central_limit_at(k, 5)


def test_the_sample_median_takes_the_middle_pair_mean_even_with_ties():
    rng = np.random.default_rng(3)
    for n in (1, 2, 3, 4, 9, 10):
        for x in (rng.normal(size=(400, n)), rng.integers(0, 3, size=(400, n)).astype(float)):
            np.testing.assert_allclose(pr.estimators._median(torch.from_numpy(x)).numpy(), np.median(x, axis=1))


def test_ks_distance_falls_like_one_over_root_n_with_finite_variance():
    k = pr.ks_curve("exponential", ns=(1, 2, 4, 8, 16, 32, 64), replicates=8000, seed=0, device=CPU)
    assert k.fitted.sum() >= 5
    assert -0.62 < k.slope < -0.38, k.slope
    # n = 1: Z = X − 1 ≥ −1, so F(−1) = 0 against Φ(−1) = 0.1587, the largest gap
    assert k.distance[0] == pytest.approx(stats.norm.cdf(-1), abs=2 / math.sqrt(8000))


def test_ks_distance_does_not_fall_for_cauchy_and_is_noise_for_a_normal_parent():
    k = pr.ks_curve("cauchy", ns=(1, 4, 16, 64, 256), replicates=3000, seed=0, device=CPU)
    assert k.distance[-1] > k.distance[0] and not k.slope < 0
    assert "standardised by the median" in k.note
    n = pr.ks_curve("normal", {"mu": 3.0, "sigma": 2.0}, ns=(1, 4, 16, 64), replicates=3000, seed=0, device=CPU)
    assert np.all(n.distance < 1.63 / math.sqrt(3000))  # exactly normal at every n: below the 1 % point


# ------------------------------------------------------------------------------------------ likelihood


def test_gradient_ascent_finds_the_closed_form_normal_mle_and_its_information():
    x = pr.data_column("wine_alcohol")
    f = pr.fit("normal", x, device=CPU)
    n = len(x)
    assert f.converged and f.adam_steps > 10
    np.testing.assert_allclose(f.mle, [x.mean(), x.std(ddof=0)], rtol=1e-10)
    s = x.std(ddof=0)
    np.testing.assert_allclose(f.information, np.diag([n / s**2, 2 * n / s**2]), rtol=1e-8, atol=1e-6)
    np.testing.assert_allclose(f.se, [s / math.sqrt(n), s / math.sqrt(2 * n)], rtol=1e-8)
    np.testing.assert_allclose(f.contributions, stats.norm.logpdf(x, *f.mle), rtol=1e-12)
    assert f.loglik == pytest.approx(stats.norm.logpdf(x, *f.mle).sum())
    assert f.surface.max() <= f.loglik + 1e-9
    np.testing.assert_allclose(f.path[0], lk.default_start("normal", x))
    np.testing.assert_allclose(f.path[-1], f.mle)
    assert f.path_loglik[-1] == pytest.approx(f.loglik) and f.path_loglik[0] < f.loglik - 10
    i, j = 17, 23  # a grid point, by scipy
    assert f.surface[i, j] == pytest.approx(stats.norm.logpdf(x, f.grid_x[j], f.grid_y[i]).sum(), rel=1e-12)


def test_the_ascent_is_torch_optim_adam():
    x = pr.data_column("diabetes_progression")
    f = pr.fit("gamma", x, steps=15, tol=0.0, device=CPU)
    c, s = lk._scales("gamma", x)
    u = torch.tensor(lk._coordinates("gamma", f.path[0], c, s), dtype=torch.float64, requires_grad=True)
    opt = torch.optim.Adam([u], lr=0.1)
    X = torch.from_numpy(np.array(x))
    for k in range(1, 16):
        opt.zero_grad()
        (-lk.log_density("gamma", X, lk._natural("gamma", u, c, s)).mean()).backward()
        opt.step()
        np.testing.assert_allclose(f.path[k], lk._natural("gamma", u.detach(), c, s).numpy(), rtol=1e-10)
    assert f.adam_steps == 15 and f.converged  # Newton finished the climb


def test_gamma_mle_equals_scipy_fit_and_the_profile_equation():
    x = pr.data_column("breast_cancer_radius")
    f = pr.fit("gamma", x, device=CPU)
    a, _, scale = stats.gamma.fit(x, floc=0)
    np.testing.assert_allclose(f.mle, [a, 1 / scale], rtol=1e-5)
    closed, se = pr.mle_closed("gamma", torch.from_numpy(np.array(x))[None])
    np.testing.assert_allclose(f.mle, closed[0].numpy(), rtol=1e-9)
    np.testing.assert_allclose(f.se, se[0].numpy(), rtol=1e-7)


@pytest.mark.parametrize("model,x,closed", [
    ("exponential", pr.sample("exponential", {"rate": 0.4}, 300, seed=1), lambda x: [1 / x.mean()]),
    ("poisson", pr.data_column("linnerud_chins"), lambda x: [x.mean()]),
    ("normal", pr.data_column("diabetes_progression"), lambda x: [x.mean(), x.std()]),
])
def test_mle_equals_closed_forms(model, x, closed):
    f = pr.fit(model, x, device=CPU)
    assert f.converged
    np.testing.assert_allclose(f.mle, closed(x), rtol=1e-9)
    assert f.surface.max() <= f.loglik + 1e-9


def test_wald_intervals_cover_95_percent_within_sampling_error():
    for model, truth, n in (("normal", (2.0, 3.0), 200), ("poisson", (4.0,), 200), ("gamma", (2.0, 0.5), 300)):
        c = pr.wald_coverage(model, truth, n=n, replications=2000, seed=1, device=CPU)
        assert c.lower.shape == (2000, len(truth)) and c.covered.shape == (2000, len(truth))
        np.testing.assert_array_equal(c.count, c.covered.sum(0))
        assert np.all(np.abs(c.coverage - 0.95) <= 3 * math.sqrt(0.95 * 0.05 / 2000)), (model, c.coverage)
    g = pr.wald_coverage("gamma", {"concentration": 2.0, "rate": 0.5}, n=40, replications=20, seed=2, device=CPU)
    X = fam.sample_t("gamma", {"concentration": 2.0, "rate": 0.5}, 0, seed=2, shape=(20, 40)).numpy()
    for r in range(3):
        a, _, scale = stats.gamma.fit(X[r], floc=0)
        np.testing.assert_allclose(g.estimates[r], [a, 1 / scale], rtol=1e-5)


def test_one_parameter_surface_and_a_chosen_start():
    x = pr.data_column("linnerud_chins")
    f = pr.fit("poisson", x, start=(30.0,), device=CPU)
    assert f.grid_y is None and f.surface.shape == f.grid_x.shape
    assert f.path[0, 0] == 30.0 and f.grid_x.min() <= x.mean() <= f.grid_x.max()
    np.testing.assert_allclose(f.surface, [stats.poisson.logpmf(x, lam).sum() for lam in f.grid_x], rtol=1e-12)
    with pytest.raises(DataError, match="positive"):
        pr.fit("normal", pr.data_column("wine_alcohol"), start=(13.0, -1.0), device=CPU)


@pytest.mark.parametrize("model,x,words", [
    ("gamma", [1.0, 0.0, 2.0], "positive"), ("poisson", [1.0, 2.5], "counts"), ("normal", [3.0, 3.0], "equal"),
    ("normal", [1.0], "at least 2"), ("normal", [1.0, float("nan")], "missing"), ("weibull", [1.0, 2.0], "Unknown"),
])
def test_data_a_model_cannot_explain_is_refused(model, x, words):
    with pytest.raises(DataError, match=words):
        pr.fit(model, x, device=CPU)


# ------------------------------------------------------------------------------------------ Bayes


def test_beta_bernoulli_posterior_equals_the_grid_and_one_at_a_time_equals_all_at_once():
    u = pr.beta_bernoulli(p_true=0.3, n=80, seed=4, a=2.0, b=3.0, device=CPU)
    x = u.data
    s = np.r_[0, np.cumsum(x)]
    k = np.arange(81)
    np.testing.assert_allclose(u.params, np.c_[2 + s, 3 + k - s])
    assert u.sequential_vs_batch < 1e-14 and u.grid_sequential_vs_batch < 1e-10 and u.grid_error < 1e-8
    A, B = u.params[:, 0], u.params[:, 1]
    ref = stats.beta(A, B)
    np.testing.assert_allclose(u.posterior_mean, ref.mean(), rtol=1e-12)
    lo, hi = ref.interval(0.95)
    np.testing.assert_allclose(u.lower, lo, rtol=1e-9)
    np.testing.assert_allclose(u.upper, hi, rtol=1e-9)
    np.testing.assert_allclose(u.densities[-1], ref.pdf(u.theta[:, None])[:, -1], rtol=1e-9)
    np.testing.assert_allclose(u.grid_density, stats.beta(A[-1], B[-1]).pdf(u.theta), rtol=1e-6, atol=1e-8)
    assert u.grid_mean == pytest.approx(u.posterior_mean[-1], abs=1e-8)
    best = u.theta[np.argmax(u.densities[-1])]  # the MAP on the grid
    assert u.map[-1] == pytest.approx(best, abs=1 / 400)
    assert np.isnan(u.mle[0]) and u.mle[-1] == pytest.approx(x.mean())
    assert u.sensitivity.shape == (len(pr.BETA_PRIORS), 81)
    np.testing.assert_allclose(u.sensitivity[0], (1 + s) / (2 + k))


def test_normal_normal_posterior_equals_the_closed_form_and_the_grid():
    u = pr.normal_normal(mu_true=1.5, sigma=2.0, n=40, seed=2, mu0=-1.0, tau0=0.5, device=CPU)
    x = u.data
    prec = 1 / 0.5**2 + len(x) / 4
    mean = (-1.0 / 0.25 + x.sum() / 4) / prec
    np.testing.assert_allclose(u.params[-1], [mean, prec**-0.5], rtol=1e-12)
    np.testing.assert_allclose(u.params[0], [-1.0, 0.5])
    assert u.sequential_vs_batch < 1e-13 and u.grid_sequential_vs_batch < 1e-10 and u.grid_error < 1e-8
    np.testing.assert_allclose(u.grid_density, stats.norm(mean, prec**-0.5).pdf(u.theta), rtol=1e-6, atol=1e-9)
    lo, hi = stats.norm(u.params[:, 0], u.params[:, 1]).interval(0.9)
    v = pr.normal_normal(x, sigma=2.0, mu0=-1.0, tau0=0.5, level=0.9, device=CPU)
    np.testing.assert_allclose(v.lower, lo, rtol=1e-10)
    np.testing.assert_allclose(v.upper, hi, rtol=1e-10)
    np.testing.assert_array_equal(u.map, u.posterior_mean)
    np.testing.assert_allclose(u.mle[1:], np.cumsum(x) / np.arange(1, 41))
    vague = list(pr.NORMAL_PRIORS).index(next(p for p in pr.NORMAL_PRIORS if p[1] == 10.0))
    assert abs(u.sensitivity[vague, -1] - x.mean()) < abs(u.sensitivity[0, -1] - x.mean())


def test_bayes_edges():
    u = pr.beta_bernoulli(n=0, a=0.5, b=0.5, device=CPU)
    assert u.params.shape == (1, 2) and np.isnan(u.map[0]) and u.note
    assert pr.beta_bernoulli([1, 1, 1], a=1, b=1, device=CPU).map[-1] == 1.0
    with pytest.raises(DataError, match="0 or 1"):
        pr.beta_bernoulli([0, 2], device=CPU)
    with pytest.raises(DataError, match="a > 0"):
        pr.beta_bernoulli(a=0.0, device=CPU)
    with pytest.raises(DataError, match="positive"):
        pr.normal_normal(sigma=0.0, device=CPU)


# ------------------------------------------------------------------------------------------ estimators


def _within(sim, exact, sd, R, k=4.5):
    return np.all(np.abs(sim - exact) <= k * sd / math.sqrt(R))


def test_sample_variance_bias_and_variance_match_closed_forms():
    R = 6000
    s = pr.variance_estimators("normal", {"sigma": 2.0}, ns=(2, 5, 20), replicates=R, seed=1, shown_n=5, device=CPU)
    b, u = s.get("biased"), s.get("unbiased")
    n = s.ns
    np.testing.assert_allclose(b.exact_bias, -4.0 / n)  # E[s²ₙ] = (n − 1)σ²/n
    np.testing.assert_allclose(u.exact_variance, 2 * 16 / (n - 1))  # normal: Var s²ₙ₋₁ = 2σ⁴/(n − 1)
    assert _within(b.bias, b.exact_bias, np.sqrt(b.exact_variance), R)
    assert _within(u.bias, 0.0, np.sqrt(u.exact_variance), R)
    # the sample variance of R values of σ²χ²ₙ₋₁/(n − 1) (excess kurtosis 12/(n − 1)) has relative standard
    # error √((12/(n − 1) + 2)/R): 4.8 % at n = 2
    assert np.all(np.abs(u.variance / u.exact_variance - 1) <= 4.5 * np.sqrt((12 / (n - 1) + 2) / R))
    assert np.all(b.mse < u.mse)  # dividing by n wins on MSE for a normal
    assert b.draws.shape == (R,) and u.draws == pytest.approx(b.draws * 5 / 4)
    e = pr.variance_estimators("exponential", ns=(3, 10), replicates=R, seed=2, shown_n=3, device=CPU)
    eu = e.get("unbiased")  # Var s²ₙ₋₁ = (μ₄ − σ⁴(n − 3)/(n − 1))/n with μ₄ = 9σ⁴
    np.testing.assert_allclose(eu.exact_variance, (9 - (e.ns - 3) / (e.ns - 1)) / e.ns)
    np.testing.assert_allclose(eu.variance, eu.exact_variance, rtol=0.25)


def test_sample_mean_variance_is_sigma_squared_over_n():
    R = 6000
    s = pr.mean_estimators("laplace", {"loc": 1.0, "scale": 2.0}, weight=0.5, ns=(1, 4, 16, 64), replicates=R,
                           seed=3, shown_n=4, device=CPU)
    m, w = s.get("mean"), s.get("shrink")
    np.testing.assert_allclose(m.exact_variance, 8.0 / s.ns)
    np.testing.assert_allclose(m.variance, 8.0 / s.ns, rtol=0.08)
    assert _within(m.bias, 0.0, np.sqrt(m.exact_variance), R)
    np.testing.assert_allclose(w.exact_bias, -0.5)
    assert _within(w.bias, -0.5, np.sqrt(w.exact_variance), R)


def test_uniform_maximum_bias_and_its_correction():
    R = 8000
    s = pr.uniform_maximum(theta=3.0, ns=(1, 5, 30), replicates=R, seed=4, shown_n=5, device=CPU)
    mx, ub, mm = s.get("max"), s.get("unbiased"), s.get("moments")
    n = s.ns
    np.testing.assert_allclose(3.0 + mx.exact_bias, n / (n + 1) * 3.0)  # E[max] = nθ/(n + 1)
    assert _within(mx.bias, mx.exact_bias, np.sqrt(mx.exact_variance), R)
    assert _within(ub.bias, 0.0, np.sqrt(ub.exact_variance), R)
    for e in (mx, ub, mm):
        np.testing.assert_allclose(e.variance, e.exact_variance, rtol=0.1)
        np.testing.assert_allclose(e.mse, e.exact_mse, rtol=0.1)
    assert np.all(ub.exact_mse[1:] < mm.exact_mse[1:]) and mx.draws.max() <= 3.0


def test_james_stein_beats_the_mean_and_matches_its_risk():
    R = 6000
    s = pr.shrinkage(p=6, theta_norm=1.0, sigma=1.0, weight=0.7, ns=(1, 4, 16), replicates=R, seed=5, shown_n=4,
                     device=CPU)
    mean, js, w = s.get("mean"), s.get("james_stein"), s.get("shrink")
    np.testing.assert_allclose(mean.mse, 6 / s.ns, rtol=0.06)
    np.testing.assert_allclose(js.mse, js.exact_mse, rtol=0.06)
    np.testing.assert_allclose(w.mse, w.exact_mse, rtol=0.06)
    assert np.all(js.exact_mse < mean.exact_mse)
    zero = pr.shrinkage(p=6, theta_norm=0.0, ns=(1,), replicates=R, seed=6, shown_n=1, device=CPU)
    assert zero.get("james_stein").exact_mse[0] == pytest.approx(2.0)  # p − (p − 2) at θ = 0, σ²/n = 1
    # E[1/χ′²_p(λ)] by numerical integration of the noncentral χ² density
    ref = integrate.quad(lambda t: stats.ncx2.pdf(t, 6, 3.0) / t, 0, np.inf)[0]
    assert pr.estimators.inverse_chi2_mean(6, 3.0) == pytest.approx(ref, rel=1e-8)
    with pytest.raises(DataError, match="p ≥ 3"):
        pr.shrinkage(p=2, device=CPU)


def test_estimator_studies_refuse_what_they_cannot_estimate():
    with pytest.raises(DataError, match="variance"):
        pr.variance_estimators("cauchy", device=CPU)
    with pytest.raises(DataError, match="one of"):
        pr.uniform_maximum(ns=(5, 10), shown_n=7, device=CPU)
