"""The numbers chapter 8's try-this sentences state, recomputed from the page's own functions at the settings they
name (the page's defaults otherwise: 800 points of the roll, seed 0, A = 48, B = 642; the sphere's triangle (0°, 0°),
(0°, 70°), (55°, 35°) and the torus's (−60°, 20°), (60°, 20°), (0°, 150°) with 48 steps a side; iris, 16 units,
MSE and 300 steps for the edge of stability; 200 draws, μ₀ = −3, η = 0.05 and 100 steps for the Gaussian fits)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from core.geometry import fisher as fi
from core.geometry import hessian as hs
from core.geometry import manifold as mf
from core.geometry import surfaces as sf
from ui.figures import geometry as fig
from ui.figures.geometry import TRY_THIS

SAID = " ".join(TRY_THIS).replace("−", "-")
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
SPHERE = ((0.0, 0.0), (0.0, math.radians(70)), (math.radians(55), math.radians(35)))
TORUS = ((math.radians(-60), math.radians(20)), (math.radians(60), math.radians(20)), (0.0, math.radians(150)))


def _embed(method: str, k: int, n: int = 800) -> mf.Embedding:
    return mf.embed("swiss_roll", n, k, method, 0.0, 0, fig.TRUST_KS)


def test_a_short_circuit_at_k_15():
    before, after = mf.explore_graph("swiss_roll", 800, 10, 48, 642), mf.explore_graph("swiss_roll", 800, 15, 48, 642)
    assert before.pair.short_circuits_on_path == 0 and after.pair.short_circuits_on_path == 1
    assert (f"drops from {before.pair.graph:.3f} to {after.pair.graph:.3f} against a true geodesic of "
            f"{after.pair.intrinsic:.3f}") in SAID
    assert f"falls from {_embed('isomap', 10).recovery:.4f} to {_embed('isomap', 15).recovery:.4f}" in SAID


def test_torn_graphs():
    two, three = (mf.explore_graph("swiss_roll", 800, k, 48, 642).graph for k in (2, 3))
    assert f"into {len(two.component_sizes)} components (the largest has {two.component_sizes[0]} points)" in SAID
    sizes = three.component_sizes
    assert len(sizes) == 3 and f"into 3, of {sizes[0]}, {sizes[1]} and {sizes[2]} points" in SAID


def test_tsne_keeps_neighbourhoods_not_the_sheet():
    tsne, iso = _embed("tsne", 10, n=400), _embed("isomap", 10)
    assert f"T(10) = {fig.trust_at(tsne, 10)} on 400 points" in SAID
    assert f"|ρ| with the arc length is {tsne.recovery:.4f}, against Isomap's {iso.recovery:.4f}" in SAID


def test_the_torus_triangle_falls_short_of_pi():
    t = sf.geodesic_triangle("torus", *TORUS, 48, 1.0, 0.4, 1.0, 120)
    assert t.excess < 0
    assert (f"summing to {math.degrees(t.angle_sum):.2f}°, {-t.excess:.4f} short of π, and ∫∫K dA over it is "
            f"{t.curvature_integral:.4f}") in SAID


def test_the_sphere_triangle_does_not_care_about_the_radius():
    one, two = (sf.geodesic_triangle("sphere", *SPHERE, 48, R, 0.4, 1.0, 120) for R in (1.0, 2.0))
    assert f"{math.degrees(one.angle_sum):.2f}" == f"{math.degrees(two.angle_sum):.2f}"
    assert f"angle sum stays {math.degrees(two.angle_sum):.2f}°" in SAID
    assert f"the excess is still {two.excess:.4f}" in SAID and f"{one.excess:.4f}" == f"{two.excess:.4f}"


def test_the_edge_of_stability_sentences():
    calm, wild = (hs.edge_of_stability("iris", 16, "tanh", "mse", lr, 300, 0) for lr in (0.1, 5.0))
    assert calm.diverged_at is None and np.nanmax(calm.sharpness) < calm.threshold
    assert f"never passes {np.nanmax(calm.sharpness):.4g}, far below 2/η = {calm.threshold:g}" in SAID
    assert (f"starts at {wild.sharpness[0]:.4g}, already above 2/η = {wild.threshold:g}, and gradient descent "
            f"diverges at step {wild.diverged_at}") in SAID


def test_the_natural_paths_part_from_a_narrow_start():
    narrow = fi.gaussian_fits(None, 200, 1.0, 2.0, 0, (-3.0, 0.5), 0.05, 100)
    wide = fi.gaussian_fits(None, 200, 1.0, 2.0, 0, (-3.0, 2.0), 0.05, 100)
    assert f"part by up to {fig.paths_apart(narrow):.2g}, against {fig.paths_apart(wide):.3g} from σ₀ = 2" in SAID


def test_equal_means_give_a_vertical_geodesic():
    rao = fi.fisher_rao(0.0, 0.5, 0.0, 1.5)
    assert rao.centre is None and np.allclose(rao.path[:, 0], 0.0)
    assert f"d = √2·ln(σ₂/σ₁) = {rao.distance:.4f}" in SAID
    assert rao.distance == pytest.approx(math.sqrt(2) * math.log(3), rel=1e-12)
