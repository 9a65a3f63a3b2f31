"""Chapter 11's page (AppTest) at its default views and at the edges a slider or a stranger's link reaches: weights
that saturate the units, a map where Newton's method finds no fixed point, ρ = 5 where the gradient overflows, a
stiff field that hits the evaluation cap, trainings that diverge. Each gets words and a picture, never a traceback;
the numbers shown are checked against numpy, torch's own modules and closed forms."""

from __future__ import annotations

import json
import math
import re

import numpy as np
import pytest
import torch
from scipy.linalg import expm

from core.dynamics import gradients as gr
from core.dynamics import ode
from tests import helpers as h

PAGE = "explorers/11_dynamics.py"
TABS = ["Two-neuron map", "Gradients through time", "Trained RNN", "Neural ODEs"]
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _open(**params):
    return h.open_page(PAGE, {k: str(v) for k, v in params.items()})


def _texts(at) -> list[str]:
    return [h.unescape(e.value) for kind in ("markdown", "caption", "error", "warning", "info") for e in at.get(kind)]


def _specs(at) -> str:
    """Every chart's spec as text (titles and subtitles included), non-ASCII characters as they are."""
    return " ".join(json.dumps(json.loads(c.proto.spec), ensure_ascii=False) for c in at.get("vega_lite_chart"))


def _map(w, b, g):
    W = g * np.array(w, dtype=float).reshape(2, 2)
    return lambda x: np.tanh(W @ x + np.array(b, dtype=float))


# ------------------------------------------------------------------------------------------ the two-neuron map


def test_the_default_maps_fixed_points_are_fixed_and_their_eigenvalues_are_numpys():
    at = _open()
    h.assert_healthy(at, "default")
    shown = dict(h.metric_values(at))
    assert (shown["Fixed points"], shown["Stable"], shown["Saddles"]) == ("3", "2", "1")
    table = at.dataframe[0].value
    F = _map((1.2, 0.8, 0.8, 1.2), (0.0, 0.0), 1.0)
    for _, row in table.iterrows():
        x = np.array([row["h₁"], row["h₂"]])
        assert np.abs(F(x) - x).max() < 1e-10  # F(h*) = h*, recomputed with numpy
        eps = 1e-6  # a central finite-difference Jacobian
        J = np.column_stack([(F(x + eps * e) - F(x - eps * e)) / (2 * eps) for e in np.eye(2)])
        lam = np.linalg.eigvals(J)
        assert row["largest |λ|"] == pytest.approx(np.abs(lam).max(), abs=1e-7)
        kind = row["type"]
        assert (kind.startswith("stable") == (np.abs(lam).max() < 1)) and ((kind == "saddle") == (
            np.abs(lam).min() < 1 < np.abs(lam).max()))
    assert sorted(table["type"]) == ["saddle", "stable node", "stable node"]
    assert h.charts(at) == 3  # the plane, the eigenvalues, the gain sweep


@pytest.mark.parametrize(("preset", "fixed", "settle"), [("One stable point", "1", "12 of 12"),
                                                        ("Limit cycle", "1", "0 of 12"),
                                                        ("Period-4 cycle", "1", "12 of 12")])
def test_each_preset_opens_from_a_link_with_its_own_weights(preset, fixed, settle):
    at = _open(ds_preset=preset)
    h.assert_healthy(at, preset)
    shown = dict(h.metric_values(at))
    assert (shown["Fixed points"], shown["Orbits that settle"]) == (fixed, settle)
    assert not any("edited from" in t for t in _texts(at))


def test_saturating_weights_are_said_in_words():
    at = _open(ds_w11=4.0, ds_w12=0.0, ds_w21=0.0, ds_w22=4.0, ds_gain=2.0)
    h.assert_healthy(at, "saturated")
    assert dict(h.metric_values(at))["Fixed points"] == "9"
    assert any("8 fixed points sit in a saturated corner" in t for t in _texts(at))
    assert any("edited from" in t for t in _texts(at))
    F = _map((4.0, 0.0, 0.0, 4.0), (0.0, 0.0), 2.0)
    for _, row in at.dataframe[0].value.iterrows():
        x = np.array([row["h₁"], row["h₂"]])
        assert np.abs(F(x) - x).max() < 1e-10 and row["saturated"] == bool((np.abs(x) > 0.99).any())


def test_no_fixed_point_found_is_said_and_the_picture_stays():
    at = _open(ds_w11=4.0, ds_w12=-4.9, ds_w21=3.3, ds_w22=2.0, ds_b1=-0.5, ds_b2=1.1, ds_gain=2.95)
    h.assert_healthy(at, "no fixed point")
    assert dict(h.metric_values(at))["Fixed points"] == "0"
    assert any("found no fixed point" in t for t in _texts(at))
    assert any("Brouwer" in i.value for i in at.info)
    assert not at.dataframe  # no empty table


# ------------------------------------------------------------------------------------------ gradients


def test_the_gradient_factor_is_autograds():
    at = _open(ds_tab="Gradients through time")
    h.assert_healthy(at, "gradients")
    shown = dict(h.metric_values(at))
    n, rho, steps = 64, 1.5, 100
    W = torch.as_tensor(rho * gr.base_matrix(n, "gaussian", 0))
    h0 = torch.as_tensor(np.random.default_rng(1).uniform(-1, 1, n))  # the page's start: seed + 1

    def unrolled(x):
        for _ in range(steps):
            x = torch.tanh(W @ x)
        return x

    J = torch.autograd.functional.jacobian(unrolled, h0).numpy()
    assert shown[f"‖∂h_t/∂h₀‖ at t = {steps}"] == f"{np.linalg.norm(J, 2):.3g}"
    assert shown[f"ρᵗ at t = {steps}"] == f"{rho ** steps:.3g}" and shown["ln ρ"] == f"{math.log(rho):+.4f}"
    assert h.charts(at) == 4


def test_the_linear_rnn_with_an_orthogonal_w_follows_its_closed_form():
    at = _open(ds_tab="Gradients through time", ds_phi="linear", ds_init="Orthogonal")
    h.assert_healthy(at, "linear orthogonal")
    shown = dict(h.metric_values(at))
    assert shown["Growth rate"] == shown["ln ρ"] == shown["λ₁ at this ρ"] == f"{math.log(1.5):+.4f}"
    assert shown["‖∂h_t/∂h₀‖ at t = 100"] == f"{1.5 ** 100:.3g}"


def test_rho_five_overflows_and_the_step_is_said():
    at = _open(ds_tab="Gradients through time", ds_phi="linear", ds_rho=5.0, ds_T=500)
    h.assert_healthy(at, "rho 5")
    said = " ".join(_texts(at))
    assert "Stopped at step 359" in said and "overflow float64" in said
    shown = dict(h.metric_values(at))
    last = next(k for k in shown if k.startswith("‖∂h_t/∂h₀‖ at t = "))
    assert 349 <= int(last.rsplit(" ", 1)[1]) < 359 and float(shown[last]) > 1e240  # the last norm measured before
    assert "red: stopped at step 359" in _specs(at)


def test_a_vanishing_gradient_stops_before_underflow():
    at = _open(ds_tab="Gradients through time", ds_rho=0.2, ds_T=500)
    h.assert_healthy(at, "rho 0.2")
    assert any("fell below 1e-250 (vanished)" in t for t in _texts(at))


# ------------------------------------------------------------------------------------------ the trained RNN


def test_the_trained_rnn_holds_its_bits_on_torchs_own_cell():
    from core.device import single_thread
    from core.dynamics import flipflop as ff

    at = _open(ds_tab="Trained RNN")
    h.assert_healthy(at, "trained")
    shown = dict(h.metric_values(at))
    assert shown["Bit patterns stored"] == "8 of 8" and int(shown["Attractors"]) >= 8
    with single_thread(torch.device("cpu")):  # the page's training, reproduced from its seed
        net = ff.train_flipflop("rnn", 64, 300, 32, 50, 0.01, 1.0, 0.05, 0)
    task = ff.task(16, 200, 0.05, seed=1234)  # the page's held-out trials
    rnn = torch.nn.RNN(3, 64, batch_first=True).double()
    rnn.load_state_dict({k: torch.as_tensor(v) for k, v in net.weights.items() if not k.startswith("readout")})
    with torch.no_grad():
        H, _ = rnn(torch.as_tensor(task.inputs))
    out = H.numpy() @ net.weights["readout.weight"].T + net.weights["readout.bias"]
    assert shown["Held-out accuracy"] == f"{(np.sign(out) == task.targets).mean():.1%}"
    table = at.dataframe[0].value
    stable = table[table["kind"] == "stable"]
    assert len(set(stable["bits held"])) == 8 and len(stable) == int(shown["Attractors"])


def test_training_that_diverges_is_said_with_its_step():
    at = _open(ds_tab="Trained RNN", ds_lr=0.3)
    h.assert_healthy(at, "lr 0.3")
    assert any("Training diverged at step" in t for t in _texts(at)) and not h.metric_values(at)


# ------------------------------------------------------------------------------------------ neural ODEs


def test_the_solvers_errors_against_the_closed_form():
    at = _open(ds_tab="Neural ODEs")
    h.assert_healthy(at, "odes")
    shown = dict(h.metric_values(at))
    T, k, h0 = 5.0, 50, np.array([2.0, 0.0])
    exact = expm(ode.SPIRAL * T) @ h0  # dh/dt = A h
    x = h0.copy()
    for _ in range(k):  # Euler by hand
        x = x + T / k * (ode.SPIRAL @ x)
    assert shown["Euler's error at T"] == f"{np.abs(x - exact).max():.2e}"
    from scipy.integrate import solve_ivp

    rk = solve_ivp(lambda _t, y: ode.SPIRAL @ y, (0, T), h0, method="RK45", rtol=1e-6, atol=1e-8)
    assert abs(float(shown["dopri5's error at T"]) - np.abs(rk.y[:, -1] - exact).max()) < 1e-5  # same tolerance
    assert float(shown["RK4's error at T"]) < 1e-4 < float(shown["Euler's error at T"])
    assert shown["ResNet − Euler"] == "0.0e+00"
    table = next(d.value for d in at.dataframe if "evaluations of f (NFE)" in d.value.columns)
    assert list(table["evaluations of f (NFE)"][:2]) == [k, 4 * k]
    euler, rk4 = map(float, re.search(r"slopes: Euler (\d\.\d\d), RK4 (\d\.\d\d)", _specs(at)).groups())
    assert euler == pytest.approx(1.0, abs=0.1) and rk4 == pytest.approx(4.0, abs=0.1)  # the fitted orders


def test_a_stiff_field_hits_the_evaluation_cap_in_words():
    at = _open(ds_tab="Neural ODEs", ds_field="Van der Pol", ds_mu=1000)
    h.assert_healthy(at, "stiff")
    said = " ".join(_texts(at))
    assert "Stopped after 2,000 evaluations of f, at t = 0.2856" in said and "is stiff" in said
    assert dict(h.metric_values(at))["dopri5's error at T"] == "n/a"


def test_the_learned_field_and_its_divergence():
    at = _open(ds_tab="Neural ODEs", ds_field="Learned (neural ODE)", ds_osteps=50)
    h.assert_healthy(at, "learned")
    assert "The learned field" in _specs(at)
    at = _open(ds_tab="Neural ODEs", ds_field="Learned (neural ODE)", ds_olr=5)
    h.assert_healthy(at, "learned lr 5")
    assert any("Training diverged at step" in t for t in _texts(at))


@pytest.mark.parametrize("tab", TABS)
def test_every_tab_opens_healthy_with_its_notice(tab):
    at = _open(ds_tab=tab)
    h.assert_healthy(at, tab)
    assert at.info and h.metric_values(at)
    assert not h.notes(at)
