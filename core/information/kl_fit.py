"""Forward against reverse KL: fitting one Gaussian q = N(μ, σ²) to a 1-D mixture of Gaussians p.

Both directions are minimised by gradient descent in torch (Adam on (μ, log σ), the same steps for every
fit, with a cosine-decaying step size so that the end point settles), all fits in one batch:

* **Forward, KL(p‖q) = H(p, q) − H(p)** ("mass-covering"). For a Gaussian q the cross-entropy is exact,
  H(p, q) = ½ log(2πσ²) + (Var_p + (E_p x − μ)²)/(2σ²), so the optimum is *moment matching*:
  μ* = E_p x = Σ wᵢ μᵢ and σ*² = Var_p x = Σ wᵢ (σᵢ² + μᵢ²) − μ*². H(p) (no closed form for a mixture) is a
  trapezoid-rule quadrature on a fine grid; it does not move the optimum.
* **Reverse, KL(q‖p) = −H(q) − E_q log p** ("mode-seeking"): H(q) = ½ log(2πeσ²) exactly, and
  E_q log p = Σₖ wₖ log p(μ + σ tₖ), the trapezoid rule on a standardized grid tₖ ∈ [−10, 10]
  (:data:`Q_NODES` points, wₖ ∝ φ(tₖ) summing to 1), which follows q wherever it goes and however narrow it
  gets. (Gauss–Hermite quadrature was tried first: with 80 nodes it missed KL(q‖p) by 0.015 nats for a wide
  q over two narrow modes, whose log p bends sharply between them; the dense grid is within 1e-6 there.)
  q is penalised wherever it puts mass that p lacks, so for well-separated modes it locks onto one of
  them; which one depends on where it starts.
* **α-divergence** between the two: Amari's α-divergence in Minka's parametrisation (Minka 2005,
  "Divergence measures and message passing"), for normalised densities
  D_α(p‖q) = (1 − ∫ p(x)^α q(x)^{1−α} dx) / (α(1 − α)),
  which tends to KL(p‖q) as α → 1 and to KL(q‖p) as α → 0 (α = ½ is four times the squared Hellinger
  distance). The integral is the trapezoid rule on the grid; its error is divided by α(1 − α), so α is
  kept within [:data:`ALPHA_MIN`, 1 − :data:`ALPHA_MIN`] (the ends are the two KL fits, computed exactly).

Divergences are in nats. Nothing is sampled, so every fit is deterministic.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from core.data import DataError
from core.device import compute_dtype, single_thread

Progress = Callable[[float, str], None] | None
MAX_COMPONENTS = 3
MIN_SD = 0.05
Q_NODES = 801
ALPHA_MIN = 0.01
MAX_STARTS = 8
GRID = 801  # points of the quadrature grid for H(p) and the α-integral
LANDSCAPE_GRID = 801
LOG_2PI = math.log(2 * math.pi)
EXP_FLOOR = -600.0  # exponents below are raised to this: e^−600 ≈ 1e−261 is nothing next to any term here,
# and exp of inputs near −700 (results that underflow to subnormal numbers) runs ~100× slower on x86 CPUs


def _exp(x: torch.Tensor) -> torch.Tensor:
    """exp(max(x, :data:`EXP_FLOOR`)): the fast path everywhere."""
    return torch.exp(x.clamp(min=EXP_FLOOR))


@dataclass(frozen=True)
class Mixture:
    """p(x) = Σ wᵢ N(x; μᵢ, σᵢ²), with its exact mean and variance."""

    means: np.ndarray
    sds: np.ndarray
    weights: np.ndarray  # normalised
    mean: float  # Σ wᵢ μᵢ
    variance: float  # Σ wᵢ (σᵢ² + μᵢ²) − mean²
    note: str  # "" or what normalising the weights did


def mixture(means, sds, weights) -> Mixture:
    """Validate a mixture of 1 to :data:`MAX_COMPONENTS` Gaussians (finite means, sds ≥ :data:`MIN_SD`,
    weights not negative and not all zero; the weights are normalised)."""
    mu, sd, w = (np.asarray(a, dtype=np.float64).ravel() for a in (means, sds, weights))
    if not (len(mu) == len(sd) == len(w)) or not 1 <= len(mu) <= MAX_COMPONENTS:
        raise DataError(f"Give 1 to {MAX_COMPONENTS} components, each with a mean, a standard deviation and a weight.")
    if not (np.isfinite(mu).all() and np.isfinite(sd).all() and np.isfinite(w).all()):
        raise DataError("The mixture's parameters must be finite numbers.")
    if (sd < MIN_SD).any():
        raise DataError(f"Every standard deviation must be at least {MIN_SD}.")
    if (w < 0).any() or w.sum() <= 0:
        raise DataError("The weights cannot be negative, and at least one must be positive.")
    total = float(w.sum())
    notes = [] if math.isclose(total, 1.0, abs_tol=1e-12) else [f"The weights summed to {total:.6g} and were "
                                                                 "normalised."]
    if (w == 0).any():  # log 0 has no place in the log-density: such a component is not part of p
        notes.append(f"{int((w == 0).sum())} component(s) of weight 0 left out.")
        mu, sd, w = mu[w > 0], sd[w > 0], w[w > 0]
    w = w / total
    m = float((w * mu).sum())
    return Mixture(mu, sd, w, m, float((w * (sd**2 + mu**2)).sum() - m * m), " ".join(notes))


def normal_logpdf_t(x: torch.Tensor, mu: torch.Tensor, log_sd: torch.Tensor) -> torch.Tensor:
    return -0.5 * LOG_2PI - log_sd - 0.5 * ((x - mu) * torch.exp(-log_sd)) ** 2


class _Objectives:
    """The three divergences as functions of a batch of (μ, s = log σ), in torch on one device, each with its
    gradient in closed form (checked against autograd in the tests): no autograd graph per step, so a
    300-step fit costs a few tensor operations a step."""

    def __init__(self, mix: Mixture, lo: float, hi: float, device: torch.device, grid: int = GRID) -> None:
        self.mix = mix
        dtype = compute_dtype(device)
        self.x = torch.linspace(lo, hi, grid, dtype=dtype, device=device)
        self.logp = self.logpdf(self.x)
        p = _exp(self.logp)
        self.entropy_p = float(-torch.trapezoid(torch.special.xlogy(p, p), self.x))
        self.t = torch.linspace(-10, 10, Q_NODES, dtype=dtype, device=device)
        w = torch.exp(-0.5 * self.t**2)
        w[[0, -1]] *= 0.5
        self.w = w / w.sum()

    def _terms(self, x: torch.Tensor) -> list[torch.Tensor]:
        """log wᵢ + log N(x; μᵢ, σᵢ²) for each component, each shaped like x (a Python loop over at most
        three components: reductions over a trailing axis of length 3 cost more than the arithmetic)."""
        mix = self.mix
        return [math.log(w) - 0.5 * LOG_2PI - math.log(sd) - 0.5 * ((x - m) / sd) ** 2
                for m, sd, w in zip(mix.means.tolist(), mix.sds.tolist(), mix.weights.tolist(), strict=True)]

    @staticmethod
    def _top(terms: list[torch.Tensor]) -> torch.Tensor:
        top = terms[0]
        for t in terms[1:]:
            top = torch.maximum(top, t)
        return top

    def logpdf(self, x: torch.Tensor) -> torch.Tensor:
        """log p(x) = log Σᵢ wᵢ N(x; μᵢ, σᵢ²) elementwise, stably: the largest term factored out, terms more
        than 600 below it raised to that floor (a relative change below e^−600) so that no exp underflows."""
        terms = self._terms(x)
        top = self._top(terms)
        return top + torch.log(sum(_exp(t - top) for t in terms))

    def score(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """log p(x) and d log p/dx = Σᵢ rᵢ(x) (μᵢ − x)/σᵢ², rᵢ the posterior weight of component i."""
        terms = self._terms(x)
        top = self._top(terms)
        e = [_exp(t - top) for t in terms]
        total = sum(e)
        slope = sum(ei * ((m - x) / sd**2) for ei, m, sd in zip(e, self.mix.means.tolist(), self.mix.sds.tolist(),
                                                                  strict=True))
        return top + torch.log(total), slope / total

    def forward(self, mu: torch.Tensor, s: torch.Tensor, grad: bool = False):
        """KL(p‖q) = ½ log 2π + s + (Var_p + (E_p − μ)²) e^{−2s}/2 − H(p);
        ∂/∂μ = (μ − E_p) e^{−2s}, ∂/∂s = 1 − (Var_p + (E_p − μ)²) e^{−2s}."""
        inv = torch.exp(-2 * s)
        second = self.mix.variance + (self.mix.mean - mu) ** 2
        value = 0.5 * LOG_2PI + s + 0.5 * second * inv - self.entropy_p
        return (value, torch.stack([(mu - self.mix.mean) * inv, 1 - second * inv], -1)) if grad else value

    def reverse(self, mu: torch.Tensor, s: torch.Tensor, grad: bool = False):
        """KL(q‖p) = −½ log(2πe) − s − Σₖ wₖ log p(xₖ), xₖ = μ + e^s tₖ (trapezoid on the standardized grid);
        ∂/∂μ = −Σ wₖ (log p)'(xₖ), ∂/∂s = −1 − Σ wₖ (log p)'(xₖ) e^s tₖ."""
        step = torch.exp(s)[..., None] * self.t
        logp, dlogp = self.score(mu[..., None] + step)
        value = -0.5 * (LOG_2PI + 1) - s - (logp * self.w).sum(-1)
        if not grad:
            return value
        return value, torch.stack([-(dlogp * self.w).sum(-1), -1 - (dlogp * step * self.w).sum(-1)], -1)

    def alpha(self, mu: torch.Tensor, s: torch.Tensor, a: float, grad: bool = False):
        """D_α(p‖q) = (1 − I)/(α(1 − α)), I = ∫ p^α q^{1−α} by the trapezoid rule on the grid;
        ∂I/∂θ = (1 − α) ∫ p^α q^{1−α} ∂θ log q, with ∂μ log q = (x − μ)/σ², ∂s log q = (x − μ)²/σ² − 1."""
        z = (self.x - mu[..., None]) * torch.exp(-s)[..., None]
        logq = -0.5 * LOG_2PI - s[..., None] - 0.5 * z * z
        f = _exp(a * self.logp + (1 - a) * logq)
        value = (1 - torch.trapezoid(f, self.x, dim=-1)) / (a * (1 - a))
        if not grad:
            return value
        dmu = torch.trapezoid(f * z * torch.exp(-s)[..., None], self.x, dim=-1)
        ds = torch.trapezoid(f * (z * z - 1), self.x, dim=-1)
        return value, -torch.stack([dmu, ds], -1) / a

    def reverse_on_grid(self, mu: torch.Tensor, s: torch.Tensor) -> torch.Tensor:
        """KL(q‖p) with E_q log p = Σ_x q̃(x) log p(x) over the fixed grid, q̃ = q normalised on it: one matrix
        product per batch (for drawing a landscape; :meth:`reverse` is the accurate one)."""
        z = (self.x - mu[..., None]) * torch.exp(-s)[..., None]
        weights = torch.softmax(-0.5 * z * z, dim=-1)
        return -0.5 * (LOG_2PI + 1) - s - weights @ self.logp


@dataclass(frozen=True)
class Fit:
    """One gradient-descent fit of q = N(μ, σ²): its path and where it ended."""

    direction: str  # "forward" (KL(p‖q)), "reverse" (KL(q‖p)) or "alpha"
    alpha: float  # 1 forward, 0 reverse, in between for the α-divergence
    mu: np.ndarray  # (steps + 1,) the path of μ, from the start
    sd: np.ndarray  # (steps + 1,) the path of σ
    objective: np.ndarray  # (steps + 1,) the divergence being minimised, nats
    kl_forward: float  # KL(p‖q) at the end
    kl_reverse: float  # KL(q‖p) at the end
    nearest_component: int  # the mixture component whose mean is closest to the final μ


@dataclass(frozen=True)
class KLFits:
    """Forward, reverse (from several starts) and α fits of one Gaussian to a mixture, with curves to draw."""

    mixture: Mixture
    x: np.ndarray  # (G,) the grid
    p: np.ndarray  # (G,) the mixture's density on it
    entropy_p: float  # H(p), nats (quadrature)
    moment_match: tuple[float, float]  # (E_p x, sd_p): the forward fit's closed-form optimum
    forward: Fit
    reverse: tuple[Fit, ...]  # one per start
    alpha: Fit | None  # None when alpha=None was asked for
    q_forward: np.ndarray  # (G,) densities of the fitted q's on the grid
    q_reverse: np.ndarray  # (starts, G)
    q_alpha: np.ndarray | None


def default_starts(mix: Mixture) -> tuple[tuple[float, float], ...]:
    """Reverse-KL starting points: each component's mean and the mixture's mean, each with σ = 1."""
    pts = sorted({round(float(m), 6) for m in mix.means} | {round(mix.mean, 6)})
    return tuple((m, 1.0) for m in pts)


def _grid_range(mix: Mixture, starts) -> tuple[float, float]:
    lo = min(float((mix.means - 6 * mix.sds).min()), *(m - 4 * s for m, s in starts))
    hi = max(float((mix.means + 6 * mix.sds).max()), *(m + 4 * s for m, s in starts))
    return lo, hi



def adam(theta: torch.Tensor, value_and_grad: Callable, steps: int, lr: float, path: torch.Tensor,
         values: torch.Tensor, progress: Progress = None) -> torch.Tensor:
    """Adam (Kingma & Ba), written out, with step size lr·½(1 + cos(πt/steps)): ``steps`` steps from ``theta``
    on the objectives ``value_and_grad(theta) -> (values, gradients)``, writing each iterate into ``path[t]`` and
    its objectives into ``values[t]`` (t = 0 … steps); returns the last iterate. Shared by the 1-D and 2-D fits."""
    m1, m2 = torch.zeros_like(theta), torch.zeros_like(theta)
    b1, b2, eps = 0.9, 0.999, 1e-8
    for t in range(steps):
        value, g = value_and_grad(theta)
        path[t], values[t] = theta, value
        m1.mul_(b1).add_(g, alpha=1 - b1)
        m2.mul_(b2).addcmul_(g, g, value=1 - b2)
        size = lr * 0.5 * (1 + math.cos(math.pi * t / steps)) * math.sqrt(1 - b2 ** (t + 1)) / (1 - b1 ** (t + 1))
        theta = theta - size * m1 / (m2.sqrt() + eps)
        if progress and (t + 1) % max(1, steps // 10) == 0:
            progress((t + 1) / steps, f"Fitting: step {t + 1} of {steps}")
    path[steps], values[steps] = theta, value_and_grad(theta)[0]
    return theta

def fit_kl(means=(-2.0, 2.0), sds=(0.6, 0.6), weights=(0.5, 0.5),
           reverse_starts: tuple[tuple[float, float], ...] | None = None, alpha: float | None = 0.5,
           forward_start: tuple[float, float] = (0.0, 1.0), steps: int = 300, lr: float = 0.1,
           progress: Progress = None, device: torch.device | str = "cpu") -> KLFits:
    """Fit q = N(μ, σ²) to the mixture under KL(p‖q) from ``forward_start``, under KL(q‖p) from each of
    ``reverse_starts`` (default :func:`default_starts`) and, unless ``alpha`` is None, under Amari's
    α-divergence from ``forward_start``: ``steps`` Adam steps on (μ, log σ), step size ``lr`` decaying as
    ½(1 + cos(π t/steps)). Every path is recorded. (μ, σ) pairs must be finite with σ > 0. All fits step
    together as one batch (Adam treats every coordinate on its own, so this is the same as fitting each
    alone); ``progress(fraction, text)`` hears every tenth of the way."""
    mix = mixture(means, sds, weights)
    device = torch.device(device)
    starts = tuple((float(m), float(s)) for m, s in (reverse_starts or default_starts(mix)))
    every = (forward_start, *starts)
    if not 1 <= len(starts) <= MAX_STARTS:
        raise DataError(f"Give 1 to {MAX_STARTS} starting points for the reverse fits.")
    if not all(math.isfinite(m) and math.isfinite(s) and s > 0 for m, s in every):
        raise DataError("Every starting point needs a finite mean and a positive standard deviation.")
    if not 1 <= steps <= 5000 or not (math.isfinite(lr) and lr > 0):
        raise DataError("Take 1 to 5000 steps with a positive step size.")
    use_alpha = alpha is not None
    if use_alpha and not ALPHA_MIN <= alpha <= 1 - ALPHA_MIN:
        raise DataError(f"α must lie between {ALPHA_MIN} and {1 - ALPHA_MIN} (α → 1 is KL(p‖q), α → 0 is KL(q‖p)).")
    dtype = compute_dtype(device)
    obj = _Objectives(mix, *_grid_range(mix, every), device)
    init = [forward_start, *starts, *([forward_start] if use_alpha else [])]
    theta = torch.tensor([[m, math.log(s)] for m, s in init], dtype=dtype, device=device)
    n_rev = len(starts)

    def value_and_grad(th: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        rev = th[1:1 + n_rev]
        parts = [obj.forward(th[:1, 0], th[:1, 1], grad=True), obj.reverse(rev[:, 0], rev[:, 1], grad=True)]
        if use_alpha:
            parts.append(obj.alpha(th[-1:, 0], th[-1:, 1], float(alpha), grad=True))
        return torch.cat([v for v, _ in parts]), torch.cat([g for _, g in parts])

    path = torch.empty((steps + 1, len(init), 2), dtype=dtype, device=device)
    values = torch.empty((steps + 1, len(init)), dtype=dtype, device=device)
    with single_thread(device), torch.no_grad():
        theta = adam(theta, value_and_grad, steps, lr, path, values, progress)
        kl_f = obj.forward(theta[:, 0], theta[:, 1])
        kl_r = obj.reverse(theta[:, 0], theta[:, 1])
        qs = _exp(normal_logpdf_t(obj.x, theta[:, :1], theta[:, 1:]))
    P = path.to("cpu", torch.float64).numpy()  # (steps + 1, fits, 2)
    V = values.to("cpu", torch.float64).numpy()
    kf, kr = kl_f.cpu().double().numpy(), kl_r.cpu().double().numpy()
    labels = ["forward"] + ["reverse"] * n_rev + (["alpha"] if use_alpha else [])
    alphas = [1.0] + [0.0] * n_rev + ([float(alpha)] if use_alpha else [])
    fits = [Fit(labels[i], alphas[i], P[:, i, 0], np.exp(P[:, i, 1]), V[:, i], float(kf[i]), float(kr[i]),
                int(np.argmin(np.abs(mix.means - P[-1, i, 0])))) for i in range(len(init))]
    q = qs.to("cpu", torch.float64).numpy()
    return KLFits(mix, obj.x.cpu().double().numpy(), _exp(obj.logp).cpu().double().numpy(), obj.entropy_p,
                  (mix.mean, math.sqrt(mix.variance)), fits[0], tuple(fits[1:1 + n_rev]),
                  fits[-1] if use_alpha else None, q[0], q[1:1 + n_rev], q[-1] if use_alpha else None)


@dataclass(frozen=True)
class Landscape:
    """A divergence over a grid of (μ, σ), to draw the fits' paths on."""

    direction: str
    mu: np.ndarray  # (a,)
    sd: np.ndarray  # (b,) log-spaced
    values: np.ndarray  # (b, a) nats


def landscape(means=(-2.0, 2.0), sds=(0.6, 0.6), weights=(0.5, 0.5), direction: str = "reverse",
              alpha: float = 0.5, mu_range: tuple[float, float] | None = None,
              sd_range: tuple[float, float] = (0.1, 5.0), resolution: int = 60,
              device: torch.device | str = "cpu") -> Landscape:
    """KL(p‖q) ("forward"), KL(q‖p) ("reverse") or D_α ("alpha") at every (μ, σ) of a ``resolution``²
    grid (σ log-spaced over ``sd_range``; μ over ``mu_range``, by default the mixture's means ± 3 sds).
    A picture to draw the fits' paths on: the integrals use a coarser grid of :data:`LANDSCAPE_GRID` points
    (forward is exact), one σ row at a time."""
    mix = mixture(means, sds, weights)
    if direction not in ("forward", "reverse", "alpha"):
        raise DataError(f"Unknown direction {direction!r}; choose forward, reverse or alpha.")
    if direction == "alpha" and not ALPHA_MIN <= alpha <= 1 - ALPHA_MIN:
        raise DataError(f"α must lie between {ALPHA_MIN} and {1 - ALPHA_MIN}.")
    if not 2 <= resolution <= 400 or not 0 < sd_range[0] < sd_range[1]:
        raise DataError("Use 2 to 400 points a side and 0 < smallest σ < largest σ.")
    device = torch.device(device)
    lo, hi = mu_range or (float((mix.means - 3 * mix.sds).min()), float((mix.means + 3 * mix.sds).max()))
    obj = _Objectives(mix, *_grid_range(mix, [(lo, sd_range[1]), (hi, sd_range[1])]), device, LANDSCAPE_GRID)
    dtype = compute_dtype(device)
    mu = torch.linspace(lo, hi, resolution, dtype=dtype, device=device)
    log_sd = torch.linspace(math.log(sd_range[0]), math.log(sd_range[1]), resolution, dtype=dtype, device=device)
    M, S = torch.meshgrid(mu, log_sd, indexing="xy")  # (b, a): rows σ, columns μ
    with single_thread(device):  # a few hundred mid-sized ops: a contended second thread only slows them
        if direction == "forward":
            v = obj.forward(M, S)
        elif direction == "reverse":
            v = torch.stack([obj.reverse_on_grid(M[i], S[i]) for i in range(resolution)])
        else:
            v = torch.stack([obj.alpha(M[i], S[i], alpha) for i in range(resolution)])
    return Landscape(direction, mu.cpu().double().numpy(), np.exp(log_sd.cpu().double().numpy()),
                     v.cpu().double().numpy())
