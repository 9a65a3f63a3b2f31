"""The Fisher information metric and the natural gradient.

* **The Gaussian's Fisher metric.** For p_θ = N(μ, σ²), F(θ) = E[∇ log p ∇ log pᵀ] = −E[∇² log p], which is
  also the Hessian of θ' ↦ KL(p_θ ‖ p_θ') at θ' = θ: that is how it is computed here, by autograd on the
  closed-form KL, in either chart. In (μ, σ) it is diag(1/σ², 2/σ²); in (μ, s = log σ) it is diag(1/σ², 2).
  Drawn as ellipses {δ : δᵀF δ = ρ²}: the parameter changes that move the distribution by the same amount.
* **Fisher–Rao distance.** ds² = (dμ² + 2dσ²)/σ² is √2 times the Poincaré half-plane's metric in
  (μ/√2, σ), so d = √2 · arccosh(1 + ((Δμ)²/2 + Δσ²)/(2σ₁σ₂)); its geodesics are half-circles centred on
  the σ = 0 axis (vertical lines when μ₁ = μ₂), given here as points evenly spaced in Fisher length. Next to
  it, KL both ways: not a distance (asymmetric), but ≈ d²/2 for nearby distributions.
* **Natural gradient.** θ ← θ − η F(θ)⁻¹∇L(θ) follows the steepest descent of L measured by the Fisher metric,
  which does not depend on the chart: fitting N(μ, σ²) to data by natural gradient descent in (μ, σ) and in
  (μ, log σ) traces the same path in the small-step limit (with equal small steps the two paths agree to
  O(η)), whereas plain gradient descent follows different paths in different charts. Plain GD in (μ, σ)
  can step to σ ≤ 0 or diverge: the run stops there and says at which step.
* **Logistic regression** on a bundled set (standardised): plain GD against natural GD with the exact
  Fisher F(w) = (1/n) Σ pᵢ(1 − pᵢ) xᵢxᵢᵀ of the model, plus the L2 penalty's own curvature λ (a Gaussian
  prior's Fisher information) and a small damping. For this model F is also the Hessian of the mean
  log-loss, so the natural step is a Newton step. (Without the penalty's term in the preconditioner the
  steps blow up on breast cancer, whose classes are almost separable: F is nearly singular there.)
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from core.data import DataError, load_dataset
from core.device import compute_dtype, single_thread

Progress = Callable[[float, str], None] | None
CHARTS = {"sigma": "(μ, σ)", "log_sigma": "(μ, log σ)"}
LOGISTIC_DATA = {"breast_cancer": "Breast cancer: malignant or benign (30 features)",
                 "iris": "Iris: versicolor or virginica (4 features, the two species that overlap)"}
MIN_SIGMA = 1e-6
MAX_STEPS = 5000
BLOW_UP = 100.0  # a loss above this many times its start counts as diverged
LOG_2PI = math.log(2 * math.pi)


def _sigma(theta: torch.Tensor, chart: str) -> torch.Tensor:
    return torch.exp(theta[..., 1]) if chart == "log_sigma" else theta[..., 1]


def _check_chart(chart: str) -> None:
    if chart not in CHARTS:
        raise DataError(f"Unknown parametrisation {chart!r}; choose one of {', '.join(CHARTS)}.")


def gaussian_kl(mu1, sigma1, mu2, sigma2):
    """KL(N(μ₁, σ₁²) ‖ N(μ₂, σ₂²)) = log(σ₂/σ₁) + (σ₁² + (μ₁ − μ₂)²)/(2σ₂²) − ½ (torch or numpy, broadcast)."""
    lib = torch if isinstance(sigma2, torch.Tensor) or isinstance(sigma1, torch.Tensor) else np
    return lib.log(sigma2 / sigma1) + (sigma1**2 + (mu1 - mu2) ** 2) / (2 * sigma2**2) - 0.5


def _fisher_batch(theta: torch.Tensor, chart: str) -> torch.Tensor:
    """F at each row of θ (B, 2): the Hessian of θ' ↦ KL(p_θ ‖ p_θ') at θ' = θ, by two backward passes (each
    row's KL depends on its own θ' only, so the gradient of the sum is every row's gradient)."""
    fixed = theta.detach()
    with torch.enable_grad():
        x = fixed.clone().requires_grad_(True)
        kl = gaussian_kl(fixed[:, 0], _sigma(fixed, chart), x[:, 0], _sigma(x, chart)).sum()
        (g,) = torch.autograd.grad(kl, x, create_graph=True)
        rows = [torch.autograd.grad(g[:, j].sum(), x, retain_graph=True)[0] for j in range(2)]
    return torch.stack(rows, 1)  # (B, 2, 2): [b, j, k] = ∂²KL/∂θ_j∂θ_k


def gaussian_fisher(mu: float = 0.0, sigma: float = 1.0, chart: str = "sigma",
                    device: torch.device | str = "cpu") -> np.ndarray:
    """The 2 × 2 Fisher information of N(μ, σ²) per observation in the chart (μ, σ) ("sigma") or (μ, log σ)
    ("log_sigma"), as the Hessian of the KL divergence by autograd."""
    _check_chart(chart)
    if not (math.isfinite(mu) and math.isfinite(sigma) and sigma > 0):
        raise DataError("The Gaussian needs a finite mean and a positive standard deviation.")
    device = torch.device(device)
    second = math.log(sigma) if chart == "log_sigma" else sigma
    theta = torch.tensor([[mu, second]], dtype=compute_dtype(device), device=device)
    return _fisher_batch(theta, chart)[0].to("cpu", torch.float64).numpy()


@dataclass(frozen=True)
class FisherEllipses:
    """The metric at a grid of centres in one chart, with outlines of its balls of radius ρ."""

    chart: str
    centres: np.ndarray  # (m, 2) in the chart's coordinates
    metrics: np.ndarray  # (m, 2, 2) F at each centre
    radius: float  # ρ
    outlines: np.ndarray  # (m, points, 2) the ellipse δᵀFδ = ρ² around each centre


def fisher_ellipses(mu_range: tuple[float, float] = (-2.0, 2.0), sigma_range: tuple[float, float] = (0.5, 3.0),
                    n_mu: int = 5, n_sigma: int = 5, chart: str = "sigma", radius: float = 0.25, points: int = 48,
                    device: torch.device | str = "cpu") -> FisherEllipses:
    """Fisher ellipses at an ``n_mu`` × ``n_sigma`` grid over the ranges (σ spaced evenly in the chart's second
    coordinate: σ itself or log σ). Each ellipse is the set of changes δ with δᵀF δ = ``radius``²."""
    _check_chart(chart)
    lo, hi = (float(x) for x in sigma_range)
    if not (math.isfinite(lo) and math.isfinite(hi) and 0 < lo < hi) or not all(map(math.isfinite, mu_range)):
        raise DataError("Give finite ranges with 0 < smallest σ < largest σ.")
    if not (1 <= n_mu <= 30 and 1 <= n_sigma <= 30 and 8 <= points <= 400):
        raise DataError("Use 1 to 30 centres a side and 8 to 400 points an ellipse.")
    if not (math.isfinite(radius) and radius > 0):
        raise DataError("The radius must be positive.")
    device = torch.device(device)
    dtype = compute_dtype(device)
    mu = torch.linspace(float(mu_range[0]), float(mu_range[1]), int(n_mu), dtype=dtype, device=device)
    second = (torch.linspace(math.log(lo), math.log(hi), int(n_sigma), dtype=dtype, device=device)
              if chart == "log_sigma" else torch.linspace(lo, hi, int(n_sigma), dtype=dtype, device=device))
    S, M = torch.meshgrid(second, mu, indexing="ij")
    centres = torch.stack([M.reshape(-1), S.reshape(-1)], -1)
    F = _fisher_batch(centres, chart)
    lam, U = torch.linalg.eigh(F)  # F = U diag(λ) Uᵀ; δ = ρ U diag(λ^−½) (cos t, sin t)
    t = torch.linspace(0, 2 * math.pi, int(points), dtype=dtype, device=device)
    circle = torch.stack([torch.cos(t), torch.sin(t)], -1)  # (points, 2)
    delta = radius * torch.einsum("mij,mj,pj->mpi", U, lam.rsqrt(), circle)
    cpu = lambda x: x.detach().to("cpu", torch.float64).numpy()  # noqa: E731
    return FisherEllipses(chart, cpu(centres), cpu(F), float(radius), cpu(centres[:, None, :] + delta))


# ------------------------------------------------------------------------------------------ Fisher–Rao


@dataclass(frozen=True)
class FisherRao:
    """The Fisher–Rao distance and geodesic between two Gaussians, with KL beside them."""

    start: tuple[float, float]  # (μ₁, σ₁)
    end: tuple[float, float]  # (μ₂, σ₂)
    distance: float  # √2 · arccosh(1 + ((Δμ)²/2 + Δσ²)/(2σ₁σ₂))
    path: np.ndarray  # (points, 2) the geodesic in (μ, σ), evenly spaced in Fisher length
    centre: float | None  # μ where the half-circle's centre sits on the σ = 0 axis (None: a vertical line)
    radius: float | None  # its radius in (μ/√2, σ) units (the circle is an ellipse in (μ, σ))
    kl_forward: float  # KL(p₁ ‖ p₂)
    kl_reverse: float  # KL(p₂ ‖ p₁)
    euclidean: float  # √(Δμ² + Δσ²), for contrast


def fisher_rao_distance(mu1, sigma1, mu2, sigma2):
    """√2 · arccosh(1 + ((Δμ)²/2 + Δσ²)/(2σ₁σ₂)) (numpy, broadcast)."""
    mu1, sigma1 = np.asarray(mu1, dtype=np.float64), np.asarray(sigma1, dtype=np.float64)
    arg = 1 + ((mu1 - mu2) ** 2 / 2 + (sigma1 - sigma2) ** 2) / (2 * sigma1 * sigma2)
    return math.sqrt(2) * np.arccosh(np.maximum(arg, 1.0))


def fisher_rao(mu1: float = -1.0, sigma1: float = 0.5, mu2: float = 2.0, sigma2: float = 1.5,
               points: int = 101) -> FisherRao:
    """Distance and geodesic between N(μ₁, σ₁²) and N(μ₂, σ₂²). In u = μ/√2 the geodesic is the half-circle
    u = c + ρ tanh τ, σ = ρ sech τ (τ is the half-plane's arc length), or σ = σ₁ (σ₂/σ₁)^s when μ₁ = μ₂."""
    vals = [float(x) for x in (mu1, sigma1, mu2, sigma2)]
    if not all(map(math.isfinite, vals)) or min(vals[1], vals[3]) < MIN_SIGMA:
        raise DataError(f"Both Gaussians need a finite mean and a standard deviation of at least {MIN_SIGMA}.")
    if not 2 <= int(points) <= 10_000:
        raise DataError("Use 2 to 10,000 points along the geodesic.")
    mu1, sigma1, mu2, sigma2 = vals
    u1, u2 = mu1 / math.sqrt(2), mu2 / math.sqrt(2)
    d = float(fisher_rao_distance(mu1, sigma1, mu2, sigma2))
    s = np.linspace(0.0, 1.0, int(points))
    if abs(u2 - u1) <= 1e-12 * max(1.0, abs(u1), abs(u2), sigma1, sigma2):
        path = np.c_[np.full_like(s, mu1), sigma1 * (sigma2 / sigma1) ** s]
        centre = radius = None
    else:
        c = (u2**2 + sigma2**2 - u1**2 - sigma1**2) / (2 * (u2 - u1))
        rho = math.hypot(u1 - c, sigma1)
        t1, t2 = math.atanh((u1 - c) / rho), math.atanh((u2 - c) / rho)
        tau = t1 + s * (t2 - t1)
        path = np.c_[math.sqrt(2) * (c + rho * np.tanh(tau)), rho / np.cosh(tau)]
        path[0], path[-1] = (mu1, sigma1), (mu2, sigma2)
        centre, radius = math.sqrt(2) * c, rho
    return FisherRao((mu1, sigma1), (mu2, sigma2), d, path, centre, radius,
                     float(gaussian_kl(mu1, sigma1, mu2, sigma2)), float(gaussian_kl(mu2, sigma2, mu1, sigma1)),
                     math.hypot(mu2 - mu1, sigma2 - sigma1))


# ------------------------------------------------------------------------------------------ Gaussian fits


@dataclass(frozen=True)
class FitPath:
    """One descent on the Gaussian's average negative log-likelihood, mapped to (μ, σ)."""

    method: str  # "plain" or "natural"
    chart: str  # "sigma" or "log_sigma"
    mu: np.ndarray  # (t,) 0 … steps run
    sigma: np.ndarray  # (t,)
    loss: np.ndarray  # (t,) average −log N(x; μ, σ²) over the sample, nats
    stopped_at: int | None  # the step whose update left the model (σ ≤ 0, non-finite, blew up); None
    note: str


@dataclass(frozen=True)
class GaussianFits:
    """Plain and natural gradient descent in both charts, from one start, on one sample."""

    sample: np.ndarray  # (n,)
    mle: tuple[float, float]  # (x̄, s) with s² = (1/n) Σ (x − x̄)²: where every path should end
    start: tuple[float, float]
    lr: float
    paths: tuple[FitPath, ...]  # plain σ, plain log σ, natural σ, natural log σ

    def path(self, method: str, chart: str) -> FitPath:
        return next(p for p in self.paths if p.method == method and p.chart == chart)


def _nll(x: torch.Tensor, theta: torch.Tensor, chart: str) -> torch.Tensor:
    """Average −log N(x; μ, σ²) over the sample for each row (μ, ·) of θ (B, 2)."""
    sigma = _sigma(theta, chart)
    return 0.5 * LOG_2PI + torch.log(sigma) + 0.5 * (((x - theta[:, :1]) / sigma[:, None]) ** 2).mean(-1)


def _descend(x: torch.Tensor, start: tuple[float, float], lr: float, steps: int,
             progress: Progress = None) -> tuple[FitPath, ...]:
    """The four descents (plain and natural, in each chart) stepped together: one backward pass a step for the
    four gradients (each row's loss depends on its own θ only, so the gradient of the sum is every row's own).
    A run that leaves the model stops; the others go on."""
    dtype, device = x.dtype, x.device
    m0, s0 = start
    theta = {"sigma": torch.tensor([[m0, s0]] * 2, dtype=dtype, device=device),
             "log_sigma": torch.tensor([[m0, math.log(s0)]] * 2, dtype=dtype, device=device)}  # rows: plain, natural
    runs = [(c, r) for r in (0, 1) for c in ("sigma", "log_sigma")]
    rec = {k: ([], [], []) for k in runs}
    stopped: dict[tuple[str, int], tuple[int, str]] = {}
    for t in range(steps + 1):
        with torch.enable_grad():
            th = {c: v.clone().requires_grad_(True) for c, v in theta.items()}
            nll = {c: _nll(x, v, c) for c, v in th.items()}
            grads = dict(zip(th, torch.autograd.grad(sum(nll[c].sum() for c in th), list(th.values())), strict=True))
        for c, r in runs:
            if (c, r) in stopped:
                continue
            sigma, loss = float(_sigma(theta[c][r], c)), nll[c][r].item()
            mus, sigmas, losses = rec[(c, r)]
            if not (torch.isfinite(theta[c][r]).all() and sigma > 0):
                stopped[(c, r)] = (t, f"After step {t} σ = {sigma:.3g}: the update left the model (σ must stay "
                                      "positive). Plain gradient descent in (μ, σ) overshoots when σ is small or η "
                                      "large; the run stops there.")
            elif not math.isfinite(loss) or (losses and loss > BLOW_UP * max(losses[0], 1.0)):
                stopped[(c, r)] = (t, f"At step {t} the loss was {loss:.3g}: the descent diverged with η = {lr:g}; "
                                      "the run stops there.")
            else:
                mus.append(float(theta[c][r, 0]))
                sigmas.append(sigma)
                losses.append(loss)
        if t == steps or len(stopped) == len(runs):
            break
        if progress and (t + 1) % max(1, steps // 10) == 0:
            progress((t + 1) / steps, f"Descending: step {t + 1} of {steps}")
        for c in theta:
            g = grads[c].detach().clone()
            g[1] = g[1] / _fisher_closed(theta[c][1:], c)[0]  # F is diagonal: F⁻¹∇L entry by entry
            frozen = torch.tensor([(c, r) in stopped for r in (0, 1)], device=device)
            theta[c] = torch.where(frozen[:, None], theta[c], theta[c] - lr * g)
    return tuple(FitPath("natural" if r else "plain", c, *(np.asarray(a) for a in rec[(c, r)]),
                         *stopped.get((c, r), (None, ""))) for c, r in runs)


def _fisher_closed(theta: torch.Tensor, chart: str) -> torch.Tensor:
    """The diagonal of F at the rows of θ (B, 2) in closed form: (1/σ², 2/σ²) in (μ, σ), (1/σ², 2) in (μ, log σ).
    The descents use this (one backward pass a step instead of four); the tests hold it to
    :func:`gaussian_fisher`'s autograd Hessian of the KL and to the Monte Carlo covariance of the score."""
    inv = _sigma(theta, chart) ** -2
    return torch.stack([inv, 2 * inv if chart == "sigma" else torch.full_like(inv, 2.0)], -1)


def gaussian_fits(sample: np.ndarray | None = None, n: int = 200, true_mu: float = 1.0, true_sigma: float = 2.0,
                  seed: int = 0, start: tuple[float, float] = (-3.0, 0.5), lr: float = 0.05, steps: int = 100,
                  progress: Progress = None, device: torch.device | str = "cpu") -> GaussianFits:
    """Fit N(μ, σ²) to ``sample`` (or to ``n`` seeded draws from N(true_mu, true_sigma²)) by minimising the
    average negative log-likelihood with ``steps`` steps of size ``lr`` from ``start`` = (μ₀, σ₀): plain and
    natural gradient descent, each in (μ, σ) and in (μ, log σ). Every path is reported in (μ, σ)."""
    if sample is None:
        if not 2 <= int(n) <= 100_000:
            raise DataError("Draw 2 to 100,000 points.")
        if not (math.isfinite(true_mu) and math.isfinite(true_sigma) and true_sigma > 0):
            raise DataError("The true mean must be finite and the true standard deviation positive.")
        xs = np.random.default_rng(int(seed)).normal(true_mu, true_sigma, int(n))
    else:
        xs = np.asarray(sample, dtype=np.float64).ravel()
        if len(xs) < 2 or not np.isfinite(xs).all():
            raise DataError("The sample needs at least 2 finite numbers.")
        if np.ptp(xs) == 0:
            raise DataError("Every number in the sample is the same: the best σ is 0 and the fit has no optimum.")
    m0, s0 = (float(v) for v in start)
    if not (math.isfinite(m0) and math.isfinite(s0) and s0 > 0):
        raise DataError("Start from a finite μ and a positive σ.")
    if not (math.isfinite(lr) and 0 < lr <= 100) or not 1 <= int(steps) <= MAX_STEPS:
        raise DataError(f"Use a step size in (0, 100] and 1 to {MAX_STEPS:,} steps.")
    device = torch.device(device)
    x = torch.as_tensor(xs, dtype=compute_dtype(device), device=device)
    with single_thread(device):
        paths = _descend(x, (m0, s0), float(lr), int(steps), progress)
    xs.setflags(write=False)
    return GaussianFits(xs, (float(xs.mean()), float(xs.std())), (m0, s0), float(lr), paths)


# ------------------------------------------------------------------------------------------ logistic regression


@dataclass(frozen=True)
class LogisticRace:
    """Plain against natural gradient descent on L2-penalised logistic regression."""

    data: str
    n: int
    features: int
    l2: float
    damping: float
    lr_plain: float
    lr_natural: float
    plain_loss: np.ndarray  # (t,) mean log-loss + (λ/2)‖w‖² per iteration (intercept not penalised)
    natural_loss: np.ndarray
    plain_accuracy: np.ndarray
    natural_accuracy: np.ndarray
    plain_stopped_at: int | None
    natural_stopped_at: int | None
    weights_plain: np.ndarray  # (d + 1,) intercept first
    weights_natural: np.ndarray
    note: str
    seconds: float


def _logistic_data(data: str) -> tuple[np.ndarray, np.ndarray]:
    ds = load_dataset(data)
    X, y = np.asarray(ds.X, dtype=np.float64), np.asarray(ds.y)
    if data == "iris":
        keep = y > 0
        X, y = X[keep], (y[keep] == 2).astype(np.float64)
    else:
        y = y.astype(np.float64)
    sd = X.std(axis=0)
    X = (X - X.mean(axis=0)) / np.where(sd > 0, sd, 1.0)
    return np.c_[np.ones(len(X)), X], y


def logistic_race(data: str = "breast_cancer", steps: int = 50, lr_plain: float = 1.0, lr_natural: float = 1.0,
                  l2: float = 1e-2, damping: float = 1e-4, progress: Progress = None,
                  device: torch.device | str = "cpu") -> LogisticRace:
    """``steps`` iterations of plain GD (w ← w − η∇L) and natural GD (w ← w − η(F + λP + damping·I)⁻¹∇L, F the
    exact Fisher of the model at w, P the penalty's diagonal: 1 for each weight, 0 for the intercept) from
    w = 0 on the standardised ``data`` (see :data:`LOGISTIC_DATA`) with an intercept, L = mean log-loss +
    (``l2``/2)‖w‖² (intercept not penalised). A loss that stops being finite or grows past :data:`BLOW_UP`
    times its start stops that run, with the step reported."""
    if data not in LOGISTIC_DATA:
        raise DataError(f"Unknown data set {data!r}; choose one of {', '.join(LOGISTIC_DATA)}.")
    if not 1 <= int(steps) <= MAX_STEPS:
        raise DataError(f"Take 1 to {MAX_STEPS:,} steps.")
    if not all(math.isfinite(v) and 0 < v <= 1000 for v in (lr_plain, lr_natural)):
        raise DataError("The step sizes must lie in (0, 1000].")
    if not (math.isfinite(l2) and l2 >= 0 and math.isfinite(damping) and damping >= 0):
        raise DataError("The penalty and the damping cannot be negative.")
    if l2 == 0 and damping == 0:
        raise DataError("With no penalty and no damping the Fisher matrix can be singular (the classes may be "
                        "separable): give one of them a positive value.")
    device = torch.device(device)
    dtype = compute_dtype(device)
    Xn, yn = _logistic_data(data)
    X, y = torch.as_tensor(Xn, dtype=dtype, device=device), torch.as_tensor(yn, dtype=dtype, device=device)
    n, d = X.shape
    pen = torch.ones(d, dtype=dtype, device=device)
    pen[0] = 0.0
    eye = torch.eye(d, dtype=dtype, device=device)
    start = time.perf_counter()

    def loss_of(w: torch.Tensor) -> torch.Tensor:
        z = X @ w
        return torch.nn.functional.binary_cross_entropy_with_logits(z, y) + 0.5 * l2 * (pen * w * w).sum()

    def run(natural: bool, lr: float) -> tuple[list[float], list[float], int | None, torch.Tensor]:
        w = torch.zeros(d, dtype=dtype, device=device)
        losses, accs, stopped = [], [], None
        for t in range(int(steps) + 1):
            with torch.enable_grad():
                wt = w.clone().requires_grad_(True)
                value = loss_of(wt)
                (g,) = torch.autograd.grad(value, wt)
            loss = value.item()
            if not math.isfinite(loss) or (losses and loss > BLOW_UP * losses[0]):
                stopped = t
                break
            losses.append(loss)
            accs.append(float(((X @ w > 0).to(dtype) == y).to(dtype).mean()))
            if t == int(steps):
                break
            if natural:
                p = torch.sigmoid(X @ w)
                F = (X * (p * (1 - p))[:, None]).T @ X / n  # E over the model's own labels of score scoreᵀ
                g = torch.linalg.solve(F + l2 * torch.diag(pen) + damping * eye, g)
            w = w - lr * g
        return losses, accs, stopped, w

    with single_thread(device):
        if progress:
            progress(0.0, "Plain gradient descent…")
        pl, pa, ps, wp = run(False, float(lr_plain))
        if progress:
            progress(0.5, "Natural gradient descent…")
        nl, na, ns, wn = run(True, float(lr_natural))
    notes = [f"{name} gradient descent diverged at step {s} (η = {lr:g}); it stops there."
             for name, s, lr in (("Plain", ps, lr_plain), ("Natural", ns, lr_natural)) if s is not None]
    if progress:
        progress(1.0, "Done")
    cpu = lambda t: t.to("cpu", torch.float64).numpy()  # noqa: E731
    return LogisticRace(data, n, d - 1, float(l2), float(damping), float(lr_plain), float(lr_natural),
                        np.asarray(pl), np.asarray(nl), np.asarray(pa), np.asarray(na), ps, ns, cpu(wp), cpu(wn),
                        " ".join(notes), time.perf_counter() - start)
