"""core.networks against independent references: finite differences, a numpy re-implementation of the
forward pass, numpy.polyfit and numpy.linalg.lstsq, closed-form bounds (σ' ≤ 1/4, the sampling error of
the bias–variance identity), and the same results from threads racing each other."""

import sys
import threading

import numpy as np
import pytest
import torch

from core import networks as nw

ACT = {"sigmoid": lambda z: 1 / (1 + np.exp(-z)), "tanh": np.tanh, "relu": lambda z: np.maximum(z, 0)}


def np_forward(params, X, activation):
    """Every layer's input and pre-activation, and the softmax output, in plain numpy."""
    h, inputs, zs = X, [], []
    for i, (W, b) in enumerate(params):
        z = h @ W.T + b
        inputs.append(h)
        zs.append(z)
        h = ACT[activation](z) if i < len(params) - 1 else z
    e = np.exp(h - h.max(axis=1, keepdims=True))
    return inputs, zs, e / e.sum(axis=1, keepdims=True)


def np_loss(params, X, y, activation, l2=0.0):
    p = np_forward(params, X, activation)[2]
    return -np.log(p[np.arange(len(y)), y]).mean() + l2 * sum((W**2).sum() for W, _ in params)


@pytest.fixture(scope="module")
def moons():
    return nw.train_mlp("moons", hidden=(5, 4), activation="tanh", epochs=60, n=120, seed=3)


@pytest.mark.parametrize("activation", nw.ACTIVATIONS)
def test_backpropagation_equals_finite_differences(activation):
    rng = np.random.default_rng(1)
    X, y = rng.standard_normal((25, 3)), rng.integers(0, 3, 25)
    params = [(p[0].numpy() + 0.1 * rng.standard_normal(p[0].shape), 0.1 * rng.standard_normal(p[1].shape))
              for p in nw.init_weights((3, 4, 5, 3), activation, seed=2)]
    l2 = 0.05
    loss, grads = nw.loss_and_gradients([(torch.from_numpy(W), torch.from_numpy(b)) for W, b in params],
                                        torch.from_numpy(X), torch.from_numpy(y), activation, l2)
    assert loss == pytest.approx(np_loss(params, X, y, activation, l2), abs=1e-12)
    h = 1e-6
    for li, (W, b) in enumerate(params):
        for which, P in ((0, W), (1, b)):
            fd = np.zeros_like(P)
            for idx in np.ndindex(P.shape):
                old = P[idx]
                P[idx] = old + h
                up = np_loss(params, X, y, activation, l2)
                P[idx] = old - h
                down = np_loss(params, X, y, activation, l2)
                P[idx] = old
                fd[idx] = (up - down) / (2 * h)
            np.testing.assert_allclose(grads[li][which].numpy(), fd, rtol=1e-6, atol=1e-8)


def test_one_epoch_is_a_gradient_step_then_soft_thresholding():
    lr, l1, l2 = 0.4, 0.02, 0.01
    res = nw.train_mlp("xor", hidden=(6,), activation="relu", lr=lr, epochs=1, l1=l1, l2=l2, n=80, seed=5)
    start = res.params(0)
    tr = res.is_train
    _, grads = nw.loss_and_gradients([(torch.from_numpy(W), torch.from_numpy(b)) for W, b in start],
                                     torch.from_numpy(res.X[tr]), torch.from_numpy(res.y[tr]), "relu", l2)
    for (W0, b0), (W1, b1), (gW, gb) in zip(start, res.params(1), grads, strict=True):
        step = W0 - lr * gW.numpy()
        np.testing.assert_allclose(W1, np.sign(step) * np.maximum(np.abs(step) - lr * l1, 0), atol=1e-14)
        np.testing.assert_allclose(b1, b0 - lr * gb.numpy(), atol=1e-14)


def test_forward_pass_and_history_equal_numpy_from_the_snapshot_weights(moons):
    assert moons.epochs_run == 60 and moons.diverged_at is None
    assert moons.snapshot_epochs[0] == 0 and moons.snapshot_epochs[-1] == 60
    assert len(moons.snapshot_epochs) == min(61, nw.SNAPSHOTS + 1)
    tr, te = moons.is_train, ~moons.is_train
    for s in (0, 7, -1):
        p = np_forward(moons.params(s), moons.X, "tanh")[2]
        np.testing.assert_allclose(nw.predict_proba(moons, s), p, atol=1e-12)
        e = moons.snapshot_epochs[s]
        hit = p.argmax(1) == moons.y
        assert moons.train_acc[e] == pytest.approx(hit[tr].mean())
        assert moons.test_acc[e] == pytest.approx(hit[te].mean())
        assert nw.accuracy(moons, s, "test") == pytest.approx(hit[te].mean())
        assert moons.train_loss[e] == pytest.approx(-np.log(p[tr, moons.y[tr]]).mean(), abs=1e-12)
        assert moons.test_loss[e] == pytest.approx(-np.log(p[te, moons.y[te]]).mean(), abs=1e-12)
    assert moons.train_loss[-1] < moons.train_loss[0]
    from sklearn.metrics import confusion_matrix

    p = np_forward(moons.params(-1), moons.X, "tanh")[2].argmax(1)
    np.testing.assert_array_equal(nw.confusion(moons, -1, "test"), confusion_matrix(moons.y[te], p[te], labels=[0, 1]))
    np.testing.assert_array_equal(nw.confusion(moons, -1, "all"), confusion_matrix(moons.y, p, labels=[0, 1]))
    surf = nw.decision_surface(moons, 5, resolution=9)
    grid = np.stack(np.meshgrid(surf.xs, surf.ys), axis=-1).reshape(-1, 2)
    np.testing.assert_allclose(surf.prob.ravel(), np_forward(moons.params(5), grid, "tanh")[2][:, 1], atol=1e-12)


def test_neuron_microscope_matches_the_forward_pass(moons):
    s, sample = 10, 17
    inputs, zs, p = np_forward(moons.params(s), moons.X[[sample]], "tanh")
    for layer in range(1, len(moons.sizes)):
        for unit in range(moons.sizes[layer]):
            nr = nw.neuron(moons, layer, unit, sample, s)
            np.testing.assert_allclose(nr.x, inputs[layer - 1][0], atol=1e-14)
            assert nr.z == pytest.approx(nr.w @ nr.x + nr.b, abs=1e-12)
            assert nr.z == pytest.approx(zs[layer - 1][0, unit], abs=1e-12)
            assert nr.products.sum() + nr.b == pytest.approx(nr.z, abs=1e-12)
            want = p[0, unit] if layer == len(moons.sizes) - 1 else np.tanh(nr.z)
            assert nr.a == pytest.approx(want, abs=1e-12)
            assert nr.epoch == moons.snapshot_epochs[s]
    np.testing.assert_allclose(nw.neuron(moons, 1, 0, sample, s).x, moons.X[sample])


def test_real_sets_are_standardized_by_the_training_rows_and_split_is_stratified():
    res = nw.train_mlp("breast_cancer", hidden=(4,), epochs=2, train_fraction=0.5)
    assert res.sizes == (30, 4, 2)
    np.testing.assert_allclose(res.X[res.is_train].mean(0), 0, atol=1e-12)
    np.testing.assert_allclose(res.X[res.is_train].std(0), 1, atol=1e-12)
    for c in (0, 1):
        share = res.is_train[res.y == c].mean()
        assert share == pytest.approx(0.5, abs=0.01)
    digits = nw.train_mlp("digits", hidden=(8,), epochs=1)
    assert digits.sizes == (64, 8, 10) and np.isfinite(digits.X).all()
    assert nw.confusion(digits, -1, "test").sum() == (~digits.is_train).sum()
    with pytest.raises(ValueError, match="2-D inputs"):
        nw.decision_surface(digits)
    for bad in ({"hidden": ()}, {"hidden": (0,)}, {"lr": float("nan")}, {"l1": -1.0}, {"activation": "gelu"}):
        with pytest.raises(ValueError):
            nw.train_mlp(**{"epochs": 1, **bad})
    assert nw.split(np.array([0, 0, 1, 1, 1]), 1.0).all()


def test_zero_epochs_returns_the_initial_network():
    res = nw.train_mlp("circles", epochs=0, n=60)
    assert res.epochs_run == 0 and res.diverged_at is None
    assert len(res.train_loss) == 1 and list(res.snapshot_epochs) == [0]
    assert nw.decision_surface(res, 0, resolution=5).prob.shape == (5, 5)
    assert np.isfinite(nw.neuron(res, 1, 0, 0, 0).a)


def test_a_huge_learning_rate_stops_training_and_says_when():
    res = nw.train_mlp("moons", activation="relu", lr=1e4, epochs=50, n=100)
    assert res.diverged_at is not None and 1 <= res.diverged_at <= 50
    assert res.epochs_run == res.diverged_at - 1
    assert len(res.train_loss) == res.epochs_run + 1 and np.isfinite(res.train_loss).all()
    assert res.snapshot_epochs[-1] == res.epochs_run
    assert all(np.isfinite(W).all() for W in res.weights)


def test_vanishing_gradients_sigmoid_layers_multiply_by_at_most_a_quarter():
    depth = 8
    van = nw.vanishing_gradients(depth=depth, width=16, steps=3, n=200, seed=0)
    first = dict(zip(van.activations, van.grad_norm[:, 0, 0], strict=True))
    assert first["sigmoid"] < 1e-2 * first["relu"]
    assert first["sigmoid"] < 1e-2 * first["tanh"]
    # Closed form: δ_l = σ'(z_l) ⊙ W_{l+1}ᵀ δ_{l+1} with σ' ≤ 1/4, and the output's δ = (p − onehot)/n has
    # norm ≤ √2/n per sample, so ‖∂L/∂W_1‖_F ≤ mean_i ‖x_i‖ · √2 · 4^(−depth) · Π_{l≥2} ‖W_l‖₂.
    X = nw.network_data("moons", 200, 0.15, 0).X
    Ws = [W.numpy() for W, _ in nw.init_weights((2, *[16] * depth, 2), "sigmoid", seed=0)]
    bound = np.linalg.norm(X, axis=1).mean() * np.sqrt(2) * 0.25**depth * np.prod(
        [np.linalg.norm(W, 2) for W in Ws[1:]])
    assert first["sigmoid"] <= bound < first["relu"]
    assert van.grad_norm.shape == (3, 4, depth + 1) and np.isfinite(van.loss).all()
    z = torch.linspace(-6, 6, 241, dtype=torch.float64, requires_grad=True)
    for k, a in enumerate(van.activations):
        d = torch.autograd.grad(nw._act(a, z).sum(), z)[0].numpy()
        mask = np.abs(van.z) > 1e-9  # ReLU's kink
        np.testing.assert_allclose(van.derivative[k][mask], d[mask], atol=1e-12)
        assert van.derivative[k].max() <= van.max_derivative[k] + 1e-15
    assert van.derivative[0].max() == pytest.approx(0.25)


def test_polynomial_fits_equal_numpy_polyfit_and_lstsq():
    rng = np.random.default_rng(0)
    x, y = rng.uniform(-1, 1, (4, 30)), rng.standard_normal((4, 30))
    for d in (0, 1, 3, 7, 12):
        coef = nw.poly_fit(torch.from_numpy(x), torch.from_numpy(y), d).numpy()
        for s in range(4):
            np.testing.assert_allclose(coef[s], np.polyfit(x[s], y[s], d)[::-1], rtol=1e-6, atol=1e-8)
            V = np.vander(x[s], d + 1, increasing=True)
            np.testing.assert_allclose(coef[s], np.linalg.lstsq(V, y[s], rcond=None)[0], rtol=1e-6, atol=1e-8)
        grid = torch.linspace(-1, 1, 7, dtype=torch.float64)
        np.testing.assert_allclose(nw.poly_eval(torch.from_numpy(coef), grid).numpy()[1],
                                   np.polyval(coef[1][::-1], grid.numpy()), atol=1e-10)


def test_bias_variance_noise_add_up_to_the_measured_test_error():
    """measured − (bias² + variance + σ²) = mean over N = sets × test points of ε² − σ² − 2ε(f̂ − f), with ε
    the fresh test noise: mean zero, variance (2σ⁴ + 4σ²(bias² + variance)) / N in closed form (ε is normal
    and independent of the fits). Four such standard errors: a false alarm once in ~16,000 per degree."""
    bv = nw.bias_variance(degrees=(0, 1, 3, 5, 8), n_train=25, n_sets=300, noise_sd=0.4, n_test=200, seed=4)
    N = 300 * 200
    s2 = bv.noise_sd**2
    se = np.sqrt((2 * s2**2 + 4 * s2 * (bv.bias2 + bv.variance)) / N)
    np.testing.assert_allclose(bv.noise, s2)
    assert np.all(np.abs(bv.expected_error - (bv.bias2 + bv.variance + bv.noise)) <= 4 * se)
    np.testing.assert_allclose(bv.std_error, se, rtol=0.2)  # the reported error bar estimates the same thing
    assert bv.bias2[0] > 10 * bv.bias2[2] and bv.variance[-1] > 3 * bv.variance[2]  # the trade-off's two arms
    assert np.all(np.diff(bv.train_error) <= 1e-12)  # nested models: more capacity never fits worse
    # The drawn mean is the mean of the fits: recompute the first set's fit with numpy.
    first = np.polyval(np.polyfit(bv.x_example, bv.y_example, 3), bv.x_grid)
    np.testing.assert_allclose(bv.fits_grid[2, 0], first, atol=1e-8)
    np.testing.assert_allclose(bv.truth_grid, np.sin(2.5 * bv.x_grid))


def test_l1_gives_exact_zeros_where_l2_does_not():
    pen = nw.l1_vs_l2("breast_cancer", hidden=(8,), epochs=80, l1=0.01, l2=0.01, train_fraction=0.3)
    n_weights = 30 * 8 + 8 * 2
    assert [len(w) for w in pen.weights] == [n_weights] * 3
    assert pen.zeros[1] > n_weights // 4
    assert pen.zeros[0] == 0 and pen.zeros[2] == 0
    assert (pen.counts.sum(1) == n_weights).all()
    np.testing.assert_allclose(pen.gap, pen.test_loss - pen.train_loss)
    # the same start and split for all three
    np.testing.assert_array_equal(pen.runs[1].weights[0][0], pen.runs[2].weights[0][0])
    np.testing.assert_array_equal(pen.runs[1].is_train, pen.runs[2].is_train)


def test_same_seed_same_network_from_threads_racing_each_other():
    """Eight threads, switching every microsecond, each training seeded networks. Eight layers mean eight
    draws per initialisation: with a plain ``torch.manual_seed`` in place of ``core.threads.seeded`` this
    failed in each of two tries here; the lock and the forked generator keep every result the serial one."""
    def job(seed):
        return nw.train_mlp("spirals", hidden=(3,) * 8, activation="sigmoid", epochs=3, n=40, seed=seed)

    serial = {s: job(s) for s in range(4)}
    results, errors = {}, []

    def worker(s):
        try:
            for k in range(6):
                results[(s, k)] = job(s)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(repr(exc))

    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        threads = [threading.Thread(target=worker, args=(s % 4,)) for s in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(old)
    assert not errors
    assert len({s for s, _ in results}) == 4
    for (s, _), r in results.items():
        np.testing.assert_array_equal(r.weights[0], serial[s].weights[0])
        np.testing.assert_array_equal(r.train_loss, serial[s].train_loss)
    assert not np.array_equal(serial[0].weights[0][0], serial[1].weights[0][0])
