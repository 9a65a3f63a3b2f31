"""The curvature of a loss surface: the Hessian of a small network's training loss, its spectrum, slices of
the loss along its eigenvectors and along random directions, and the sharpness during training.

The network is a multilayer perceptron on a bundled data set (standardised columns, every row used for
training: the surface studied is the training loss), written as a function of **one flat parameter vector**
θ ∈ Rᴾ (each layer's W row by row, then its b), so that the Hessian is one P × P matrix. Its initial
weights are :func:`core.networks.init_weights` (seeded, LeCun/He scale). The loss is the mean cross-entropy
or, as in Cohen et al. (2021), the mean squared error ½‖f(x) − onehot(y)‖² averaged over the rows.

* **Exact Hessian** (P ≤ :data:`MAX_DENSE`): ``torch.func.jacrev`` of ``torch.func.grad``, its rows
  vmapped in chunks that bound the memory, then symmetrised; eigenvalues by ``torch.linalg.eigvalsh``. It
  costs P Hessian-vector products, each a few passes over the data: about P × rows × widest layer, so a page
  should cap P by the data set (measured here: iris P = 1,963 in 0.9 s, digits P = 610 in 0.35 s and
  P = 1,885 in 2.4 s). Negative and zero eigenvalues are kept as they are: away from a
  minimum, or with more parameters than constraints, the Hessian is indefinite or singular. Past
  :data:`MAX_DENSE` parameters the dense path refuses (a DataError that says to use Lanczos).
* **Top eigenvalues by Lanczos** on Hessian-vector products, never forming H: either scipy's ARPACK
  (``eigsh`` with a ``LinearOperator`` whose matvec is an HVP) or Lanczos with full reorthogonalisation
  written here in torch (the Ritz values of the m-step Krylov space; residual norms from the last β).
* **Slices** L(θ* + αd) and L(θ* + αd₁ + βd₂) along the top Hessian eigenvectors (unit vectors, so that
  L ≈ L* + gᵀd α + ½λα² near θ*) and along random directions that are *filter-normalised* (Li et al. 2018,
  "Visualizing the loss landscape of neural nets"): a Gaussian direction whose every filter (the incoming
  weights of one unit: a row of W) is rescaled to the norm of the same filter of θ*, and whose biases are 0.
* **Edge of stability** (Cohen et al. 2021): full-batch gradient descent with step η is stable on a quadratic
  only while the sharpness λ_max < 2/η; on a network the sharpness rises during training until it reaches
  2/η and then hovers there while the loss keeps falling, non-monotonically. The sharpness is tracked by
  Lanczos warm-started from the previous top eigenvector (8 steps every 2nd step by default: within 2e-4 of
  20 steps on the default network).

:func:`problem`, :func:`trained`, :func:`hvp_function`, :func:`dense_hessian`, :func:`lanczos` and
:func:`filter_normalised` are the torch-level pieces (tensors in, tensors out) for tests and other core code;
the views a page calls return frozen dataclasses of CPU numpy arrays.
"""

from __future__ import annotations

import functools
import itertools
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch.func import grad, jacrev

from core.data import DataError, load_dataset
from core.device import compute_dtype, single_thread
from core.networks import init_weights

Progress = Callable[[float, str], None] | None
DATASETS = {"iris": "Iris: 150 flowers, 4 measurements, 3 species",
            "breast_cancer": "Breast cancer: 569 tumours, 30 features, 2 classes",
            "digits": "Digits: 1,797 images of 8×8 pixels, 10 classes"}
LOSSES = {"cross_entropy": "mean cross-entropy", "mse": "mean squared error ½‖f(x) − onehot(y)‖²"}
ACTIVATIONS = ("tanh", "sigmoid", "relu")
MAX_DENSE = 2000  # parameters: past this the exact Hessian (P² entries, P HVPs) is refused; use Lanczos
MAX_PARAMS = 100_000
MAX_HIDDEN = 512
CHUNK_ELEMENTS = 2_000_000  # Hessian rows at once × data rows × widest layer: bounds the dense path's memory
TRAIN_STEPS_MAX = 5000
BLOW_UP = 100.0  # a loss above this many times the starting loss counts as diverged (as in core.networks)


@dataclass(frozen=True)
class Problem:
    """A network and its data on one device: the training loss as a function of θ."""

    data: str
    sizes: tuple[int, ...]
    activation: str
    loss_name: str
    X: torch.Tensor  # (n, d) standardised
    y: torch.Tensor  # (n,) class index
    Y: torch.Tensor  # (n, K) one-hot
    shapes: tuple[tuple[int, int], ...]  # (out, in) per layer

    @property
    def n_params(self) -> int:
        return sum(o * i + o for o, i in self.shapes)

    def blocks(self) -> list[tuple[slice, slice]]:
        """(W slice, b slice) of θ per layer."""
        out, at = [], 0
        for o, i in self.shapes:
            out.append((slice(at, at + o * i), slice(at + o * i, at + o * i + o)))
            at += o * i + o
        return out

    def logits(self, theta: torch.Tensor) -> torch.Tensor:
        """The outputs for θ of shape (P,) or a batch (B, P): (n, K) or (B, n, K)."""
        h = self.X
        last = len(self.shapes) - 1
        for li, ((o, i), (ws, bs)) in enumerate(zip(self.shapes, self.blocks(), strict=True)):
            W = theta[..., ws].reshape(*theta.shape[:-1], o, i)
            h = h @ W.transpose(-1, -2) + theta[..., bs].unsqueeze(-2)
            if li < last:
                h = torch.tanh(h) if self.activation == "tanh" else (
                    torch.sigmoid(h) if self.activation == "sigmoid" else torch.relu(h))
        return h

    def loss(self, theta: torch.Tensor) -> torch.Tensor:
        """The training loss at θ (P,), or at each row of a batch (B, P)."""
        return self.loss_of_logits(self.logits(theta))

    def loss_of_logits(self, z: torch.Tensor) -> torch.Tensor:
        if self.loss_name == "mse":
            return 0.5 * ((z - self.Y) ** 2).sum(-1).mean(-1)
        logp = torch.log_softmax(z, -1)
        return -logp.gather(-1, self.y.expand(*z.shape[:-1]).unsqueeze(-1)).squeeze(-1).mean(-1)

    def accuracy(self, theta: torch.Tensor) -> float:
        return float((self.logits(theta).argmax(-1) == self.y).to(torch.float64).mean())


def _hidden(hidden: Sequence[int] | int) -> tuple[int, ...]:
    widths = (int(hidden),) if isinstance(hidden, int | np.integer) else tuple(int(h) for h in hidden)
    if not 1 <= len(widths) <= 3 or not all(1 <= h <= MAX_HIDDEN for h in widths):
        raise DataError(f"Use 1 to 3 hidden layers of 1 to {MAX_HIDDEN} units.")
    return widths


def problem(data: str = "iris", hidden: Sequence[int] | int = (16,), activation: str = "tanh",
            loss: str = "cross_entropy", device: torch.device | str = "cpu") -> Problem:
    """The network ``data`` → ``hidden`` → classes with ``activation`` and training loss ``loss``."""
    if data not in DATASETS:
        raise DataError(f"Unknown data set {data!r}; choose one of {', '.join(DATASETS)}.")
    if activation not in ACTIVATIONS:
        raise DataError(f"Unknown activation {activation!r}; choose one of {', '.join(ACTIVATIONS)}.")
    if loss not in LOSSES:
        raise DataError(f"Unknown loss {loss!r}; choose one of {', '.join(LOSSES)}.")
    widths = _hidden(hidden)
    device = torch.device(device)
    dtype = compute_dtype(device)
    ds = load_dataset(data)
    X = np.asarray(ds.X, dtype=np.float64)
    sd = X.std(axis=0)
    X = (X - X.mean(axis=0)) / np.where(sd > 0, sd, 1.0)
    K = len(ds.target_names)
    sizes = (X.shape[1], *widths, K)
    shapes = tuple((o, i) for i, o in itertools.pairwise(sizes))
    p = sum(o * i + o for o, i in shapes)
    if p > MAX_PARAMS:
        raise DataError(f"This network has {p:,} parameters; keep it under {MAX_PARAMS:,}.")
    y = torch.as_tensor(np.array(ds.y), device=device)
    return Problem(data, sizes, activation, loss, torch.as_tensor(X, dtype=dtype, device=device), y,
                   torch.nn.functional.one_hot(y, K).to(dtype), shapes)


def initial_theta(prob: Problem, seed: int) -> torch.Tensor:
    """The flat θ of :func:`core.networks.init_weights` for this network."""
    params = init_weights(prob.sizes, prob.activation, seed, device=prob.X.device)
    return torch.cat([torch.cat([W.reshape(-1), b]) for W, b in params]).to(prob.X.dtype)


def _check_training(steps: int, lr: float) -> None:
    if not 0 <= int(steps) <= TRAIN_STEPS_MAX:
        raise DataError(f"Train for 0 to {TRAIN_STEPS_MAX:,} steps.")
    if not (math.isfinite(lr) and 0 < lr <= 100):
        raise DataError("The step size must be a positive number (at most 100).")


_TRAINED: OrderedDict[tuple, tuple[np.ndarray, np.ndarray]] = OrderedDict()
_TRAINED_LOCK = threading.Lock()
TRAINED_CACHE = 32  # trained networks kept (a few kB each)


def _trained_cpu(data: str, hidden: tuple[int, ...], activation: str, loss: str, steps: int, lr: float,
                 seed: int, progress: Progress = None) -> tuple[np.ndarray, np.ndarray]:
    """θ after ``steps`` full-batch Adam steps (float64 on the CPU) and the loss before each step, kept in a
    small process-wide cache so that every view of one network (spectrum, Lanczos, slices) trains it once.
    (Not ``lru_cache``: ``progress`` must not be part of the key.)"""
    key = (data, hidden, activation, loss, steps, lr, seed)
    with _TRAINED_LOCK:
        if key in _TRAINED:
            _TRAINED.move_to_end(key)
            return _TRAINED[key]
    prob = problem(data, hidden, activation, loss, "cpu")
    theta = initial_theta(prob, seed).requires_grad_(True)
    opt = torch.optim.Adam([theta], lr=lr)
    losses = []
    with single_thread("cpu"), torch.enable_grad():
        for t in range(steps):
            opt.zero_grad()
            value = prob.loss(theta)
            value.backward()
            opt.step()
            losses.append(value.item())
            if not math.isfinite(losses[-1]):
                break
            if progress and (t + 1) % max(1, steps // 10) == 0:
                progress(0.5 * (t + 1) / steps, f"Training the network: step {t + 1} of {steps}")
    out = theta.detach().numpy().copy()
    out.setflags(write=False)
    result = (out, np.asarray(losses))
    with _TRAINED_LOCK:
        _TRAINED[key] = result
        while len(_TRAINED) > TRAINED_CACHE:
            _TRAINED.popitem(last=False)
    return result


def trained(data: str = "iris", hidden: Sequence[int] | int = (16,), activation: str = "tanh",
            loss: str = "cross_entropy", steps: int = 200, lr: float = 0.05, seed: int = 0,
            device: torch.device | str = "cpu", progress: Progress = None) -> tuple[Problem, torch.Tensor]:
    """The problem and θ* after ``steps`` full-batch Adam steps of size ``lr`` from the seeded start (trained
    once per process for each setting; ``progress`` hears the training, as the first half of the bar)."""
    _check_training(steps, lr)
    widths = _hidden(hidden)
    prob = problem(data, widths, activation, loss, device)
    theta, losses = _trained_cpu(data, widths, activation, loss, int(steps), float(lr), int(seed), progress)
    if len(losses) and not np.isfinite(losses[-1]):
        raise DataError(f"Training diverged at step {len(losses)} (the loss became {losses[-1]}): take a smaller "
                        "step size.")
    return prob, torch.from_numpy(theta.copy()).to(prob.X.device, prob.X.dtype)


def hvp_function(prob: Problem, theta: torch.Tensor) -> Callable[[torch.Tensor], torch.Tensor]:
    """v ↦ H(θ) v by double backward: the gradient's graph is built once, then each product is one backward
    pass through it (on the CPU about five times faster per product than ``torch.func.jvp`` of
    ``torch.func.grad``, whose transforms are re-applied on every call)."""
    with torch.enable_grad():
        x = theta.detach().clone().requires_grad_(True)
        (g,) = torch.autograd.grad(prob.loss(x), x, create_graph=True)

    def hvp(v: torch.Tensor) -> torch.Tensor:
        with torch.enable_grad():
            return torch.autograd.grad(g, x, grad_outputs=v, retain_graph=True)[0]

    return hvp


def _refuse_dense(p: int) -> None:
    if p > MAX_DENSE:
        raise DataError(f"This network has {p:,} parameters: its exact Hessian would have {p * p:,} entries and cost "
                        f"{p:,} Hessian-vector products. The dense path stops at {MAX_DENSE:,} parameters; use "
                        "Lanczos (top eigenvalues from Hessian-vector products) instead.")


def dense_hessian(prob: Problem, theta: torch.Tensor, chunk_elements: int = CHUNK_ELEMENTS) -> torch.Tensor:
    """The exact P × P Hessian of the loss at θ: ``torch.func.jacrev`` of ``torch.func.grad`` (reverse over
    reverse), its rows vmapped in chunks of at most ``chunk_elements`` / (rows × widest layer), then
    symmetrised ½(H + Hᵀ). (Forward over reverse, ``jacfwd``, was slower here and its first call in a
    process loads torch's forward-mode decompositions, 0.4 s.)"""
    p = prob.n_params
    _refuse_dense(p)
    chunk = max(1, int(chunk_elements) // (len(prob.X) * max(prob.sizes)))
    H = jacrev(grad(prob.loss), chunk_size=min(chunk, p))(theta)
    return 0.5 * (H + H.T)


@dataclass(frozen=True)
class HessianSpectrum:
    """The exact Hessian of the training loss at the trained θ*, and its eigenvalues."""

    data: str
    sizes: tuple[int, ...]
    n_params: int
    loss: float  # L(θ*)
    accuracy: float
    grad_norm: float  # ‖∇L(θ*)‖: how far from a stationary point
    eigenvalues: np.ndarray  # (P,) ascending, as computed (negative and zero ones kept)
    hessian: np.ndarray | None  # (P, P) when P ≤ 1,000 (for a heatmap), else None
    layer_edges: np.ndarray  # (layers + 1,) where each layer's block starts in θ (W then b)
    negative: int  # eigenvalues below −tol
    near_zero: int  # |λ| ≤ tol, tol = 1e-6·max|λ| (P·ε·max|λ| if larger)
    tol: float
    train_losses: np.ndarray  # the training run's loss per step
    seconds_hessian: float
    seconds_eig: float


def hessian_spectrum(data: str = "iris", hidden: Sequence[int] | int = (16,), activation: str = "tanh",
                     loss: str = "cross_entropy", steps: int = 200, lr: float = 0.05, seed: int = 0,
                     progress: Progress = None, device: torch.device | str = "cpu") -> HessianSpectrum:
    """Train (full-batch Adam, cached) and return the exact Hessian's spectrum at θ*. Refuses networks with
    more than :data:`MAX_DENSE` parameters (use :func:`top_eigenvalues`)."""
    _refuse_dense(problem(data, _hidden(hidden), activation, loss).n_params)  # before training, not after
    prob, theta = trained(data, hidden, activation, loss, steps, lr, seed, device, progress)
    if progress:
        progress(0.5, f"The exact Hessian: {prob.n_params:,} × {prob.n_params:,}…")
    with single_thread(prob.X.device):
        t0 = time.perf_counter()
        H = dense_hessian(prob, theta)
        t1 = time.perf_counter()
        lam = torch.linalg.eigvalsh(H)
        t2 = time.perf_counter()
        with torch.enable_grad():
            th = theta.clone().requires_grad_(True)
            value = prob.loss(th)
            (g,) = torch.autograd.grad(value, th)
    ev = lam.to("cpu", torch.float64).numpy()
    scale = float(np.abs(ev).max()) if len(ev) else 0.0
    eps = float(torch.finfo(theta.dtype).eps)
    tol = max(1e-6 * scale, len(ev) * eps * scale)
    edges = np.cumsum([0] + [o * i + o for o, i in prob.shapes])
    _, losses = _trained_cpu(data, _hidden(hidden), activation, loss, int(steps), float(lr), int(seed))
    if progress:
        progress(1.0, "Done")
    return HessianSpectrum(data, prob.sizes, prob.n_params, value.item(), prob.accuracy(theta), float(g.norm()), ev,
                           H.to("cpu", torch.float64).numpy() if prob.n_params <= 1000 else None, edges,
                           int((ev < -tol).sum()), int((np.abs(ev) <= tol).sum()), tol, losses, t1 - t0, t2 - t1)


# ------------------------------------------------------------------------------------------ Lanczos


def lanczos(matvec: Callable[[torch.Tensor], torch.Tensor], v0: torch.Tensor, iterations: int, k: int = 1,
            tol: float | None = None) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, int]:
    """Lanczos with full reorthogonalisation (each new vector orthogonalised twice against all earlier ones):
    after m ≤ ``iterations`` matvecs, the k largest Ritz values of the tridiagonal T (descending), their Ritz
    vectors (P, k) and residual norms |β_m s_m| (= ‖Hx − θx‖ for each), and m. Stops early on an invariant
    subspace or, with ``tol``, once every residual is below ``tol`` × the largest |Ritz value| (checked every
    5 steps)."""
    p = v0.numel()
    m_max = min(int(iterations), p)
    Q = torch.zeros(m_max, p, dtype=v0.dtype, device=v0.device)
    alpha = torch.zeros(m_max, dtype=v0.dtype, device=v0.device)
    beta = torch.zeros(m_max, dtype=v0.dtype, device=v0.device)
    q = v0 / v0.norm()

    def ritz(m: int):
        T = torch.diag(alpha[:m]) + torch.diag(beta[: m - 1], 1) + torch.diag(beta[: m - 1], -1)
        theta, S = torch.linalg.eigh(T)
        top = torch.arange(m - 1, max(m - 1 - k, -1), -1, device=v0.device)
        return theta[top], S[:, top], (beta[m - 1] * S[m - 1, top]).abs()

    m = 0
    for j in range(m_max):
        Q[j] = q
        w = matvec(q)
        alpha[j] = q @ w
        for _ in range(2):
            w = w - Q[:j + 1].T @ (Q[:j + 1] @ w)
        m = j + 1
        b = w.norm()
        beta[j] = b
        if b <= 1e-12 * max(float(alpha[:m].abs().max()), 1e-300) or m == m_max:
            break
        if tol is not None and m >= k and m % 5 == 0:
            vals, _, resid = ritz(m)
            if float(resid.max()) <= tol * max(float(vals.abs().max()), 1e-300):
                break
        q = w / b
    vals, S, resid = ritz(m)
    return vals, Q[:m].T @ S, resid, m


@dataclass(frozen=True)
class TopEigen:
    """The k largest Hessian eigenvalues at θ* by an iterative method that only needs H·v."""

    method: str  # "scipy" (ARPACK eigsh) or "lanczos" (written here)
    n_params: int
    eigenvalues: np.ndarray  # (k,) descending
    eigenvectors: np.ndarray  # (P, k) unit columns
    residuals: np.ndarray  # (k,) ‖Hv − λv‖
    matvecs: int  # Hessian-vector products used
    seconds: float


def _top(prob: Problem, theta: torch.Tensor, k: int, method: str, iterations: int, seed: int,
         v0: torch.Tensor | None = None) -> TopEigen:
    p = prob.n_params
    if not 1 <= k <= min(20, p - 1):
        raise DataError(f"Ask for 1 to {min(20, p - 1)} eigenvalues.")
    if method not in ("scipy", "lanczos"):
        raise DataError("Choose the method 'scipy' (ARPACK) or 'lanczos'.")
    hvp = hvp_function(prob, theta)
    count = [0]

    def mv(v: torch.Tensor) -> torch.Tensor:
        count[0] += 1
        return hvp(v)

    if v0 is None:
        gen = torch.Generator().manual_seed(int(seed))
        v0 = torch.randn(p, generator=gen, dtype=torch.float64).to(theta.device, theta.dtype)
    start = time.perf_counter()
    if method == "lanczos":
        tol = 1e-10 if theta.dtype == torch.float64 else 1e-5
        vals, vecs, resid, _ = lanczos(mv, v0, iterations, k, tol)
        vals, vecs, resid = (t.to("cpu", torch.float64).numpy() for t in (vals, vecs, resid))
    else:
        from scipy.sparse.linalg import ArpackNoConvergence, LinearOperator, eigsh
        from threadpoolctl import threadpool_limits

        dev, dtype = theta.device, theta.dtype

        def matvec(x: np.ndarray) -> np.ndarray:
            return mv(torch.as_tensor(np.ravel(x), dtype=dtype, device=dev)).to("cpu", torch.float64).numpy()

        op = LinearOperator((p, p), matvec=matvec, dtype=np.float64)
        try:  # ARPACK's own linear algebra on one BLAS thread: on two shared cores its threads only contend
            with threadpool_limits(1):
                vals, vecs = eigsh(op, k=k, which="LA", v0=v0.to("cpu", torch.float64).numpy(), tol=1e-10,
                                   ncv=min(p, max(2 * k + 1, 20)), maxiter=max(10, iterations))
        except ArpackNoConvergence as err:
            vals, vecs = err.eigenvalues, err.eigenvectors
        order = np.argsort(vals)[::-1]
        vals, vecs = vals[order], vecs[:, order]
        HV = np.stack([matvec(vecs[:, i]) for i in range(len(vals))], 1) if len(vals) else np.zeros((p, 0))
        count[0] -= len(vals)  # the residual check is not part of the method's cost
        resid = np.linalg.norm(HV - vecs * vals, axis=0)
    return TopEigen(method, p, np.asarray(vals), np.asarray(vecs), np.asarray(resid), count[0],
                    time.perf_counter() - start)


def top_eigenvalues(data: str = "iris", hidden: Sequence[int] | int = (16,), activation: str = "tanh",
                    loss: str = "cross_entropy", steps: int = 200, lr: float = 0.05, seed: int = 0, k: int = 5,
                    method: str = "scipy", iterations: int = 80, progress: Progress = None,
                    device: torch.device | str = "cpu") -> TopEigen:
    """The ``k`` largest Hessian eigenvalues of the trained network (:func:`trained`) without forming H:
    ``method`` "scipy" (ARPACK's eigsh on a LinearOperator of HVPs, relative tolerance 1e-10; ``iterations``
    caps its restarts) or "lanczos" (at most ``iterations`` Lanczos steps with full reorthogonalisation, in
    torch, stopping once the residuals are below 1e-10 of the top eigenvalue). Any width up to
    :data:`MAX_PARAMS` parameters; the start vector is drawn from ``seed``."""
    if not 2 <= int(iterations) <= 1000:
        raise DataError("Use 2 to 1,000 iterations.")
    prob, theta = trained(data, hidden, activation, loss, steps, lr, seed, device, progress)
    if progress:
        progress(0.5, f"Lanczos on Hessian-vector products ({prob.n_params:,} parameters)…")
    with single_thread(prob.X.device):
        out = _top(prob, theta, int(k), method, int(iterations), seed)
    if progress:
        progress(1.0, "Done")
    return out


# ------------------------------------------------------------------------------------------ slices


def filter_normalised(prob: Problem, theta: torch.Tensor, gen: torch.Generator, biases: bool = False) -> torch.Tensor:
    """A Gaussian direction with each filter (row of each W) rescaled to the norm of θ's same row (Li et al.
    2018); bias entries 0 (``biases`` False, their default) or rescaled like the rows' (True: each bias
    vector to the norm of θ's)."""
    d = torch.randn(prob.n_params, generator=gen, dtype=torch.float64).to(theta.device, theta.dtype)
    for (o, i), (ws, bs) in zip(prob.shapes, prob.blocks(), strict=True):
        D, W = d[ws].reshape(o, i), theta[ws].reshape(o, i)
        d[ws] = (D * (W.norm(dim=1, keepdim=True) / D.norm(dim=1, keepdim=True).clamp_min(1e-300))).reshape(-1)
        d[bs] = d[bs] * (theta[bs].norm() / d[bs].norm().clamp_min(1e-300)) if biases else 0.0
    return d


def batched_loss(prob: Problem, thetas: torch.Tensor) -> torch.Tensor:
    """L at each row of ``thetas`` (B, P), in chunks that keep B × rows × widest layer near 4 million numbers."""
    chunk = max(1, 4_000_000 // (len(prob.X) * max(prob.sizes)))
    return torch.cat([prob.loss(thetas[i:i + chunk]) for i in range(0, len(thetas), chunk)])


@dataclass(frozen=True)
class LossSlices:
    """1-D and 2-D slices of the loss through θ* along Hessian eigenvectors and random filter-normalised
    directions."""

    alphas: np.ndarray  # (r,) distance along the unit eigenvectors, −radius … radius
    random_alphas: np.ndarray  # (r,) multiples of the filter-normalised directions, −random_radius … (Li et al.)
    loss_at_minimum: float
    top_eigenvalues: np.ndarray  # (2,) λ₁ ≥ λ₂ whose eigenvectors are the eigen directions
    eigen_1d: np.ndarray  # (2, r) L(θ* + α vᵢ) for v₁, v₂ (unit vectors)
    quadratic_1d: np.ndarray  # (2, r) L* + (∇L·vᵢ) α + ½ λᵢ α²: the second-order Taylor model
    random_1d: np.ndarray  # (2, r) L(θ* + α dᵢ) for two filter-normalised random dᵢ
    random_norms: np.ndarray  # (2,) ‖dᵢ‖ (the eigenvectors have norm 1)
    eigen_2d: np.ndarray  # (r, r) L(θ* + α v₁ + β v₂): rows β, columns α
    random_2d: np.ndarray  # (r, r) L(θ* + α d₁ + β d₂)
    seconds: float


def loss_slices(data: str = "iris", hidden: Sequence[int] | int = (16,), activation: str = "tanh",
                loss: str = "cross_entropy", steps: int = 200, lr: float = 0.05, seed: int = 0,
                radius: float = 1.0, random_radius: float = 1.0, resolution: int = 31, biases: bool = False,
                progress: Progress = None, device: torch.device | str = "cpu") -> LossSlices:
    """Slices of the training loss through θ* of :func:`trained`: along the two top Hessian eigenvectors
    (by Lanczos; unit vectors, α and β over [−``radius``, ``radius``], a distance in parameter space) and two
    random filter-normalised directions (drawn from ``seed``; α and β over [−``random_radius``,
    ``random_radius``] as multiples of the direction, Li et al.'s axes: their norm ‖dᵢ‖ ≈ ‖W*‖ is returned), at
    ``resolution`` points (1-D) and ``resolution``² (2-D)."""
    if not all(math.isfinite(x) and 0 < x <= 100 for x in (radius, random_radius)):
        raise DataError("The radii must lie in (0, 100].")
    if not 3 <= int(resolution) <= 101:
        raise DataError("Use 3 to 101 points a side.")
    prob, theta = trained(data, hidden, activation, loss, steps, lr, seed, device,
                          (lambda f, text: progress(0.4 * f, text)) if progress else None)
    if prob.n_params < 3:
        raise DataError("The network needs at least 3 parameters.")
    start = time.perf_counter()
    dev, dtype = theta.device, theta.dtype
    with single_thread(dev):
        if progress:
            progress(0.2, "Top Hessian eigenvectors (Lanczos)…")
        top = _top(prob, theta, 2, "lanczos", min(prob.n_params, 60), seed)
        V = torch.as_tensor(top.eigenvectors.T, dtype=dtype, device=dev)  # (2, P)
        gen = torch.Generator().manual_seed(int(seed) + 1)
        Dr = torch.stack([filter_normalised(prob, theta, gen, biases) for _ in range(2)])
        a = torch.linspace(-radius, radius, int(resolution), dtype=dtype, device=dev)
        with torch.enable_grad():
            th = theta.clone().requires_grad_(True)
            L0 = prob.loss(th)
            (g,) = torch.autograd.grad(L0, th)
        r = a * (random_radius / radius)
        line = lambda d, t: batched_loss(prob, theta + t[:, None] * d)  # noqa: E731
        eigen_1d = torch.stack([line(V[0], a), line(V[1], a)])
        random_1d = torch.stack([line(Dr[0], r), line(Dr[1], r)])
        lam = torch.as_tensor(top.eigenvalues, dtype=dtype, device=dev)
        quad = L0.item() + (V @ g)[:, None] * a + 0.5 * lam[:, None] * a * a
        if progress:
            progress(0.4, "The 2-D slice along the eigenvectors…")
        def plane(d1: torch.Tensor, d2: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
            B, A = torch.meshgrid(t, t, indexing="ij")
            pts = theta + A.reshape(-1, 1) * d1 + B.reshape(-1, 1) * d2
            return batched_loss(prob, pts).reshape(len(t), len(t))

        eigen_2d = plane(V[0], V[1], a)
        if progress:
            progress(0.7, "The 2-D slice along random directions…")
        random_2d = plane(Dr[0], Dr[1], r)
    if progress:
        progress(1.0, "Done")
    cpu = functools.partial(lambda t: t.detach().to("cpu", torch.float64).numpy())
    return LossSlices(cpu(a), cpu(r), L0.item(), top.eigenvalues, cpu(eigen_1d), cpu(quad), cpu(random_1d),
                      cpu(Dr.norm(dim=1)), cpu(eigen_2d), cpu(random_2d), time.perf_counter() - start)


# ------------------------------------------------------------------------------------------ edge of stability


@dataclass(frozen=True)
class EdgeOfStability:
    """Full-batch gradient descent with a fixed step, and the sharpness after every step."""

    lr: float
    threshold: float  # 2/η
    steps: np.ndarray  # (t,) 0 … steps_run
    loss: np.ndarray  # (t,) training loss at each iterate
    sharpness: np.ndarray  # (t,) λ_max of the Hessian at each iterate (NaN where not measured)
    accuracy: np.ndarray  # (t,)
    diverged_at: int | None  # the step after which the loss was no longer finite
    note: str
    seconds: float


def edge_of_stability(data: str = "iris", hidden: Sequence[int] | int = (16,), activation: str = "tanh",
                      loss: str = "mse", lr: float = 0.5, steps: int = 300, seed: int = 0, every: int = 2,
                      lanczos_steps: int = 8, progress: Progress = None,
                      device: torch.device | str = "cpu") -> EdgeOfStability:
    """``steps`` steps of full-batch gradient descent θ ← θ − η∇L from the seeded start, recording the loss
    and, every ``every`` steps, the sharpness λ_max(∇²L) by ``lanczos_steps`` Lanczos iterations started
    from the previous top eigenvector (each costs that many HVPs). A loss that stops being finite, or grows
    past :data:`BLOW_UP` times its start, ends the run there, with the step reported."""
    _check_training(steps, lr)
    if not 1 <= int(every) <= max(1, int(steps)):
        raise DataError("Measure the sharpness every 1 to `steps` steps.")
    if not 2 <= int(lanczos_steps) <= 200:
        raise DataError("Use 2 to 200 Lanczos iterations per measurement.")
    prob = problem(data, _hidden(hidden), activation, loss, device)
    start = time.perf_counter()
    theta = initial_theta(prob, seed)
    dev, dtype = theta.device, theta.dtype
    gen = torch.Generator().manual_seed(int(seed))
    v = torch.randn(prob.n_params, generator=gen, dtype=torch.float64).to(dev, dtype)
    losses, sharp, acc = [], [], []
    diverged, note = None, ""
    with single_thread(dev), torch.enable_grad():
        for t in range(int(steps) + 1):
            measure = t % int(every) == 0 or t == int(steps)
            x = theta.detach().requires_grad_(True)
            z = prob.logits(x)
            value = prob.loss_of_logits(z)
            losses.append(value.item())
            acc.append((z.detach().argmax(-1) == prob.y).to(torch.float64).mean().item())
            if not math.isfinite(losses[-1]) or losses[-1] > BLOW_UP * losses[0]:
                diverged = t
                sharp.append(math.nan)
                note = (f"Gradient descent diverged: at step {t} the loss was {losses[-1]:.3g} (it started at "
                        f"{losses[0]:.3g}). The step size η = {lr:g} is too large here; the run stops there.")
                break
            (g,) = torch.autograd.grad(value, x, create_graph=measure)
            if measure:
                def hvp(u: torch.Tensor, g=g, x=x) -> torch.Tensor:
                    return torch.autograd.grad(g, x, grad_outputs=u, retain_graph=True)[0]

                vals, vecs, _, _ = lanczos(hvp, v, int(lanczos_steps), 1)
                sharp.append(float(vals[0]))
                v = vecs[:, 0].detach()
            else:
                sharp.append(math.nan)
            if t == int(steps):
                break
            theta = (theta - lr * g).detach()
            if progress and (t + 1) % max(1, int(steps) // 20) == 0:
                progress((t + 1) / int(steps), f"Gradient descent: step {t + 1} of {steps}")
    n = len(losses)
    return EdgeOfStability(float(lr), 2 / float(lr), np.arange(n), np.asarray(losses), np.asarray(sharp),
                           np.asarray(acc), diverged, note, time.perf_counter() - start)
