"""core.dynamics against independent references: numpy's tanh map with central finite differences and
numpy's eigenvalues, scipy's fsolve and brentq, closed forms (ρᵗ for an orthogonal W, log ρ for the linear
RNN, ln 2 for the logistic map at r = 4, λ₁ + λ₂ = ln b for the Hénon map, the pitchfork at gain 1/λ_max),
torch.autograd for the hand-written Jacobian products and backpropagation through time, scipy's solve_ivp
for the ODE solvers, fitted convergence orders, scikit-learn's PCA, and held-out accuracy for the trained
flip-flop network."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from scipy.integrate import solve_ivp
from scipy.optimize import brentq, fsolve

from core.data import DataError
from core.dynamics import flipflop as ff
from core.dynamics import gradients as gr
from core.dynamics import ode, rnn2

CPU = torch.device("cpu")


# ------------------------------------------------------------------------------------------ two-neuron map


def _F(net: rnn2.Rnn2, h: np.ndarray) -> np.ndarray:
    return np.tanh(net.gain * net.w @ h + net.b)


def _fd_jacobian(net: rnn2.Rnn2, h: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    J = np.empty((2, 2))
    for j in range(2):
        e = np.zeros(2)
        e[j] = eps
        J[:, j] = (_F(net, h + e) - _F(net, h - e)) / (2 * eps)
    return J


def _fsolve_all(net: rnn2.Rnn2, per_side: int = 25) -> np.ndarray:
    found = []
    for x in np.linspace(-0.99, 0.99, per_side):
        for y in np.linspace(-0.99, 0.99, per_side):
            sol, _, ok, _ = fsolve(lambda h: _F(net, h) - h, [x, y], full_output=True, xtol=1e-13)
            if ok == 1 and np.abs(_F(net, sol) - sol).max() < 1e-10 and not any(
                    np.abs(sol - f).max() < 1e-6 for f in found):
                found.append(sol)
    return np.array(found)


NETS = [p.net for p in rnn2.PRESETS.values()] + [
    rnn2.rnn2((2.0, -1.0, 1.5, 0.5), (0.3, -0.2), 1.3),
    rnn2.rnn2((-1.5, 2.5, 0.7, 1.8), (0.1, 0.4), 1.0),
    rnn2.rnn2((3.0, 0.0, 0.0, 3.0), (0.0, 0.0), 2.0),
]


@pytest.mark.parametrize("net", NETS)
def test_fixed_points_are_fixed_complete_and_linearised_like_finite_differences(net):
    fp = rnn2.fixed_points(net)
    assert fp.count >= 1
    for p, J, lam in zip(fp.points, fp.jacobians, fp.eigenvalues, strict=True):
        np.testing.assert_allclose(_F(net, p), p, atol=1e-12)
        fd = _fd_jacobian(net, p)
        np.testing.assert_allclose(J, fd, atol=1e-8)
        ref = np.linalg.eigvals(fd)
        np.testing.assert_allclose(np.sort_complex(lam), np.sort_complex(ref), atol=1e-7)
    ref = _fsolve_all(net)
    assert len(ref) == fp.count
    for p in fp.points:  # the same set, whatever the order of points equal to rounding
        assert np.abs(ref - p).max(1).min() < 1e-8


def test_classify_reads_moduli_against_one_and_complex_as_spirals():
    assert rnn2.classify([0.5, 0.2]) == "stable node"
    assert rnn2.classify([0.5 + 0.3j, 0.5 - 0.3j]) == "stable spiral"
    assert rnn2.classify([1.5, 0.2]) == "saddle"
    assert rnn2.classify([-1.5, 0.2]) == "saddle"
    assert rnn2.classify([1.5, -2]) == "unstable node"
    assert rnn2.classify([1 + 1j, 1 - 1j]) == "unstable spiral"
    assert rnn2.classify([1.0, 0.3]) == "non-hyperbolic"


def _distance_to_polyline(curve: np.ndarray, p: np.ndarray) -> float:
    a, b = curve[:-1], curve[1:]
    ok = ~(np.isnan(a).any(1) | np.isnan(b).any(1))
    a, b = a[ok], b[ok]
    d = b - a
    s = np.clip(((p - a) * d).sum(1) / np.maximum((d * d).sum(1), 1e-300), 0, 1)
    return float(np.hypot(*(a + s[:, None] * d - p).T).min())


def test_nullclines_satisfy_their_equations_and_cross_at_the_fixed_points():
    for net in NETS:
        nc = rnn2.nullclines(net)
        for curve, i in ((nc.first, 0), (nc.second, 1)):
            pts = curve[~np.isnan(curve).any(1)]
            assert len(pts) >= 2
            assert np.abs(pts).max() <= nc.extent + 1e-12
            resid = np.array([_F(net, p)[i] - p[i] for p in pts])
            assert np.abs(resid).max() < 1e-9
        for p in rnn2.fixed_points(net).points:
            for curve in (nc.first, nc.second):
                assert _distance_to_polyline(curve, p) < 1e-3


def test_a_nullcline_with_no_cross_weight_is_vertical_lines_at_the_roots():
    net = rnn2.rnn2((2.0, 0.0, 0.5, 0.5), (0.0, 0.0), 1.0)
    pts = rnn2.nullclines(net).first
    xs = np.unique(np.round(pts[~np.isnan(pts).any(1), 0], 10))
    root = brentq(lambda x: np.tanh(2 * x) - x, 0.5, 1)
    np.testing.assert_allclose(xs, [-root, 0, root], atol=1e-10)


def test_portrait_is_the_step_of_the_map():
    net = NETS[3]
    pp = rnn2.portrait(net, extent=1.0, resolution=7)
    for i in (0, 3, 6):
        for j in (0, 2, 5):
            h = np.array([pp.x[j], pp.y[i]])
            np.testing.assert_allclose([pp.u[i, j], pp.v[i, j]], _F(net, h) - h, atol=1e-14)


def test_trajectories_follow_the_map_and_read_periods():
    net = rnn2.rnn2((-2.0, 0.0, 0.0, -2.0))  # h ↦ tanh(−2h): the origin flips, a 2-cycle ±x* attracts
    tr = rnn2.trajectories(net, starts_at=[[0.3, 0.2], [0.0, 0.0], [0.5, -0.1]], steps=200)
    h = np.array([0.3, 0.2])
    for t in range(5):
        np.testing.assert_allclose(tr.paths[0, t], h, atol=1e-14)
        h = _F(net, h)
    assert tr.period.tolist() == [2, 1, 2]
    x = brentq(lambda x: np.tanh(2 * x) - x, 0.5, 1)
    np.testing.assert_allclose(np.abs(tr.end[0]), [x, x], atol=1e-9)


def test_preset_one_stable_point():
    net = rnn2.preset("one_stable").net
    assert np.linalg.norm(net.matrix, 2) < 1  # a contraction: one fixed point, globally attracting
    fp = rnn2.fixed_points(net)
    assert fp.count == 1 and fp.kinds == ("stable spiral",)
    tr = rnn2.trajectories(net, starts=9, steps=300)
    assert (tr.period == 1).all()
    np.testing.assert_allclose(tr.end, np.broadcast_to(fp.points[0], tr.end.shape), atol=1e-9)


def test_preset_two_attractors_and_a_saddle():
    net = rnn2.preset("bistable").net
    fp = rnn2.fixed_points(net)
    assert fp.kinds == ("stable node", "saddle", "stable node")
    np.testing.assert_allclose(fp.points[1], [0, 0], atol=1e-14)
    x = brentq(lambda x: np.tanh(2 * x) - x, 0.5, 1)  # on the diagonal tanh(2x) = x
    np.testing.assert_allclose(fp.points[[0, 2]], [[-x, -x], [x, x]], atol=1e-12)
    np.testing.assert_allclose(np.abs(fp.eigenvalues[1]), [2.0, 0.4], atol=1e-12)
    rng = np.random.default_rng(0)
    starts = rng.uniform(-1, 1, (200, 2))
    starts = starts[np.abs(starts.sum(1)) > 0.02]  # off the saddle's stable line h₁ = −h₂
    tr = rnn2.trajectories(net, starts_at=starts, steps=300)
    assert (tr.period == 1).all()
    np.testing.assert_allclose(tr.end, np.sign(starts.sum(1))[:, None] * [x, x], atol=1e-9)


def test_preset_invariant_circle():
    net = rnn2.preset("invariant_circle").net
    fp = rnn2.fixed_points(net)
    assert fp.count == 1 and fp.kinds == ("unstable spiral",)
    lam = fp.eigenvalues[0]
    assert abs(lam[0]) == pytest.approx(math.sqrt(1.25)) and abs(np.angle(lam[0], deg=True)) == pytest.approx(
        63.43, abs=0.01)
    tr = rnn2.trajectories(net, starts=6, steps=1500)
    assert (tr.period == 0).all()  # no fixed point or short cycle: still turning
    late = tr.paths[:, 1000:].reshape(-1, 2)
    angle, radius = np.arctan2(late[:, 1], late[:, 0]), np.hypot(*late.T)
    assert radius.min() > 0.5 and radius.max() < 0.7  # away from the origin and from the corners
    edges = np.linspace(-np.pi, np.pi, 73)
    which = np.digitize(angle, edges)
    spread = [np.ptp(radius[which == i]) for i in range(1, 73)]
    assert min(np.sum(which == i) for i in range(1, 73)) > 50  # every 5° of the circle is visited
    assert max(spread) < 0.01  # one closed curve, shared by every orbit


def test_preset_oscillation_is_a_period_four_cycle_through_the_corners():
    net = rnn2.preset("oscillation").net
    fp = rnn2.fixed_points(net)
    assert fp.count == 1 and fp.kinds == ("unstable spiral",)
    np.testing.assert_allclose(np.angle(fp.eigenvalues[0]) % np.pi, np.pi / 2)
    rng = np.random.default_rng(1)
    starts = rng.uniform(-1, 1, (200, 2))
    starts = starts[np.abs(starts).min(1) > 0.02]  # off the axes (an invariant cross with a cycle of its own)
    tr = rnn2.trajectories(net, starts_at=starts, steps=300)
    assert (tr.period == 4).all()
    x = brentq(lambda x: np.tanh(2 * x) - x, 0.5, 1)
    np.testing.assert_allclose(np.abs(tr.paths[:, -4:]), x, atol=1e-9)
    assert tr.saturated.sum() == 0 and x < rnn2.SATURATED


def test_gain_sweep_matches_single_solves_and_finds_the_pitchfork():
    w, b = (1.2, 0.8, 0.8, 1.2), (0.0, 0.0)
    sw = rnn2.gain_sweep(w, b, (0.1, 3.0), count=30)
    for i in (0, 7, 15, 29):
        assert sw.counts[i] == rnn2.fixed_points(rnn2.rnn2(w, b, sw.gains[i])).count
    g = rnn2.gain_sweep(w, b, (0.3, 0.7), count=41)
    first = g.gains[np.argmax(g.counts == 3)]
    assert (g.counts[g.gains < 0.5 - 1e-9] == 1).all()  # the origin loses stability where 2g = 1
    assert 0.5 < first <= 0.5 + 0.01 + 1e-9
    stable_origin = [s for gg, p, s in zip(g.gain, g.points, g.stable, strict=True) if np.abs(p).max() < 1e-12]
    assert all(stable_origin[: int(np.sum(g.gains < 0.5))]) and not any(stable_origin[int(np.sum(g.gains < 0.5)):])


def test_saturated_corners_and_nothing_found_are_said():
    fp = rnn2.fixed_points(rnn2.rnn2((4.0, 0.0, 0.0, 4.0), (0.0, 0.0), 2.0))  # hᵢ ∈ {0, ±x}, tanh(8x) = x
    assert fp.count == 9 and fp.saturated.sum() == 8 and "8 fixed points" in fp.note
    assert not fp.saturated[np.abs(fp.points).max(1) < 1e-12].any()
    none = rnn2._linearise(NETS[0], np.empty((0, 2)), 9)
    assert none.count == 0 and "no fixed point" in none.note


def test_two_neuron_inputs_are_validated():
    for bad in (dict(w=(1, 2, 3)), dict(w=(1, 2, 3, np.nan)), dict(w=(1, 2, 3, 40)), dict(w=(1, 0, 0, 1), gain=-1),
                dict(w=(1, 0, 0, 1), b=(0, 9))):
        with pytest.raises(DataError):
            rnn2.rnn2(**bad)
    with pytest.raises(DataError):
        rnn2.preset("nope")
    with pytest.raises(DataError):
        rnn2.fixed_points(NETS[0], starts=1000)
    with pytest.raises(DataError):
        rnn2.gain_sweep((1, 0, 0, 1), gains=(2.0, 1.0))


# ------------------------------------------------------------------------------------------ gradients through time


def test_recurrent_matrix_has_the_asked_spectral_radius():
    for init in gr.INITS:
        rec = gr.recurrent(40, 1.7, init, seed=3)
        assert np.abs(np.linalg.eigvals(rec.W)).max() == pytest.approx(1.7, rel=1e-12)
    Q = gr.recurrent(40, 1.0, "orthogonal").W
    np.testing.assert_allclose(Q.T @ Q, np.eye(40), atol=1e-12)


@pytest.mark.parametrize("nonlinearity", gr.NONLINEARITIES)
def test_jacobian_product_norm_equals_autograds(nonlinearity):
    n, rho, T = 12, 1.3, 15
    res = gr.gradient_norms(n, rho, T, nonlinearity=nonlinearity, input_std=0.3, seed=4)
    W = torch.as_tensor(rho * gr.base_matrix(n, "gaussian", 4))
    h0, x = gr._inputs(n, T, 0.3, 4)
    X = torch.as_tensor(x)
    phi = torch.tanh if nonlinearity == "tanh" else (lambda a: a)

    def run(h: torch.Tensor, t: int) -> torch.Tensor:
        for s in range(t):
            h = phi(W @ h + X[s])
        return h

    for t in (1, 5, 15):
        J = torch.autograd.functional.jacobian(lambda h, t=t: run(h, t), torch.as_tensor(h0)).numpy()
        assert res.norm[t] == pytest.approx(np.linalg.norm(J, 2), rel=1e-10)
        np.testing.assert_allclose(res.states[t], run(torch.as_tensor(h0), t).numpy(), atol=1e-14)


def test_fewer_checkpoints_measure_the_same_norms_at_fewer_steps():
    every = gr.gradient_norms(16, 1.3, 100, seed=2)
    some = gr.gradient_norms(16, 1.3, 100, seed=2, checkpoints=25)
    assert len(every.t) == 101 and list(some.t) == list(range(0, 101, 4))
    np.testing.assert_array_equal(some.norm, every.norm[some.t])
    with pytest.raises(DataError):
        gr.gradient_norms(16, 1.3, 100, checkpoints=1)


def test_linear_rnn_gradient_grows_like_rho_to_the_t():
    for rho in (0.8, 1.2):
        orth = gr.gradient_norms(32, rho, 200, init="orthogonal", nonlinearity="linear")
        np.testing.assert_allclose(orth.norm, rho ** orth.t, rtol=1e-10)  # ‖(ρQ)ᵗ‖ = ρᵗ exactly
        gauss = gr.gradient_norms(32, rho, 400, nonlinearity="linear")
        assert gauss.growth_rate == pytest.approx(math.log(rho), abs=0.005)  # ‖Wᵗ‖ ≈ C ρᵗ


def test_gradient_overflow_and_underflow_stop_and_report_the_step():
    up = gr.gradient_norms(16, 4.0, 500, init="orthogonal", nonlinearity="linear")
    expected = math.floor(250 * math.log(10) / math.log(4)) + 1  # first t with 4ᵗ > 1e250
    assert up.stopped_at is not None and abs(up.stopped_at - expected) <= 3
    assert f"step {up.stopped_at}" in up.note and "exploding" in up.note
    assert np.isfinite(up.norm).all() and up.t[-1] < up.stopped_at
    down = gr.gradient_norms(16, 0.2, 500, init="orthogonal", nonlinearity="linear")
    assert down.stopped_at is not None and "vanished" in down.note


def test_qr_method_gives_ln2_for_the_logistic_map():
    def logistic(x: torch.Tensor, Q: torch.Tensor):
        return 4 * x * (1 - x), (4 - 8 * x)[:, :, None] * Q

    x0 = torch.as_tensor(np.random.default_rng(0).uniform(0.05, 0.95, (500, 1)))
    run = gr.lyapunov_qr(logistic, x0, 2000, burn_in=10)
    assert run.exponents[0] == pytest.approx(math.log(2), abs=0.01)


def test_qr_method_sums_to_log_det_on_the_henon_map():
    a, b = 1.4, 0.3

    def henon(h: torch.Tensor, Q: torch.Tensor):
        x, y = h[:, 0], h[:, 1]
        J = torch.zeros((len(h), 2, 2), dtype=h.dtype)
        J[:, 0, 0], J[:, 0, 1], J[:, 1, 0] = -2 * a * x, 1.0, b
        return torch.stack([1 - a * x * x + y, b * x], -1), J @ Q

    run = gr.lyapunov_qr(henon, torch.full((4, 2), 0.1, dtype=torch.float64) + torch.rand(4, 2, dtype=torch.float64,
                         generator=torch.Generator().manual_seed(0)) * 0.01, 3000, k=2, burn_in=100)
    assert run.exponents.sum() == pytest.approx(math.log(b), abs=1e-10)  # |det J| = b at every step
    assert run.exponents[0] == pytest.approx(0.419, abs=0.01)  # the known value for the Hénon attractor


def test_linear_rnn_lyapunov_spectrum_is_log_eigenvalue_moduli():
    orth = gr.lyapunov(24, 1.3, 500, burn_in=0, k=4, init="orthogonal", nonlinearity="linear")
    np.testing.assert_allclose(orth.exponents, math.log(1.3), atol=1e-10)
    gauss = gr.lyapunov(16, 1.2, 2000, burn_in=200, k=3, nonlinearity="linear", seed=5)
    ref = np.sort(np.log(np.abs(np.linalg.eigvals(1.2 * gr.base_matrix(16, "gaussian", 5)))))[::-1][:3]
    np.testing.assert_allclose(gauss.exponents, ref, atol=0.01)
    np.testing.assert_allclose(gauss.log_moduli, ref, atol=1e-12)


def test_lyapunov_sweep_is_log_rho_below_the_edge_and_crosses_zero_near_one():
    lin = gr.lyapunov_sweep(32, (0.5, 1.5), 11, steps=400, burn_in=100, nonlinearity="linear", init="orthogonal")
    np.testing.assert_allclose(lin.exponent, np.log(lin.rho), atol=1e-10)
    sw = gr.lyapunov_sweep(64, (0.5, 2.0), 16, steps=400, burn_in=300)
    below = sw.rho < 0.95
    np.testing.assert_allclose(sw.exponent[below], np.log(sw.rho[below]), atol=0.02)
    assert sw.crossing is not None and 0.95 <= sw.crossing <= 1.5
    assert sw.exponent[-1] > 0.05  # chaos at ρ = 2


@pytest.mark.parametrize("nonlinearity", gr.NONLINEARITIES)
def test_bptt_for_every_length_equals_autograd(nonlinearity):
    n, T = 6, 9
    W = torch.as_tensor(1.4 * gr.base_matrix(n, "gaussian", 2))
    h0, x = gr._inputs(n, T, 0.5, 2)
    y = torch.linspace(-0.5, 0.5, n, dtype=torch.float64)
    G, losses = gr.bptt_all(W, torch.as_tensor(h0), torch.as_tensor(x), y, nonlinearity)
    phi = torch.tanh if nonlinearity == "tanh" else (lambda a: a)
    for t in range(1, T + 1):
        Wg = W.clone().requires_grad_(True)
        h = torch.as_tensor(h0)
        for s in range(t):
            h = phi(Wg @ h + torch.as_tensor(x[s]))
        L = 0.5 * ((h - y) ** 2).sum()
        L.backward()
        assert float(losses[t - 1]) == pytest.approx(L.item(), rel=1e-13)
        np.testing.assert_allclose(G[t - 1].numpy(), Wg.grad.numpy(), rtol=1e-10, atol=1e-13)


def test_clipping_steps_are_what_they_say():
    c = gr.clipping(8, 1.5, 12, threshold=0.5, lr=0.05, seed=1)
    assert (c.clipped_norm <= 0.5 + 1e-15).all() and (c.clipped_norm <= c.grad_norm).all()
    W = 1.5 * gr.base_matrix(8, "gaussian", 1)
    h0, x = gr._inputs(8, 12, 0.0, 1)
    y = np.random.default_rng(3).uniform(-0.9, 0.9, 8)
    G, _ = gr.bptt_all(torch.as_tensor(W), torch.as_tensor(h0), torch.as_tensor(x), torch.as_tensor(y))
    for t in (1, 6, 12):
        g = G[t - 1].numpy()
        for Wt, after in ((W - 0.05 * g, c.loss_unclipped), (W - 0.05 * g * min(1, 0.5 / np.linalg.norm(g)),
                                                              c.loss_clipped)):
            h = h0
            for s in range(t):
                h = np.tanh(Wt @ h + x[s])
            assert after[t - 1] == pytest.approx(0.5 * ((h - y) ** 2).sum(), rel=1e-12)


def test_gradient_inputs_are_validated():
    for kwargs in (dict(n=1), dict(rho=0.0), dict(rho=9.0), dict(init="xavier"), dict(nonlinearity="relu"),
                   dict(steps=0), dict(steps=10_000), dict(n=1000)):
        with pytest.raises(DataError):
            gr.gradient_norms(**kwargs)
    with pytest.raises(DataError):
        gr.lyapunov_sweep(rhos=(2.0, 1.0))
    with pytest.raises(DataError):
        gr.clipping(threshold=0)


# ------------------------------------------------------------------------------------------ the 3-bit flip-flop


@pytest.fixture(scope="module")
def flipflop():
    """One network trained at the page's defaults (~3 s), its held-out evaluation and its fixed points."""
    net = ff.train_flipflop()
    ev = ff.evaluate(net, seed=777)
    return net, ev, ff.fixed_points(net, evaluation=ev)


def test_task_targets_hold_the_last_pulse():
    task = ff.task(6, 80, 0.1, seed=3)
    for b in range(6):
        for c in range(3):
            last = 0.0
            for t in range(80):
                last = task.inputs[b, t, c] or last
                assert task.targets[b, t, c] == last
    assert (task.inputs[:, 0] != 0).all()


@pytest.mark.parametrize("cell", ff.CELLS)
def test_autonomous_step_and_jacobian_equal_torch_nn_and_autograd(cell):
    net = ff.train_flipflop(cell=cell, hidden=7, steps=3, batch=4, length=10)
    model = ff._build(net, CPU)
    h = torch.as_tensor(np.random.default_rng(0).uniform(-0.9, 0.9, (5, 7)))
    w = {k: torch.as_tensor(v) for k, v in net.weights.items()}
    f, J = ff.step_and_jacobian(net, h, w)
    with torch.no_grad():
        _, ref = model.rnn(torch.zeros(5, 1, 3, dtype=torch.float64), h[None].contiguous())
    np.testing.assert_allclose(f.numpy(), ref[0].numpy(), atol=1e-14)
    for i in range(5):
        Ji = torch.autograd.functional.jacobian(lambda x: ff.step_and_jacobian(net, x[None], w, False)[0][0], h[i])
        np.testing.assert_allclose(J[i].numpy(), Ji.numpy(), atol=1e-13)


def test_training_is_reproducible_from_its_seed():
    a = ff.train_flipflop(hidden=8, steps=5, batch=4, length=10, seed=4)
    b = ff.train_flipflop(hidden=8, steps=5, batch=4, length=10, seed=4)
    for k in a.weights:
        np.testing.assert_array_equal(a.weights[k], b.weights[k])
    np.testing.assert_array_equal(a.losses, b.losses)


def test_trained_flipflop_holds_its_bits_on_held_out_trials(flipflop):
    net, ev, _ = flipflop
    assert not net.diverged and net.note == ""
    assert net.accuracy > 0.99 and ev.accuracy > 0.99  # every step and bit of unseen, 4× longer trials
    assert net.losses[-20:].mean() < 0.05 * net.losses[0]


def test_pca_of_hidden_states_equals_scikit_learns(flipflop):
    from sklearn.decomposition import PCA

    net, ev, _ = flipflop
    with torch.no_grad():
        _, H = ff._build(net, CPU)(torch.as_tensor(ev.inputs))
    H = H.reshape(-1, net.hidden).numpy()
    pca = PCA(3).fit(H)
    np.testing.assert_allclose(ev.explained, pca.explained_variance_ratio_, rtol=1e-9)
    np.testing.assert_allclose(np.abs((ev.components * pca.components_).sum(1)), 1, atol=1e-9)
    np.testing.assert_allclose(np.abs(ev.states_pc.reshape(-1, 3)), np.abs(pca.transform(H)), atol=1e-9)


def test_flipflop_has_a_stable_fixed_point_per_bit_pattern(flipflop):
    net, _, fp = flipflop
    assert fp.stable_count >= 8 and fp.patterns == 8
    model = ff._build(net, CPU)
    zero = torch.zeros(len(fp.points), 200, 3, dtype=torch.float64)
    with torch.no_grad():
        H, _ = model.rnn(zero, torch.as_tensor(fp.points)[None].contiguous())  # (k, 200, n)
    for i in np.flatnonzero(~fp.slow):
        # a fixed point of torch's own cell: 200 steps with no input leave it where it is (stable or not)
        np.testing.assert_allclose(H[i, 0].numpy(), fp.points[i], atol=1e-7)
        if fp.kinds[i] == "stable":
            np.testing.assert_allclose(H[i, -1].numpy(), fp.points[i], atol=1e-7)
    for i in range(len(fp.points)):
        J = torch.autograd.functional.jacobian(lambda x: model.rnn(torch.zeros(1, 1, 3, dtype=torch.float64),
                                                                   x[None, None])[1][0, 0], torch.as_tensor(
            fp.points[i])).numpy()
        ref = np.sort(np.abs(np.linalg.eigvals(J)))[::-1]
        np.testing.assert_allclose(np.abs(fp.eigenvalues[i]), ref, atol=1e-9)
        assert (fp.kinds[i] == "stable") == (ref[0] < 1)
    stable = np.array([k == "stable" for k in fp.kinds]) & ~fp.slow
    with torch.no_grad():
        out = model.readout(torch.as_tensor(fp.points[stable]))
    np.testing.assert_array_equal(np.sign(out.numpy()), fp.bits[stable])


def test_saddles_unstable_directions_lead_to_attractors(flipflop):
    net, _, fp = flipflop
    model = ff._build(net, CPU)
    stable = fp.points[np.array([k == "stable" for k in fp.kinds]) & ~fp.slow]
    saddles = [i for i, k in enumerate(fp.kinds) if k == "saddle" and fp.unstable[i] == 1]
    assert saddles
    w = {k: torch.as_tensor(v) for k, v in net.weights.items()}
    for i in saddles:
        _, J = ff.step_and_jacobian(net, torch.as_tensor(fp.points[i:i + 1]), w)
        lam, vec = np.linalg.eig(J[0].numpy())
        v = vec[:, np.argmax(np.abs(lam))].real
        ends = []
        for sign in (1, -1):
            h = torch.as_tensor(fp.points[i] + sign * 1e-3 * v / np.linalg.norm(v))
            with torch.no_grad():
                _, last = model.rnn(torch.zeros(1, 500, 3, dtype=torch.float64), h[None, None])
            ends.append(np.abs(stable - last[0, 0].numpy()).max(1).min())
        assert max(ends) < 1e-4  # both ways along the unstable direction end on a stable fixed point


def test_flipflop_divergence_is_detected_and_refused():
    net = ff.train_flipflop(hidden=16, steps=50, batch=8, length=20, lr=5.0, clip=0.0)
    assert net.diverged and net.stopped_at is not None and f"step {net.stopped_at}" in net.note
    assert len(net.losses) == net.stopped_at
    with pytest.raises(DataError):
        ff.fixed_points(net)
    with pytest.raises(DataError):
        ff.evaluate(net)


def test_flipflop_inputs_are_validated():
    for kwargs in (dict(cell="lstm"), dict(hidden=1), dict(steps=0), dict(lr=-1), dict(pulse_prob=0),
                   dict(batch=1000), dict(clip=-1)):
        with pytest.raises(DataError):
            ff.train_flipflop(**kwargs)


# ------------------------------------------------------------------------------------------ neural ODEs


def _np_field(fld: ode.Field):
    if fld.kind == "spiral":
        return lambda _t, h: ode.SPIRAL @ h
    if fld.kind == "vanderpol":
        return lambda _t, h: np.array([h[1], fld.mu * (1 - h[0] ** 2) * h[1] - h[0]])
    w = fld.weights
    return lambda _t, h: w["W2"] @ np.tanh(w["W1"] @ h + w["b1"]) + w["b2"]


def _reference(fld: ode.Field, h0, t_eval, method: str = "DOP853") -> np.ndarray:
    sol = solve_ivp(_np_field(fld), (0, t_eval[-1]), np.asarray(h0, dtype=float), method=method, t_eval=t_eval,
                    rtol=1e-13 if method == "DOP853" else 1e-10, atol=1e-14 if method == "DOP853" else 1e-12)
    return sol.y.T


def test_fixed_step_solvers_are_what_they_say():
    fld = ode.random_mlp(16, seed=2)
    sol_e = ode.integrate(fld, [0.3, -0.4], 2.0, "euler", k=50)
    sol_r = ode.integrate(fld, [0.3, -0.4], 2.0, "rk4", k=50)
    f = _np_field(fld)
    h, dt = np.array([0.3, -0.4]), 2.0 / 50
    for i in range(50):  # Euler by hand
        h = h + dt * f(0, h)
        np.testing.assert_allclose(sol_e.y[0, i + 1], h, atol=1e-13)
    assert (sol_e.nfe, sol_r.nfe) == (50, 200)
    net = ode.residual_net(fld, [0.3, -0.4], depth=50, t_end=2.0)
    np.testing.assert_allclose(net[0], sol_e.y[0], atol=1e-14)  # the ResNet is Euler


def test_spiral_matches_its_closed_form():
    from scipy.linalg import expm

    sol = ode.integrate(ode.builtin("spiral"), [[2.0, 0.0], [-1.0, 0.5]], 10.0, "rk4", k=1000)
    for i in (0, 250, 1000):
        for b, h0 in enumerate(([2.0, 0.0], [-1.0, 0.5])):
            np.testing.assert_allclose(sol.y[b, i], expm(ode.SPIRAL * sol.t[i]) @ h0, atol=1e-10)


def test_residual_net_output_converges_to_the_ode_solution():
    fld = ode.random_mlp(16, seed=5)
    ref = _reference(fld, [0.5, 0.5], [0.0, 3.0])[-1]
    errors = [np.abs(ode.residual_net(fld, [0.5, 0.5], d, 3.0)[0, -1] - ref).max() for d in (10, 100, 1000)]
    assert errors[0] > errors[1] > errors[2] and errors[2] < 1e-2


def test_convergence_orders_one_and_four():
    from scipy.linalg import expm

    fld = ode.random_mlp(16, seed=1)
    h0, T = np.array([0.5, -0.3]), 2.0
    ref = _reference(fld, h0, [0.0, T])[-1]
    ks = np.array([20, 40, 80, 160])
    err_e = [np.abs(ode.integrate(fld, h0, T, "euler", k=int(k)).y[0, -1] - ref).max() for k in ks]
    assert np.polyfit(np.log(T / ks), np.log(err_e), 1)[0] == pytest.approx(1.0, abs=0.05)
    sp = ode.builtin("spiral")
    exact = expm(ode.SPIRAL * 5.0) @ [2.0, 0.0]
    err_r = [np.abs(ode.integrate(sp, [2.0, 0.0], 5.0, "rk4", k=int(k)).y[0, -1] - exact).max() for k in ks]
    assert np.polyfit(np.log(5.0 / ks), np.log(err_r), 1)[0] == pytest.approx(4.0, abs=0.15)


def test_adaptive_solver_equals_solve_ivp_and_counts_its_evaluations():
    pytest.importorskip("torchdiffeq", reason="torchdiffeq (pinned in requirements.txt) is not installed")
    for fld, h0 in ((ode.random_mlp(32, seed=3), [0.4, -1.0]), (ode.builtin("vanderpol", 2.0), [2.0, 0.0])):
        sol = ode.integrate(fld, h0, 8.0, "dopri5", rtol=1e-10, atol=1e-12, outputs=41, max_nfe=5_000)
        ref = _reference(fld, h0, sol.t)
        np.testing.assert_allclose(sol.y[0], ref, atol=1e-8)
        # Dormand–Prince: six new evaluations a step (accepted or not), plus f(y₀) and one for the first step's size
        assert sol.nfe == 6 * (sol.steps + sol.rejected) + 2 and sol.stopped_at is None
        assert sol.step_times[0] == 0 and sol.step_times[-1] >= 8.0 - 1e-12
    conv = ode.convergence(ode.random_mlp(16, seed=1), [0.5, -0.3], 2.0, (20, 40, 80, 160))
    assert conv.euler_order == pytest.approx(1.0, abs=0.05) and conv.rk4_order == pytest.approx(4.0, abs=0.25)
    np.testing.assert_allclose(conv.reference, _reference(ode.random_mlp(16, seed=1), [0.5, -0.3], [0.0, 2.0])[-1:],
                               atol=1e-10)  # the end state the errors are measured from


def test_stiff_field_hits_the_evaluation_cap_and_says_where():
    pytest.importorskip("torchdiffeq", reason="torchdiffeq (pinned in requirements.txt) is not installed")
    fld = ode.builtin("vanderpol", 1000.0)
    sol = ode.integrate(fld, [2.0, 0.0], 10.0, "dopri5", outputs=1001, max_nfe=2000)
    assert sol.stopped_at is not None and 0.05 < sol.stopped_at < 10 and sol.nfe == 2000
    assert f"{sol.stopped_at:.4g}" in sol.note
    done = sol.t <= sol.stopped_at
    assert np.isnan(sol.y[0, ~done]).all() and np.isfinite(sol.y[0, done]).all()
    ref = _reference(fld, [2.0, 0.0], sol.t[done], "Radau")  # an implicit solver, made for stiff problems
    np.testing.assert_allclose(sol.y[0, done], ref, atol=1e-3)


def test_neural_ode_learns_the_spiral():
    tr = ode.train_ode(steps=150)
    assert not tr.diverged and tr.losses[-10:].mean() < 0.1 * tr.losses[0]
    assert np.abs(tr.fit - tr.clean).max() < 0.3  # the learned field, integrated from the start, follows the data
    learned, true = ode.torch_field(tr.field), ode.torch_field(tr.truth)
    on_data = torch.as_tensor(tr.clean)
    with torch.no_grad():
        gap = (learned(on_data) - true(on_data)).norm(dim=-1) / true(on_data).norm(dim=-1)
    assert float(gap.median()) < 0.1
    vf = ode.vector_field(tr.field, resolution=5)
    X, Y = np.meshgrid(vf.x, vf.y)
    f = _np_field(tr.field)
    np.testing.assert_allclose(vf.u[2, 3], f(0, [X[2, 3], Y[2, 3]])[0], atol=1e-12)


def test_neural_ode_divergence_is_detected():
    tr = ode.train_ode(steps=50, lr=5.0)
    assert tr.diverged and len(tr.losses) == tr.stopped_at and f"step {tr.stopped_at}" in tr.note
    assert np.isnan(tr.fit).all()


def test_ode_inputs_are_validated():
    for call in (lambda: ode.builtin("lorenz"), lambda: ode.builtin("vanderpol", -1),
                 lambda: ode.integrate(ode.builtin(), [0, 0], method="rk45"),
                 lambda: ode.integrate(ode.builtin(), [0, 0], k=0),
                 lambda: ode.integrate(ode.builtin(), [np.nan, 0]),
                 lambda: ode.integrate(ode.builtin(), [0, 0], t_end=-1),
                 lambda: ode.train_ode(kind="lorenz"), lambda: ode.train_ode(lr=0)):
        with pytest.raises(DataError):
            call()
