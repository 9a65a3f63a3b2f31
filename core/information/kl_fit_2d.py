"""Forward against reverse KL in the plane: one Gaussian q = N(μ, Σ) fitted to a mixture of 2-D Gaussians.

The same lesson as :mod:`core.information.kl_fit`, with a full covariance, so that the reverse fit can
also *turn* to sit along one elongated mode while the forward fit stretches over all of them:

* KL(p‖q) = H(p, q) − H(p), with H(p, q) = log 2π + ½ log det Σ + ½ tr(Σ⁻¹ (Cov_p + (E_p − μ)(E_p − μ)ᵀ))
  exact; its optimum is moment matching, μ* = E_p x = Σ wᵢ μᵢ, Σ* = Cov_p = Σ wᵢ (Σᵢ + μᵢμᵢᵀ) − μ*μ*ᵀ.
* KL(q‖p) = −H(q) − E_q log p, H(q) = 1 + log 2π + ½ log det Σ, and E_q log p = Σₖ wₖ log p(μ + L tₖ)
  on a standardized grid tₖ ∈ [−6, 6]² (:data:`NODES_2D` points a side, wₖ ∝ φ(tₖ) summing to 1),
  Σ = LLᵀ.

q is parametrised by μ and the Cholesky factor L = [[e^a, 0], [b, e^c]] (so Σ stays positive definite);
Adam on (μ₁, μ₂, a, b, c) with a cosine-decaying step and gradients in closed form (no autograd graph
per step), all fits in one batch.
Divergences in nats; nothing is sampled.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from core.data import DataError
from core.device import compute_dtype, single_thread
from core.information.kl_fit import adam

Progress = Callable[[float, str], None] | None
NODES_2D = 31
MAX_COMPONENTS_2D = 3
LOG_2PI = math.log(2 * math.pi)


@dataclass(frozen=True)
class Mixture2D:
    """p(x) = Σ wᵢ N(x; μᵢ, Σᵢ) in the plane, with its exact mean and covariance."""

    means: np.ndarray  # (k, 2)
    covs: np.ndarray  # (k, 2, 2)
    weights: np.ndarray  # (k,) normalised
    mean: np.ndarray  # (2,)
    cov: np.ndarray  # (2, 2)


def mixture_2d(means, covs, weights) -> Mixture2D:
    """Validate 1 to :data:`MAX_COMPONENTS_2D` components: finite means, symmetric positive-definite
    covariances (smallest eigenvalue ≥ 0.0025, i.e. a spread of at least 0.05), weights ≥ 0 not all 0."""
    mu = np.asarray(means, dtype=np.float64).reshape(-1, 2)
    S = np.asarray(covs, dtype=np.float64).reshape(-1, 2, 2)
    w = np.asarray(weights, dtype=np.float64).ravel()
    if not (len(mu) == len(S) == len(w)) or not 1 <= len(mu) <= MAX_COMPONENTS_2D:
        raise DataError(f"Give 1 to {MAX_COMPONENTS_2D} components, each with a mean, a covariance and a weight.")
    if not (np.isfinite(mu).all() and np.isfinite(S).all() and np.isfinite(w).all()):
        raise DataError("The mixture's parameters must be finite numbers.")
    if not np.allclose(S, S.transpose(0, 2, 1)) or np.linalg.eigvalsh(S).min() < 0.0025:
        raise DataError("Each covariance must be symmetric with eigenvalues of at least 0.0025.")
    if (w < 0).any() or w.sum() <= 0:
        raise DataError("The weights cannot be negative, and at least one must be positive.")
    mu, S, w = mu[w > 0], S[w > 0], w[w > 0]  # a component of weight 0 is not part of p (and log 0 has no place)
    w = w / w.sum()
    m = (w[:, None] * mu).sum(0)
    cov = (w[:, None, None] * (S + mu[:, :, None] * mu[:, None, :])).sum(0) - np.outer(m, m)
    return Mixture2D(mu, S, w, m, cov)


def _components(mix: Mixture2D) -> list[tuple[float, float, float, float, float, float]]:
    """Per component (μ₁, μ₂, P₀₀, P₀₁, P₁₁, log wᵢ − log 2π − ½ log det Σᵢ), P = Σᵢ⁻¹, as plain floats."""
    out = []
    for m, S, w in zip(mix.means, mix.covs, mix.weights, strict=True):
        P = np.linalg.inv(S)
        out.append((float(m[0]), float(m[1]), float(P[0, 0]), float(P[0, 1]), float(P[1, 1]),
                    math.log(w) - LOG_2PI - 0.5 * math.log(np.linalg.det(S))))
    return out


def mixture_logpdf_2d(x0: torch.Tensor, x1: torch.Tensor, mix: Mixture2D) -> torch.Tensor:
    """log p at the points (x0, x1) (same shapes): the largest component term factored out, the others'
    exponents floored at −600 below it (exp near underflow is slow; the change is below e^−600)."""
    terms = []
    for m0, m1, p00, p01, p11, c in _components(mix):
        d0, d1 = x0 - m0, x1 - m1
        terms.append(c - 0.5 * (p00 * d0 * d0 + 2 * p01 * d0 * d1 + p11 * d1 * d1))
    top = terms[0]
    for t in terms[1:]:
        top = torch.maximum(top, t)
    return top + torch.log(sum(torch.exp((t - top).clamp(min=-600.0)) for t in terms))


def _params_to_cov(th: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(L₀₀, L₁₀, L₁₁) from θ = (μ₁, μ₂, a, b, c): L = [[e^a, 0], [b, e^c]]."""
    return torch.exp(th[:, 2]), th[:, 3], torch.exp(th[:, 4])


class _Objectives2D:
    """KL(p‖q) and KL(q‖p) for a batch θ (F, 5) = (μ₁, μ₂, a, b, c), L = [[e^a, 0], [b, e^c]], Σ = LLᵀ, each
    with its gradient in closed form (checked against autograd in the tests):

    forward: ∂/∂μ = −Σ⁻¹(E_p − μ); ∂/∂L = −Σ⁻¹ S Σ⁻¹ L with S = Cov_p + (E_p − μ)(E_p − μ)ᵀ, so
    ∂/∂a = 1 + e^a G₀₀, ∂/∂b = G₁₀, ∂/∂c = 1 + e^c G₁₁ (G that matrix);
    reverse: with x = μ + L t and g = ∇ log p(x) = Σᵢ rᵢ(x) Σᵢ⁻¹(μᵢ − x), ∂/∂μ = −Σₖ wₖ g(xₖ),
    ∂/∂a = −1 − e^a Σ wₖ g₁ t₁, ∂/∂b = −Σ wₖ g₂ t₁, ∂/∂c = −1 − e^c Σ wₖ g₂ t₂."""

    def __init__(self, mix: Mixture2D, entropy_p: float, device: torch.device) -> None:
        dtype = compute_dtype(device)
        self.mix, self.entropy_p, self.parts = mix, entropy_p, _components(mix)
        t = torch.linspace(-6, 6, NODES_2D, dtype=dtype, device=device)
        self.t1, self.t2 = (a.reshape(-1) for a in torch.meshgrid(t, t, indexing="xy"))
        w = torch.exp(-0.5 * (self.t1**2 + self.t2**2))
        self.w = w / w.sum()
        self.m = torch.as_tensor(mix.mean, dtype=dtype, device=device)
        self.C = torch.as_tensor(mix.cov, dtype=dtype, device=device)

    def forward(self, th: torch.Tensor, grad: bool = False):
        l00, l10, l11 = _params_to_cov(th)
        zero = torch.zeros_like(l00)
        L = torch.stack([torch.stack([l00, zero], -1), torch.stack([l10, l11], -1)], -2)
        Linv = torch.stack([torch.stack([1 / l00, zero], -1), torch.stack([-l10 / (l00 * l11), 1 / l11], -1)], -2)
        P = Linv.transpose(-1, -2) @ Linv  # Σ⁻¹
        d = self.m - th[:, :2]
        S = self.C + d[:, :, None] * d[:, None, :]
        value = LOG_2PI + th[:, 2] + th[:, 4] + 0.5 * (P * S).sum((-2, -1)) - self.entropy_p
        if not grad:
            return value
        G = -P @ S @ P @ L
        g_mu = -(P @ d[:, :, None])[..., 0]
        return value, torch.stack([g_mu[:, 0], g_mu[:, 1], 1 + G[:, 0, 0] * l00, G[:, 1, 0], 1 + G[:, 1, 1] * l11], -1)

    def reverse(self, th: torch.Tensor, grad: bool = False):
        l00, l10, l11 = _params_to_cov(th)
        x0 = th[:, :1] + l00[:, None] * self.t1
        x1 = th[:, 1:2] + l10[:, None] * self.t1 + l11[:, None] * self.t2
        terms, slopes = [], []
        for m0, m1, p00, p01, p11, c in self.parts:
            d0, d1 = x0 - m0, x1 - m1
            u0, u1 = p00 * d0 + p01 * d1, p01 * d0 + p11 * d1
            terms.append(c - 0.5 * (d0 * u0 + d1 * u1))
            slopes.append((u0, u1))
        top = terms[0]
        for t in terms[1:]:
            top = torch.maximum(top, t)
        e = [torch.exp((t - top).clamp(min=-600.0)) for t in terms]
        total = sum(e)
        logp = top + torch.log(total)
        value = -(1 + LOG_2PI + th[:, 2] + th[:, 4]) - (logp * self.w).sum(-1)
        if not grad:
            return value
        wg0 = -sum(ei * u0 for ei, (u0, _) in zip(e, slopes, strict=True)) / total * self.w  # w g₁
        wg1 = -sum(ei * u1 for ei, (_, u1) in zip(e, slopes, strict=True)) / total * self.w  # w g₂
        return value, torch.stack([-wg0.sum(-1), -wg1.sum(-1), -1 - l00 * (wg0 * self.t1).sum(-1),
                                   -(wg1 * self.t1).sum(-1), -1 - l11 * (wg1 * self.t2).sum(-1)], -1)


@dataclass(frozen=True)
class Fit2D:
    """One fit of q = N(μ, Σ): its path and where it ended."""

    direction: str  # "forward" or "reverse"
    mu: np.ndarray  # (steps + 1, 2)
    cov: np.ndarray  # (steps + 1, 2, 2)
    objective: np.ndarray  # (steps + 1,) nats
    kl_forward: float  # KL(p‖q) at the end
    kl_reverse: float  # KL(q‖p) at the end
    nearest_component: int


@dataclass(frozen=True)
class KLFits2D:
    """Forward and reverse fits in the plane, with the mixture's density on a grid to draw them over."""

    mixture: Mixture2D
    x: np.ndarray  # (g,)
    y: np.ndarray  # (g,)
    p: np.ndarray  # (g, g) density, rows y, columns x
    entropy_p: float  # H(p) by the midpoint rule on a finer grid, nats
    forward: Fit2D
    reverse: tuple[Fit2D, ...]


def fit_kl_2d(means=((-2.0, 0.0), (2.0, 0.0)), covs=(((0.3, 0.2), (0.2, 0.6)), ((0.6, -0.2), (-0.2, 0.3))),
              weights=(0.5, 0.5), reverse_starts: tuple[tuple[float, float], ...] | None = None,
              forward_start: tuple[float, float] = (0.0, 0.0), steps: int = 300, lr: float = 0.05,
              resolution: int = 80, progress: Progress = None, device: torch.device | str = "cpu") -> KLFits2D:
    """Fit q = N(μ, Σ) to the 2-D mixture under KL(p‖q) from ``forward_start`` and under KL(q‖p) from each
    of ``reverse_starts`` (default: each component's mean and the mixture's mean), every start with Σ = I:
    ``steps`` Adam steps of size ``lr`` ½(1 + cos(πt/steps)). ``resolution``: the density grid's side."""
    mix = mixture_2d(means, covs, weights)
    device = torch.device(device)
    dtype = compute_dtype(device)
    starts = tuple(tuple(map(float, s)) for s in (reverse_starts or (*map(tuple, mix.means), tuple(mix.mean))))
    every = (tuple(map(float, forward_start)), *starts)
    if not 1 <= len(starts) <= 8:
        raise DataError("Give 1 to 8 starting points for the reverse fits.")
    if not all(len(s) == 2 and all(map(math.isfinite, s)) for s in every):
        raise DataError("Every starting point needs two finite coordinates.")
    if not 1 <= steps <= 1000 or not (math.isfinite(lr) and lr > 0) or not 10 <= resolution <= 300:
        raise DataError("Take 1 to 1000 steps with a positive step size, and 10 to 300 grid points a side.")
    # H(p) on a fine grid covering every component to ±7 sds
    spread = 7 * np.sqrt(mix.covs[:, [0, 1], [0, 1]]).max()
    lo, hi = mix.means.min(0) - spread, mix.means.max(0) + spread
    gx = torch.linspace(lo[0], hi[0], 300, dtype=dtype, device=device)
    gy = torch.linspace(lo[1], hi[1], 300, dtype=dtype, device=device)
    logp_grid = mixture_logpdf_2d(*torch.meshgrid(gx, gy, indexing="xy"), mix)
    cell = float((gx[1] - gx[0]) * (gy[1] - gy[0]))
    entropy_p = float(-(torch.exp(logp_grid) * logp_grid).sum() * cell)
    obj = _Objectives2D(mix, entropy_p, device)
    theta = torch.tensor([[*s, 0.0, 0.0, 0.0] for s in every], dtype=dtype, device=device)
    path = torch.empty((steps + 1, len(every), 5), dtype=dtype, device=device)
    values = torch.empty((steps + 1, len(every)), dtype=dtype, device=device)

    def value_and_grad(th: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        (vf, gf), (vr, gr) = obj.forward(th[:1], grad=True), obj.reverse(th[1:], grad=True)
        return torch.cat([vf, vr]), torch.cat([gf, gr])

    with single_thread(device), torch.no_grad():
        theta = adam(theta, value_and_grad, steps, lr, path, values, progress)
        kf, kr = obj.forward(theta), obj.reverse(theta)
        px = torch.linspace(lo[0], hi[0], resolution, dtype=dtype, device=device)
        py = torch.linspace(lo[1], hi[1], resolution, dtype=dtype, device=device)
        dens = torch.exp(mixture_logpdf_2d(*torch.meshgrid(px, py, indexing="xy"), mix))
    P = path.to("cpu", torch.float64).numpy()
    V = values.to("cpu", torch.float64).numpy()
    L = np.zeros((steps + 1, len(every), 2, 2))
    L[..., 0, 0], L[..., 1, 0], L[..., 1, 1] = np.exp(P[..., 2]), P[..., 3], np.exp(P[..., 4])
    cov = L @ L.transpose(0, 1, 3, 2)
    kf_np, kr_np = kf.cpu().double().numpy(), kr.cpu().double().numpy()
    fits = [Fit2D("forward" if i == 0 else "reverse", P[:, i, :2], cov[:, i], V[:, i], float(kf_np[i]),
                  float(kr_np[i]), int(np.argmin(((mix.means - P[-1, i, :2]) ** 2).sum(1))))
            for i in range(len(every))]
    arr = lambda v: v.to("cpu", torch.float64).numpy()  # noqa: E731
    return KLFits2D(mix, arr(px), arr(py), arr(dens), entropy_p, fits[0], tuple(fits[1:]))
