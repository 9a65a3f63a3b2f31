"""core.information against independent references: scipy's entropy, rel_entr and Jensen–Shannon, a Huffman
code written here with heapq, closed forms (a mixture's moments, the Gaussian's mutual information,
scipy's Gaussian entropies), numerical quadrature by scipy.integrate.quad, torch.autograd for the
hand-written gradients, scikit-learn's log-loss and mutual-information scores, scipy's scalar minimiser for
the temperature, and an expected calibration error counted bin by bin in numpy."""

from __future__ import annotations

import codecs
import heapq
import math
import string
from collections import Counter

import numpy as np
import pytest
import torch
from scipy import integrate, stats
from scipy.optimize import minimize_scalar
from scipy.spatial.distance import jensenshannon
from scipy.special import log_softmax, logsumexp, rel_entr
from sklearn.feature_selection import mutual_info_classif
from sklearn.metrics import log_loss, mutual_info_score

from core.data import DataError, load_dataset
from core.information import calibration as cal
from core.information import discrete as dis
from core.information import kl_fit as klf
from core.information import kl_fit_2d as k2
from core.information import likelihood as lik
from core.information import mutual as mi

CPU = torch.device("cpu")


def _random_p(k: int, seed: int, zeros: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    w = rng.gamma(0.7, size=k)
    w[rng.choice(k, size=zeros, replace=False)] = 0
    return w


# ------------------------------------------------------------------------------------------ entropy


@pytest.mark.parametrize("k,zeros,seed", [(2, 0, 0), (6, 0, 1), (26, 3, 2), (100, 40, 3)])
def test_entropy_equals_scipy(k, zeros, seed):
    w = _random_p(k, seed, zeros)
    assert dis.entropy(w, "bits", CPU) == pytest.approx(stats.entropy(w, base=2), abs=1e-12)
    assert dis.entropy(w, "nats", CPU) == pytest.approx(stats.entropy(w), abs=1e-12)


def test_distribution_normalises_and_says_so_and_refuses_nonsense():
    d = dis.distribution([1, 2, 0, 1])
    np.testing.assert_allclose(d.p, [0.25, 0.5, 0, 0.25])
    assert d.normalised and "4" in d.note
    assert not dis.distribution([0.5, 0.5]).normalised
    for bad in ([], [1, -1], [0, 0], [1, np.nan], [np.inf, 1]):
        with pytest.raises(DataError):
            dis.distribution(bad)
    with pytest.raises(DataError):
        dis.distribution([1, 1], ("a",))


def test_a_single_symbol_has_no_entropy_and_needs_no_bits():
    for w in ([3.0], [0, 5, 0]):
        code = dis.huffman(w)
        assert code.entropy == 0.0 and code.average_length == 0.0 and code.kraft == 1.0
        assert "nothing needs to be sent" in code.note
    assert dis.entropy([1.0]) == 0.0


def _huffman_average(p: np.ndarray) -> float:
    """An independent Huffman: the average codeword length is the sum of the weights of all merged nodes."""
    heap = [float(x) for x in p if x > 0]
    heapq.heapify(heap)
    total = 0.0
    while len(heap) > 1:
        a, b = heapq.heappop(heap), heapq.heappop(heap)
        total += a + b
        heapq.heappush(heap, a + b)
    return total


@pytest.mark.parametrize("k,zeros,seed", [(2, 0, 0), (5, 1, 1), (26, 0, 2), (60, 10, 3), (200, 0, 4)])
def test_huffman_is_optimal_prefix_free_and_within_one_bit_of_the_entropy(k, zeros, seed):
    w = _random_p(k, seed, zeros)
    code = dis.huffman(w)
    p = w / w.sum()
    H = stats.entropy(p, base=2)
    assert code.entropy == pytest.approx(H, abs=1e-12)
    assert H - 1e-12 <= code.average_length < H + 1
    assert code.average_length == pytest.approx(_huffman_average(p), abs=1e-12)
    assert code.kraft == pytest.approx(1.0, abs=1e-12)
    assert code.average_length == pytest.approx(float((p * code.lengths).sum()), abs=1e-12)
    words = [c for c, q in zip(code.codewords, p, strict=True) if q > 0]
    assert all(len(c) == n for c, n in zip(code.codewords, code.lengths, strict=True))
    assert all(not b.startswith(a) for a in words for b in words if a is not b)  # prefix-free
    assert all(c == "" for c, q in zip(code.codewords, p, strict=True) if q == 0)
    np.testing.assert_allclose(code.surprisal[p > 0], -np.log2(p[p > 0]))
    assert np.isinf(code.surprisal[p == 0]).all()


def test_huffman_meets_the_entropy_exactly_for_dyadic_probabilities():
    p = np.array([1 / 2, 1 / 8, 1 / 4, 1 / 16, 1 / 16])
    code = dis.huffman(p)
    np.testing.assert_array_equal(code.lengths, -np.log2(p))
    assert code.average_length == pytest.approx(code.entropy, abs=1e-12) and code.redundancy == pytest.approx(0)
    pre = dis.huffman(dis.preset("dyadic").p)
    assert pre.average_length == pre.entropy == 1.75


def test_presets_and_texts():
    assert dis.entropy(dis.preset("fair_die").p) == pytest.approx(math.log2(6))
    loaded = dis.preset("loaded_die")
    assert loaded.p[-1] == pytest.approx(0.5) and dis.entropy(loaded.p) < math.log2(6)
    import this

    zen = codecs.decode(this.s, "rot13")
    assert dis.text("zen") == zen and zen.startswith("The Zen of Python")
    counts = Counter(ch for ch in zen.lower() if ch in string.ascii_lowercase)
    np.testing.assert_array_equal(dis.letter_counts(zen), [counts[c] for c in string.ascii_lowercase])
    ref = dis.text("python_reference")
    assert len(ref) > 100_000
    for name in dis.TEXTS:
        tc = dis.text_code(name)
        c = dis.letter_counts(dis.text(name))
        assert tc.letters == c.sum()
        assert tc.code.entropy == pytest.approx(stats.entropy(c, base=2), abs=1e-12)
        assert 3.9 < tc.code.entropy < tc.uniform_bits  # English letters: about 4.1 bits, not log₂ 26 = 4.70
        assert tc.huffman_total_bits == pytest.approx(tc.letters * tc.code.average_length)
        pairs = dis.bigram_counts(dis.text(name))
        cond = stats.entropy(pairs.ravel(), base=2) - stats.entropy(pairs.sum(1), base=2)
        assert tc.bigram_conditional_entropy == pytest.approx(cond, abs=1e-10)
        assert tc.bigram_conditional_entropy < tc.code.entropy
    for bad in (lambda: dis.preset("nope"), lambda: dis.text_code("nope"), lambda: dis.entropy([1], "dits")):
        with pytest.raises(DataError):
            bad()


# ------------------------------------------------------------------------------------------ divergences


@pytest.mark.parametrize("seed", range(4))
def test_divergences_equal_scipy(seed):
    p, q = _random_p(8, seed), _random_p(8, seed + 10)
    d = dis.divergences(p, q, unit="bits")
    pn, qn = p / p.sum(), q / q.sum()
    assert d.entropy_p == pytest.approx(stats.entropy(pn, base=2), abs=1e-12)
    assert d.kl_pq == pytest.approx(stats.entropy(pn, qn, base=2), abs=1e-12)
    assert d.kl_qp == pytest.approx(stats.entropy(qn, pn, base=2), abs=1e-12)
    np.testing.assert_allclose(d.kl_pq_terms, rel_entr(pn, qn) / math.log(2), atol=1e-14)
    assert d.cross_entropy == pytest.approx(d.entropy_p + d.kl_pq, abs=1e-12)
    np.testing.assert_allclose(d.cross_terms, -pn * np.log2(qn), atol=1e-14)
    assert d.js == pytest.approx(jensenshannon(pn, qn, base=2) ** 2, abs=1e-12)
    assert 0 <= d.js <= 1
    nats = dis.divergences(p, q, unit="nats")
    assert nats.kl_pq == pytest.approx(stats.entropy(pn, qn), abs=1e-12)


def test_divergence_is_infinite_where_q_rules_out_what_p_allows_and_says_which_symbols():
    d = dis.divergences([0.5, 0.5, 0.0], [0.0, 0.5, 0.5], symbols=("rain", "sun", "snow"))
    assert math.isinf(d.kl_pq) and math.isinf(d.cross_entropy) and math.isinf(d.kl_qp)
    assert any("“rain”" in n and "KL(p‖q)" in n for n in d.notes)
    assert any("“snow”" in n and "KL(q‖p)" in n for n in d.notes)
    assert math.isfinite(d.js) and d.js == pytest.approx(jensenshannon([0.5, 0.5, 0], [0, 0.5, 0.5], base=2) ** 2)
    assert d.kl_pq_terms[2] == 0 and d.cross_terms[2] == 0  # 0 log 0 = 0
    same = dis.divergences([1, 1], [2, 2])
    assert same.kl_pq == same.kl_qp == same.js == 0 and len(same.notes) == 2  # both normalised
    with pytest.raises(DataError):
        dis.divergences([1, 1], [1, 1, 1])


# ------------------------------------------------------------------------------------------ forward vs reverse KL


def _mixture_pdf(x, mix):
    return sum(w * stats.norm.pdf(x, m, s) for m, s, w in zip(mix.means, mix.sds, mix.weights, strict=True))


def _mixture_logpdf(x, mix):
    return logsumexp([math.log(w) + stats.norm.logpdf(x, m, s)
                      for m, s, w in zip(mix.means, mix.sds, mix.weights, strict=True)])


def _quad(f, lo=-25, hi=25):
    return integrate.quad(f, lo, hi, limit=400, points=[-5, 0, 5])[0]


def test_mixture_moments_are_the_closed_form():
    mix = klf.mixture((-3, 0, 4), (0.5, 1, 0.7), (3, 3, 4))
    assert "normalised" in mix.note
    mean = _quad(lambda x: x * _mixture_pdf(x, mix))
    assert mix.mean == pytest.approx(mean, abs=1e-8)
    assert mix.variance == pytest.approx(_quad(lambda x: (x - mean) ** 2 * _mixture_pdf(x, mix)), abs=1e-7)
    for bad in [((0,), (0.01,), (1,)), ((0, 1), (1,), (1, 1)), ((0,) * 4, (1,) * 4, (1,) * 4), ((0,), (1,), (0,))]:
        with pytest.raises(DataError):
            klf.mixture(*bad)


@pytest.mark.parametrize("means,sds,weights", [((-2, 2), (0.6, 0.6), (0.5, 0.5)),
                                               ((-3, 0, 4), (0.5, 1, 0.7), (0.3, 0.3, 0.4)),
                                               ((0, 1), (1, 2), (0.2, 0.8))])
def test_forward_kl_fit_matches_the_mixture_moments(means, sds, weights):
    fits = klf.fit_kl(means, sds, weights, device=CPU)
    mix = fits.mixture
    assert fits.forward.mu[-1] == pytest.approx(mix.mean, abs=1e-4)
    assert fits.forward.sd[-1] ** 2 == pytest.approx(mix.variance, rel=1e-4)
    assert fits.moment_match == pytest.approx((mix.mean, math.sqrt(mix.variance)))
    # the objective is KL(p‖q), checked by quadrature at the end point
    mu, sd = fits.forward.mu[-1], fits.forward.sd[-1]
    kl = _quad(lambda x: _mixture_pdf(x, mix) * (_mixture_logpdf(x, mix) - stats.norm.logpdf(x, mu, sd)))
    assert fits.forward.objective[-1] == pytest.approx(kl, abs=1e-6)
    assert fits.forward.kl_forward == pytest.approx(kl, abs=1e-6)
    h = -_quad(lambda x: _mixture_pdf(x, mix) * _mixture_logpdf(x, mix))
    assert fits.entropy_p == pytest.approx(h, abs=1e-6)
    assert np.trapezoid(fits.p, fits.x) == pytest.approx(1, abs=1e-6)


def test_reverse_kl_locks_onto_the_mode_it_starts_near_and_its_value_is_the_integral():
    fits = klf.fit_kl((-5, 0, 5), (0.5, 0.8, 0.7), (0.3, 0.3, 0.4), reverse_starts=((-4, 1), (4, 1), (0.5, 0.8)),
                      device=CPU)
    mix = fits.mixture
    for f, comp in zip(fits.reverse, (0, 2, 1), strict=True):
        assert f.nearest_component == comp
        assert abs(f.mu[-1] - mix.means[comp]) < 0.2
        assert f.sd[-1] == pytest.approx(mix.sds[comp], rel=0.15)
        mu, sd = f.mu[-1], f.sd[-1]
        kl = _quad(lambda x, mu=mu, sd=sd: stats.norm.pdf(x, mu, sd)
                   * (stats.norm.logpdf(x, mu, sd) - _mixture_logpdf(x, mix)), mu - 12 * sd, mu + 12 * sd)
        assert f.objective[-1] == pytest.approx(kl, abs=1e-6)
        assert f.kl_reverse == pytest.approx(kl, abs=1e-6)
        assert f.kl_forward > fits.forward.kl_forward  # the mode-seeker pays in the other direction
    assert fits.forward.kl_reverse > min(f.kl_reverse for f in fits.reverse)
    assert len({round(f.mu[-1], 2) for f in fits.reverse}) == 3  # different starts, different optima
    for f in (fits.forward, *fits.reverse):
        assert f.objective[-1] <= f.objective[0] + 1e-12


def test_alpha_divergence_sits_between_the_directions_and_tends_to_each_kl():
    fits = klf.fit_kl((-2, 2), (0.6, 0.6), (0.5, 0.5), reverse_starts=((2, 1),), alpha=0.5, device=CPU)
    a = fits.alpha
    assert fits.reverse[0].sd[-1] < a.sd[-1] < fits.forward.sd[-1]
    mix = fits.mixture
    obj = klf._Objectives(mix, -15, 15, CPU)
    mu, s = torch.tensor([0.3], dtype=torch.float64), torch.tensor([math.log(1.7)], dtype=torch.float64)
    q = lambda x: stats.norm.pdf(x, 0.3, 1.7)  # noqa: E731
    for alpha in (0.2, 0.5, 0.9):
        ref = (1 - _quad(lambda x, al=alpha: _mixture_pdf(x, mix) ** al * q(x) ** (1 - al))) / (alpha * (1 - alpha))
        assert float(obj.alpha(mu, s, alpha)[0]) == pytest.approx(ref, abs=1e-7)
    assert float(obj.alpha(mu, s, 0.999)[0]) == pytest.approx(float(obj.forward(mu, s)[0]), abs=0.01)
    assert float(obj.alpha(mu, s, 0.001)[0]) == pytest.approx(float(obj.reverse(mu, s)[0]), abs=0.01)
    assert klf.fit_kl(alpha=None, steps=5, device=CPU).alpha is None
    for bad in (0.0, 0.001, 1.0):
        with pytest.raises(DataError):
            klf.fit_kl(alpha=bad, device=CPU)


def test_hand_written_gradients_equal_autograd():
    mix = klf.mixture((-3, 0, 4), (0.5, 1, 0.7), (0.3, 0.3, 0.4))
    obj = klf._Objectives(mix, -12, 12, CPU)
    mu = torch.tensor([-2.5, 0.4, 3.0], dtype=torch.float64, requires_grad=True)
    s = torch.tensor([-0.3, 0.2, 0.5], dtype=torch.float64, requires_grad=True)
    for name, fn in (("forward", obj.forward), ("reverse", obj.reverse),
                     ("alpha", lambda m, t, grad=False: obj.alpha(m, t, 0.4, grad=grad))):
        _, grad = fn(mu.detach(), s.detach(), grad=True)
        gm, gs = torch.autograd.grad(fn(mu, s).sum(), (mu, s))
        np.testing.assert_allclose(grad[:, 0].numpy(), gm.numpy(), rtol=1e-9, atol=1e-12, err_msg=name)
        np.testing.assert_allclose(grad[:, 1].numpy(), gs.numpy(), rtol=1e-9, atol=1e-12, err_msg=name)


def test_kl_fits_are_deterministic_report_progress_and_refuse_bad_starts():
    seen = []
    a = klf.fit_kl(steps=50, progress=lambda f, t: seen.append(f), device=CPU)
    b = klf.fit_kl(steps=50, device=CPU)
    np.testing.assert_array_equal(a.forward.mu, b.forward.mu)
    np.testing.assert_array_equal(a.reverse[0].sd, b.reverse[0].sd)
    assert seen[-1] == 1.0 and len(seen) == 10
    assert a.forward.mu.shape == (51,) and a.q_reverse.shape == (len(a.reverse), len(a.x))
    for bad in ({"reverse_starts": ((0, 0),)}, {"forward_start": (np.nan, 1)}, {"steps": 0}, {"lr": -1},
                {"reverse_starts": ((0, 1),) * 9}):
        with pytest.raises(DataError):
            klf.fit_kl(**bad, device=CPU)


def test_landscape_minimum_is_where_the_fits_end():
    fits = klf.fit_kl(device=CPU)
    fw = klf.landscape(direction="forward", resolution=81, mu_range=(-3, 3), sd_range=(0.5, 4), device=CPU)
    i, j = np.unravel_index(np.argmin(fw.values), fw.values.shape)
    assert abs(fw.mu[j] - fits.forward.mu[-1]) < 0.1 and fw.sd[i] == pytest.approx(fits.forward.sd[-1], rel=0.05)
    rv = klf.landscape(direction="reverse", resolution=61, device=CPU)
    assert rv.values.min() == pytest.approx(min(f.objective[-1] for f in fits.reverse), abs=0.02)
    al = klf.landscape(direction="alpha", resolution=30, device=CPU)
    assert np.isfinite(al.values).all() and al.values.shape == (30, 30)
    with pytest.raises(DataError):
        klf.landscape(direction="sideways")


@pytest.fixture(scope="module")
def fits_2d():
    return k2.fit_kl_2d(means=((-3, 0), (3, 1)), covs=(((0.3, 0.2), (0.2, 0.6)), ((0.6, -0.2), (-0.2, 0.3))),
                        weights=(0.4, 0.6), reverse_starts=((-2.5, 0.5), (2.5, 0.5)), device=CPU)


def test_2d_forward_fit_matches_the_moments_and_reverse_fits_take_one_mode_each(fits_2d):
    mix = fits_2d.mixture
    draws = np.concatenate([stats.multivariate_normal(m, S).rvs(int(200_000 * w), random_state=i)
                            for i, (m, S, w) in enumerate(zip(mix.means, mix.covs, mix.weights, strict=True))])
    np.testing.assert_allclose(mix.mean, draws.mean(0), atol=0.02)
    np.testing.assert_allclose(mix.cov, np.cov(draws.T), atol=0.05)
    np.testing.assert_allclose(fits_2d.forward.mu[-1], mix.mean, atol=1e-4)
    np.testing.assert_allclose(fits_2d.forward.cov[-1], mix.cov, rtol=1e-3, atol=1e-4)
    for f, comp in zip(fits_2d.reverse, (0, 1), strict=True):
        assert f.nearest_component == comp
        np.testing.assert_allclose(f.mu[-1], mix.means[comp], atol=0.05)
        np.testing.assert_allclose(f.cov[-1], mix.covs[comp], atol=0.05)  # it turns with the mode
        # KL(q‖p) by an independent midpoint sum on a fine grid with scipy's densities
        g = np.linspace(-8, 8, 801)
        X, Y = np.meshgrid(g, g)
        pts = np.dstack([X, Y])
        q = stats.multivariate_normal(f.mu[-1], f.cov[-1])
        logp = logsumexp([math.log(w) + stats.multivariate_normal(m, S).logpdf(pts)
                          for m, S, w in zip(mix.means, mix.covs, mix.weights, strict=True)], axis=0)
        kl = (q.pdf(pts) * (q.logpdf(pts) - logp)).sum() * (g[1] - g[0]) ** 2
        assert f.objective[-1] == pytest.approx(kl, abs=1e-3)
        assert f.kl_forward > fits_2d.forward.kl_forward


def test_2d_hand_written_gradients_equal_autograd():
    mix = k2.mixture_2d(((-3, 0), (3, 1), (0, 2)), (((0.3, 0.2), (0.2, 0.6)), ((0.6, -0.2), (-0.2, 0.3)), np.eye(2)),
                        (0.4, 0.6, 0.3))
    obj = k2._Objectives2D(mix, 1.0, CPU)
    th = torch.tensor([[0.3, -0.2, 0.1, 0.4, -0.3], [-2.0, 0.5, -0.5, -0.2, 0.2]], dtype=torch.float64,
                      requires_grad=True)
    for fn in (obj.forward, obj.reverse):
        _, grad = fn(th.detach(), grad=True)
        (auto,) = torch.autograd.grad(fn(th).sum(), th)
        np.testing.assert_allclose(grad.numpy(), auto.numpy(), rtol=1e-9, atol=1e-12)


def test_2d_fit_is_deterministic_and_refuses_bad_input(fits_2d):
    a, b = (k2.fit_kl_2d(steps=20, resolution=20, device=CPU) for _ in range(2))
    np.testing.assert_array_equal(a.reverse[1].cov, b.reverse[1].cov)
    assert a.forward.mu.shape == (21, 2) and a.p.shape == (20, 20)
    assert np.trapezoid(np.trapezoid(fits_2d.p, fits_2d.x, axis=1), fits_2d.y) == pytest.approx(1, abs=1e-3)
    for bad in ({"covs": (((1, 0), (0, -1)),) * 2}, {"covs": (((1, 0.5), (0, 1)),) * 2}, {"weights": (0, 0)},
                {"reverse_starts": ((np.nan, 0),)}, {"steps": 0}):
        with pytest.raises(DataError):
            k2.fit_kl_2d(**bad, device=CPU)


# ------------------------------------------------------------------------------------------ likelihood


@pytest.fixture(scope="module")
def softmax_digits():
    return lik.train_softmax("digits", epochs=60, device=CPU)


def test_cross_entropy_in_bits_is_the_negative_log_likelihood(softmax_digits):
    r = softmax_digits
    tr = r.is_train
    n = int(tr.sum())
    assert r.train_cross_entropy_bits == pytest.approx(log_loss(r.y[tr], r.proba[tr], labels=range(10)) / math.log(2),
                                                       abs=1e-10)
    assert r.train_cross_entropy_bits == pytest.approx(-r.log_likelihood / (n * math.log(2)), abs=1e-12)
    np.testing.assert_allclose(r.surprisal_bits, -np.log2(r.proba[np.arange(len(r.y)), r.y]), atol=1e-10)
    onehot = np.eye(10)[r.y[tr]]
    kl = np.array([stats.entropy(o, q, base=2) for o, q in zip(onehot[:20], r.proba[tr][:20], strict=True)])
    np.testing.assert_allclose(r.surprisal_bits[tr][:20], kl, atol=1e-10)  # H(one-hot) = 0, so CE = KL
    assert r.test_cross_entropy_bits == pytest.approx(r.surprisal_bits[~tr].mean())
    assert r.train_bits[0] == pytest.approx(math.log2(10)) == r.uniform_bits
    assert r.train_bits[-1] == pytest.approx(r.train_cross_entropy_bits)
    assert r.train_bits[-1] < 0.3 * r.label_entropy_bits and r.test_acc[-1] > 0.9
    counts = np.bincount(r.y[tr], minlength=10)
    assert r.label_entropy_bits == pytest.approx(stats.entropy(counts, base=2))


def test_softmax_training_is_reproducible_and_reports_progress(softmax_digits):
    seen = []
    again = lik.train_softmax("digits", epochs=60, progress=lambda f, t: seen.append(f), device=CPU)
    np.testing.assert_array_equal(again.train_bits, softmax_digits.train_bits)
    assert seen[-1] == pytest.approx(1.0)
    iris = lik.train_softmax("iris", epochs=0, train_fraction=1.0, device=CPU)
    assert len(iris.train_bits) == 1 and math.isnan(iris.test_cross_entropy_bits)
    with pytest.raises(DataError):
        lik.train_softmax("mnist")


# ------------------------------------------------------------------------------------------ mutual information


def test_gaussian_mutual_information_closed_form():
    for rho in (-0.9, -0.3, 0.0, 0.5, 0.99):
        cov = [[1, rho], [rho, 1]]
        ref = 2 * stats.norm.entropy() - stats.multivariate_normal([0, 0], cov).entropy()
        assert mi.gaussian_mi(rho, "nats").value == pytest.approx(ref, abs=1e-10)
        assert mi.gaussian_mi(rho, "bits").value == pytest.approx(ref / math.log(2), abs=1e-10)
    for rho in (1.0, -1.0):
        e = mi.gaussian_mi(rho)
        assert math.isinf(e.value) and "infinite" in e.note
    with pytest.raises(DataError):
        mi.gaussian_mi(1.5)


def test_plugin_estimate_equals_sklearn_on_the_same_bins():
    data = mi.gaussian_sample(0.6, 700, 3)
    for bins in (2, 7, 20):
        ref = mutual_info_score(mi.bin_index(data[:, 0], bins), mi.bin_index(data[:, 1], bins))
        assert mi.plugin_mi(data[:, 0], data[:, 1], bins, "nats", CPU) == pytest.approx(ref, abs=1e-12)
    assert np.corrcoef(data.T)[0, 1] == pytest.approx(0.6, abs=0.06)


def test_estimators_converge_to_the_closed_form_as_the_sample_grows():
    c = mi.mi_convergence(0.8, sizes=(50, 200, 4000), repeats=3, bins=12, seed=1, device=CPU)
    err_knn = np.abs(c.knn.mean(0) - c.exact.value)
    assert err_knn[-1] < 0.05 and err_knn[-1] < err_knn[0] + 0.02
    assert c.plugin.mean(0)[0] > c.plugin.mean(0)[-1]  # few samples: empty cells look informative
    zero = mi.mi_convergence(0.0, sizes=(50, 500, 4000), repeats=3, bins=10, seed=2, device=CPU)
    assert np.all(np.diff(zero.plugin.mean(0)) < 0) and zero.plugin.mean(0)[-1] < 0.03
    np.testing.assert_allclose(zero.plugin.mean(0), zero.independent_bias, rtol=0.5)  # Miller–Madow's size
    seen = []
    again = mi.mi_convergence(0.0, sizes=(50, 500, 4000), repeats=3, bins=10, seed=2,
                              progress=lambda f, t: seen.append(f), device=CPU)
    np.testing.assert_array_equal(again.knn, zero.knn)
    assert seen == pytest.approx([1 / 3, 2 / 3, 1])
    edge = mi.mi_convergence(1.0, sizes=(50, 100), repeats=1, device=CPU)
    assert math.isinf(edge.exact.value) and np.isfinite(edge.knn).all() and np.isfinite(edge.plugin).all()
    for sizes in ((5,), (100, 50_000)):
        with pytest.raises(DataError):
            mi.mi_convergence(0.5, sizes=sizes)


def test_pixel_mutual_information_equals_sklearn_discrete_scores():
    px = mi.pixel_mi(device=CPU)
    ds = load_dataset("digits")
    ref = mutual_info_classif(ds.X, ds.y, discrete_features=True) / math.log(2)
    np.testing.assert_allclose(px.plugin.ravel(), ref, atol=1e-12)
    assert px.label_entropy == pytest.approx(stats.entropy(np.bincount(ds.y), base=2))
    assert px.plugin.max() < px.label_entropy and px.knn is None
    assert (px.plugin.ravel()[np.ptp(ds.X, axis=0) == 0] == 0).all() and px.constant_pixels >= 1
    assert px.plugin[3:5, 3:5].mean() > px.plugin[:, 0].mean()  # the centre tells more than the left edge


def test_pixel_knn_map_agrees_with_the_plugin_map_and_reports_progress():
    seen = []
    px = mi.pixel_mi(knn=True, progress=lambda f, t: seen.append(f), device=CPU)
    assert px.knn.shape == (8, 8) and seen == pytest.approx([(r + 1) / 8 for r in range(8)])
    assert np.corrcoef(px.knn.ravel(), px.plugin.ravel())[0, 1] > 0.9
    assert np.all(px.knn >= 0) and px.knn.max() < px.label_entropy


# ------------------------------------------------------------------------------------------ temperature and calibration


@pytest.fixture(scope="module")
def classifier():
    return cal.train_classifier(device=CPU)


def _ece(probs: np.ndarray, y: np.ndarray, bins: int) -> float:
    conf, pred = probs.max(1), probs.argmax(1)
    total = 0.0
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        inside = (conf > lo) & (conf <= hi) | ((b == 0) & (conf == 0))
        if inside.any():
            total += inside.mean() * abs((pred[inside] == y[inside]).mean() - conf[inside].mean())
    return total


def test_reliability_and_ece_equal_a_bin_by_bin_count(classifier):
    z, y = classifier.rows("test")
    for T, bins in ((1.0, 10), (2.5, 15), (0.3, 5)):
        logp = log_softmax(z / T, axis=1)
        rel = cal.reliability_t(torch.tensor(logp), torch.tensor(y), bins)
        assert rel.ece == pytest.approx(_ece(np.exp(logp), y, bins), abs=1e-12)
        assert rel.counts.sum() == len(y)
        assert rel.nll == pytest.approx(-logp[np.arange(len(y)), y].mean(), abs=1e-12)
        full = rel.counts > 0
        assert np.all((rel.confidence[full] > rel.edges[:-1][full]) & (rel.confidence[full] <= rel.edges[1:][full]))


def test_temperature_scaling_equals_scipy_and_lowers_the_held_out_nll(classifier):
    c = cal.calibrate(classifier, device=CPU)
    zv, yv = classifier.rows("validation")
    nll = lambda t: -log_softmax(zv / t, axis=1)[np.arange(len(yv)), yv].mean()  # noqa: E731
    ref = minimize_scalar(nll, bounds=(0.05, 20), method="bounded", options={"xatol": 1e-9}).x
    assert abs(c.T - ref) < 1e-5 * ref
    assert c.T_scipy == pytest.approx(ref, rel=1e-5)
    assert c.T > 1  # the network is over-confident
    assert nll(c.T) < nll(1.0)
    assert c.after.nll < c.before.nll and c.after.ece < c.before.ece  # on the untouched test rows
    assert c.after.accuracy_all == c.before.accuracy_all
    np.testing.assert_allclose(c.validation_nll, [nll(t) for t in c.temperatures], rtol=1e-10)
    assert classifier.accuracy[0] == 1.0 and classifier.accuracy[2] > 0.9


def test_temperature_reshapes_the_softmax_without_changing_the_prediction(classifier):
    z, y = classifier.rows("test")
    t1 = cal.temper(classifier, 1.0, row=5, seed=4, device=CPU)
    np.testing.assert_allclose(t1.probs, np.exp(log_softmax(z[5])), atol=1e-12)
    assert np.all(np.diff(t1.mean_entropy_bits) > -1e-12)  # hotter is flatter
    assert t1.mean_entropy_bits[0] < 0.01 and t1.mean_entropy_bits[-1] > t1.max_entropy_bits - 0.01
    again = cal.temper(classifier, 1.0, row=5, seed=4, device=CPU)
    np.testing.assert_array_equal(again.samples, t1.samples)
    assert cal.temper(classifier, 1e300, row=5, device=CPU).entropy_bits == pytest.approx(math.log2(10))
    hot = cal.temper(classifier, 1e6, row=5, n_samples=20_000, device=CPU)
    assert hot.entropy_bits == pytest.approx(math.log2(10), abs=1e-6)
    assert stats.chisquare(hot.counts).pvalue > 1e-4  # draws at T → ∞ look uniform
    for T in (0.0, 1e-12, 1e-310):
        cold = cal.temper(classifier, T, row=5, device=CPU)
        assert cold.entropy_bits == 0.0 and (cold.samples == z[5].argmax()).all()
    assert (z.argmax(1) != y).any() and math.isinf(float(cal.nll_t(torch.tensor(z), torch.tensor(y), 0.0)))
    with pytest.raises(DataError):
        cal.temper(classifier, -1.0)
    with pytest.raises(DataError):
        cal.temper(classifier, row=10_000)


def test_a_component_of_weight_zero_is_left_out_of_the_mixture():
    """A weight slider at 0 leaves one Gaussian: every fit lands on it (its mean and sd, in 1-D and 2-D)."""
    f = klf.fit_kl(weights=(1.0, 0.0), device=CPU)
    assert "weight 0 left out" in f.mixture.note and len(f.mixture.means) == 1
    assert f.forward.mu[-1] == pytest.approx(-2.0, abs=1e-3) and f.forward.sd[-1] == pytest.approx(0.6, abs=1e-3)
    assert all(r.mu[-1] == pytest.approx(-2.0, abs=1e-3) for r in f.reverse)
    g = k2.fit_kl_2d(weights=(0.0, 1.0), device=CPU)
    np.testing.assert_allclose(g.forward.mu[-1], [2.0, 0.0], atol=1e-2)
    np.testing.assert_allclose(g.forward.cov[-1], [[0.6, -0.2], [-0.2, 0.3]], atol=1e-2)
