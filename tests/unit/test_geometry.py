"""core.geometry against independent references: scipy's shortest paths and components on scikit-learn's own
k-NN graph, scikit-learn's trustworthiness, Spearman correlations by scipy, arc lengths by scipy.integrate.quad,
the great circle and L'Huilier's spherical excess, the closed-form Gaussian curvatures, central finite
differences of autograd gradients and numpy's eigvalsh for the Hessian, torch.nn layers for the network's
loss, Monte Carlo score covariances for the Fisher matrix, quadrature for KL, and scikit-learn's
LogisticRegression for the penalised optimum."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import torch
from scipy import integrate
from scipy.sparse.csgraph import connected_components, shortest_path
from scipy.stats import spearmanr
from sklearn.linear_model import LogisticRegression
from sklearn.manifold import trustworthiness
from sklearn.metrics import log_loss
from sklearn.neighbors import kneighbors_graph

from core.data import DataError
from core.geometry import fisher as fi
from core.geometry import hessian as he
from core.geometry import manifold as mf
from core.geometry import surfaces as sf

CPU = torch.device("cpu")


# ------------------------------------------------------------------------------------------ manifold


def _reference_geodesics(X: np.ndarray, k: int) -> np.ndarray:
    G = kneighbors_graph(X, k, mode="distance")
    return shortest_path(G, directed=False)


@pytest.mark.parametrize("name,n,k", [("swiss_roll", 300, 8), ("s_curve", 250, 6), ("sphere", 200, 7),
                                      ("digits", 200, 5)])
def test_graph_geodesics_equal_scipy_on_scikit_learns_graph(name, n, k):
    data = mf.manifold_data(name, n, 0.0, 3)
    D = _reference_geodesics(data.X, k)
    np.testing.assert_allclose(mf.all_geodesics(data.X, k), D, rtol=1e-12, atol=1e-12)
    view = mf.explore_graph(name, n, k, 5, n - 7, seed=3)
    assert view.pair.graph == pytest.approx(D[5, n - 7], rel=1e-12)
    np.testing.assert_allclose(view.from_source, D[5], rtol=1e-12)
    path = view.pair.path
    assert path[0] == 5 and path[-1] == n - 7
    steps = np.linalg.norm(np.diff(data.X[path], axis=0), axis=1)
    assert steps.sum() == pytest.approx(D[5, n - 7], rel=1e-12)
    G = kneighbors_graph(data.X, k, mode="distance")
    G = G.maximum(G.T).toarray()
    assert all(G[a, b] > 0 for a, b in itertools.pairwise(path))  # every step is an edge
    assert view.pair.euclidean == pytest.approx(np.linalg.norm(data.X[5] - data.X[n - 7]))
    assert view.pair.euclidean <= view.pair.graph + 1e-12


def test_intrinsic_distances_are_the_true_geodesics():
    roll = mf.manifold_data("swiss_roll", 100, 0.0, 0)
    t = np.hypot(roll.X[:, 0], roll.X[:, 2])  # the roll's angle t is also its radius |(x, z)|
    for i, j in [(0, 1), (3, 50), (10, 99)]:
        arc = integrate.quad(lambda u: math.sqrt(1 + u * u), min(t[i], t[j]), max(t[i], t[j]))[0]
        true = math.hypot(arc, roll.X[i, 1] - roll.X[j, 1])
        assert mf.intrinsic_distance(roll, i, j) == pytest.approx(true, rel=1e-9)
    ball = mf.manifold_data("sphere", 50, 0.0, 1)
    np.testing.assert_allclose(np.linalg.norm(ball.X, axis=1), 1.0)
    got = mf.intrinsic_distance(ball, np.arange(10), np.arange(10, 20))
    np.testing.assert_allclose(got, np.arccos(np.clip((ball.X[:10] * ball.X[10:20]).sum(1), -1, 1)), atol=1e-12)
    s = mf.manifold_data("s_curve", 60, 0.0, 2)
    # half-circles of radius 1: along one half, the chord 2 sin(Δt/2) of the arc Δt at equal y
    same = np.flatnonzero(s.intrinsic[:, 0] > 0)[:2]
    a, b = same
    chord_xz = np.hypot(*(s.X[a, [0, 2]] - s.X[b, [0, 2]]))
    dt = abs(s.intrinsic[a, 0] - s.intrinsic[b, 0])
    assert chord_xz == pytest.approx(2 * math.sin(dt / 2), rel=1e-9)
    with pytest.raises(DataError):
        mf.intrinsic_distance(mf.manifold_data("digits", 50, 0.0, 0), 0, 1)


def _short_circuits(data, k: int, ratio: float) -> int:
    G = kneighbors_graph(data.X, k, mode="distance")
    G = G.maximum(G.T).tocoo()
    keep = G.row < G.col
    i, j, length = G.row[keep], G.col[keep], G.data[keep]
    s = 0.5 * (lambda t: t * np.sqrt(1 + t * t) + np.arcsinh(t))(np.hypot(data.X[:, 0], data.X[:, 2]))
    true = np.hypot(s[i] - s[j], data.X[i, 1] - data.X[j, 1])
    return int((true > ratio * length).sum())


def test_isomap_unrolls_the_roll_for_small_k_and_short_circuits_break_it_for_large_k():
    data = mf.manifold_data("swiss_roll", 400, 0.0, 0)
    good = mf.embed("swiss_roll", 400, 5, "isomap")
    bad = mf.embed("swiss_roll", 400, 20, "isomap")
    for emb in (good, bad):
        rho = max(abs(spearmanr(emb.Y[:, a], data.intrinsic[emb.rows, 0]).statistic) for a in range(2))
        assert emb.recovery == pytest.approx(rho, abs=1e-12)
    assert good.recovery > 0.95 and bad.recovery < 0.5
    small, large = mf.explore_graph("swiss_roll", 400, 5), mf.explore_graph("swiss_roll", 400, 20)
    assert len(small.short_circuits) == _short_circuits(data, 5, 2.0) == 0
    assert len(large.short_circuits) == _short_circuits(data, 20, 2.0) > 50
    sweep = mf.k_sweep("swiss_roll", 400, (5, 20), isomap=False)
    np.testing.assert_array_equal(sweep.short_circuits, [0, len(large.short_circuits)])
    # the short-circuit edges really jump: their true geodesic is many times their length
    e = large.graph.edges[large.short_circuits]
    assert (large.edge_intrinsic[large.short_circuits] > 2 * np.linalg.norm(data.X[e[:, 0]] - data.X[e[:, 1]],
                                                                             axis=1)).all()


def test_a_graph_that_falls_apart_reports_its_components_and_unrolls_the_largest():
    n, k = 800, 3
    data = mf.manifold_data("swiss_roll", n, 0.0, 0)
    count, labels = connected_components(kneighbors_graph(data.X, k, mode="distance"), directed=False)
    sizes = np.sort(np.bincount(labels))[::-1]
    assert count > 1
    view = mf.explore_graph("swiss_roll", n, k, 0, 1)
    np.testing.assert_array_equal(view.graph.component_sizes, sizes)
    assert f"{count} components" in view.graph.note
    far = int(np.flatnonzero(view.graph.component != view.graph.component[0])[0])
    cut = mf.explore_graph("swiss_roll", n, k, 0, far)
    assert math.isinf(cut.pair.graph) and len(cut.pair.path) == 0 and "different components" in cut.pair.note
    emb = mf.embed("swiss_roll", n, k, "spectral", trust_ks=(5,))
    assert len(emb.rows) == sizes[0] and emb.Y.shape == (sizes[0], 2)


def test_duplicate_points_are_joined_by_zero_length_edges():
    rng = np.random.default_rng(0)
    base = rng.normal(size=(60, 3))
    X = np.r_[base, np.repeat(base[:1], 10, axis=0), base[5:8]]  # 10 copies of point 0 (more than k), 3 more
    g = mf.knn_graph(X, 4)
    assert g.duplicates == 13 and g.connected and "13 points repeat" in g.note
    assert (g.lengths[-13:] == 0).all()
    D = mf.all_geodesics(X, 4)
    ref = _reference_geodesics(base, 4)
    np.testing.assert_allclose(D[:60, :60], ref, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(D[60:70], np.repeat(ref[:1], 10, axis=0)[:, np.r_[:60, [0] * 10, 5, 6, 7]],
                               atol=1e-12)
    assert (D[60:70, 0] == 0).all()


def test_trustworthiness_curve_equals_scikit_learn():
    data = mf.manifold_data("swiss_roll", 200, 0.5, 1)
    Y = data.X[:, [0, 2]] + np.random.default_rng(2).normal(scale=0.5, size=(200, 2))
    ks = (1, 5, 12, 40, 99)
    got = mf.trustworthiness_curve(data.X, Y, ks)
    np.testing.assert_allclose(got, [trustworthiness(data.X, Y, n_neighbors=k) for k in ks], rtol=1e-12)
    with pytest.raises(DataError):
        mf.trustworthiness_curve(data.X, Y, (100,))
    ranks = mf.input_ranks(data.X)  # computed once, shared across embeddings of the same points
    np.testing.assert_allclose(mf.trustworthiness_curve(data.X, Y, ks, ranks), got, rtol=1e-12)
    with pytest.raises(DataError):
        mf.trustworthiness_curve(data.X, Y, ks, ranks[:50, :50])


def test_embeddings_are_seeded_and_scored():
    a = mf.embed("s_curve", 150, 8, "tsne", seed=4, tsne_iter=250, trust_ks=(5, 10))
    b = mf.embed("s_curve", 150, 8, "tsne", seed=4, tsne_iter=250, trust_ks=(5, 10))
    np.testing.assert_array_equal(a.Y, b.Y)
    data = mf.manifold_data("s_curve", 150, 0.0, 4)
    np.testing.assert_allclose(a.trustworthiness, [trustworthiness(data.X, a.Y, n_neighbors=k) for k in (5, 10)])
    spec = mf.embed("digits", 200, 10, "spectral")
    assert spec.spearman is None and math.isnan(spec.recovery) and spec.Y.shape == (200, 2)


@pytest.mark.parametrize("kwargs", [dict(name="moons"), dict(n=5), dict(n=5000), dict(noise=-1.0), dict(k=0),
                                    dict(k=1000), dict(source=10_000), dict(ratio=0.5)])
def test_manifold_refusals_are_data_errors(kwargs):
    args = dict(name="swiss_roll", n=100, k=5, source=0, target=1, noise=0.0, seed=0) | kwargs
    with pytest.raises(DataError):
        mf.explore_graph(**args)


# ------------------------------------------------------------------------------------------ surfaces


def _closed_form_K(name: str, u: np.ndarray, v: np.ndarray, R: float, r: float) -> np.ndarray:
    if name == "sphere":
        return np.full_like(u, 1 / R**2)
    if name == "torus":
        return np.cos(v) / (r * (R + r * np.cos(v)))
    return -4 / (1 + 4 * u**2 + 4 * v**2) ** 2


@pytest.mark.parametrize("name,R,r,extent", [("sphere", 2.0, 0.0, 1.0), ("torus", 2.0, 0.5, 1.0),
                                             ("saddle", 1.0, 0.4, 1.5)])
def test_gaussian_curvature_from_the_fundamental_forms_equals_the_closed_forms(name, R, r, extent):
    g = sf.curvature_grid(name, 24, R=R, r=r or 0.4, extent=extent)
    U, V = np.meshgrid(g.u, g.v)
    np.testing.assert_allclose(g.K, _closed_form_K(name, U, V, R, r), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(g.k1 * g.k2, g.K, rtol=1e-8, atol=1e-12)
    if name == "sphere":
        np.testing.assert_allclose(np.abs(g.H), 1 / R, rtol=1e-10)
        np.testing.assert_allclose(g.first_form, np.stack([np.full_like(U, R**2), 0 * U, R**2 * np.cos(U) ** 2], -1),
                                   rtol=1e-12, atol=1e-14)  # E = R², F = 0, G = R² cos² latitude
    if name == "saddle":  # Monge patch z = x² − y²: E = 1 + 4x², F = −4xy, G = 1 + 4y²
        np.testing.assert_allclose(g.first_form, np.stack([1 + 4 * U**2, -4 * U * V, 1 + 4 * V**2], -1), rtol=1e-12,
                                   atol=1e-14)


def test_total_curvature_is_gauss_bonnet_on_the_closed_surfaces():
    sphere = sf.curvature_grid("sphere", 80, R=1.3)
    torus = sf.curvature_grid("torus", 80, R=2.0, r=0.7)
    assert sphere.total_curvature == pytest.approx(4 * math.pi, rel=1e-3)
    assert sphere.area == pytest.approx(4 * math.pi * 1.3**2, rel=1e-3)
    assert torus.total_curvature == pytest.approx(0.0, abs=1e-9)
    assert torus.area == pytest.approx(4 * math.pi**2 * 2.0 * 0.7, rel=1e-9)


def _sphere_point(lat: float, lon: float, R: float) -> np.ndarray:
    return R * np.array([math.cos(lat) * math.cos(lon), math.cos(lat) * math.sin(lon), math.sin(lat)])


@pytest.mark.parametrize("a,b", [((0.0, 0.0), (0.8, 2.0)), ((1.0, 0.0), (1.0, 3.0)), ((0.3, -3.0), (0.2, 3.0)),
                                 ((-1.2, 0.1), (1.3, 2.9)), ((0.5, 0.5), (0.5, 0.5 + 1e-3))])
def test_the_spheres_geodesic_is_the_great_circle(a, b):
    R = 1.5
    geo = sf.geodesic("sphere", a, b, 64, R=R)
    pa, pb = _sphere_point(*a, R), _sphere_point(*b, R)
    great = R * math.acos(np.clip(pa @ pb / R**2, -1, 1))
    assert geo.converged
    assert geo.length == pytest.approx(great, rel=2e-4)  # an inscribed polygon: short by ≈ (angle/N)²/24
    assert geo.closed_form == pytest.approx(great, rel=1e-12)
    normal = np.cross(pa, pb)
    normal /= np.linalg.norm(normal)
    assert np.abs(geo.points @ normal).max() < 1e-7 * R  # every point on the great circle's plane
    np.testing.assert_allclose(np.linalg.norm(geo.points, axis=1), R, rtol=1e-12)
    assert geo.chord == pytest.approx(np.linalg.norm(pa - pb), rel=1e-12) and geo.chord <= geo.length + 1e-12


@pytest.mark.parametrize("name,a,b", [("torus", (0.0, 0.0), (2.0, 2.0)), ("torus", (0.0, 3.0), (2.0, 3.0)),
                                      ("saddle", (-0.8, -0.5), (0.9, 0.7))])
def test_geodesics_on_the_torus_and_saddle_are_shorter_than_the_straight_start_and_straight_in_the_surface(name, a, b):
    geo = sf.geodesic(name, a, b, 48, R=2.0, r=0.6)
    assert geo.converged and geo.chord < geo.length < geo.start_length
    # no sideways acceleration: the second differences are normal to the surface (the discrete geodesic equation)
    P = torch.as_tensor(geo.params[1:-1])
    J = torch.autograd.functional.jacobian(lambda z: sf.shape(name, 2.0, 0.6).embed(z).sum(0), P)  # (3, N-1, 2)
    acc = 2 * geo.points[1:-1] - geo.points[:-2] - geo.points[2:]
    tangential = np.einsum("cni,nc->ni", J.numpy(), acc)
    assert np.abs(tangential).max() < 1e-9


def _lhuilier(points: np.ndarray) -> float:
    a, b, c = (p / np.linalg.norm(p) for p in points)
    sides = [math.acos(np.clip(x @ y, -1, 1)) for x, y in ((b, c), (c, a), (a, b))]
    s = sum(sides) / 2
    t = math.tan(s / 2) * math.prod(math.tan((s - x) / 2) for x in sides)
    return 4 * math.atan(math.sqrt(max(t, 0.0)))


@pytest.mark.parametrize("corners", [((0.0, 0.0), (0.0, 1.2), (1.0, 0.6)), ((-0.4, -2.9), (0.3, 2.8), (0.9, -3.1)),
                                     ((0.1, 0.0), (0.15, 0.1), (0.2, 0.02))])
def test_geodesic_triangle_angle_sum_exceeds_pi_by_the_area_over_r_squared(corners):
    R = 2.0
    tri = sf.geodesic_triangle("sphere", *corners, segments=48, R=R)
    excess = _lhuilier(np.stack([_sphere_point(*c, R) for c in corners]))  # area / R²
    assert tri.excess == pytest.approx(excess, rel=1e-6, abs=1e-9)
    assert tri.closed_form_excess == pytest.approx(excess, rel=1e-9)
    assert tri.curvature_integral == pytest.approx(excess, rel=2e-2)


def _inside(poly: np.ndarray, pts: np.ndarray) -> np.ndarray:
    x, y = pts[:, :1], pts[:, 1:]
    x1, y1, x2, y2 = poly[:, 0], poly[:, 1], np.roll(poly[:, 0], -1), np.roll(poly[:, 1], -1)
    with np.errstate(divide="ignore", invalid="ignore"):
        at = x1 + (y - y1) * (x2 - x1) / (y2 - y1)
    return (((y1 > y) != (y2 > y)) & (x < at)).sum(1) % 2 == 1


def test_a_geodesic_triangle_on_the_saddle_falls_short_of_pi_by_the_integral_of_k():
    tri = sf.geodesic_triangle("saddle", (-0.5, -0.5), (0.6, -0.3), (0.0, 0.7), segments=48)
    assert tri.excess < 0
    lo, hi = tri.boundary.min(0), tri.boundary.max(0)
    m = 500
    h = (hi - lo) / m
    X, Y = np.meshgrid(lo[0] + h[0] * (np.arange(m) + 0.5), lo[1] + h[1] * (np.arange(m) + 0.5))
    pts = np.c_[X.ravel(), Y.ravel()]
    pts = pts[_inside(tri.boundary, pts)]
    x, y = pts[:, 0], pts[:, 1]
    integral = (-4 / (1 + 4 * x**2 + 4 * y**2) ** 2 * np.sqrt(1 + 4 * x**2 + 4 * y**2)).sum() * h[0] * h[1]
    assert tri.excess == pytest.approx(integral, rel=5e-3)
    assert tri.curvature_integral == pytest.approx(integral, rel=5e-3)


def test_a_triangle_round_the_pole_has_no_integral_but_its_excess_is_right():
    corners = ((1.0, 0.0), (1.0, 2.1), (1.0, -2.1))
    tri = sf.geodesic_triangle("sphere", *corners)
    assert math.isnan(tri.curvature_integral) and "winds" in tri.note
    assert tri.excess == pytest.approx(_lhuilier(np.stack([_sphere_point(*c, 1.0) for c in corners])), rel=1e-6)


@pytest.mark.parametrize("kwargs", [dict(surface="cube"), dict(surface="torus", R=1.0, r=1.0), dict(R=-1.0),
                                    dict(start=(math.pi / 2, 0.0)), dict(segments=1), dict(end=(0.0, math.nan)),
                                    dict(start="north")])
def test_surface_refusals_are_data_errors(kwargs):
    with pytest.raises(DataError):
        sf.geodesic(**kwargs)


# ------------------------------------------------------------------------------------------ Hessian


def _grad(prob: he.Problem, theta: torch.Tensor) -> torch.Tensor:
    x = theta.clone().requires_grad_(True)
    return torch.autograd.grad(prob.loss(x), x)[0]


def test_the_networks_loss_is_torch_nns():
    prob, theta = he.trained("iris", (5, 3), "tanh", "cross_entropy", 30, 0.05, 1)
    layers, at = [], 0
    for o, i in prob.shapes:
        lin = torch.nn.Linear(i, o, dtype=torch.float64)
        with torch.no_grad():
            lin.weight.copy_(theta[at:at + o * i].reshape(o, i))
            lin.bias.copy_(theta[at + o * i:at + o * i + o])
        at += o * i + o
        layers += [lin, torch.nn.Tanh()]
    net = torch.nn.Sequential(*layers[:-1])
    with torch.no_grad():
        out = net(prob.X)
        assert prob.loss(theta).item() == pytest.approx(torch.nn.functional.cross_entropy(out, prob.y).item(),
                                                         rel=1e-12)
        mse = 0.5 * ((out - torch.nn.functional.one_hot(prob.y, 3)) ** 2).sum(1).mean()
    prob_mse = he.problem("iris", (5, 3), "tanh", "mse")
    assert prob_mse.loss(theta).item() == pytest.approx(mse.item(), rel=1e-12)


def test_exact_hessian_equals_finite_differences_and_its_eigenvalues_numpys():
    spec = he.hessian_spectrum("iris", (4,), steps=60, lr=0.05)
    prob, theta = he.trained("iris", (4,), steps=60, lr=0.05)
    p, h = prob.n_params, 1e-5
    fd = np.stack([((_grad(prob, theta + h * e) - _grad(prob, theta - h * e)) / (2 * h)).numpy()
                   for e in torch.eye(p, dtype=torch.float64)])
    fd = 0.5 * (fd + fd.T)
    assert spec.n_params == p == 35
    np.testing.assert_allclose(spec.hessian, fd, atol=1e-8)
    np.testing.assert_allclose(spec.eigenvalues, np.linalg.eigvalsh(fd), atol=1e-8)
    assert spec.grad_norm == pytest.approx(float(_grad(prob, theta).norm()), rel=1e-12)


def test_indefinite_hessians_keep_their_negative_eigenvalues():
    spec = he.hessian_spectrum("iris", (6,), steps=0)  # at the random start: not a minimum
    ref = np.linalg.eigvalsh(spec.hessian)
    np.testing.assert_allclose(spec.eigenvalues, ref, atol=1e-12)
    assert spec.negative == int((ref < -spec.tol).sum()) > 0 and spec.eigenvalues[0] < 0


@pytest.mark.parametrize("method", ["scipy", "lanczos"])
def test_top_eigenvalues_by_hessian_vector_products_equal_the_dense_ones(method):
    spec = he.hessian_spectrum("iris", (16,))
    top = he.top_eigenvalues("iris", (16,), k=5, method=method)
    np.testing.assert_allclose(top.eigenvalues, spec.eigenvalues[::-1][:5], rtol=1e-8, atol=1e-10)
    H = spec.hessian
    np.testing.assert_allclose(H @ top.eigenvectors, top.eigenvectors * top.eigenvalues, atol=1e-7)
    assert top.matvecs < spec.n_params  # cheaper than forming H


def test_the_dense_path_refuses_big_networks_and_points_to_lanczos():
    prob = he.problem("digits", (32,))
    assert prob.n_params > he.MAX_DENSE
    with pytest.raises(DataError, match="Lanczos"):
        he.dense_hessian(prob, torch.zeros(prob.n_params, dtype=torch.float64))


def test_filter_normalised_directions_match_the_weights_filter_by_filter():
    prob, theta = he.trained("iris", (8,))
    d = he.filter_normalised(prob, theta, torch.Generator().manual_seed(0))
    for (o, i), (ws, bs) in zip(prob.shapes, prob.blocks(), strict=True):
        np.testing.assert_allclose(d[ws].reshape(o, i).norm(dim=1), theta[ws].reshape(o, i).norm(dim=1), rtol=1e-12)
        assert (d[bs] == 0).all()


def test_loss_slices_pass_through_the_minimum_and_follow_the_quadratic_model_nearby():
    s = he.loss_slices("iris", (8,), radius=0.02, random_radius=0.5, resolution=9)
    mid = 4
    assert s.eigen_1d[0, mid] == pytest.approx(s.loss_at_minimum, rel=1e-12)
    assert s.eigen_2d[mid, mid] == pytest.approx(s.loss_at_minimum, rel=1e-12)
    assert s.random_2d[mid, mid] == pytest.approx(s.loss_at_minimum, rel=1e-12)
    np.testing.assert_allclose(s.eigen_2d[mid], s.eigen_1d[0], rtol=1e-12)  # β = 0: along v₁
    np.testing.assert_allclose(s.eigen_2d[:, mid], s.eigen_1d[1], rtol=1e-12)  # α = 0: along v₂
    np.testing.assert_allclose(s.random_2d[:, mid], s.random_1d[1], rtol=1e-12)
    np.testing.assert_allclose(s.eigen_1d, s.quadratic_1d, rtol=1e-4)
    spec = he.hessian_spectrum("iris", (8,))
    np.testing.assert_allclose(s.top_eigenvalues, spec.eigenvalues[::-1][:2], rtol=1e-8)


def test_sharpness_during_gradient_descent_is_the_dense_hessians_top_eigenvalue():
    lr, steps = 0.3, 12
    run = he.edge_of_stability("iris", (6,), loss="mse", lr=lr, steps=steps, every=1, lanczos_steps=40)
    prob = he.problem("iris", (6,), loss="mse")
    theta = he.initial_theta(prob, 0)
    for t in range(steps + 1):
        assert run.loss[t] == pytest.approx(prob.loss(theta).item(), rel=1e-10)
        H = he.dense_hessian(prob, theta).numpy()
        assert run.sharpness[t] == pytest.approx(np.linalg.eigvalsh(H)[-1], rel=1e-7)
        theta = theta - lr * _grad(prob, theta)
    assert run.threshold == pytest.approx(2 / lr)


def test_sharpness_rises_to_two_over_eta_and_hovers_there():
    edge = he.edge_of_stability("iris", (16,), loss="mse", lr=0.5, steps=300, every=5, lanczos_steps=10)
    calm = he.edge_of_stability("iris", (16,), loss="mse", lr=0.1, steps=300, every=5, lanczos_steps=10)
    late = edge.sharpness[200:][np.isfinite(edge.sharpness[200:])]
    assert edge.diverged_at is None and 0.85 * edge.threshold < late.mean() < 1.15 * edge.threshold
    assert (np.diff(edge.loss) > 0).any() and edge.loss[-1] < 0.1 * edge.loss[0]  # falls, but not monotonically
    assert np.nanmax(calm.sharpness) < 0.5 * calm.threshold and (np.diff(calm.loss) <= 1e-12).all()


def test_a_step_size_that_diverges_stops_the_run_and_says_when():
    run = he.edge_of_stability("iris", (16,), loss="mse", lr=5.0, steps=100, every=1)
    assert run.diverged_at is not None and run.diverged_at < 100
    assert f"step {run.diverged_at}" in run.note and len(run.loss) == run.diverged_at + 1
    assert np.isfinite(run.sharpness[:-1]).all()


# ------------------------------------------------------------------------------------------ Fisher


@pytest.mark.parametrize("mu,sigma", [(0.0, 1.0), (1.5, 0.3), (-2.0, 4.0)])
def test_the_gaussians_fisher_matrix_is_the_closed_form_and_the_score_covariance(mu, sigma):
    F = fi.gaussian_fisher(mu, sigma, "sigma")
    Fl = fi.gaussian_fisher(mu, sigma, "log_sigma")
    np.testing.assert_allclose(F, np.diag([1 / sigma**2, 2 / sigma**2]), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(Fl, np.diag([1 / sigma**2, 2.0]), rtol=1e-12, atol=1e-14)
    x = np.random.default_rng(7).normal(mu, sigma, 400_000)
    z = (x - mu) / sigma
    score = np.c_[z / sigma, (z * z - 1) / sigma]  # ∂/∂μ, ∂/∂σ of log N(x; μ, σ²)
    score_log = score * np.array([1.0, sigma])  # ∂/∂ log σ = σ ∂/∂σ
    for s, M in ((score, F), (score_log, Fl)):
        mc = s.T @ s / len(x)
        se = np.sqrt((s[:, :, None] ** 2 * s[:, None, :] ** 2).mean(0) / len(x))  # Monte Carlo standard errors
        assert (np.abs(mc - M) < 5 * se).all()


def test_fisher_ellipses_are_the_metrics_unit_balls():
    e = fi.fisher_ellipses(n_mu=3, n_sigma=4, chart="sigma", radius=0.1)
    for c, M, outline in zip(e.centres, e.metrics, e.outlines, strict=True):
        np.testing.assert_allclose(M, np.diag([1 / c[1] ** 2, 2 / c[1] ** 2]), rtol=1e-12)
        d = outline - c
        np.testing.assert_allclose(np.einsum("pi,ij,pj->p", d, M, d), 0.01, rtol=1e-10)


@pytest.mark.parametrize("a,b", [((-1.0, 0.5), (2.0, 1.5)), ((0.0, 1.0), (0.0, 3.0)), ((3.0, 2.0), (-1.0, 0.2)),
                                 ((0.0, 1.0), (1e-3, 1.001))])
def test_fisher_rao_distance_is_the_length_of_its_geodesic(a, b):
    fr = fi.fisher_rao(*a, *b, points=4001)
    P = fr.path
    mid, d = 0.5 * (P[1:] + P[:-1]), np.diff(P, axis=0)
    length = np.sum(np.sqrt(d[:, 0] ** 2 + 2 * d[:, 1] ** 2) / mid[:, 1])  # ds² = (dμ² + 2dσ²)/σ²
    assert fr.distance == pytest.approx(length, rel=1e-6)
    np.testing.assert_allclose(P[0], a) and np.testing.assert_allclose(P[-1], b)
    steps = np.sqrt(d[:, 0] ** 2 + 2 * d[:, 1] ** 2) / mid[:, 1]
    assert steps.max() - steps.min() < 1e-3 * steps.mean()  # evenly spaced in Fisher length
    # a straight line in (μ, σ) between the two is never shorter
    s = np.linspace(0, 1, 4001)[:, None]
    line = np.asarray(a) + s * (np.asarray(b) - np.asarray(a))
    mid, d = 0.5 * (line[1:] + line[:-1]), np.diff(line, axis=0)
    assert np.sum(np.sqrt(d[:, 0] ** 2 + 2 * d[:, 1] ** 2) / mid[:, 1]) >= fr.distance * (1 - 1e-6)
    for p, q, kl in ((a, b, fr.kl_forward), (b, a, fr.kl_reverse)):
        from scipy.stats import norm

        lo, hi = min(p[0] - 12 * p[1], q[0] - 12 * q[1]), max(p[0] + 12 * p[1], q[0] + 12 * q[1])
        ref = integrate.quad(lambda x, p=p, q=q: norm.pdf(x, *p) * (norm.logpdf(x, *p) - norm.logpdf(x, *q)),
                             lo, hi, points=[p[0], q[0]], limit=200)[0]
        assert kl == pytest.approx(ref, rel=1e-6, abs=1e-10)
    if fr.distance < 0.01:
        assert fr.distance**2 / 2 == pytest.approx(fr.kl_forward, rel=1e-2)  # KL ≈ d²/2 nearby


def test_natural_gradient_paths_agree_across_charts_and_plain_ones_do_not():
    fits = fi.gaussian_fits(n=200, seed=0, start=(-3.0, 0.5), lr=0.002, steps=300)
    nat_s, nat_l = fits.path("natural", "sigma"), fits.path("natural", "log_sigma")
    plain_s, plain_l = fits.path("plain", "sigma"), fits.path("plain", "log_sigma")
    gap = lambda p, q: max(np.abs(p.mu - q.mu).max(), np.abs(p.sigma - q.sigma).max())  # noqa: E731
    assert gap(nat_s, nat_l) < 0.01 and gap(plain_s, plain_l) > 0.5
    smaller = fi.gaussian_fits(n=200, seed=0, start=(-3.0, 0.5), lr=0.001, steps=600)
    g2 = gap(smaller.path("natural", "sigma"), smaller.path("natural", "log_sigma"))
    assert g2 < 0.6 * gap(nat_s, nat_l)  # O(η): halving η about halves the gap
    x = fits.sample
    assert fits.mle == pytest.approx((x.mean(), x.std()), rel=1e-12)
    done = fi.gaussian_fits(n=200, seed=0, start=(-3.0, 0.5), lr=0.5, steps=200)
    for chart in ("sigma", "log_sigma"):
        p = done.path("natural", chart)
        assert (p.mu[-1], p.sigma[-1]) == pytest.approx(fits.mle, abs=1e-6)
        nll = 0.5 * math.log(2 * math.pi) + np.log(p.sigma[-1]) + ((x - p.mu[-1]) ** 2).mean() / (2 * p.sigma[-1] ** 2)
        assert p.loss[-1] == pytest.approx(nll, rel=1e-12)


def test_plain_gradient_descent_that_sends_sigma_below_zero_stops_and_says_when():
    x = np.random.default_rng(1).normal(0.0, 1.0, 100)
    fits = fi.gaussian_fits(sample=x, start=(float(x.mean()), 5.0), lr=50.0, steps=20)
    p = fits.path("plain", "sigma")
    assert p.stopped_at == 1 and "σ" in p.note and len(p.mu) == 1
    with pytest.raises(DataError):
        fi.gaussian_fits(sample=np.ones(10))


@pytest.mark.parametrize("data", ["breast_cancer", "iris"])
def test_natural_gradient_on_logistic_regression_reaches_scikit_learns_optimum_fast(data):
    l2 = 1e-2
    race = fi.logistic_race(data, steps=40, lr_plain=0.5, l2=l2)
    X, y = fi._logistic_data(data)
    n = len(y)
    ref = LogisticRegression(C=1 / (n * l2), tol=1e-12, max_iter=10_000).fit(X[:, 1:], y)
    best = log_loss(y, ref.predict_proba(X[:, 1:])[:, 1]) + 0.5 * l2 * float((ref.coef_**2).sum())
    assert race.natural_loss[-1] == pytest.approx(best, rel=1e-8)
    np.testing.assert_allclose(race.weights_natural, np.r_[ref.intercept_, ref.coef_.ravel()], atol=1e-5)
    assert race.natural_loss[10] - best < 1e-6 < race.plain_loss[10] - best
    assert race.plain_loss[-1] > race.natural_loss[-1]


def test_logistic_refusals():
    with pytest.raises(DataError):
        fi.logistic_race("wine")
    with pytest.raises(DataError):
        fi.logistic_race(l2=0.0, damping=0.0)


# ------------------------------------------------------------------------------------------ the page's needs


def test_degenerate_input_gives_a_note_not_an_exception():
    tri = sf.geodesic_triangle("sphere", (0.0, 0.0), (0.0, 0.0), (0.5, 0.5))
    assert "coincide" in tri.note and math.isnan(tri.excess)
    loop = sf.geodesic("torus", (0.0, 0.0), (2 * math.pi, 0.0))  # the same point, one turn apart
    assert loop.length == 0.0 and loop.converged


def test_the_manifold_views_take_a_device_like_every_core_view():
    """ui.compute passes ``device=`` to every call: scikit-learn's views accept it and give the same numbers."""
    a, b = mf.explore_graph("s_curve", 120, 6, 3, 90), mf.explore_graph("s_curve", 120, 6, 3, 90, device=CPU)
    assert a.pair.graph == b.pair.graph and np.array_equal(a.pair.path, b.pair.path)
    e = mf.embed("s_curve", 120, 6, device="cpu")
    np.testing.assert_array_equal(e.Y, mf.embed("s_curve", 120, 6).Y)
    s = mf.k_sweep("s_curve", 120, (4, 8), isomap=False, device=CPU)
    np.testing.assert_array_equal(s.short_circuits, mf.k_sweep("s_curve", 120, (4, 8), isomap=False).short_circuits)


@pytest.mark.parametrize("call", [
    lambda p: mf.embed("swiss_roll", 120, 8, progress=p),
    lambda p: mf.k_sweep("swiss_roll", 120, (5, 8), progress=p),
    lambda p: sf.geodesic_triangle("saddle", progress=p),
    lambda p: he.hessian_spectrum("iris", (3,), steps=7, progress=p),
    lambda p: he.top_eigenvalues("iris", (3,), steps=7, k=2, progress=p),
    lambda p: he.loss_slices("iris", (3,), steps=7, resolution=5, progress=p),
    lambda p: he.edge_of_stability("iris", (3,), steps=20, progress=p),
    lambda p: fi.gaussian_fits(steps=20, progress=p),
    lambda p: fi.logistic_race("iris", steps=5, progress=p),
])
def test_slow_views_report_progress_between_0_and_1(call):
    seen = []
    call(lambda fraction, text: seen.append((fraction, text)))
    fractions = [f for f, _ in seen]
    assert seen and all(isinstance(t, str) and t for _, t in seen)
    assert all(0 <= f <= 1 for f in fractions) and fractions == sorted(fractions)
