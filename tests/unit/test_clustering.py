"""core.clustering against independent references: scikit-learn's pairwise distances and cosine similarities,
its KMeans from the same initial centroids (n_init=1), and the invariances and edge cases of Figure 1.1."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from sklearn.cluster import KMeans
from sklearn.metrics.pairwise import cosine_similarity, euclidean_distances

from core import clustering as cl
from core.data import DataError, load_dataset

CPU = torch.device("cpu")


def _data(name: str) -> np.ndarray:
    return cl.shape(name, 200, 1).X if name in cl.SHAPES else load_dataset(name).X


@pytest.mark.parametrize("name", ["iris", "wine", "digits", "moons"])
def test_distances_equal_sklearn(name):
    X = _data(name)[:400]
    pw = cl.pairwise(X, device=CPU)
    np.testing.assert_allclose(pw.euclidean, euclidean_distances(X), rtol=0, atol=1e-9)
    np.testing.assert_allclose(pw.cosine, cosine_similarity(X), rtol=0, atol=1e-12)
    assert pw.zero_rows.size == 0


def test_cosine_of_a_zero_vector_is_undefined_not_drawn():
    X = np.array([[1.0, 2.0], [0.0, 0.0], [3.0, -1.0]])
    pw = cl.pairwise(X, device=CPU)
    assert pw.zero_rows.tolist() == [1]
    assert np.isnan(pw.cosine[1]).all() and np.isnan(pw.cosine[:, 1]).all()
    ok = np.ix_([0, 2], [0, 2])
    np.testing.assert_allclose(pw.cosine[ok], cosine_similarity(X[[0, 2]]), atol=1e-12)
    assert np.isfinite(pw.euclidean).all()


def test_cosine_is_invariant_to_scaling_each_sample_and_euclidean_is_not():
    X = load_dataset("wine").X
    for standardize in (False, True):
        eff = cl.scaling_effect(X, standardize, seed=3, device=CPU)
        assert eff.cosine_change < 1e-12
        assert eff.euclidean_change > 0.1
    f = cl.sample_factors(len(X), 3)
    assert f.min() >= 0.25 and f.max() <= 4.0
    np.testing.assert_allclose(cl.prepare(X, scale_samples=True, seed=3).X, X * f[:, None])


def test_standardize_matches_the_sample_deviation_and_leaves_constant_columns():
    X = np.c_[load_dataset("iris").X, np.full(150, 7.0)]
    p = cl.prepare(X, standardize=True)
    assert p.constant_columns == 1
    np.testing.assert_allclose(p.X[:, :4].std(axis=0, ddof=1), 1.0)
    np.testing.assert_allclose(p.X[:, 4], 0.0)


@pytest.mark.parametrize("name,k", [("iris", 3), ("wine", 3), ("digits", 10), ("aniso", 3), ("unequal", 4)])
@pytest.mark.parametrize("init", ["k-means++", "random", "first"])
def test_kmeans_equals_sklearn_from_the_same_centroids(name, k, init):
    X = _data(name)
    start = cl.initial_centroids(X, k, init, seed=5, device=CPU)
    ours = cl.kmeans(X, k, centroids=start, device=CPU)
    ref = KMeans(k, init=start, n_init=1, tol=0, max_iter=300, algorithm="lloyd").fit(X)
    assert ours.converged
    np.testing.assert_array_equal(ours.final_labels, ref.labels_)
    assert ours.inertia == pytest.approx(ref.inertia_, rel=1e-9)
    np.testing.assert_allclose(ours.centroids[-1], ref.cluster_centers_, atol=1e-9)
    assert ours.steps == ref.n_iter_


def test_batched_runs_equal_sklearn():
    X = _data("digits")
    # k-means++ starts on data points, and on the digits' whole-number pixels some points are then exactly as far
    # from two starts: we give such a tie to the lower index, scikit-learn (which centres the data and uses
    # ‖x‖² − 2x·c + ‖c‖²) to whichever its rounding favours (8 of 40 seeds ended elsewhere). Starts moved off the
    # pixel lattice have no exact ties, and then the two must agree.
    shift = np.random.default_rng(0).uniform(-0.01, 0.01, (4, 10, X.shape[1]))
    starts = np.stack([cl.initial_centroids(X, 10, "k-means++", s) for s in range(4)]) + shift
    labels, inertia, steps = cl.lloyd_batch(X, starts, device=CPU)
    for r in range(4):
        ref = KMeans(10, init=starts[r], n_init=1, tol=0, max_iter=300, algorithm="lloyd").fit(X)
        np.testing.assert_array_equal(labels[r], ref.labels_)
        assert inertia[r] == pytest.approx(ref.inertia_, rel=1e-9) and steps[r] == ref.n_iter_


def test_kmeans_records_monotone_steps():
    X = _data("moons")
    run = cl.kmeans(X, 4, "random", seed=2, device=CPU)
    assert run.centroids.shape == (run.steps + 1, 4, 2)
    seq = np.ravel(np.c_[run.inertia_assign, run.inertia_update])  # assign, update, assign, …
    assert np.all(np.diff(seq) <= 1e-9 * seq[0])
    # the first assignment uses the initial centroids
    d = ((X[:, None, :] - run.centroids[0][None]) ** 2).sum(-1)
    np.testing.assert_array_equal(run.labels[0], d.argmin(1))


def test_initialisations():
    X = _data("iris")
    np.testing.assert_array_equal(cl.initial_centroids(X, 3, "first"), X[:3])
    a = cl.initial_centroids(X, 3, "k-means++", seed=1)
    np.testing.assert_array_equal(a, cl.initial_centroids(X, 3, "k-means++", seed=1))  # seeded, no global state
    assert len({tuple(r) for r in a}) == 3  # distinct points
    assert all(any((r == X).all(1)) for r in cl.initial_centroids(X, 4, "random", seed=9))
    with pytest.raises(DataError, match="Unknown initialisation"):
        cl.initial_centroids(X, 3, "farthest")


def test_edge_cases():
    X = _data("iris")[:5]
    with pytest.raises(DataError, match="only 5 points"):
        cl.kmeans(X, 6, device=CPU)
    same = np.ones((20, 3))
    run = cl.kmeans(same, 3, device=CPU)  # identical points: no NaN, zero inertia
    assert run.inertia == 0 and np.isfinite(run.centroids).all()
    one = cl.kmeans(np.array([[1.0, 2.0]]), 1, device=CPU)
    assert one.inertia == 0 and one.final_labels.tolist() == [0]
    pw = cl.pairwise(np.array([[1.0, 2.0]]), device=CPU)
    assert pw.euclidean.shape == (1, 1) and pw.euclidean[0, 0] == 0
    const = np.c_[_data("iris")[:, :2], np.zeros(150)]
    assert np.isfinite(cl.kmeans(cl.prepare(const, standardize=True).X, 3, device=CPU).inertia)
    assert np.isnan(cl.silhouette(same, run.final_labels))


def test_sweep_restarts_and_ari():
    X = cl.prepare(_data("iris"), standardize=True).X
    sw = cl.sweep_k(X, 6, device=CPU)
    assert sw.ks.tolist() == [1, 2, 3, 4, 5, 6]
    assert np.all(np.diff(sw.inertia) < 0) and np.isnan(sw.silhouette[0])
    from sklearn.metrics import silhouette_score

    best = cl.kmeans(X, 2, seed=0, device=CPU)
    assert cl.silhouette(X, best.final_labels) == pytest.approx(silhouette_score(X, best.final_labels))
    r = cl.restarts(X, 3, "random", runs=12, seed=0, device=CPU)
    assert len(r.inertia) == 12 and r.inertia.min() == pytest.approx(cl.kmeans(X, 3, "random", r.best_seed).inertia)
    for s in (0, 5, 11):  # each batched run is the single run of its seed
        one = cl.kmeans(X, 3, "random", s, device=CPU)
        assert r.inertia[s] == pytest.approx(one.inertia, rel=1e-9) and r.steps[s] == one.steps
    y = load_dataset("iris").y
    assert cl.ari(y, y) == 1.0
    best = cl.restarts(X, 3, "k-means++", runs=10, seed=0, device=CPU).best_seed  # one start can end in a poor minimum
    assert 0.5 < cl.ari(y, cl.kmeans(X, 3, seed=best, device=CPU).final_labels) < 1.0


def test_restarts_on_large_data_are_capped_and_still_the_single_runs():
    assert cl.restarts_allowed(150, 12, 100) == 100  # iris: every restart
    assert cl.restarts_allowed(5000, 3, 100) == 50 and cl.restarts_allowed(5000, 12, 100) == 12
    assert cl.restarts_allowed(5000, 12, 10) == 10 and cl.restarts_allowed(10**6, 12, 50) == 10  # never under 10
    X = cl.shape("moons", 5000, 0).X
    assert cl.LARGE_BATCH <= 5000 * 4 * 12  # this batch runs on every thread
    r = cl.restarts(X, 4, "k-means++", runs=12, seed=3, device=CPU)
    from sklearn.cluster import KMeans

    for s in (3, 9):  # each batched run is the run from its seed's initial centroids, as scikit-learn runs it
        start = cl.initial_centroids(X, 4, "k-means++", s)
        ref = KMeans(4, init=start, n_init=1, algorithm="lloyd", tol=0, max_iter=300).fit(X)
        assert r.inertia[s - 3] == pytest.approx(ref.inertia_, rel=1e-9)


def test_a_large_set_is_sampled_for_the_heatmaps():
    X = cl.shape("moons", 5000, 0).X
    pw = cl.pairwise(X, 150, seed=2, device=CPU)
    assert pw.euclidean.shape == (150, 150) and len(pw.index) == 150
    np.testing.assert_allclose(pw.euclidean, euclidean_distances(X[pw.index]), atol=1e-9)
    eff = cl.scaling_effect(X, True, seed=2, limit=150, device=CPU)
    assert eff.cosine_change < 1e-12 < eff.euclidean_change


def test_subsample_and_order():
    idx = cl.subsample(5000, 300, seed=1)
    assert len(idx) == 300 and np.all(np.diff(idx) > 0)
    np.testing.assert_array_equal(cl.subsample(50, 300), np.arange(50))
    np.testing.assert_array_equal(cl.order(np.array([2, 0, 2, 1]), 4), [1, 3, 0, 2])


@pytest.mark.parametrize("name", list(cl.SHAPES))
def test_shapes_are_seeded(name):
    a, b = cl.shape(name, 300, 4), cl.shape(name, 300, 4)
    np.testing.assert_array_equal(a.X, b.X)
    assert a.X.shape == (300, 2) and len(np.unique(a.y)) >= 2


def test_the_pages_try_this_numbers():
    """The numbers ui.figures.intro.TRY_THIS states, from the page's own functions at the settings it names, in the
    page's format (three decimals)."""
    from collections import Counter

    from ui.figures.intro import TRY_THIS

    said = " ".join(TRY_THIS)

    def ari(ds, X, k, init, seed=0):
        return f"{cl.ari(ds.y, cl.kmeans(X, k, init, seed).final_labels):.3f}"

    iris = load_dataset("iris")
    runs = cl.restarts(iris.X, 3, "k-means++", 50, 0)
    poor, best = cl.kmeans(iris.X, 3, "k-means++", 0).inertia, runs.inertia.min()
    assert runs.best_seed == 1 and best == pytest.approx(cl.kmeans(iris.X, 3, "k-means++", 1).inertia)
    from sklearn.cluster import KMeans

    assert best == pytest.approx(KMeans(3, n_init=50, random_state=0).fit(iris.X).inertia_)  # the global best
    assert f"seed 0's start ends in a poor minimum (inertia {poor:.3f}, ARI {ari(iris, iris.X, 3, 'k-means++')} with " \
           f"the species), as {int(np.isclose(runs.inertia, poor).sum())} of the 50 restarts do; seed 1 reaches the " \
           f"best one ({best:.3f}, ARI {ari(iris, iris.X, 3, 'k-means++', 1)})" in said

    wine = load_dataset("wine")
    assert f"is {ari(wine, wine.X, 3, 'k-means++')}. Turn on *Standardize*: " \
           f"{ari(wine, cl.prepare(wine.X, True).X, 3, 'k-means++')}." in said
    moons = cl.shape("moons", 300, 0)
    km = cl.kmeans(moons.X, 2, "k-means++", 0)
    pairs = Counter(zip(moons.y.tolist(), km.final_labels.tolist(), strict=True))
    wrong = min(pairs[(0, 0)] + pairs[(1, 1)], pairs[(0, 1)] + pairs[(1, 0)])
    assert f"puts {wrong} of the 300 points with the other moon (ARI {ari(moons, moons.X, 2, 'k-means++')})" in said
    assert f"the silhouette, {cl.silhouette(moons.X, km.final_labels):.3f}," in said
    blobs = cl.shape("unequal", 300, 0)
    assert f"(ARI {ari(blobs, blobs.X, 3, 'random', 1)} and {ari(blobs, blobs.X, 3, 'first', 1)}); k-means++ " \
           f"finds all three (ARI {ari(blobs, blobs.X, 3, 'k-means++', 1)})" in said
    sweep = cl.sweep_k(load_dataset("digits").X, 12, seed=0)
    best = int(np.nanargmax(sweep.silhouette))
    assert f"peaks at k = {sweep.ks[best]} ({sweep.silhouette[best]:.3f})" in said


def test_kmeans_plus_plus_draws_in_proportion_to_squared_distance():
    """Arthur & Vassilvitskii's rule as a closed form: given the first centre, the second is point i with
    probability D(i)² / Σ D². Counted over 4,000 seeds on five points (a chi-square test at the 0.1 % level)."""
    from scipy.stats import chisquare

    X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 2.0], [3.0, 3.0], [-1.0, 0.5]])
    counts: dict[int, np.ndarray] = {}
    for s in range(4000):
        start = cl.initial_centroids(X, 2, "k-means++", seed=s)
        first, second = (int(np.flatnonzero((c == X).all(1))[0]) for c in start)
        counts.setdefault(first, np.zeros(len(X)))[second] += 1
    assert len(counts) == len(X)  # the first centre is uniform: every point starts some run
    for first, seen in counts.items():
        d2 = ((X - X[first]) ** 2).sum(1)
        assert seen[first] == 0  # a chosen point is never drawn again
        keep = d2 > 0
        assert chisquare(seen[keep], seen.sum() * d2[keep] / d2.sum()).pvalue > 1e-3
