"""core.calculus, the numbers behind chapter 3's tabs, against independent references: derivatives written
out by hand, numpy's gradient on a fine grid, scipy's closed forms, the SVD's geometry (an ellipse's area),
matplotlib's contouring, and the textbook error orders of Taylor models and difference quotients."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from core import calculus as C
from core import expr as E

pytestmark = pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated:DeprecationWarning")
CPU = torch.device("cpu")


def test_field_values_and_gradients_match_formulas_written_by_hand():
    f = E.parse("sin(x)*cos(y) + x^2*y")
    fld = C.field(f, (-2, 2, -1, 3), 41, CPU)
    X, Y = np.meshgrid(fld.xs, fld.ys)
    np.testing.assert_allclose(fld.F, np.sin(X) * np.cos(Y) + X**2 * Y, atol=1e-12)
    np.testing.assert_allclose(fld.gx, np.cos(X) * np.cos(Y) + 2 * X * Y, atol=1e-12)
    np.testing.assert_allclose(fld.gy, -np.sin(X) * np.sin(Y) + X**2, atol=1e-12)
    assert fld.xs[0] == -2 and fld.ys[-1] == 3 and fld.defined == 1.0


def test_field_gradient_agrees_with_numpys_finite_differences_on_a_fine_grid():
    f = E.parse(E.EXAMPLES["Himmelblau (four minima)"])
    fld = C.field(f, (-4, 4, -4, 4), 401, CPU)
    _gy, gx = np.gradient(fld.F, fld.ys, fld.xs)
    inner = (slice(1, -1), slice(1, -1))
    assert np.abs(fld.gx[inner] - gx[inner]).max() < 0.2 * np.abs(fld.gx).max() * 1e-2


def test_where_f_is_undefined_the_field_is_nan_and_the_rest_is_drawn():
    fld = C.field(E.parse("log(x) + sqrt(y)"), (-1, 1, -1, 1), 21, CPU)
    X, Y = np.meshgrid(fld.xs, fld.ys)
    inside = (X > 0) & (Y >= 0)
    assert np.isfinite(fld.F[inside & (Y > 0)]).all() and np.isnan(fld.F[~inside & (X < 0)]).all()
    assert np.isnan(fld.gx[X < 0]).all() and 0 < fld.defined < 0.5


def test_a_constant_function_has_a_zero_gradient_and_no_contours():
    fld = C.field(E.parse("3"), (-1, 1, -1, 1), 11, CPU)
    assert (fld.gx == 0).all() and (fld.gy == 0).all() and (fld.F == 3).all()
    assert len(C.contour_levels(fld.F)) == 0 and C.contours(fld, C.contour_levels(fld.F)) == []


def test_contours_lie_on_their_level_and_match_matplotlib():
    f = E.parse("x^2 + 4*y^2")
    fld = C.field(f, (-2, 2, -2, 2), 81, CPU)
    levels = C.contour_levels(fld.F, 6)
    assert len(levels) == 6 and np.all(np.diff(levels) > 0)
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ref = plt.contour(fld.xs, fld.ys, fld.F, levels=levels)
    plt.close("all")
    for (level, pts), segs in zip(C.contours(fld, levels), ref.allsegs, strict=True):
        pts = pts[np.isfinite(pts).all(1)]
        on = pts[:, 0] ** 2 + 4 * pts[:, 1] ** 2
        assert np.abs(on - level).max() < 0.02 * max(1, level)  # linear interpolation on the grid
        assert len(pts) == pytest.approx(sum(len(s) for s in segs), abs=2)


@pytest.mark.parametrize("name", list(E.EXAMPLES))
def test_the_three_gradients_and_two_hessians_agree(name):
    f = E.parse(E.EXAMPLES[name])
    p = C.point(f, 0.7, -0.4)
    np.testing.assert_allclose(p.grad_autograd, p.grad_exact, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(p.grad_fd, p.grad_exact, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(p.hessian_autograd, p.hessian_exact, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(p.hessian_exact, p.hessian_exact.T, atol=1e-12)  # Schwarz: mixed partials agree
    lam, _vec = np.linalg.eigh(p.hessian_exact)
    np.testing.assert_allclose(p.eigenvalues, lam, atol=1e-12)
    np.testing.assert_allclose(p.hessian_exact @ p.eigenvectors, p.eigenvectors * p.eigenvalues, atol=1e-9)


def test_gradient_and_hessian_by_hand_at_a_point():
    p = C.point(E.parse("x^3 - 3*x*y^2"), 1.0, 2.0)  # the monkey saddle
    assert p.value == pytest.approx(1 - 12)
    np.testing.assert_allclose(p.grad_exact, [3 * 1 - 3 * 4, -6 * 1 * 2])
    np.testing.assert_allclose(p.hessian_exact, [[6, -12], [-12, -6]])


@pytest.mark.parametrize("text,x,y,verdict", [
    ("x^2 + y^2", 0, 0, "minimum"), ("-(x^2) - 2*y^2", 0, 0, "maximum"), ("x^2 - y^2", 0, 0, "saddle"),
    ("x^4 + y^4", 0, 0, "degenerate"), ("x^3 - 3*x*y^2", 0, 0, "degenerate"),
    ("(1 - x)^2 + 100*(y - x^2)^2", 1, 1, "minimum"),
    ("(x^2 + y - 11)^2 + (x + y^2 - 7)^2", 3, 2, "minimum"),  # one of Himmelblau's four minima
    ("sin(x)*cos(y)", math.pi / 2, 0, "maximum"), ("sin(x)*cos(y)", 0, math.pi / 2, "saddle"),
])
def test_second_derivative_test_at_critical_points(text, x, y, verdict):
    p = C.point(E.parse(text), x, y)
    assert p.critical and p.verdict == verdict


def test_away_from_a_critical_point_only_the_shape_is_named():
    p = C.point(E.parse("x^2 + y^2"), 1, 1)
    assert not p.critical and p.verdict == "minimum" and p.shape.startswith("a bowl")


def test_an_undefined_point_has_no_numbers_and_no_verdict():
    for text, x, y in (("log(x)", -1, 0), ("1/x", 0, 1), ("sqrt(x - 2)", 1, 0)):
        p = C.point(E.parse(text), x, y)
        assert not p.defined and p.verdict == "—" and np.isnan(p.grad_exact).all()


def test_directional_derivative_is_the_slope_of_the_slice():
    f = E.parse("exp(x/2)*sin(y) + x*y")
    p = C.point(f, 0.3, 0.8)
    for angle in (0, 37, 90, 200):
        s = C.slice_through(f, p, angle, 1e-4, 3)
        u = C.unit(angle)
        assert s.slope == pytest.approx(p.grad_exact @ u)
        assert (s.f[2] - s.f[0]) / (s.t[2] - s.t[0]) == pytest.approx(s.slope, rel=1e-6, abs=1e-9)
    # steepest ascent: the slope is largest along ∇f, zero along the level curve's tangent
    steepest = math.degrees(math.atan2(p.grad_exact[1], p.grad_exact[0]))
    assert C.slice_through(f, p, steepest, 1, 3).slope == pytest.approx(np.linalg.norm(p.grad_exact))
    assert C.slice_through(f, p, steepest + 90, 1, 3).slope == pytest.approx(0, abs=1e-12)


@pytest.mark.parametrize("text", ["exp(x)*cos(y)", "sin(x*y) + x^3", "log(1 + x^2 + y^2)", "tanh(x - 2*y)"])
def test_taylor_errors_shrink_with_orders_two_and_three(text):
    f = E.parse(text)
    p = C.point(f, 0.4, 0.3)
    te = C.taylor_errors(f, p, 25.0, h_max=0.5)
    assert te.slope_first == pytest.approx(2, abs=0.15)
    assert te.slope_second == pytest.approx(3, abs=0.2)
    s = C.slice_through(f, p, 25.0, 0.01, 5)
    assert np.abs(s.f - s.second).max() < np.abs(s.f - s.first).max()


def test_a_quadratic_is_its_own_second_order_model():
    f = E.parse("x^2 - 3*x*y + 2*y^2 + x")
    p = C.point(f, 0.5, -1)
    te = C.taylor_errors(f, p, 60.0)
    assert te.second.max() < 1e-12 and math.isnan(te.slope_second)


@pytest.mark.parametrize("name", list(E.MAPS))
def test_jacobian_of_each_map_and_its_ellipse(name):
    u, v = (E.parse(t) for t in E.MAPS[name])
    m = C.local_map(u, v, 0.8, 0.6, 1e-3, 721)
    np.testing.assert_allclose(m.J_autograd, m.J, atol=1e-12)
    np.testing.assert_allclose(sorted(m.singular_values), sorted(np.sqrt(np.linalg.eigvalsh(m.J.T @ m.J))), atol=1e-12)
    assert abs(m.det) == pytest.approx(np.prod(m.singular_values), rel=1e-12)
    # the linearisation maps the circle onto an ellipse of semi-axes r·σ₁, r·σ₂, area π r² |det J|
    q = m.linear - m.centre
    area = 0.5 * abs(np.sum(q[:-1, 0] * q[1:, 1] - q[1:, 0] * q[:-1, 1]))
    assert area == pytest.approx(math.pi * 1e-6 * abs(m.det), rel=1e-4)
    assert np.linalg.norm(q, axis=1).max() == pytest.approx(1e-3 * m.singular_values[0], rel=1e-4)
    # and the true image stays within O(r²) of it
    assert np.abs(m.image - m.linear).max() < 10 * 1e-6 * (1 + np.abs(m.J).max())


def test_polar_coordinates_stretch_by_r_and_the_fold_has_det_zero():
    m = C.local_map(E.parse("x*cos(y)"), E.parse("x*sin(y)"), 2.0, 0.3, 0.1)
    assert m.det == pytest.approx(2.0)  # det J = r for polar coordinates
    np.testing.assert_allclose(m.singular_values, [2.0, 1.0])
    fold = C.determinant_field(E.parse("x"), E.parse("y^2"), (-1, 1, -1, 1), 21, CPU)
    _X, Y = np.meshgrid(fold.xs, fold.ys)
    np.testing.assert_allclose(fold.F, 2 * Y, atol=1e-12)  # det J of (x, y²) is 2y: it folds along y = 0


def test_central_differences_are_second_order():
    f = E.parse("exp(x)*sin(y)")
    exact = math.exp(0.3) * math.sin(0.2)
    e1 = abs(C.central(f, 0.3, 0.2, 0, 1e-2) - exact)
    e2 = abs(C.central(f, 0.3, 0.2, 0, 1e-3) - exact)
    assert e1 / e2 == pytest.approx(100, rel=0.05)


@pytest.mark.parametrize("text,x", [("sin(x) + y", 0.9), ("exp(x)*y", 0.5), ("log(x) + y", 1.7), ("tanh(3*x)", 0.2)])
def test_difference_errors_are_least_near_the_predicted_step(text, x):
    """Forward differences: error ≈ h|f''|/2 + ε|f|/h, least near √ε; central: h²|f'''|/6 + ε|f|/h, least
    near ∛ε (within a couple of decades: the constants depend on f)."""
    d = C.differences(E.parse(text), x, 0.5, 0)
    assert d.exact == pytest.approx(float(E.evaluate(E.gradient(E.parse(text)), {"x": x, "y": 0.5})[0, 0]))
    for method in ("forward", "central"):
        for dtype in ("float32", "float64"):
            ratio = d.best[(method, dtype)] / d.predicted[(method, dtype)]
            assert 1e-2 < ratio < 1e2, (method, dtype, d.best[(method, dtype)])
    best64 = {m: d.errors[(m, "float64")].min() for m in ("forward", "central", "complex")}
    assert best64["forward"] > best64["central"] > best64["complex"] and best64["complex"] < 1e-14
    assert np.nanmin(d.errors[("central", "float32")]) > 1e3 * best64["central"]  # float32's ε is 2⁻²³
    # the truncation regime: forward error ∝ h (slope 1), central ∝ h² (slope 2), at the largest steps
    big = d.h > 1e-3
    slope_f = np.polyfit(np.log(d.h[big]), np.log(d.errors[("forward", "float64")][big]), 1)[0]
    slope_c = np.polyfit(np.log(d.h[big]), np.log(d.errors[("central", "float64")][big]), 1)[0]
    assert slope_f == pytest.approx(1, abs=0.15) and slope_c == pytest.approx(2, abs=0.2)


def test_complex_step_only_for_analytic_functions():
    assert C.analytic(E.parse("sin(x)*exp(y) + sigmoid(x)"))
    assert not C.analytic(E.parse("abs(x) + y")) and not C.analytic(E.parse("relu(x*y)"))
    d = C.differences(E.parse("abs(x) + y"), 0.5, 0.5)
    assert np.isnan(d.errors[("complex", "float64")]).all() and math.isnan(d.best[("complex", "float64")])


def test_gradcheck_passes_smooth_functions_and_reports_undefined_points():
    assert C.gradcheck(E.parse("sin(x)*y^2"), 0.3, 0.7) == (True, "passed")
    ok, why = C.gradcheck(E.parse("log(x*y)"), -1, 1)
    assert not ok and "undefined" in why
    ok, why = C.gradcheck(E.parse("relu(x) + y"), 0.0, 1.0)  # the kink: autograd's 0 against the differences' ½
    assert not ok and "Jacobian mismatch" in why


def test_the_pages_try_this_sentences():
    """The numbers and verdicts ui.figures.calculus.TRY_THIS states, from the page's own functions at the settings
    it names (the page's defaults: x, y = 1, 0.5; window ±3; u at 30°)."""
    from core import backprop as B
    from ui.figures.calculus import TRY_THIS

    said = " ".join(TRY_THIS)
    egg = E.parse(E.EXAMPLES["Egg crate"])
    assert not C.point(egg, 1.5, 0).critical
    crit = C.nearest_critical(egg, 1.5, 0.0, (-3, 3, -3, 3))
    assert crit.verdict == "maximum" and (crit.x, crit.y) == (pytest.approx(math.pi / 2), pytest.approx(0, abs=1e-12))
    assert f"lands on ({crit.x:.4g}, {crit.y:.4g})" in said and np.allclose(crit.eigenvalues, -1)
    p = C.point(egg, 1.0, 0.5)
    slopes = {a: p.grad_exact @ C.unit(a) for a in range(0, 360, 5)}  # the slider's angles
    assert min(slopes, key=lambda a: abs(slopes[a])) in (50, 230)  # along the level curve, either way
    assert f"turn u to 50°. ∇f·u is almost 0 ({slopes[50]:.2g})" in said.replace("−", "-")
    saddle = C.point(E.parse(E.EXAMPLES["Saddle"]), 0, 0)
    assert saddle.verdict == "saddle" and C.unit(0) @ saddle.hessian_exact @ C.unit(0) == pytest.approx(2)
    assert C.unit(90) @ saddle.hessian_exact @ C.unit(90) == pytest.approx(-2)
    assert C.point(E.parse(E.EXAMPLES["Flat bottom (degenerate minimum)"]), 0, 0).verdict == "degenerate"
    fold = C.local_map(*(E.parse(t) for t in E.MAPS["Fold"]), 1.0, 0.0, 0.2)
    assert fold.det == 0 and fold.singular_values[1] == 0
    costs = B.mode_costs(256, 1, repeats=1)
    assert (costs.jvps, costs.vjps) == (256, 1) and "forward mode needs 256 passes for the Jacobian, reverse mode 1" \
        in said.replace("Forward", "forward")
    ok, _why = C.gradcheck(E.parse("relu(x) + y"), 0.0, 0.5)
    assert not ok and not C.analytic(E.parse("relu(x) + y"))
    assert C.point(E.parse("relu(x) + y"), 0.0, 0.5, False).grad_autograd[0] == 0
    assert C.central(E.parse("relu(x) + y"), 0.0, 0.5, 0) == pytest.approx(0.5)
