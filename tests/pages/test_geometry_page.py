"""Chapter 8's page (AppTest) against independent references and at the edges a slider or a stranger's link
reaches: the graph distance is scipy's shortest path on scikit-learn's own k-NN graph of scikit-learn's own roll,
the true geodesic the spiral's arc length by quadrature, the sphere's geodesic the great circle and its triangle's
excess L'Huilier's, the network's λ_max numpy's eigvalsh of torch's autograd Hessian, the Fisher–Rao distance its
closed form and KL a quadrature. Graphs that fall apart, k far too large, coinciding corners, a step size that
diverges, σ near 0 and sizes past a method's limit all get words and a picture, never a traceback."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from scipy import integrate, stats
from scipy.sparse.csgraph import connected_components, shortest_path
from sklearn.datasets import make_swiss_roll
from sklearn.neighbors import kneighbors_graph

from core.geometry import hessian as hs
from tests import helpers as h

PAGE = "explorers/08_geometry.py"
A, B = 48, 642  # the page's default pair
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _open(**params):
    return h.open_page(PAGE, {k: str(v) for k, v in params.items()})


def _shown(at) -> dict[str, str]:
    return dict(h.metric_values(at))


def _texts(at) -> list[str]:
    return [h.unescape(e.value) for kind in ("caption", "info", "warning") for e in at.get(kind)]


def _roll_graph(k: int):
    X, t = make_swiss_roll(800, noise=0.0, random_state=0)
    G = kneighbors_graph(X, k, mode="distance")
    return X, t, G.maximum(G.T)


def _arc(t0: float, t1: float) -> float:
    return abs(integrate.quad(lambda s: math.sqrt(1 + s * s), t0, t1, epsabs=1e-12)[0])


def test_the_default_view_is_scipys_shortest_path_and_the_rolls_true_geodesic():
    at = _open()
    h.assert_healthy(at, "default")
    assert h.charts(at) == 4  # the graph, the unrolling, trustworthiness, the sweep over k
    X, t, G = _roll_graph(10)
    D = shortest_path(G, directed=False, indices=[A])[0]
    true = math.hypot(_arc(t[A], t[B]), X[A, 1] - X[B, 1])
    shown = _shown(at)
    assert shown["Along the graph"] == f"{D[B]:.3f}"
    assert shown["Euclidean |AB|"] == f"{np.linalg.norm(X[A] - X[B]):.3f}"
    assert shown["True geodesic"] == f"{true:.3f}"
    assert shown["Components"] == "1" and shown["Short-circuits"] == "0"
    assert float(shown["Isomap recovers arc length s"]) > 0.99


def test_a_graph_that_falls_apart_names_its_components_and_unrolls_the_largest():
    at = _open(dg_k=2)
    h.assert_healthy(at, "k = 2")
    _, _, G = _roll_graph(2)
    count, labels = connected_components(G, directed=False)
    sizes = np.sort(np.bincount(labels))[::-1]
    shown = _shown(at)
    assert shown["Components"] == f"{count}" and shown["Along the graph"] == "no path"
    assert shown["Points unrolled"] == f"{sizes[0]} of 800"
    said = " ".join(_texts(at))
    assert f"falls apart into {count} components of sizes {sizes[0]}, {sizes[1]}" in said
    assert "lie in different components" in said
    at = _open(dg_k=1)  # 250 pieces, none worth unrolling: words, the graph still drawn
    h.assert_healthy(at, "k = 1")
    assert any("too few to unroll" in s for s in _texts(at)) and "Points unrolled" not in _shown(at)


def test_k_far_too_large_short_circuits_the_roll():
    at = _open(dg_k=60)
    h.assert_healthy(at, "k = 60")
    _, _, G = _roll_graph(60)
    shown = _shown(at)
    assert shown["Along the graph"] == f"{shortest_path(G, directed=False, indices=[A])[0][B]:.3f}"
    assert int(shown["Short-circuits"].replace(",", "")) > 1000
    assert float(shown["Isomap recovers arc length s"]) < 0.5
    assert any("short-circuit edge" in i.value for i in at.info)


@pytest.mark.parametrize("data", ["Sphere", "Digits", "S-curve"])
def test_the_other_data_sets(data):
    at = _open(dg_data=data, dg_method="Spectral")
    h.assert_healthy(at, data)
    shown = _shown(at)
    assert shown["True geodesic"] == "unknown" if data == "Digits" else shown["True geodesic"] != "unknown"
    assert (shown["Short-circuits"] == "n/a") == (data == "Digits")


def test_tsne_runs_on_400_points_and_says_so():
    at = _open(dg_method="t-SNE")
    h.assert_healthy(at, "t-SNE")
    assert any("this view uses 400" in s for s in _texts(at)) and _shown(at)["Points unrolled"] == "400 of 400"


# ------------------------------------------------------------------------------------------ surfaces


def _lhuilier(a: float, b: float, c: float) -> float:
    s = (a + b + c) / 2
    return 4 * math.atan(math.sqrt(max(math.tan(s / 2) * math.tan((s - a) / 2) * math.tan((s - b) / 2)
                                       * math.tan((s - c) / 2), 0.0)))


def _great_circle(p, q) -> float:
    (la1, lo1), (la2, lo2) = (tuple(map(math.radians, x)) for x in (p, q))
    return math.acos(math.sin(la1) * math.sin(la2) + math.cos(la1) * math.cos(la2) * math.cos(lo1 - lo2))


def test_the_spheres_geodesic_is_the_great_circle_and_its_triangle_has_lhuiliers_excess():
    at = _open(dg_tab="Surfaces")
    h.assert_healthy(at, "surfaces")
    corners = [(0, 0), (0, 70), (55, 35)]  # the page's defaults, degrees
    a, b, c = (_great_circle(corners[i], corners[(i + 1) % 3]) for i in range(3))
    excess = _lhuilier(a, b, c)
    shown = _shown(at)
    assert shown["Great circle"] == f"{a:.4f}" and shown["Geodesic AB"] == f"{a:.4f}"
    assert shown["Chord |AB|"] == f"{2 * math.sin(a / 2):.4f}"
    assert abs(float(shown["Excess, sum − π"]) - excess) < 2e-4
    assert abs(float(shown["Angle sum"].rstrip("°")) - math.degrees(math.pi + excess)) < 0.02
    assert abs(float(shown["∫∫ K dA"]) - excess) < 2e-3  # Gauss–Bonnet: the integral of K = 1 is the area


def test_coinciding_corners_say_so():
    at = _open(dg_tab="Surfaces", dg_spb0=0, dg_spb1=0)
    h.assert_healthy(at, "A = B")
    shown = _shown(at)
    assert shown["Angle sum"] == "undefined" and shown["Geodesic AB"] == "0.0000"
    assert any("coincide" in s for s in _texts(at)) and any("same point" in i.value for i in at.info)


@pytest.mark.parametrize(("surface", "below"), [("Torus", True), ("Saddle", True)])
def test_negative_curvature_makes_the_angle_sum_fall_short(surface, below):
    at = _open(dg_tab="Surfaces", dg_surf=surface)
    h.assert_healthy(at, surface)
    shown = _shown(at)
    excess, integral = float(shown["Excess, sum − π"]), float(shown["∫∫ K dA"])
    assert (excess < 0) == below and abs(excess - integral) < 5e-3


def test_a_triangle_round_the_seam_has_no_integral_but_still_an_angle_sum():
    at = _open(dg_tab="Surfaces", dg_surf="Torus", dg_toa1=150, dg_tob1=-150, dg_toc1=0)
    h.assert_healthy(at, "torus round the seam")
    assert _shown(at)["∫∫ K dA"] == "undefined" and _shown(at)["Angle sum"].endswith("°")
    assert any("winds round" in s for s in _texts(at))


# ------------------------------------------------------------------------------------------ loss curvature


def test_the_spectrum_is_numpys_eigvalsh_of_torchs_hessian():
    at = _open(dg_tab="Loss curvature")
    h.assert_healthy(at, "spectrum")
    prob, theta = hs.trained("iris", 16, "tanh", "cross_entropy", 200, 0.05, 0)
    H = torch.autograd.functional.hessian(prob.loss, theta).numpy()
    ev = np.linalg.eigvalsh(0.5 * (H + H.T))
    shown = _shown(at)
    assert shown["Parameters"] == f"{len(ev)}" == "131"
    assert shown["λ_max"] == f"{ev[-1]:.4g}" and shown["λ_min"] == f"{ev[0]:.3g}"
    table = at.dataframe[0].value
    np.testing.assert_allclose(table[[f"λ{i}" for i in range(1, 6)]].to_numpy(), np.tile(ev[::-1][:5], (3, 1)),
                               rtol=1e-8)


def test_past_the_exact_hessians_limit_lanczos_alone_with_a_note():
    at = _open(dg_tab="Loss curvature", dg_net="Breast cancer", dg_width=32)
    h.assert_healthy(at, "breast cancer, 32 units")
    assert any("past what an exact Hessian allows" in s for s in _texts(at))
    assert _shown(at)["Parameters"] == "1,058" and "λ₁ (ARPACK)" in _shown(at)
    at = _open(dg_tab="Loss curvature", dg_net="Digits", dg_width=256, dg_show="Slices")
    h.assert_healthy(at, "digits, 256 units, slices")
    assert any("using 16 hidden units" in s for s in _texts(at))


@pytest.mark.parametrize(("lr", "diverges"), [(5.0, True), (0.5, False)])
def test_the_edge_of_stability_and_a_step_that_diverges(lr, diverges):
    at = _open(dg_tab="Loss curvature", dg_show="Edge of stability", dg_lr=lr)
    h.assert_healthy(at, f"eta {lr}")
    shown = _shown(at)
    assert shown["2/η"] == f"{2 / lr:.4g}"
    if diverges:
        assert shown["Steps"] == "diverged at 2" and any("diverged" in s for s in _texts(at))
    else:
        assert shown["Steps"] == "300" and abs(float(shown["Last sharpness"]) - 2 / lr) < 0.5  # at the edge


def test_the_slices():
    at = _open(dg_tab="Loss curvature", dg_show="Slices")
    h.assert_healthy(at, "slices")
    assert h.charts(at) == 3 and float(_shown(at)["Rise along v₁ at α = 1"]) > 0


# ------------------------------------------------------------------------------------------ Fisher


def _kl(m1, s1, m2, s2) -> float:
    p, q = stats.norm(m1, s1), stats.norm(m2, s2)
    lo, hi = m1 - 12 * s1, m1 + 12 * s1
    return integrate.quad(lambda x: p.pdf(x) * (p.logpdf(x) - q.logpdf(x)), lo, hi, limit=400, epsabs=1e-12)[0]


@pytest.mark.parametrize(("m1", "s1", "m2", "s2"), [(-1.0, 0.5, 2.0, 1.5), (0.0, 0.01, 1.0, 0.02),
                                                    (1.0, 1.0, 1.0, 1.0)])
def test_the_fisher_rao_distance_and_kl_against_closed_forms(m1, s1, m2, s2):
    at = _open(dg_tab="Fisher and natural gradient", dg_mu1=m1, dg_s1=s1, dg_mu2=m2, dg_s2=s2)
    h.assert_healthy(at, f"{m1}, {s1}, {m2}, {s2}")
    d = math.sqrt(2) * math.acosh(1 + ((m1 - m2) ** 2 / 2 + (s1 - s2) ** 2) / (2 * s1 * s2))
    shown = _shown(at)
    assert shown["Fisher–Rao d"] == f"{d:.4f}"
    for label, value in (("KL(p₁‖p₂)", _kl(m1, s1, m2, s2)), ("KL(p₂‖p₁)", _kl(m2, s2, m1, s1))):
        assert abs(float(shown[label]) - value) < 1e-4 * max(1.0, value), label


def test_natural_gradient_paths_agree_across_charts_at_the_default():
    at = _open(dg_tab="Fisher and natural gradient", dg_fshow="Fitting N(μ, σ²)")
    h.assert_healthy(at, "fits")
    shown = _shown(at)
    x = np.random.default_rng(0).normal(1.0, 2.0, 200)
    assert shown["MLE (x̄, s)"] == f"({x.mean():.3f}, {x.std():.3f})"
    assert float(shown["Natural paths apart"]) < 0.05


def test_a_start_near_sigma_zero_with_a_long_step_stops_a_run_and_says_when():
    at = _open(dg_tab="Fisher and natural gradient", dg_fshow="Fitting N(μ, σ²)", dg_s0=0.05, dg_flr=1.5)
    h.assert_healthy(at, "sigma0 0.05, eta 1.5")
    shown = _shown(at)
    assert shown["Natural paths apart"] == "n/a" and "stopped at step" in shown["Natural, (μ, log σ)"]
    assert any("stops there" in i.value for i in at.info)


@pytest.mark.parametrize("params", [{}, {"dg_lrn": 3.0, "dg_l2": 0.0}, {"dg_ldata": "Iris", "dg_lsteps": 200}])
def test_logistic_regression(params):
    at = _open(dg_tab="Fisher and natural gradient", dg_fshow="Logistic regression", **params)
    h.assert_healthy(at, str(params))
    shown = _shown(at)
    if params.get("dg_lrn") == 3.0:
        assert any("diverged" in s for s in _texts(at))
    else:
        assert float(shown["Natural GD, final loss"]) <= float(shown["Plain GD, final loss"])
        assert shown["Natural reaches it"].startswith("iteration")
