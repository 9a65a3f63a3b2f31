"""The numbers chapter 11's try-this sentences state, recomputed from the page's own functions at the settings they
name (the page's defaults otherwise: 64 units, seed 0, 100 steps, sequences of 50 for clipping at 1, the vanilla
RNN of 64 units trained for 300 steps, integration to T = 5 at rtol 1e-6)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from core.device import single_thread
from core.dynamics import flipflop as ff
from core.dynamics import gradients as gr
from core.dynamics import ode, rnn2
from tests import helpers as h
from ui.figures.dynamics import TRY_THIS, raised

SAID = " ".join(TRY_THIS)
RING = tuple((round(0.85 * math.cos(a), 4), round(0.85 * math.sin(a), 4)) for a in np.radians(np.arange(0, 360, 30)))
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def test_the_pages_ring_of_starts_is_this_one():
    source = (h.ROOT / "explorers" / "11_dynamics.py").read_text(encoding="utf-8")
    assert "RING = tuple((round(0.85 * math.cos(a), 4), round(0.85 * math.sin(a), 4)) for a in np.radians(" \
           "np.arange(0, 360, 30)))" in source


def test_the_pitchfork():
    p = rnn2.PRESETS["bistable"]
    before = rnn2.fixed_points(rnn2.rnn2(p.w, p.b, 0.4))
    after = rnn2.fixed_points(rnn2.rnn2(p.w, p.b, 0.6))
    assert before.kinds == ("stable node",) and np.abs(before.points).max() < 1e-12
    assert after.kinds == ("stable node", "saddle", "stable node")
    assert np.abs(after.points[1]).max() < 1e-12  # the saddle is the origin
    assert np.linalg.eigvals(rnn2.rnn2(p.w, p.b, 0.5).matrix).real.max() == pytest.approx(1.0)
    assert "set the gain to 0.4, then 0.6" in SAID and "reaches 1 at g = 0.5" in SAID


def test_the_period_four_cycle():
    net = rnn2.PRESETS["oscillation"].net
    fp, tr = rnn2.fixed_points(net), rnn2.trajectories(net, starts_at=RING, steps=200)
    assert fp.count == 1 and fp.kinds == ("unstable spiral",)
    np.testing.assert_allclose(sorted(fp.eigenvalues[0], key=lambda v: v.imag), [-2j, 2j], atol=1e-12)
    turn = math.degrees(abs(math.atan2(fp.eigenvalues[0][0].imag, fp.eigenvalues[0][0].real)))
    assert f"turns {turn:.0f}° a step" in SAID
    assert (tr.period == 4).all() and f"all {len(RING)} orbits end on a cycle of period 4" in SAID
    corners = (np.abs(np.abs(tr.end) - 0.957) < 1e-3).all(1)
    axes = (np.abs(tr.end) < 1e-12).any(1)
    on_axis = (np.abs(np.array(RING)) < 1e-12).any(1)
    assert f"{corners.sum()} through the corners, and the {on_axis.sum()} that start on an axis along the axes" in SAID
    assert (axes == on_axis).all() and (corners == ~on_axis).all()


def test_saturated_corners():
    fp = rnn2.fixed_points(rnn2.rnn2((4.0, 0.0, 0.0, 4.0), (0.0, 0.0), 2.0))
    assert f"{fp.count} fixed points, {int(fp.saturated.sum())} of them with a unit saturated" in SAID
    assert (1 - np.abs(fp.points[fp.saturated]).max(1) ** 2).max() < 0.02


def test_vanishing_and_tamed_explosion():
    low = gr.gradient_norms(64, 0.9, 100, "gaussian", "tanh", 0.0, 0, 50)
    high = gr.gradient_norms(64, 1.5, 100, "gaussian", "tanh", 0.0, 0, 50)
    assert f"at ρ = 0.9 the gradient factor after 100 steps is {low.norm[-1]:.3g}" in SAID
    assert f"at ρ = 1.5 it is {high.norm[-1]:.3g}, while ρ¹⁰⁰ is {high.rho_power[-1]:.3g}" in SAID


def test_linear_rnn_and_overflow():
    orth = gr.gradient_norms(64, 1.5, 100, "orthogonal", "linear", 0.0, 0, 50)
    gauss = gr.gradient_norms(64, 1.5, 100, "gaussian", "linear", 0.0, 0, 50)
    assert f"{orth.growth_rate:+.4f}" == f"{math.log(1.5):+.4f}" and f"growth rate is {orth.growth_rate:+.4f}" in SAID
    assert f"ends at {gauss.norm[-1]:.3g}, above ρ¹⁰⁰" in SAID and gauss.norm[-1] > gauss.rho_power[-1]
    with np.errstate(over="ignore"):
        big = gr.gradient_norms(64, 5.0, 500, "gaussian", "linear", 0.0, 0, 50)
    assert big.stopped_at is not None and f"the run stops at step {big.stopped_at}" in SAID


def test_clipping_shares():
    up, up_clipped = raised(gr.clipping(32, 1.5, 50, 1.0, 0.01, "gaussian", "tanh", 0.0, 0))
    assert f"worse at {up:.0%} of".replace("%", " %") in SAID and f"at {up_clipped:.0%}.".replace("%", " %") in SAID


def test_the_gru():
    with single_thread(torch.device("cpu")):  # as the page trains it
        net = ff.train_flipflop("gru", 64, 300, 32, 50, 0.01, 1.0, 0.05, 0)
        ev = ff.evaluate(net)
        fp = ff.fixed_points(net, evaluation=ev)
    saddles = int(((fp.unstable > 0) & ~fp.slow & (fp.unstable < net.hidden)).sum())
    assert f"({ev.accuracy:.1%} of held-out steps)".replace("%", " %") in SAID
    assert f"with {fp.stable_count} attractors" in SAID and fp.patterns == 8 and saddles == 0
    assert f"{int(fp.slow.sum())} slow points sit" in SAID


def test_the_stiff_field():
    stiff = ode.integrate(ode.builtin("vanderpol", 1000.0), (2.0, 0.0), 5.0, "dopri5", rtol=1e-6, atol=1e-8)
    last = float(stiff.step_times[-1] - stiff.step_times[-2])
    assert stiff.nfe == ode.DEFAULT_NFE and f"cap of {stiff.nfe:,} evaluations at t = {stiff.stopped_at:.4g}" in SAID
    assert f"steps of {last:.1g}" in SAID
    mild = ode.integrate(ode.builtin("vanderpol", 10.0), (2.0, 0.0), 5.0, "dopri5", rtol=1e-6, atol=1e-8)
    assert mild.stopped_at is None and f"it needs only {mild.nfe:,} evaluations" in SAID
