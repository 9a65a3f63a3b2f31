"""core.linalg against independent references: scikit-learn's PCA, numpy's SVD, Eckart–Young,
and the Halko–Martinsson–Tropp bound for the randomized SVD."""

import numpy as np
import pytest
import torch
from sklearn.decomposition import PCA

from core import data, linalg


def _match_up_to_sign(a: np.ndarray, b: np.ndarray, atol: float) -> None:
    for i in range(a.shape[0]):
        sign = np.sign(a[i] @ b[i]) or 1.0
        np.testing.assert_allclose(a[i], sign * b[i], atol=atol)


def _scaled(X: np.ndarray) -> np.ndarray:
    """Columns centred and divided by their ddof = 1 deviation (constant columns left at 0)."""
    s = X.std(axis=0, ddof=1)
    return (X - X.mean(axis=0)) / np.where(s > 0, s, 1.0)


@pytest.mark.parametrize("name", ["digits", "iris", "wine", "breast_cancer"])
@pytest.mark.parametrize("standardize", [False, True])
def test_pca_matches_sklearn(name, standardize):
    X = data.load_dataset(name).X
    ref_X = _scaled(X) if standardize else X
    k = min(10, X.shape[1])
    ref = PCA(n_components=k, svd_solver="full").fit(ref_X)
    res = linalg.pca(X, k, standardize=standardize)
    np.testing.assert_allclose(res.explained_variance[:k], ref.explained_variance_, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(res.explained_variance_ratio[:k], ref.explained_variance_ratio_, rtol=1e-9,
                               atol=1e-12)
    # Components agree up to sign wherever the eigenvalue is simple (digits has a near-null tail).
    distinct = np.abs(np.diff(ref.explained_variance_)) > 1e-6 * ref.explained_variance_[0]
    simple = np.concatenate([[True], distinct]) & np.concatenate([distinct, [True]])
    _match_up_to_sign(res.components[:k][simple], ref.components_[simple], atol=1e-7)
    scores = ref.transform(ref_X)
    for i in np.flatnonzero(simple):
        sign = np.sign(res.scores[:, i] @ scores[:, i])
        np.testing.assert_allclose(res.scores[:, i], sign * scores[:, i], atol=1e-7)


def test_pca_rank_and_k_clipping():
    X = data.load_dataset("digits").X
    res = linalg.pca(X, k=500)
    assert res.k == 64  # k larger than min(n, d) is clipped, not an error
    assert res.rank == np.linalg.matrix_rank(X - X.mean(axis=0))
    assert np.allclose(res.explained_variance[res.rank:], 0, atol=1e-9)


def test_pca_standardize_constant_column_has_no_division_by_zero():
    rng = np.random.default_rng(0)
    X = np.column_stack([rng.normal(size=50), np.full(50, 7.0), rng.normal(size=50) * 3])
    res = linalg.pca(X, 2, standardize=True)
    assert res.constant_columns == 1
    assert np.isfinite(res.scores).all() and np.isfinite(res.components).all()
    ref = PCA(2, svd_solver="full").fit(_scaled(X))  # the constant column stays at 0
    np.testing.assert_allclose(res.explained_variance[:2], ref.explained_variance_, rtol=1e-9)


@pytest.mark.parametrize("name", ["iris", "wine", "breast_cancer"])
def test_standardized_pca_is_pca_of_the_correlation_matrix(name):
    X = data.load_dataset(name).X
    res = linalg.pca(X, X.shape[1], standardize=True)
    reference = np.linalg.eigvalsh(np.corrcoef(X, rowvar=False))[::-1]
    np.testing.assert_allclose(res.explained_variance, reference, rtol=1e-9, atol=1e-12)
    assert res.explained_variance.sum() == pytest.approx(X.shape[1], rel=1e-12)  # the trace of R is d
    np.testing.assert_allclose(res.covariance(), np.corrcoef(X, rowvar=False), atol=1e-10)
    # the page's S = D (V Λ Vᵀ) D with D the columns' (ddof = 1) deviations
    np.testing.assert_allclose(res.covariance() * np.outer(res.scale, res.scale), np.cov(X, rowvar=False),
                               rtol=1e-9, atol=1e-9)
    if name == "wine":  # the number the page shows: 4.706, not n/(n − 1) × that = 4.732
        assert res.explained_variance[0] == pytest.approx(4.70585, abs=1e-5)


def test_pca_covariance_is_the_sample_covariance():
    X = data.gaussian_cloud(400, 3, stretch=2.5, angle_deg=40, correlation=0.6, seed=3).X
    res = linalg.pca(X, 3)
    np.testing.assert_allclose(res.covariance(), np.cov(X, rowvar=False), atol=1e-10)


def test_pca_recovers_the_shaped_gaussian_axis():
    ds = data.gaussian_cloud(20_000, 2, stretch=4.0, angle_deg=30.0, seed=1)
    res = linalg.pca(ds.X, 2)
    angle = np.degrees(np.arctan2(res.components[0, 1], res.components[0, 0])) % 180
    assert abs(angle - 30.0) < 1.0
    np.testing.assert_allclose(res.explained_variance, [16.0, 1.0], rtol=0.05)


def test_gaussian_covariance_closed_form():
    cov = data.gaussian_covariance(3, stretch=2.0, angle_deg=90.0, correlation=0.5)
    # Rotated by 90°, the major axis is y: var(y) = 4, var(x) = 1, corr(y, z) = 0.5.
    np.testing.assert_allclose(np.diag(cov), [1.0, 4.0, 1.0], atol=1e-12)
    np.testing.assert_allclose(cov[1, 2] / np.sqrt(cov[1, 1] * cov[2, 2]), 0.5, atol=1e-12)
    assert np.all(np.linalg.eigvalsh(cov) > 0)


def test_reconstruction_error_is_eckart_young():
    X = data.load_dataset("wine").X
    res = linalg.pca(X, 13, standardize=True)
    Z = (X - res.mean) / res.scale
    curve = res.reconstruction_error_curve()
    assert curve[0] == pytest.approx(1.0) and curve[-1] == pytest.approx(0.0, abs=1e-12)
    for k in (1, 3, 7):
        Xk = linalg.reconstruct(res, X, k)
        measured = np.sum(((X - Xk) / res.scale) ** 2) / np.sum(Z**2)
        assert measured == pytest.approx(curve[k], rel=1e-9)
        # Any other rank-k projection does worse: e.g. the first k coordinate axes.
        other = np.sum(Z[:, k:] ** 2) / np.sum(Z**2)
        assert measured <= other + 1e-12


def test_svd_matches_numpy_and_truncation_identity():
    A = data.load_photo("china")
    f = linalg.svd(A)
    np.testing.assert_allclose(f.S, np.linalg.svd(A, compute_uv=False), rtol=1e-10, atol=1e-10)
    for r in (1, 10, 100, len(f.S)):
        low = linalg.truncate(A, f, r)
        assert low.squared_error == pytest.approx(low.discarded_energy, rel=1e-7, abs=1e-8)
        assert low.storage_ratio == pytest.approx(r * (A.shape[0] + A.shape[1] + 1) / A.size)
        if r <= 10:
            assert np.linalg.matrix_rank(low.approx) == r
    assert linalg.truncate(A, f, 10_000).rank == len(f.S)  # rank above full is clipped


def test_test_matrix_has_the_promised_spectrum():
    A = linalg.test_matrix(120, 80, decay=0.1, seed=2, noise=0.0)
    np.testing.assert_allclose(np.linalg.svd(A, compute_uv=False), np.exp(-0.1 * np.arange(80)), rtol=1e-10)


def test_randomized_svd_obeys_halko_bound():
    k, p = 15, 5
    A = linalg.test_matrix(300, 200, decay=0.08, seed=0, noise=0.0)
    S = np.linalg.svd(A, compute_uv=False)
    optimal = np.sqrt(np.sum(S[k:] ** 2))
    bound = linalg.halko_bound(S, k, p)
    errs = []
    for seed in range(20):
        torch.manual_seed(seed)
        U, s, V = torch.svd_lowrank(torch.from_numpy(A), q=k + p, niter=0)
        errs.append(float(np.linalg.norm(A - (U.numpy() * s.numpy()) @ V.numpy().T)))
    # Rank k + p projections: never better than the rank-(k+p) optimum, on average within the bound.
    assert min(errs) >= np.sqrt(np.sum(S[k + p:] ** 2)) - 1e-9
    assert np.mean(errs) <= bound
    assert bound >= optimal


def test_the_truncated_randomized_svd_obeys_its_bounds():
    """What the race scores is Â_k = Q[QᵀA]_k (rank k), not QQᵀA (rank k + p): its error splits
    orthogonally, ‖A − Â_k‖₂ ≤ σ_{k+1} + ‖(I − QQᵀ)A‖₂, and on average it stays within
    √(2 + k/(p−1)) × the optimum (no power iterations)."""
    k, p = 15, 5
    A = linalg.test_matrix(300, 200, decay=0.08, seed=0, noise=0.0)
    S = np.linalg.svd(A, compute_uv=False)
    optimal = np.sqrt(np.sum(S[k:] ** 2))
    errs = []
    for seed in range(20):
        torch.manual_seed(seed)
        U, s, V = torch.svd_lowrank(torch.from_numpy(A), q=k + p, niter=0)
        U, s, V = U.numpy(), s.numpy(), V.numpy()
        Ak = (U[:, :k] * s[:k]) @ V[:, :k].T
        residual = A - U @ (U.T @ A)  # (I − QQᵀ)A: U spans the sketch's range Q
        small = np.linalg.svd(U.T @ A, compute_uv=False)
        # the Pythagorean split, exactly, and the bounds that follow from σⱼ(QᵀA) ≤ σⱼ(A)
        assert np.linalg.norm(A - Ak) ** 2 == pytest.approx(np.linalg.norm(residual) ** 2 + np.sum(small[k:] ** 2),
                                                            rel=1e-9)
        assert np.all(small <= S[: len(small)] + 1e-12)
        assert np.linalg.norm(A - Ak, 2) <= S[k] + np.linalg.norm(residual, 2) + 1e-12
        errs.append(float(np.linalg.norm(A - Ak)))
    assert min(errs) >= optimal - 1e-9  # Eckart–Young
    assert np.mean(errs) <= linalg.halko_truncated_bound(S, k, p)
    assert linalg.halko_truncated_bound(S, k, p) == pytest.approx(np.sqrt(2 + k / (p - 1)) * optimal)
    with pytest.raises(ValueError):
        linalg.halko_truncated_bound(S, k, 1)


def test_svd_race_errors_are_consistent():
    race = linalg.svd_race([200, 300], rank=10, oversample=5, niter=2, seed=0)
    assert race.sizes == [(200, 150), (300, 225)]
    for opt, rnd in zip(race.optimal_error, race.randomized_error, strict=True):
        assert 0 < opt <= rnd + 1e-12  # Eckart–Young: nothing beats the truncated exact SVD
        assert rnd < 1.05 * opt  # two power iterations get within 5% on a decaying spectrum
    assert all(t > 0 for t in race.exact_seconds + race.randomized_seconds)


def test_halko_bound_needs_oversampling():
    with pytest.raises(ValueError):
        linalg.halko_bound(np.ones(5), 2, 1)


def test_pca_rejects_bad_tables():
    with pytest.raises(ValueError):
        linalg.pca(np.ones((1, 3)), 1)
    with pytest.raises(ValueError):
        linalg.pca(np.array([[1.0, np.nan], [2.0, 3.0]]), 1)


def test_pca_one_column_and_two_rows():
    res = linalg.pca(np.array([[1.0], [3.0], [2.0]]), 2)
    assert res.k == 1 and res.explained_variance[0] == pytest.approx(1.0)
    res = linalg.pca(np.array([[0.0, 1.0], [2.0, 5.0]]), 2)
    assert res.rank == 1 and res.explained_variance_ratio[0] == pytest.approx(1.0)


def test_race_matrix_is_seeded_and_decays_like_promised():
    A = linalg.race_matrix(300, 200, seed=3)
    assert A.dtype == torch.float32 and A.shape == (300, 200)
    assert torch.equal(A, linalg.race_matrix(300, 200, seed=3))
    assert not torch.equal(A, linalg.race_matrix(300, 200, seed=4))
    S = np.linalg.svd(A.double().numpy(), compute_uv=False)
    # Gaussian factors: the spectrum follows e^{−0.1 i} within a modest factor, above the noise floor.
    ratio = S[:40] / np.exp(-linalg.RACE_DECAY * np.arange(40))
    assert np.all((ratio > 0.3) & (ratio < 3)), ratio


def test_svd_race_reuses_the_exact_part_and_scores_against_numpy():
    sizes = [120, 240]
    exact = linalg.svd_race_exact(sizes, seed=1)
    race = linalg.svd_race(sizes, rank=8, oversample=4, niter=1, seed=1, exact=exact)
    assert race.exact_seconds == exact.seconds  # reused, not re-timed
    again = linalg.svd_race(sizes, rank=8, oversample=4, niter=1, seed=1)
    np.testing.assert_allclose(race.optimal_error, again.optimal_error, rtol=1e-6)
    for (m, n), opt in zip(race.sizes, race.optimal_error, strict=True):
        S = np.linalg.svd(linalg.race_matrix(m, n, seed=1).double().numpy(), compute_uv=False)
        assert opt == pytest.approx(np.sqrt(np.sum(S[8:] ** 2) / np.sum(S**2)), rel=1e-4)
    # An exact part for other sizes or another seed is not trusted: it is recomputed.
    other = linalg.svd_race(sizes, rank=8, oversample=4, niter=1, seed=2, exact=exact)
    assert other.optimal_error != race.optimal_error


def test_no_sketch_no_power_iterations_is_visibly_worse():
    race = linalg.svd_race([400], rank=20, oversample=0, niter=0, seed=0)
    assert race.randomized_error[0] > 1.2 * race.optimal_error[0]


@pytest.mark.parametrize("standardize", [False, True])
def test_the_principal_axes_subtitle_gives_the_angle_of_the_line_drawn(standardize):
    from ui.figures import linear_algebra as fig

    ds = data.gaussian_cloud(500, 2, stretch=3.0, angle_deg=30.0, seed=0)
    res = linalg.pca(ds.X, 2, standardize=standardize)
    chart, axes = fig.axes_over_cloud(ds.X, res, 30.0)
    pc1 = axes[axes.axis == "PC1"]
    drawn = np.degrees(np.arctan2(np.ptp(pc1.y) * np.sign(np.diff(pc1.y)[0] * np.diff(pc1.x)[0]),
                                  np.ptp(pc1.x))) % 180
    subtitle = chart.title.subtitle
    assert subtitle[0].startswith(f"PC1 at {drawn:.1f}°"), (subtitle, drawn)
    assert (len(subtitle) == 2) == standardize  # standardized: says whose axes these are
