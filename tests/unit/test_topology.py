"""core.topology against independent references: scipy (minimum spanning tree, connected components,
cdist), gudhi (Rips complexes, Betti numbers, bottleneck), persim (bottleneck), ripser on raw points, and
geometric facts (the winding number of a loop around a circle's centre)."""

import itertools

import gudhi
import numpy as np
import persim
import pytest
import torch
from ripser import ripser
from scipy.sparse.csgraph import connected_components, minimum_spanning_tree
from scipy.spatial.distance import cdist

from core import topology as tp
from core.data import DataError


def _pers(d: np.ndarray) -> np.ndarray:
    return np.sort(d[:, 1] - d[:, 0])[::-1]


@pytest.mark.parametrize("kind", ["circle", "blobs", "uniform", "swiss_roll"])
def test_h0_deaths_are_the_minimum_spanning_tree_edges(kind):
    p = tp.persistence(("generated", kind, 150, 0.1, 3), 1)
    mst = minimum_spanning_tree(cdist(p.cloud.X, p.cloud.X)).data
    finite = p.dgms[0][np.isfinite(p.dgms[0][:, 1]), 1]
    np.testing.assert_allclose(np.sort(finite), np.sort(mst), rtol=1e-6, atol=1e-9)
    assert np.isinf(p.dgms[0][:, 1]).sum() == 1 and np.all(p.dgms[0][:, 0] == 0)


def test_torch_distances_match_scipy():
    X = np.random.default_rng(0).normal(size=(90, 3))
    np.testing.assert_allclose(tp.distances(X), cdist(X, X), atol=1e-12)
    assert np.all(np.diag(tp.distances(X)) == 0)


def test_distance_handover_matches_ripser_on_points_and_gudhi():
    cloud = tp.make_cloud("figure_eight", 80, 0.05, 1)
    p = tp.persistence_of(cloud, 1)
    raw = ripser(cloud.X, maxdim=1)["dgms"]
    st = gudhi.RipsComplex(points=cloud.X).create_simplex_tree(max_dimension=2)
    st.compute_persistence()
    for k in (0, 1):
        np.testing.assert_allclose(np.sort(p.dgms[k], axis=0), np.sort(raw[k], axis=0), rtol=1e-6)
        g = st.persistence_intervals_in_dimension(k)
        assert persim.bottleneck(p.dgms[k][np.isfinite(p.dgms[k][:, 1])], g[np.isfinite(g[:, 1])]) < 1e-6


@pytest.mark.parametrize(("kind", "n", "noise", "maxdim", "dim", "count"), [
    ("circle", 150, 0.1, 1, 1, 1), ("two_circles", 200, 0.1, 1, 1, 2), ("figure_eight", 200, 0.05, 1, 1, 2),
    ("annulus", 250, 0.02, 1, 1, 1), ("sphere", 110, 0.03, 2, 2, 1), ("blobs", 150, 0.0, 1, 0, 3),
])
def test_prominent_classes_are_the_shapes_holes(kind, n, noise, maxdim, dim, count):
    for seed in (0, 1, 2):
        p = tp.persistence(("generated", kind, n, noise, seed), maxdim)
        pers = _pers(p.dgms[dim])
        pers = pers[np.isfinite(pers)]
        extra = 1 if dim == 0 else 0  # H0's class that never dies
        # a clear gap: the prominent classes are at least 2.5 × longer than the longest of the rest
        assert len(pers) >= count - extra
        rest = pers[count - extra] if len(pers) > count - extra else 0.0
        assert pers[count - extra - 1] > 2.5 * rest if count - extra else True, (seed, pers[:count + 2])
        assert pers[count - extra - 1] > 0.3 if count - extra else True


def test_uniform_noise_has_no_prominent_loop():
    p = tp.persistence(("generated", "uniform", 200, 0.0, 0), 1)
    circle = tp.persistence(("generated", "circle", 200, 0.1, 0), 1)
    assert _pers(p.dgms[1])[0] < 0.25 * _pers(circle.dgms[1])[0]


@pytest.mark.parametrize("eps", [0.05, 0.12, 0.3, 0.7, 1.3, 2.5])
def test_betti_numbers_match_gudhi_and_components(eps):
    p = tp.persistence(("generated", "two_circles", 90, 0.1, 4), 1)
    D = p.D
    eps = float(eps + 1e-7)  # away from any edge length
    n_comp = connected_components(np.less_equal(D, eps) & (D > 0), directed=False)[0]
    assert tp.betti_at(p.dgms[0], eps) == n_comp
    st = gudhi.RipsComplex(distance_matrix=D, max_edge_length=eps).create_simplex_tree(max_dimension=2)
    st.compute_persistence(persistence_dim_max=True)
    betti = [*st.betti_numbers(), 0, 0]
    assert tp.betti_at(p.dgms[0], eps) == betti[0]
    assert tp.betti_at(p.dgms[1], eps) == betti[1]


@pytest.mark.parametrize("eps", [0.1, 0.35, 0.9])
def test_rips_complex_counts_match_gudhi_and_brute_force(eps):
    X = tp.make_cloud("annulus", 40, 0.05, 2).X
    D = cdist(X, X)
    r = tp.rips_at(D, eps, max_edges=10**6, max_triangles=10**6)
    st = gudhi.RipsComplex(distance_matrix=D, max_edge_length=eps).create_simplex_tree(max_dimension=2)
    counts = np.bincount([len(s) - 1 for s, _ in st.get_simplices()], minlength=3)
    assert (r.n_edges, r.n_triangles) == (counts[1], counts[2])
    brute = {t for t in itertools.combinations(range(len(X)), 3)
             if max(D[t[0], t[1]], D[t[0], t[2]], D[t[1], t[2]]) <= eps}
    assert {tuple(sorted(t)) for t in r.triangles.tolist()} == brute
    assert np.all(D[r.edges[:, 0], r.edges[:, 1]] <= eps)
    capped = tp.rips_at(D, eps, max_edges=5, max_triangles=3)
    assert len(capped.edges) == min(5, r.n_edges) and len(capped.triangles) <= 3
    assert capped.n_edges == r.n_edges  # the counts are of the whole complex


def _winding(loop: np.ndarray, centre: np.ndarray) -> float:
    a = np.arctan2(*(loop - centre).T[::-1])
    return float(np.sum(np.angle(np.exp(1j * np.diff(np.r_[a, a[0]])))) / (2 * np.pi))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_representative_cycle_of_the_circle_goes_around_it(seed):
    p = tp.persistence(("generated", "circle", 120, 0.08, seed), 1)
    i = int(np.argmax(p.dgms[1][:, 1] - p.dgms[1][:, 0]))
    u, v = p.h1_edges[i]
    birth = p.dgms[1][i, 0]
    assert p.D[u, v] == pytest.approx(birth, rel=1e-6)  # ripser works in float32
    cycle = tp.representative_cycle(p.D, (u, v))
    assert {cycle[0], cycle[-1]} == {u, v} and len(set(cycle.tolist())) == len(cycle)
    steps = p.D[cycle[:-1], cycle[1:]]
    assert np.all(steps <= p.D[u, v] + 1e-12)
    assert abs(_winding(p.cloud.X[cycle], np.zeros(2))) == pytest.approx(1.0, abs=1e-9)


def test_birth_edges_match_gudhi_generators():
    cloud = tp.make_cloud("two_circles", 60, 0.05, 0)
    p = tp.persistence_of(cloud, 1)
    pairs, values = tp.flag_pairs(cloud.X)
    long = values[:, 1] - values[:, 0] > 0.5
    mine = {tuple(sorted(e)) for e, d in zip(p.h1_edges.tolist(), p.dgms[1], strict=True) if d[1] - d[0] > 0.5}
    assert mine == {tuple(sorted(e)) for e in pairs[long, :2].tolist()}


def test_flag_pairs_values_are_ripsers_diagram():
    X = tp.make_cloud("circle", 50, 0.15, 5).X
    _, values = tp.flag_pairs(X)
    ref = ripser(X, maxdim=1)["dgms"][1]
    keep = values[:, 1] > values[:, 0]
    np.testing.assert_allclose(np.sort(values[keep], axis=0), np.sort(ref, axis=0), rtol=1e-6)


@pytest.mark.parametrize("seed", range(5))
def test_stability_bound_holds_on_random_perturbations(seed):
    rng = np.random.default_rng(seed)
    X = tp.make_cloud("figure_eight", 70, 0.05, seed).X
    base = ripser(X, maxdim=1)["dgms"]
    for sigma in (0.01, 0.05, 0.2):
        Y = X + sigma * rng.standard_normal(X.shape)
        noisy = ripser(Y, maxdim=1)["dgms"]
        disp = np.linalg.norm(X - Y, axis=1).max()
        dd = np.abs(cdist(X, X) - cdist(Y, Y)).max()
        for k in (0, 1):
            d = tp.bottleneck(base[k], noisy[k])
            fa, fb = (g[np.isfinite(g[:, 1])] for g in (base[k], noisy[k]))
            assert d == pytest.approx(persim.bottleneck(fa, fb), abs=1e-9)
            assert d <= dd + 1e-9 <= 2 * disp + 2e-9


def test_stability_sweep_respects_the_bound_and_notes_subsampling():
    res = tp.stability(("generated", "circle", 200, 0.1, 0), trials=2)
    assert res.bottleneck.shape == (len(tp.SIGMAS), 2, 2)
    assert np.all(res.bottleneck.max(axis=2) <= res.max_dist_change + 1e-9)
    assert np.all(res.max_dist_change <= 2 * res.displacement + 1e-9)
    assert np.all(res.bottleneck[0] < 1e-12)  # σ = 0: the same cloud
    assert any("subsample" in n for n in res.notes) and res.X.shape[0] == tp.STABILITY_POINTS
    s = res.at(0.1)
    assert res.sigmas[s] == 0.1 and res.noisy_X.shape == (len(tp.SIGMAS), tp.STABILITY_POINTS, 2)
    # the stored first perturbation is the one measured: its bottleneck distance to the clean diagram
    assert tp.bottleneck(res.clean[1], res.noisy[s][1]) == pytest.approx(res.bottleneck[s, 0, 1], abs=1e-12)
    np.testing.assert_allclose(np.linalg.norm(res.noisy_X[s] - res.X, axis=1).max(), res.displacement[s, 0])


def test_persistence_gradient_matches_finite_differences():
    X = tp.make_cloud("circle", 30, 0.1, 2).X
    pairs, _ = tp.flag_pairs(X)
    x = torch.tensor(X, requires_grad=True)
    tp.h1_persistence_torch(x, pairs).sum().backward()
    h, num = 1e-6, np.zeros_like(X)
    for i, j in itertools.product(range(len(X)), range(2)):
        Xp, Xm = X.copy(), X.copy()
        Xp[i, j] += h
        Xm[i, j] -= h
        f = [tp.h1_persistence_torch(torch.tensor(Z), pairs).sum().item() for Z in (Xp, Xm)]
        num[i, j] = (f[0] - f[1]) / (2 * h)
    np.testing.assert_allclose(x.grad.numpy(), num, atol=1e-6)


def test_topological_loss_moves_persistence_the_intended_way():
    up = tp.topological_descent("create", 40, 40, 0.05, 0)
    before, after = (_pers(ripser(f, maxdim=1)["dgms"][1])[0] for f in (up.frames[0], up.frames[-1]))
    assert after > before + 0.2, (before, after)
    down = tp.topological_descent("close", 40, 40, 0.02, 0)
    before, after = (_pers(ripser(f, maxdim=1)["dgms"][1]).sum() for f in (down.frames[0], down.frames[-1]))
    assert after < 0.5 * before, (before, after)
    assert up.frames.shape == (41, 40, 2) and len(up.targets) == 41


def test_network_simplifies_the_linked_rings():
    res = tp.network_topology(400, 12, 4, 400, 0)
    assert res.accuracy > 0.97
    b1 = [[tp.prominent(res.dgms[li][c][1], 0.2, res.scales[li][c]) for c in (0, 1)] for li in range(len(res.layers))]
    b0 = [[tp.prominent(res.dgms[li][c][0], 0.2, res.scales[li][c]) for c in (0, 1)] for li in range(len(res.layers))]
    assert b1[0] == [1, 1] and b0[0] == [1, 1]  # each ring: one component, one loop
    assert b1[-1] == [0, 0]  # the output: no loop left
    assert all(b == [1, 1] for b in b0)  # the notice: β₀ is 1 at every layer, β₁ is what changes
    # independent check of the input's H1 on the raw rings
    X, y = tp.linked_rings(400)
    for c in (0, 1):
        assert _pers(ripser(X[y == c], maxdim=1)["dgms"][1])[0] > 1.0


def test_clean_drops_nan_and_duplicates_and_subsamples():
    X = np.r_[tp.make_cloud("circle", 50, 0.1, 0).X, [[np.nan, 1.0], [np.inf, 0.0]]]
    X = np.r_[X, X[:5]]
    c = tp.clean(tp.Cloud(X, "t", "t"), 1)
    assert c.n == 50 and len(c.notes) == 2
    big = tp.clean(tp.make_cloud("uniform", 700, 0.0, 0), 1)
    assert big.n == tp.MAX_POINTS[1] and "subsample" in big.notes[0]
    assert tp.clean(tp.make_cloud("sphere", 300, 0.0, 0), 2).n == tp.MAX_POINTS[2]
    with pytest.raises(DataError):
        tp.clean(tp.Cloud(np.zeros((0, 2)), "t", "t"), 1)
    with pytest.raises(DataError):
        tp.clean(tp.Cloud(np.full((3, 2), np.nan), "t", "t"), 1)
    one = tp.persistence_of(tp.Cloud(np.zeros((1, 2)), "t", "t"), 1)
    assert one.dgms[0].tolist() == [[0.0, np.inf]] and len(one.dgms[1]) == 0


def test_read_cloud_checks_columns():
    c = tp.read_cloud(b"x,y,z,w\n1,2,3,4\n2,3,4,5\n5,1,0,2\n", "four.csv")
    assert c.X.shape == (3, 3) and any("first three" in n for n in c.notes)
    with pytest.raises(DataError, match="2 or 3 numeric columns"):
        tp.read_cloud(b"x\n1\n2\n3\n", "one.csv")
    with pytest.raises(DataError):
        tp.read_cloud(b"", "empty.csv")
    c = tp.read_cloud(b"x,y\n1,2\nnan,3\n4,5\n", "nan.csv")
    assert c.X.shape == (2, 2) and c.notes


def test_betti_at_convention_and_eps_max():
    d = np.array([[0.0, 1.0], [0.5, np.inf]])
    assert [tp.betti_at(d, e) for e in (0.0, 0.5, 0.99, 1.0, 5.0)] == [1, 2, 2, 1, 1]
    p = tp.persistence(("generated", "circle", 100, 0.1, 0), 1)
    assert p.eps_max() > p.largest_death and isinstance(p.eps_max(), float)


def test_bad_generator_arguments():
    with pytest.raises(DataError):
        tp.make_cloud("nope", 10)
    with pytest.raises(DataError):
        tp.make_cloud("circle", 0)
    with pytest.raises(DataError):
        tp.make_cloud("circle", 10, noise=float("nan"))


def test_flag_pairs_ask_gudhi_for_z2_coefficients(monkeypatch):
    """The math says Z/2 for gudhi too: its compute_persistence defaults to Z/11, so flag_pairs must ask."""
    seen = []
    real = gudhi.RipsComplex

    class Tree:
        def __init__(self, tree):
            self.tree = tree

        def compute_persistence(self, **kw):
            seen.append(kw)
            return self.tree.compute_persistence(**kw)

        def __getattr__(self, name):
            return getattr(self.tree, name)

    class Rips:
        def __init__(self, **kw):
            self.rips = real(**kw)

        def create_simplex_tree(self, **kw):
            return Tree(self.rips.create_simplex_tree(**kw))

    monkeypatch.setattr(gudhi, "RipsComplex", Rips)
    X = tp.make_cloud("figure_eight", 40, 0.05, 1).X
    _, values = tp.flag_pairs(X)
    assert seen == [{"homology_coeff_field": 2}]
    ref = ripser(X, maxdim=1, coeff=2)["dgms"][1]
    keep = values[:, 1] > values[:, 0]
    np.testing.assert_allclose(np.sort(values[keep], axis=0), np.sort(ref, axis=0), rtol=1e-6)


def test_the_stability_chart_bound_is_above_every_dot():
    """"Every dot stays under the solid line": the line is the largest bound over the trials, so each trial's
    d_B (≤ its own max |ΔD| ≤ its own 2·displacement) is under it."""
    from ui.figures.topology import stability_chart

    res = tp.stability(("generated", "two_circles", 80, 0.1, 3), trials=4)
    _, df = stability_chart(res, 0.1)
    for sigma, group in df.groupby("σ"):
        top = max(group["H0"].max(), group["H1"].max())
        assert top <= group["max |ΔD|"].max() + 1e-12 <= group["2 · max displacement"].max() + 2e-12, sigma


def _ring_gap(X: np.ndarray) -> float:
    """The widest angular gap of points around their centroid, in radians."""
    a = np.sort(np.arctan2(*(X - X.mean(0)).T[::-1]))
    return float(np.max(np.diff(np.r_[a, a[0] + 2 * np.pi])))


def test_minimizing_total_persistence_tears_the_ring_the_page_fills_it():
    """The loss tab's notice and the math: descent on Σ persistence ends the loop by widening the ring's gap (the
    birth edge) while the radius stays; the page's loss (Σ death-edge lengths) shrinks the ring instead."""
    x = torch.tensor(tp.topo_start("close", 60, 0), requires_grad=True)
    opt = torch.optim.SGD([x], lr=0.05)
    for _ in range(60):
        pairs, _ = tp.flag_pairs(x.detach().numpy())
        if not len(pairs):
            break
        opt.zero_grad()
        tp.h1_persistence_torch(x, pairs).sum().backward()
        opt.step()
    torn = x.detach().numpy()
    assert len(tp.flag_pairs(torn)[0]) == 0  # no H1 bar left at all
    start = tp.topo_start("close", 60, 0)
    radius = lambda X: float(np.linalg.norm(X - X.mean(0), axis=1).mean())  # noqa: E731
    assert radius(torn) > 0.95 * radius(start) and _ring_gap(torn) > 2 * _ring_gap(start)
    filled = tp.topological_descent("close", 60, 100, 0.05, 0).frames[-1]
    assert radius(filled) < 0.85 * radius(start)


def test_layer_views_are_principal_components_largest_variance_first():
    """Every layer's view, the 2-D logits included, is the projection on PCs 1 and 2 (scikit-learn's PCA):
    uncorrelated columns, variances those of the two largest components, in decreasing order."""
    from sklearn.decomposition import PCA

    res = tp.network_topology(400, 8, 2, 60, 1)
    X, _ = tp.linked_rings(400, seed=1)
    for view in (res.views[0], res.views[-1]):
        cov = np.cov(view.T)
        assert abs(cov[0, 1]) < 1e-6 * cov[0, 0] and cov[0, 0] >= cov[1, 1]
    ref = PCA(2).fit(X)
    np.testing.assert_allclose(np.var(res.views[0], axis=0, ddof=1), ref.explained_variance_, rtol=1e-6)  # float32
