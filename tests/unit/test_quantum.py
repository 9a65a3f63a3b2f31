"""core.quantum against closed forms and an independent numpy statevector simulator (Kronecker
products of 2×2 gate matrices); PennyLane's own output is used only to check the plain-torch code."""

import math

import numpy as np
import pytest
import torch

from core import quantum as q
from core.data import DataError

# ------------------------------------------------------------------ an independent numpy simulator

I2 = np.eye(2)
Z = np.diag([1.0, -1.0])


def rx(t):
    return np.array([[math.cos(t / 2), -1j * math.sin(t / 2)], [-1j * math.sin(t / 2), math.cos(t / 2)]])


def ry(t):
    return np.array([[math.cos(t / 2), -math.sin(t / 2)], [math.sin(t / 2), math.cos(t / 2)]])


def rz(t):
    return np.diag([np.exp(-0.5j * t), np.exp(0.5j * t)])


def on(gate, wire, n):
    """gate on one wire of n (wire 0 most significant)."""
    out = np.array([[1.0]])
    for w in range(n):
        out = np.kron(out, gate if w == wire else I2)
    return out


def cnot(c, t, n):
    P0, P1, X = np.diag([1.0, 0]), np.diag([0, 1.0]), np.array([[0, 1], [1, 0]])
    return on(P0, c, n) + on(P1, c, n) @ on(X, t, n)


def reference_cost(x, w):
    """⟨Z₀⟩ of RY(πx) encoding + strongly entangling layers, by dense matrices."""
    layers, n, _ = w.shape
    psi = np.zeros(2**n, dtype=complex)
    psi[0] = 1
    for qb in range(n):
        psi = on(ry(math.pi * x[qb % 2]), qb, n) @ psi
    for layer in range(layers):
        for qb in range(n):
            phi, theta, omega = w[layer, qb]
            psi = on(rz(omega) @ ry(theta) @ rz(phi), qb, n) @ psi
        if n > 1:
            r = layer % (n - 1) + 1
            for qb in range(n):
                psi = cnot(qb, (qb + r) % n, n) @ psi
    return float(np.real(psi.conj() @ on(Z, 0, n) @ psi))


def binary_entropy(p):
    p = np.clip(p, 1e-300, 1)
    q_ = np.clip(1 - p, 1e-300, 1)
    return -(p * np.log2(p) + q_ * np.log2(q_))


# --------------------------------------------------------------------------------------- one qubit


@pytest.mark.parametrize("theta", np.linspace(-math.pi, math.pi, 9))
def test_z_after_rx_is_cos_theta(theta):
    r = q.one_qubit(theta, 0.0, 0.0, shots=10)
    assert r.bloch[2] == pytest.approx(math.cos(theta), abs=1e-12)
    assert r.probs[0] == pytest.approx((1 + math.cos(theta)) / 2, abs=1e-12)


def test_one_qubit_matches_numpy_matrices():
    rng = np.random.default_rng(0)
    for a, b, c in rng.uniform(-math.pi, math.pi, (20, 3)):
        psi = rz(c) @ ry(b) @ rx(a) @ np.array([1, 0])
        r = q.one_qubit(a, b, c, shots=5)
        np.testing.assert_allclose(r.state, psi, atol=1e-12)
        X, Y = np.array([[0, 1], [1, 0]]), np.array([[0, -1j], [1j, 0]])
        expect = [np.real(psi.conj() @ P @ psi) for P in (X, Y, Z)]
        np.testing.assert_allclose(r.bloch, expect, atol=1e-12)
        assert r.bloch[2] == pytest.approx(math.cos(a) * math.cos(b), abs=1e-12)
        # the drawn path starts at |0> and ends at the state, on the sphere throughout
        np.testing.assert_allclose(r.path[0], [0, 0, 1], atol=1e-12)
        np.testing.assert_allclose(r.path[-1], r.bloch, atol=1e-12)
        np.testing.assert_allclose(np.linalg.norm(r.path, axis=1), 1, atol=1e-12)


def test_sampled_shots_agree_with_born_rule():
    r = q.one_qubit(1.1, 0.4, 0.0, shots=10000, seed=3)
    p1 = r.probs[1]
    assert abs(r.counts[1] / 10000 - p1) < 4 * math.sqrt(p1 * (1 - p1) / 10000)
    assert r.counts.sum() == 10000


def test_fractional_path_follows_a_general_rotation():
    U = q.rot(*(torch.tensor(v, dtype=torch.float64) for v in (0.7, 1.9, -0.4)))
    psi = torch.tensor([0.6, 0.8j], dtype=q.CDTYPE)
    path = q.fractional_path(U, psi, 30).numpy()
    np.testing.assert_allclose(path[0], q.bloch(psi).numpy(), atol=1e-12)
    np.testing.assert_allclose(path[-1], q.bloch(U @ psi).numpy(), atol=1e-12)
    np.testing.assert_allclose(np.linalg.norm(path, axis=1), 1, atol=1e-12)


# -------------------------------------------------------------------------------------- two qubits


def test_bell_state_probabilities_and_entropy():
    r = q.two_qubits(math.pi / 2, 0.0, shots=10)
    np.testing.assert_allclose(r.probs, [0.5, 0, 0, 0.5], atol=1e-12)
    assert r.entropy == pytest.approx(1.0, abs=1e-9)
    np.testing.assert_allclose(r.reduced_bloch, 0, atol=1e-12)
    assert r.zz == pytest.approx(1.0, abs=1e-12)


@pytest.mark.parametrize(("theta", "phi"), [(0.3, 0.0), (1.2, 0.7), (2.5, -1.9), (4.0, 3.0), (0.0, 1.0)])
def test_two_qubits_against_numpy(theta, phi):
    psi = np.kron(I2, ry(phi)) @ cnot(0, 1, 2) @ np.kron(ry(theta), I2) @ np.array([1, 0, 0, 0])
    r = q.two_qubits(theta, phi, shots=10)
    np.testing.assert_allclose(r.state, psi, atol=1e-12)
    np.testing.assert_allclose(r.probs, np.abs(psi) ** 2, atol=1e-12)
    # entanglement: H2(cos^2(theta/2)), whatever the local rotation phi
    assert r.entropy == pytest.approx(binary_entropy(math.cos(theta / 2) ** 2), abs=1e-7)
    rho0 = np.einsum("ij,kj->ik", psi.reshape(2, 2), psi.reshape(2, 2).conj())
    evals = np.linalg.eigvalsh(rho0)
    assert np.linalg.norm(r.reduced_bloch) == pytest.approx(abs(evals[1] - evals[0]), abs=1e-9)


def test_entropy_curve_is_the_binary_entropy():
    r = q.two_qubits(1.0)
    np.testing.assert_allclose(r.curve_entropy, binary_entropy(np.cos(r.curve_theta / 2) ** 2), atol=1e-7)


def test_torch_views_agree_with_pennylane():
    import pennylane as qml

    dev = qml.device("default.qubit", wires=2)

    @qml.qnode(dev)
    def bell(t, p):
        qml.RY(t, wires=0)
        qml.CNOT(wires=[0, 1])
        qml.RY(p, wires=1)
        return qml.state()

    @qml.qnode(qml.device("default.qubit", wires=1))
    def one(a, b, c):
        qml.RX(a, wires=0)
        qml.RY(b, wires=0)
        qml.RZ(c, wires=0)
        return qml.state()

    np.testing.assert_allclose(q.two_qubits(0.8, -0.3).state, bell(0.8, -0.3), atol=1e-12)
    np.testing.assert_allclose(q.one_qubit(0.4, -1.3, 2.2).state, one(0.4, -1.3, 2.2), atol=1e-12)


# --------------------------------------------------------------------------------------- gradients


def test_every_gradient_method_agrees_and_backprop_matches_numpy():
    g = q.gradients(3, 2, seed=1, h=1e-6, repeats=1)
    rows = {r.method: r for r in g.rows}
    ps, bp = rows["parameter-shift"].gradient, rows["backprop"].gradient
    np.testing.assert_allclose(ps, bp, atol=1e-6)  # the criterion; in fact ~1e-15
    np.testing.assert_allclose(rows["adjoint"].gradient, bp, atol=1e-9)
    np.testing.assert_allclose(rows["adjoint (lightning)"].gradient, bp, atol=1e-6)
    np.testing.assert_allclose(rows["finite-diff"].gradient, bp, atol=1e-4)
    # independent: central differences of the dense-matrix simulator
    w = q.gradient_weights(3, 2, 1)
    ref = np.zeros(w.size)
    for k in range(w.size):
        plus, minus = w.copy().ravel(), w.copy().ravel()
        plus[k] += 1e-5
        minus[k] -= 1e-5
        ref[k] = (reference_cost(q.GRAD_X, plus.reshape(w.shape))
                  - reference_cost(q.GRAD_X, minus.reshape(w.shape))) / 2e-5
    np.testing.assert_allclose(bp, ref, atol=1e-8)
    # cost: parameter shift runs at most 2 circuits per parameter + 1, backprop one
    assert rows["backprop"].executions == 1
    assert 1 < rows["parameter-shift"].executions <= 2 * g.parameters + 1


def test_shift_sweep_is_a_sinusoid_and_the_shift_rule_is_its_slope():
    s = q.shift_sweep(3, 2, seed=2, index=4)
    w = q.gradient_weights(3, 2, 2)
    t = s.theta
    A = np.stack([np.cos(t), np.sin(t), np.ones_like(t)], 1)
    coef, *_ = np.linalg.lstsq(A, s.cost, rcond=None)
    np.testing.assert_allclose(A @ coef, s.cost, atol=1e-10)  # exactly A cos + B sin + D
    slope = -coef[0] * math.sin(s.theta0) + coef[1] * math.cos(s.theta0)
    assert s.shift_gradient == pytest.approx(slope, abs=1e-10)
    assert s.cost0 == pytest.approx(reference_cost(q.GRAD_X, w), abs=1e-12)


# ---------------------------------------------------------------------------------------- classifier


def test_default_classifier_beats_chance_on_held_out_moons():
    tr = q.train_classifier()  # moons, angle encoding, strongly entangling, 4 qubits, 3 layers, 30 epochs
    # seen here: 94 % test accuracy (50 held-out points), training loss 0.65 -> 0.20
    assert tr.test_acc[-1] >= 0.8
    assert tr.loss[-1] < 0.6 * tr.loss[0]
    assert tr.parameters == 4 * 3 * 3 + 2
    assert abs(tr.baseline_parameters - tr.parameters) <= 4
    assert len(tr.snaps) == q.SNAPSHOTS and tr.snap_epochs[-1] == 30
    assert "RY" in tr.drawing and "Rot" in tr.drawing


def test_classifier_circuit_matches_numpy_simulator():
    import pennylane as qml

    w = q.gradient_weights(3, 2, 5)
    qnode = qml.QNode(q.circuit_fn(qml, 3, 2, "angle", "strong"), qml.device("default.qubit", wires=3))
    for x in [(0.1, 0.9), (-0.7, 0.2)]:
        got = float(qnode(torch.tensor(x, dtype=torch.float64), torch.tensor(w)))
        assert got == pytest.approx(reference_cost(x, w), abs=1e-12)


@pytest.mark.parametrize(("ansatz", "template"), [("strong", "StronglyEntanglingLayers"),
                                                  ("basic", "BasicEntanglerLayers")])
@pytest.mark.parametrize("qubits", [1, 2, 3, 5])
def test_layers_are_built_as_pennylanes_templates(ansatz, template, qubits):
    import pennylane as qml

    shape = q.weight_shape(ansatz, qubits, 3)
    w = torch.tensor(np.random.default_rng(qubits).uniform(0, 2 * math.pi, shape))
    dev = qml.device("default.qubit", wires=qubits)

    @qml.qnode(dev)
    def ours():
        for layer in range(3):
            q.variational_layer(qml, w, layer, qubits, ansatz)
        return qml.state()

    @qml.qnode(dev)
    def theirs():
        getattr(qml, template)(w, wires=range(qubits))
        return qml.state()

    np.testing.assert_allclose(ours(), theirs(), atol=1e-12)


def test_amplitude_encoding_pads_and_normalizes():
    X = torch.tensor([[0.3, -0.4], [1.0, 1.0]], dtype=torch.float64)
    A = q.amplitudes(X, 3).numpy()
    ref = np.array([[0.3, -0.4, 1, 0, 0, 0, 0, 0], [1, 1, 1, 0, 0, 0, 0, 0]])
    np.testing.assert_allclose(A, ref / np.linalg.norm(ref, axis=1, keepdims=True), atol=1e-15)
    np.testing.assert_allclose(q.amplitudes(X, 1).numpy()[0], np.array([0.3, -0.4]) / 0.5, atol=1e-15)
    tr = q.train_classifier("circles", "amplitude", "basic", 2, 1, 0.1, 5, 60, 0)
    assert any("padded with zeros to 2^2 = 4" in n for n in tr.notes)


def test_classifier_extremes_are_handled(monkeypatch):
    big = q.train_classifier("xor", "reupload", "basic", 1, 1, 3.0, 8, 50, 1)  # one qubit, a huge rate
    assert np.isfinite(big.loss).all() and len(big.loss) == 8
    monkeypatch.setattr(q, "WORK_BUDGET", 1e6)
    capped = q.train_classifier("moons", "angle", "strong", 3, 2, 0.1, 50, 100, 0)
    assert capped.epochs_run < 50 and any("stops after" in n for n in capped.notes)
    with pytest.raises(DataError):
        q.classifier_data("spam")


# ---------------------------------------------------------------------------------- barren plateaus


def test_one_layer_matches_the_closed_forms():
    p = q.barren_plateau(5, 4000, 1, seed=0)
    g, loc = q.plateau_closed_form(p.qubits)
    assert np.all(np.abs(p.var_global - g) <= 5 * p.se_global + 0.05 * g)
    assert np.all(np.abs(p.var_local - loc) <= 5 * p.se_local + 0.05 * loc)


def test_global_variance_falls_with_the_qubit_count():
    p = q.barren_plateau(8, 300, 4, seed=1)
    assert p.fit_global[1] < -0.3  # exponential decay: at least a factor e^0.3 per qubit
    assert p.var_global[-1] < p.var_global[0] / 20
    assert p.var_local[-1] > p.var_global[-1]  # the local cost keeps more gradient


def test_plateau_samples_are_capped(monkeypatch):
    monkeypatch.setattr(q, "PLATEAU_BUDGET", 1e4)
    p = q.barren_plateau(6, 1000, 2, seed=0)
    assert p.samples < 1000 and p.notes


# ------------------------------------------------------------------------------------ re-uploading


def test_reuploading_states_match_numpy_and_classify_circles():
    r = q.train_reuploader("circles", 3, seed=0)
    assert r.test_acc >= 0.8 and r.train_acc >= 0.85  # seen here: 98 % train, 92 % test
    params = torch.randn(3, 2, 3, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    X = torch.tensor([[0.2, -0.5]], dtype=torch.float64)
    states = q.reupload_states(X, params).numpy()[0]
    psi = np.array([1, 0], dtype=complex)
    for layer in range(3):
        a = params[layer, 0].numpy() + params[layer, 1].numpy() * np.array([0.2, -0.5, 0]) * math.pi
        psi = rz(a[2]) @ ry(a[1]) @ rz(a[0]) @ psi
        np.testing.assert_allclose(states[layer + 1], psi, atol=1e-12)
    np.testing.assert_allclose(np.linalg.norm(r.paths, axis=-1), 1, atol=1e-12)
    np.testing.assert_allclose(r.arcs[:, -1], r.paths[:, -1], atol=1e-12)


def test_training_in_slices_is_the_same_full_batch_descent():
    """A memory budget small enough to cut the training set into slices of 5 points changes nothing but the
    memory: the gradient summed over slices is the full-batch gradient, so every loss, accuracy and map agrees."""
    whole = q.train_classifier("moons", epochs=6, points=120, memory_budget=1e12)
    sliced = q.train_classifier("moons", epochs=6, points=120, memory_budget=2.2e5)
    assert q.train_chunk(4, 3, 90, 2.2e5) == 5 and q.train_chunk(4, 3, 90, 1e12) == 90
    np.testing.assert_allclose(sliced.loss, whole.loss, rtol=0, atol=1e-12)
    np.testing.assert_allclose(sliced.snaps, whole.snaps, rtol=0, atol=1e-12)
    assert np.array_equal(sliced.train_acc, whole.train_acc) and np.array_equal(sliced.test_acc, whole.test_acc)
    assert any("slices" in n for n in sliced.notes) and not any("slices" in n for n in whole.notes)


# ----------------------------------------------------------------------- what the page says (issue 13)


def test_lightning_returns_the_backprop_gradient_rounded_to_float32():
    """The gradients table's 6.7e-9 for lightning is float32 rounding: lightning's torch path hands back float32
    (its forward value is float32), and its gradient is the exact one rounded to float32, to the last bit."""
    import pennylane as qml

    g = q.gradients(4, 2, seed=0, h=1e-4, repeats=1)
    rows = {r.method: r for r in g.rows}
    bp, light = rows["backprop"].gradient, rows["adjoint (lightning)"].gradient
    np.testing.assert_allclose(light, bp.astype(np.float32).astype(float), rtol=0, atol=1e-15)
    assert 1e-9 < rows["adjoint (lightning)"].max_diff < 1e-7 and rows["adjoint"].max_diff < 1e-14
    assert "float32" in rows["adjoint (lightning)"].how
    qnode = qml.QNode(q.circuit_fn(qml, 4, 2, "angle", "strong"), qml.device("lightning.qubit", wires=4),
                      interface="torch", diff_method="adjoint")
    w = torch.tensor(q.gradient_weights(4, 2, 0), dtype=torch.float64)
    assert qnode(torch.tensor(q.GRAD_X, dtype=torch.float64), w).dtype == torch.float32


@pytest.mark.parametrize("encoding", ["angle", "reupload"])
def test_one_qubit_angle_encodings_ignore_x2_and_say_so(encoding):
    tr = q.train_classifier("moons", encoding, "strong", 1, 2, 0.1, 3, 50, 0)
    assert any("never sees x₂" in n for n in tr.notes)
    for snap in tr.snaps:  # rows: x₂ varies; columns: x₁ varies (np.meshgrid)
        assert np.ptp(snap, axis=0).max() < 1e-12
    assert np.ptp(tr.snaps[-1], axis=1).max() > 1e-3
    two = q.train_classifier("moons", encoding, "strong", 2, 2, 0.1, 3, 50, 0)
    assert not any("never sees" in n for n in two.notes) and np.ptp(two.snaps[-1], axis=0).max() > 1e-3


@pytest.mark.parametrize(("encoding", "qubits", "layers", "reached"),
                         [("angle", 4, 2, True), ("angle", 3, 2, True), ("angle", 4, 1, False),
                          ("reupload", 1, 3, True), ("reupload", 3, 3, False), ("reupload", 4, 2, False)])
def test_angle_encoded_output_is_a_trigonometric_polynomial_of_bounded_degree(encoding, qubits, layers, reached):
    """The math: ⟨Z₀⟩ as a function of x₁ (x₂ fixed) has frequencies kπ with |k| at most the number of RY(πx₁)
    gates, ⌈n/2⌉ per upload; numpy's FFT over one period (x₁ ∈ [−1, 1)). "At most": a gate outside Z₀'s light
    cone adds nothing (one layer of 4 qubits: the CNOT ring turns Z₀ into Z₁Z₂Z₃, so qubit 0's x₁ drops out)."""
    import pennylane as qml

    qnode = qml.QNode(q.circuit_fn(qml, qubits, layers, encoding, "strong"), qml.device("default.qubit",
                                                                                        wires=qubits),
                      interface="torch")
    bound = math.ceil(qubits / 2) * (layers if encoding == "reupload" else 1)
    x1 = np.linspace(-1, 1, 64, endpoint=False)
    X = torch.tensor(np.stack([x1, np.full_like(x1, 0.3)], 1))
    for seed in range(2):
        w = torch.tensor(np.random.default_rng(seed).uniform(0, 2 * math.pi, (layers, qubits, 3)))
        c = np.abs(np.fft.rfft(qnode(X, w).numpy())) / 64
        assert c[bound + 1:].max() < 1e-12, np.round(c[: bound + 3], 8)
        assert (c[bound] > 1e-6) == reached, np.round(c[: bound + 3], 8)


def test_one_reupload_layer_depends_on_x2_alone():
    """The re-uploading "try this": with one layer x₁ is a phase on |0⟩, so P(1) = sin²(ϑ/2) with
    ϑ = θ₁ + w₁πx₂ (closed form), and the trained map is constant along x₁; with two layers it is not."""
    r = q.train_reuploader("circles", 1, seed=0)
    assert np.ptp(r.grid_p, axis=1).max() < 1e-12 and np.ptp(r.grid_p, axis=0).max() > 0.1
    assert r.train_acc < 0.7  # the rings cannot be told apart by x₂ alone
    params = torch.randn(1, 2, 3, generator=torch.Generator().manual_seed(3), dtype=torch.float64)
    X = torch.tensor(np.random.default_rng(0).uniform(-1, 1, (20, 2)))
    p1 = q.reupload_states(X, params)[:, -1, 1].abs().numpy() ** 2
    theta = params[0, 0, 1].item() + params[0, 1, 1].item() * math.pi * X[:, 1].numpy()
    np.testing.assert_allclose(p1, np.sin(theta / 2) ** 2, atol=1e-12)
    two = q.train_reuploader("circles", 2, seed=0)
    assert np.ptp(two.grid_p, axis=1).max() > 0.1


def test_the_shot_band_holds_about_95_percent_of_the_estimates():
    """The running-estimate band p ± 1.96·√(p(1 − p)/n): its half-width as drawn, and its coverage of the
    n-shot estimate by the exact binomial law (scipy)."""
    from scipy.stats import binom

    from ui.figures.quantum import running_estimate

    p, n = 0.3, 1000
    _, df = running_estimate(np.r_[np.ones(300), np.zeros(700)].astype(int), p, "t")
    half = 1.96 * np.sqrt(p * (1 - p) / df["shots"])
    np.testing.assert_allclose(df["hi"], np.clip(p + half, 0, 1))
    h = 1.96 * math.sqrt(p * (1 - p) / n)
    k = np.arange(n + 1)
    inside = np.abs(k / n - p) <= h
    assert abs(binom.pmf(k[inside], n, p).sum() - 0.95) < 0.01


def test_six_layers_halve_the_local_variance_at_eight_qubits():
    """The plateau "try this": one layer matches 1/(8n²) (within 3 standard errors); six layers bring the local
    cost's variance at 8 qubits to about half of it (seen: 0.46–0.49 over seeds 0–2)."""
    one = q.barren_plateau(8, 200, 1, 0)
    ratio = one.var_local * 8 * one.qubits**2
    assert np.all(np.abs(ratio - 1) < 3 * one.se_local * 8 * one.qubits**2 + 0.05)
    six = q.barren_plateau(8, 200, 6, 0)
    assert 0.35 < six.var_local[-1] * 8 * 64 < 0.65
