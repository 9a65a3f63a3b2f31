"""Chapter 1, Introduction: the book's Figure 1.2 (a network's structure, one neuron's operation,
backpropagation lowering the loss) live, and the chapter's three warnings: saturating sigmoids
(vanishing gradients), overfitting (L1 and L2 penalties), and the bias–variance trade-off.

The network is a plain multilayer perceptron written out as a list of (W, b) tensors, so that every
number the page shows (a weight, a pre-activation z = w·x + b, an activation σ(z)) is one a reader can
recompute by hand from the snapshot weights. Training is **full-batch gradient descent** with
backpropagation written out (the book's Figure 1.2(c)), not Adam: with plain steps the L1 penalty has an
exact proximal step (soft-thresholding by lr·λ₁), which drives weights to exactly zero; an adaptive
optimizer would blur both lessons. Losses are cross-entropy on softmax outputs.

Randomness (initial weights, splits, resampled training sets) is drawn from ``seed`` only, inside
:func:`core.threads.seeded` for torch draws, so two sessions training at once get their own pictures.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
import torch

from core.data import CLASSIFICATION_2D, Dataset, classification_2d, load_dataset
from core.device import compute_dtype, single_thread
from core.threads import seeded

Progress = Callable[[float, str], None] | None
ACTIVATIONS = ("sigmoid", "tanh", "relu")
REAL_SETS = {"breast_cancer": "Breast cancer (30 features, standardized)", "digits": "Digits (8×8 = 64 pixels)"}
NETWORK_DATA = {**CLASSIFICATION_2D, **REAL_SETS}
SNAPSHOTS = 50  # weight snapshots kept per training run (plus epoch 0): the replay slider's stops
BLOW_UP = 100.0  # a loss above this many times the starting loss counts as diverged, like core.optim
F = TypeVar("F", bound=Callable[..., Any])


def _one_thread(fn: F) -> F:
    """Run ``fn`` inside :func:`core.device.single_thread` for its ``device`` keyword: thousands of small
    tensor operations, where a second torch thread only waits (measured here on a loaded 2-core machine:
    1,000 batched 100 × 16 QR least-squares solves took 1.75 s on two threads, 0.05 s on one)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with single_thread(kwargs.get("device", "cpu")):
            return fn(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


# ------------------------------------------------------------------------------------------ data


def network_data(name: str, n: int = 400, noise: float = 0.15, seed: int = 0) -> Dataset:
    """A classification set for the network: the seeded 2-D shapes of :func:`core.data.classification_2d`
    ("moons", "circles", "xor", "spirals"; ``n``, ``noise``) or a bundled real set ("breast_cancer",
    "digits"; ``n`` and ``noise`` ignored). Real sets come raw: :func:`train_mlp` standardizes their
    columns with the training split's statistics."""
    if name in CLASSIFICATION_2D:
        return classification_2d(name, int(n), float(noise), int(seed))
    if name in REAL_SETS:
        return load_dataset(name)
    raise ValueError(f"Unknown data set {name!r}; choose one of {', '.join(NETWORK_DATA)}.")


def split(y: np.ndarray, train_fraction: float, seed: int = 0) -> np.ndarray:
    """A seeded, stratified train/test split: a boolean mask, True for training rows. In each class a
    shuffle, its first ``train_fraction`` share (at least one row) for training; 1.0 keeps every row."""
    if not 0 < train_fraction <= 1:
        raise ValueError("The training fraction must lie in (0, 1].")
    rng = np.random.default_rng(seed)
    mask = np.zeros(len(y), bool)
    for c in np.unique(y):
        idx = rng.permutation(np.flatnonzero(y == c))
        mask[idx[: max(1, round(train_fraction * len(idx)))]] = True
    return mask


# ------------------------------------------------------------------------------------- the network


def _act(name: str, z: torch.Tensor) -> torch.Tensor:
    if name == "sigmoid":
        return torch.sigmoid(z)
    if name == "tanh":
        return torch.tanh(z)
    if name == "relu":
        return torch.relu(z)
    raise ValueError(f"Unknown activation {name!r}; choose one of {', '.join(ACTIVATIONS)}.")


def activation_derivative(name: str, z: np.ndarray) -> np.ndarray:
    """σ'(z) in closed form, for drawing: sigmoid σ(1 − σ) ≤ 1/4, tanh 1 − tanh² ≤ 1, ReLU 0 or 1."""
    if name == "sigmoid":
        s = 1 / (1 + np.exp(-z))
        return s * (1 - s)
    if name == "tanh":
        return 1 - np.tanh(z) ** 2
    if name == "relu":
        return (z > 0).astype(float)
    raise ValueError(f"Unknown activation {name!r}; choose one of {', '.join(ACTIVATIONS)}.")


MAX_DERIVATIVE = {"sigmoid": 0.25, "tanh": 1.0, "relu": 1.0}


def init_weights(sizes: tuple[int, ...], activation: str, seed: int = 0,
                 device: torch.device | str = "cpu") -> list[tuple[torch.Tensor, torch.Tensor]]:
    """Initial (W, b) per layer for layer widths ``sizes`` = (inputs, *hidden, outputs): W ~ N(0, g/fan_in)
    with He's gain g = 2 for ReLU and LeCun's g = 1 for sigmoid and tanh (each activation at its own best),
    b = 0. The standard normal draws are the same for every activation (only the scale differs): drawn on
    the CPU in float64 inside :func:`seeded`, then moved to ``device`` in its compute dtype."""
    device = torch.device(device)
    gain = 2.0 if activation == "relu" else 1.0
    with seeded(seed):
        draws = [torch.randn(o, i, dtype=torch.float64) for i, o in itertools.pairwise(sizes)]
    dtype = compute_dtype(device)
    return [((d * math.sqrt(gain / d.shape[1])).to(device, dtype), torch.zeros(d.shape[0], device=device, dtype=dtype))
            for d in draws]


def forward(params: list[tuple[torch.Tensor, torch.Tensor]], X: torch.Tensor, activation: str,
            keep: bool = False) -> torch.Tensor | tuple[torch.Tensor, list[torch.Tensor], list[torch.Tensor]]:
    """The logits: h₀ = X, z_l = h_{l−1} W_lᵀ + b_l, h_l = σ(z_l) for hidden layers, the last z unactivated.
    With ``keep`` also every layer's input h_{l−1} and pre-activation z_l."""
    h, inputs, zs = X, [], []
    for i, (W, b) in enumerate(params):
        z = h @ W.T + b
        inputs.append(h)
        zs.append(z)
        h = _act(activation, z) if i < len(params) - 1 else z
    return (h, inputs, zs) if keep else h


def _penalty(params, l1: float, l2: float) -> torch.Tensor:
    """λ₁ Σ|W| + λ₂ Σ W² over the weight matrices (biases are not penalised)."""
    total = params[0][0].new_zeros(())
    for W, _ in params:
        if l1:
            total = total + l1 * W.abs().sum()
        if l2:
            total = total + l2 * (W * W).sum()
    return total


def _backward(params, inputs, zs, logits, y, activation: str, l2: float) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """Backpropagation written out (the book's Figure 1.2(c)): δ_L = (softmax − one-hot)/n at the output,
    ∂L/∂W_l = δ_lᵀ h_{l−1} (+ 2λ₂ W_l), ∂L/∂b_l = Σ δ_l, and δ_{l−1} = (δ_l W_l) ⊙ σ'(z_{l−1})."""
    d = torch.softmax(logits, dim=1)
    d[torch.arange(len(y), device=d.device), y] -= 1
    d /= len(y)
    grads = []
    for i in range(len(params) - 1, -1, -1):
        W = params[i][0]
        grads.append((d.T @ inputs[i] + 2 * l2 * W if l2 else d.T @ inputs[i], d.sum(0)))
        if i:
            h = inputs[i]  # σ(z_{i−1}): σ' from the activation itself
            slope = h * (1 - h) if activation == "sigmoid" else 1 - h * h if activation == "tanh" else zs[i - 1] > 0
            d = (d @ W) * slope
    return grads[::-1]


def loss_and_gradients(params: list[tuple[torch.Tensor, torch.Tensor]], X: torch.Tensor, y: torch.Tensor,
                       activation: str, l2: float = 0.0) -> tuple[float, list[tuple[torch.Tensor, torch.Tensor]]]:
    """Mean cross-entropy + λ₂ Σ W² and its gradient with respect to every W and b, by backpropagation:
    the step :func:`train_mlp` takes. The L1 part is not here: it is a proximal step."""
    with torch.no_grad():
        logits, inputs, zs = forward(params, X, activation, keep=True)
        loss = torch.nn.functional.cross_entropy(logits, y) + _penalty(params, 0.0, l2)
        return float(loss), _backward(params, inputs, zs, logits, y, activation, l2)


@dataclass(frozen=True)
class MLPResult:
    """A trained network with its history: per-epoch curves (index = epoch, 0 = before training) and the
    weights at :data:`SNAPSHOTS` + 1 evenly spaced epochs (the replay, which never re-trains)."""

    data: str
    sizes: tuple[int, ...]  # (inputs, *hidden widths, classes)
    activation: str
    lr: float
    l1: float
    l2: float
    epochs: int  # asked for
    seed: int
    X: np.ndarray  # (n, d) the inputs as the network sees them (real sets standardized by the training rows)
    y: np.ndarray  # (n,) class index
    is_train: np.ndarray  # (n,) bool
    feature_names: tuple[str, ...]
    class_names: tuple[str, ...]
    epochs_run: int  # epochs completed with a finite loss (== epochs unless it diverged)
    diverged_at: int | None  # the epoch whose step made the loss inf/NaN or > BLOW_UP × its start; None
    train_loss: np.ndarray  # (epochs_run + 1,) mean cross-entropy on the training rows
    test_loss: np.ndarray  # (epochs_run + 1,) on the test rows (NaN when there are none)
    train_acc: np.ndarray  # (epochs_run + 1,)
    test_acc: np.ndarray  # (epochs_run + 1,)
    penalty: np.ndarray  # (epochs_run + 1,) λ₁ Σ|W| + λ₂ Σ W²
    snapshot_epochs: np.ndarray  # (S,) increasing, first 0, last epochs_run
    weights: tuple[np.ndarray, ...]  # per layer (S, out, in)
    biases: tuple[np.ndarray, ...]  # per layer (S, out)

    def snapshot(self, epoch: int) -> int:
        """The index of the snapshot nearest ``epoch``."""
        return int(np.argmin(np.abs(self.snapshot_epochs - epoch)))

    def params(self, snapshot: int = -1) -> list[tuple[np.ndarray, np.ndarray]]:
        """(W, b) per layer at snapshot index ``snapshot`` (default: the last)."""
        return [(W[snapshot], b[snapshot]) for W, b in zip(self.weights, self.biases, strict=True)]


def _snapshot_epochs(epochs: int) -> set[int]:
    return {int(e) for e in np.round(np.linspace(0, epochs, min(epochs + 1, SNAPSHOTS + 1)))}


@_one_thread
def train_mlp(data: str = "moons", hidden: tuple[int, ...] = (8, 8), activation: str = "tanh", lr: float = 0.5,
              epochs: int = 300, l1: float = 0.0, l2: float = 0.0, train_fraction: float = 0.7, seed: int = 0,
              n: int = 400, noise: float = 0.15, progress: Progress = None,
              device: torch.device | str = "cpu") -> MLPResult:
    """Train a ``hidden``-width MLP with ``activation`` on :func:`network_data` by full-batch gradient
    descent: each epoch one step W ← W − lr ∇(cross-entropy + λ₂ Σ W²), then, with ``l1`` > 0, the L1
    proximal step W ← sign(W) max(|W| − lr λ₁, 0) (ISTA), which sets small weights exactly to zero.
    ``epochs`` = 0 returns the initial network. A step that makes the loss inf/NaN (or > :data:`BLOW_UP`
    times its start) stops training: ``diverged_at`` names it, the history ends at the epoch before."""
    if activation not in ACTIVATIONS:
        raise ValueError(f"Unknown activation {activation!r}; choose one of {', '.join(ACTIVATIONS)}.")
    if not hidden or min(hidden) < 1:
        raise ValueError("The network needs at least one hidden layer, each of at least one unit.")
    if not (math.isfinite(lr) and lr >= 0 and l1 >= 0 and l2 >= 0):
        raise ValueError("The learning rate and the penalties must be finite and not negative.")
    device = torch.device(device)
    dtype = compute_dtype(device)
    ds = network_data(data, n, noise, seed)
    is_train = split(ds.y, train_fraction, seed)
    X = np.asarray(ds.X, dtype=np.float64)
    if data in REAL_SETS:
        mu, sd = X[is_train].mean(axis=0), X[is_train].std(axis=0)
        X = (X - mu) / np.where(sd > 0, sd, 1.0)  # digits' always-blank border pixels stay 0
    classes = int(ds.y.max()) + 1
    sizes = (X.shape[1], *(int(h) for h in hidden), classes)
    params = init_weights(sizes, activation, seed, device)
    order = np.r_[np.flatnonzero(is_train), np.flatnonzero(~is_train)]  # training rows first: slices, not copies
    m = int(is_train.sum())
    Xt = torch.as_tensor(X[order], dtype=dtype, device=device)
    yt = torch.as_tensor(ds.y[order], device=device)
    epochs = max(0, int(epochs))
    keep = _snapshot_epochs(epochs)
    ce = torch.nn.functional.cross_entropy
    nan = torch.tensor(math.nan, dtype=dtype, device=device)
    rows: list[torch.Tensor] = []
    snaps: list[tuple[int, list[tuple[torch.Tensor, torch.Tensor]]]] = []

    def record(epoch: int, out: torch.Tensor, train_loss: torch.Tensor) -> None:
        hit = (out.argmax(1) == yt).to(dtype)
        test = (ce(out[m:], yt[m:]), hit[m:].mean()) if m < len(yt) else (nan, nan)
        rows.append(torch.stack([train_loss, test[0], hit[:m].mean(), test[1], _penalty(params, l1, l2)]))
        if epoch in keep:
            snaps.append((epoch, [(W.clone(), b.clone()) for W, b in params]))

    with torch.no_grad():
        out, inputs, zs = forward(params, Xt, activation, keep=True)
        start = ce(out[:m], yt[:m])
        record(0, out, start)
        limit = BLOW_UP * max(float(start), 1e-3)
        diverged = None
        for epoch in range(1, epochs + 1):
            grads = _backward(params, [h[:m] for h in inputs], [z[:m] for z in zs], out[:m], yt[:m], activation, l2)
            new = [(W - lr * gW, b - lr * gb) for (W, b), (gW, gb) in zip(params, grads, strict=True)]
            if l1:
                new = [(torch.sign(W) * torch.clamp(W.abs() - lr * l1, min=0.0), b) for W, b in new]
            out, inputs, zs = forward(new, Xt, activation, keep=True)
            loss = ce(out[:m], yt[:m])
            if not (float(loss) <= limit and all(bool(torch.isfinite(W).all()) for W, _ in new)):  # NaN fails too
                diverged = epoch
                break
            params = new
            record(epoch, out, loss)
            if progress and (epoch % max(1, epochs // 20) == 0 or epoch == epochs):
                progress(epoch / epochs, f"Training: epoch {epoch} of {epochs}, loss {float(loss):.3f}")
    run = len(rows) - 1
    if snaps[-1][0] != run:  # stopped early: the last finite weights are the replay's last stop
        snaps.append((run, [(W.clone(), b.clone()) for W, b in params]))
    hist = torch.stack(rows).to("cpu", torch.float64).numpy().T
    to_np = lambda t: t.detach().to("cpu", torch.float64).numpy()  # noqa: E731
    return MLPResult(data, sizes, activation, float(lr), float(l1), float(l2), epochs, int(seed), X,
                     np.asarray(ds.y), is_train, tuple(ds.feature_names), tuple(ds.target_names), run, diverged,
                     *hist, np.array([e for e, _ in snaps]),
                     tuple(np.stack([to_np(p[i][0]) for _, p in snaps]) for i in range(len(sizes) - 1)),
                     tuple(np.stack([to_np(p[i][1]) for _, p in snaps]) for i in range(len(sizes) - 1)))


def _tensor(a: np.ndarray) -> torch.Tensor:
    """A float64 CPU tensor of its own: a cached result's arrays are read-only, which torch.from_numpy warns of."""
    return torch.tensor(np.asarray(a, dtype=np.float64))


def predict_proba(result: MLPResult, snapshot: int = -1, X: np.ndarray | None = None) -> np.ndarray:
    """Class probabilities (n, classes) of the network at snapshot index ``snapshot`` on ``X`` (default: every
    row of ``result.X``), computed in float64 on the CPU from the stored weights."""
    params = [(_tensor(W), _tensor(b)) for W, b in result.params(snapshot)]
    Z = _tensor(result.X if X is None else X)
    with torch.no_grad():
        return torch.softmax(forward(params, Z, result.activation), dim=1).numpy()


def accuracy(result: MLPResult, snapshot: int = -1, which: str = "test") -> float:
    """The share of ``which`` ("train", "test" or "all") rows classified correctly at a snapshot."""
    rows = {"train": result.is_train, "test": ~result.is_train, "all": np.ones_like(result.is_train)}[which]
    if not rows.any():
        return math.nan
    pred = predict_proba(result, snapshot, result.X[rows]).argmax(1)
    return float((pred == result.y[rows]).mean())


def confusion(result: MLPResult, snapshot: int = -1, which: str = "test") -> np.ndarray:
    """The confusion matrix (classes × classes) of ``which`` rows at a snapshot: entry [i, j] counts rows of
    true class i predicted as j."""
    rows = {"train": result.is_train, "test": ~result.is_train, "all": np.ones_like(result.is_train)}[which]
    k = result.sizes[-1]
    pred = predict_proba(result, snapshot, result.X[rows]).argmax(1) if rows.any() else np.zeros(0, int)
    return np.bincount(result.y[rows] * k + pred, minlength=k * k).reshape(k, k)


@dataclass(frozen=True)
class Surface:
    xs: np.ndarray  # (G,)
    ys: np.ndarray  # (G,)
    prob: np.ndarray  # (G, G) P(class 1) at (ys[i], xs[j])
    epoch: int


def decision_surface(result: MLPResult, snapshot: int = -1, resolution: int = 80, margin: float = 0.5) -> Surface:
    """P(class 1) of a 2-D, two-class network on a ``resolution``² grid around its data, at a snapshot."""
    if result.X.shape[1] != 2 or result.sizes[-1] != 2:
        raise ValueError("A decision surface needs 2-D inputs and two classes.")
    lo, hi = result.X.min(axis=0) - margin, result.X.max(axis=0) + margin
    xs, ys = np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution)
    grid = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2)
    prob = predict_proba(result, snapshot, grid)[:, 1].reshape(resolution, resolution)
    return Surface(xs, ys, prob, int(result.snapshot_epochs[snapshot]))


@dataclass(frozen=True)
class Neuron:
    """One neuron's operation on one sample, Figure 1.2(b): z = w·x + b, a = σ(z)."""

    layer: int  # 1 = first hidden layer; len(sizes) − 1 = the output layer
    unit: int
    sample: int  # row of result.X
    epoch: int
    activation: str  # the hidden activation, or "softmax" for the output layer
    x: np.ndarray  # (fan_in,) the layer's inputs: the sample itself for layer 1, else the previous activations
    w: np.ndarray  # (fan_in,) the unit's weights
    b: float
    products: np.ndarray  # (fan_in,) w * x
    z: float  # w·x + b
    a: float  # σ(z); for the output layer softmax(z)[unit], P(class = unit)


def neuron(result: MLPResult, layer: int, unit: int, sample: int, snapshot: int = -1) -> Neuron:
    """The numbers inside unit ``unit`` of ``layer`` for row ``sample`` at a snapshot, from the forward pass."""
    params = result.params(snapshot)
    if not 1 <= layer <= len(params):
        raise ValueError(f"Layer must be 1 to {len(params)}.")
    W, b = params[layer - 1]
    if not 0 <= unit < W.shape[0]:
        raise ValueError(f"Layer {layer} has units 0 to {W.shape[0] - 1}.")
    if not 0 <= sample < len(result.X):
        raise ValueError(f"Samples are numbered 0 to {len(result.X) - 1}.")
    tp = [(_tensor(Wl), _tensor(bl)) for Wl, bl in params]
    with torch.no_grad():
        _, inputs, zs = forward(tp, _tensor(result.X[[sample]]), result.activation, keep=True)
    x, z_all = inputs[layer - 1][0].numpy(), zs[layer - 1][0]
    out = layer == len(params)
    a = torch.softmax(z_all, 0)[unit] if out else _act(result.activation, z_all[unit])
    return Neuron(layer, unit, int(sample), int(result.snapshot_epochs[snapshot]),
                  "softmax" if out else result.activation, x, W[unit].copy(), float(b[unit]), W[unit] * x,
                  float(z_all[unit]), float(a))


# ----------------------------------------------------------------------------- vanishing gradients


@dataclass(frozen=True)
class Vanishing:
    activations: tuple[str, ...]
    depth: int  # hidden layers
    width: int
    grad_norm: np.ndarray  # (A, steps + 1, depth + 1) ‖∂L/∂W_l‖_F per layer l = 1 (input side) … depth + 1
    loss: np.ndarray  # (A, steps + 1) training loss before each step
    z: np.ndarray  # (Z,) where σ' is drawn
    derivative: np.ndarray  # (A, Z) σ'(z)
    max_derivative: tuple[float, ...]  # (A,) sup σ': 1/4, 1, 1


@_one_thread
def vanishing_gradients(depth: int = 8, width: int = 16, activations: tuple[str, ...] = ACTIVATIONS,
                        steps: int = 10, lr: float = 0.1, data: str = "moons", n: int = 200, seed: int = 0,
                        progress: Progress = None, device: torch.device | str = "cpu") -> Vanishing:
    """The gradient norm of every layer's weights in a ``depth``-hidden-layer, ``width``-wide network, at
    initialisation (step 0) and over ``steps`` full-batch gradient-descent steps, for each activation.
    Every activation starts from the same normal draws (:func:`init_weights`: He scaling for ReLU, LeCun for
    the others). Backpropagation multiplies by σ'(z) ≤ 1/4 once per sigmoid layer, hence the decay."""
    device = torch.device(device)
    dtype = compute_dtype(device)
    ds = network_data(data, n, 0.15, seed)
    X = torch.as_tensor(ds.X, dtype=dtype, device=device)
    y = torch.as_tensor(np.array(ds.y), device=device)
    sizes = (X.shape[1], *([int(width)] * int(depth)), int(ds.y.max()) + 1)
    norms = np.zeros((len(activations), steps + 1, len(sizes) - 1))
    losses = np.zeros((len(activations), steps + 1))
    for k, act in enumerate(activations):
        params = init_weights(sizes, act, seed, device)
        for t in range(steps + 1):
            loss, grads = loss_and_gradients(params, X, y, act)
            losses[k, t] = loss
            norms[k, t] = [float(torch.linalg.norm(gW)) for gW, _ in grads]
            with torch.no_grad():
                params = [(W - lr * gW, b - lr * gb) for (W, b), (gW, gb) in zip(params, grads, strict=True)]
        if progress:
            progress((k + 1) / len(activations), f"{act}: done")
    z = np.linspace(-6, 6, 241)
    return Vanishing(tuple(activations), int(depth), int(width), norms, losses, z,
                     np.array([activation_derivative(a, z) for a in activations]),
                     tuple(MAX_DERIVATIVE[a] for a in activations))


# --------------------------------------------------------------------------------- bias–variance

TRUTHS = {"sine": "sin(2.5 x)", "cubic": "x³ − x / 2"}
MAX_DEGREE = 15  # the Vandermonde matrix's condition number on [−1, 1] grows like 3^degree: fine in float64


def truth(name: str, x: np.ndarray) -> np.ndarray:
    """The known function the resampled training sets are drawn from, on x ∈ [−1, 1]."""
    if name == "sine":
        return np.sin(2.5 * x)
    if name == "cubic":
        return x**3 - x / 2
    raise ValueError(f"Unknown truth {name!r}; choose one of {', '.join(TRUTHS)}.")


def poly_fit(x: torch.Tensor, y: torch.Tensor, degree: int) -> torch.Tensor:
    """Least-squares polynomial coefficients (c₀, c₁, …, c_degree), increasing powers, by
    ``torch.linalg.lstsq`` (QR, the one driver CUDA has) on the Vandermonde matrix, which must have more rows
    than columns and distinct x; ``x`` and ``y`` may carry leading batch dimensions."""
    V = torch.stack([x**p for p in range(degree + 1)], dim=-1)
    return torch.linalg.lstsq(V, y.unsqueeze(-1), driver="gels").solution[..., 0]  # QR: V has full column rank


def poly_eval(coef: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """Σ_p c_p x^p for coefficient rows (..., P) at points (M,): (..., M)."""
    return coef @ torch.stack([x**p for p in range(coef.shape[-1])], dim=0)


@dataclass(frozen=True)
class BiasVariance:
    """Expected test error of polynomial fits, decomposed: bias² + variance + noise, per degree."""

    degrees: np.ndarray  # (D,)
    truth: str
    noise_sd: float
    n_train: int
    n_sets: int
    bias2: np.ndarray  # (D,) mean over test x of (mean fit − truth)²
    variance: np.ndarray  # (D,) mean over test x of the fits' variance across training sets
    noise: np.ndarray  # (D,) σ², the irreducible error
    expected_error: np.ndarray  # (D,) measured: mean over sets and test points of (fresh y − fit)²
    std_error: np.ndarray  # (D,) standard error of expected_error − (bias² + variance + noise)
    train_error: np.ndarray  # (D,) mean training mean-squared error
    x_grid: np.ndarray  # (G,)
    truth_grid: np.ndarray  # (G,)
    fits_grid: np.ndarray  # (D, n_draw, G) the first n_draw fits, for faint lines
    mean_fit_grid: np.ndarray  # (D, G) the mean of all n_sets fits
    x_example: np.ndarray  # (n_train,) the first training set, for drawing
    y_example: np.ndarray  # (n_train,)


@_one_thread
def bias_variance(degrees: tuple[int, ...] = tuple(range(10)), n_train: int = 30, n_sets: int = 200,
                  noise_sd: float = 0.3, truth_name: str = "sine", n_test: int = 200, n_draw: int = 20,
                  resolution: int = 120, seed: int = 0, device: torch.device | str = "cpu") -> BiasVariance:
    """``n_sets`` training sets of ``n_train`` points (x ~ U[−1, 1], y = truth(x) + N(0, noise_sd²)), one
    least-squares polynomial per set and degree (batched :func:`poly_fit`, float64 on any device: the
    Vandermonde matrix of degree 12 is too ill-conditioned for float32). At ``n_test`` fixed test points
    x_j, with a fresh noisy y for every set: measured error = mean (y − f̂_s(x_j))²; bias² = mean_j (f̄ − f)²,
    variance = mean_j of the fits' population variance over sets, noise = σ². The two sides differ only by
    (mean ε² − σ²) − 2 mean ε (f̂ − f), reported as ``std_error``, the standard error of that difference."""
    device = torch.device(device)
    if not degrees or min(degrees) < 0 or max(degrees) > MAX_DEGREE or n_train < max(degrees) + 1 or n_sets < 2:
        raise ValueError(f"Degrees must lie in 0…{MAX_DEGREE}, with more training points than the largest "
                         "degree and at least 2 training sets.")
    rng = np.random.default_rng(seed)
    xs = rng.uniform(-1, 1, (n_sets, n_train))
    ys = truth(truth_name, xs) + noise_sd * rng.standard_normal(xs.shape)
    xt = rng.uniform(-1, 1, n_test)
    yt = truth(truth_name, xt) + noise_sd * rng.standard_normal((n_sets, n_test))
    xg = np.linspace(-1, 1, resolution)
    T = lambda a: torch.as_tensor(a, dtype=torch.float64, device=device)  # noqa: E731
    Xs, Ys, Xt, Yt, Xg, Ft = T(xs), T(ys), T(xt), T(yt), T(xg), T(truth(truth_name, xt))
    out = {k: [] for k in ("b", "v", "e", "se", "tr", "g", "m")}
    for d in degrees:
        coef = poly_fit(Xs, Ys, int(d))  # (S, d + 1)
        fit = poly_eval(coef, Xt)  # (S, n_test)
        mean = fit.mean(0)
        b2, var = (mean - Ft) ** 2, fit.var(0, unbiased=False)
        err = (Yt - fit) ** 2
        eps = Yt - Ft  # the test noise: err − (b² + var + σ²) averages exactly to the mean of r below
        r = eps**2 - noise_sd**2 - 2 * eps * (fit - Ft)
        out["b"].append(float(b2.mean()))
        out["v"].append(float(var.mean()))
        out["e"].append(float(err.mean()))
        out["se"].append(float(r.std() / math.sqrt(r.numel())))  # r's terms are uncorrelated given the fits
        train_fit = (torch.stack([Xs**p for p in range(int(d) + 1)], dim=-1) * coef[:, None, :]).sum(-1)
        out["tr"].append(float(((Ys - train_fit) ** 2).mean()))
        grid = poly_eval(coef, Xg)
        out["g"].append(grid[:n_draw].cpu().numpy())
        out["m"].append(grid.mean(0).cpu().numpy())
    D = len(degrees)
    return BiasVariance(np.asarray(degrees), truth_name, float(noise_sd), int(n_train), int(n_sets),
                        np.array(out["b"]), np.array(out["v"]), np.full(D, noise_sd**2), np.array(out["e"]),
                        np.array(out["se"]), np.array(out["tr"]), xg, truth(truth_name, xg),
                        np.array(out["g"]).reshape(D, min(n_draw, n_sets), resolution), np.array(out["m"]),
                        xs[0], ys[0])


# ------------------------------------------------------------------------------------- L1 versus L2


@dataclass(frozen=True)
class Penalties:
    """The same network trained three ways: no penalty, L1 (λ₁ Σ|W|), L2 (λ₂ Σ W²). Index 0, 1, 2."""

    names: tuple[str, ...]  # ("none", "L1", "L2")
    runs: tuple[MLPResult, ...]
    weights: tuple[np.ndarray, ...]  # final weight-matrix entries of each run, flattened (biases left out)
    zeros: np.ndarray  # (3,) exact zeros among them
    bin_edges: np.ndarray  # (B + 1,) shared by the three histograms
    counts: np.ndarray  # (3, B)
    train_loss: np.ndarray  # (3,) final cross-entropy (without the penalty)
    test_loss: np.ndarray  # (3,)
    gap: np.ndarray  # (3,) test − train


def l1_vs_l2(data: str = "breast_cancer", hidden: tuple[int, ...] = (16,), activation: str = "tanh",
             lr: float = 0.3, epochs: int = 300, l1: float = 0.003, l2: float = 0.01, train_fraction: float = 0.3,
             seed: int = 0, bins: int = 40, progress: Progress = None,
             device: torch.device | str = "cpu") -> Penalties:
    """:func:`train_mlp` three times from the same initial weights and split: unpenalised, with L1, with L2."""
    runs = []
    for i, (a, b) in enumerate(((0.0, 0.0), (l1, 0.0), (0.0, l2))):
        runs.append(train_mlp(data, hidden, activation, lr, epochs, a, b, train_fraction, seed, device=device))
        if progress:
            progress((i + 1) / 3, f"Trained {('without a penalty', 'with L1', 'with L2')[i]}")
    weights = tuple(np.concatenate([W[-1].ravel() for W in r.weights]) for r in runs)
    top = max(float(np.abs(w).max()) for w in weights) or 1.0
    edges = np.linspace(-top, top, bins + 1)
    train = np.array([r.train_loss[-1] for r in runs])
    test = np.array([r.test_loss[-1] for r in runs])
    return Penalties(("none", "L1", "L2"), tuple(runs), weights, np.array([int((w == 0).sum()) for w in weights]),
                     edges, np.array([np.histogram(w, edges)[0] for w in weights]), train, test, test - train)
