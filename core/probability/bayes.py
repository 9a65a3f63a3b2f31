"""Bayesian updating with conjugate priors, one observation at a time, checked against a grid.

Beta–Bernoulli: prior θ ~ Beta(a, b); after k observations with sₖ successes the posterior is
Beta(a + sₖ, b + k − sₖ): mean (a + sₖ)/(a + b + k), mode (MAP) (a + sₖ − 1)/(a + b + k − 2) when both
parameters exceed 1, MLE sₖ/k.

Normal–Normal with known σ: prior μ ~ N(μ₀, τ₀²); each xᵢ ~ N(μ, σ²) updates the precision and mean by
1/τₖ² = 1/τₖ₋₁² + 1/σ² and μₖ = (μₖ₋₁/τₖ₋₁² + xₖ/σ²) τₖ² (so 1/τₙ² = 1/τ₀² + n/σ², μₙ = τₙ²(μ₀/τ₀² + Σx/σ²));
mean = MAP = μₖ, MLE = x̄ₖ.

The grid approximation multiplies the prior density on a grid of θ by each observation's likelihood in turn
and renormalises (Bayes' rule, p(θ | x₁…ₖ) ∝ p(θ | x₁…ₖ₋₁) f(xₖ | θ)), with no conjugacy used; it must agree
with the conjugate formula, and updating one observation at a time must agree with updating on all at once.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

from core.data import DataError
from core.device import compute_dtype, single_thread
from core.probability.families import sample_t

MAX_OBSERVATIONS = 1000
BETA_PRIORS = ((1.0, 1.0, "uniform Beta(1, 1)"), (0.5, 0.5, "Jeffreys Beta(½, ½)"), (2.0, 2.0, "Beta(2, 2)"),
               (10.0, 10.0, "confident Beta(10, 10)"), (2.0, 8.0, "sceptical Beta(2, 8)"))
NORMAL_PRIORS = ((0.0, 0.1, "N(0, 0.1²): very sure of 0"), (0.0, 1.0, "N(0, 1²)"), (0.0, 10.0, "N(0, 10²): vague"),
                 (3.0, 0.5, "N(3, 0.5²)"), (-3.0, 0.5, "N(−3, 0.5²)"))


@dataclass(frozen=True)
class Updating:
    """The posterior after each of k = 0 … n observations, and the checks of the conjugate formula."""

    model: str  # "beta_bernoulli" or "normal_normal"
    data: np.ndarray  # (n,) the observations in the order they arrived
    names: tuple[str, str]  # the posterior's parameters: ("a", "b") or ("mean", "sd")
    params: np.ndarray  # (n + 1, 2) after k observations (row 0: the prior)
    posterior_mean: np.ndarray  # (n + 1,)
    map: np.ndarray  # (n + 1,) the posterior mode; NaN where it is not unique (Beta with a, b ≤ 1)
    mle: np.ndarray  # (n + 1,) NaN at k = 0 (no data)
    lower: np.ndarray  # (n + 1,) central credible interval at ``level``
    upper: np.ndarray
    level: float
    prior_labels: tuple[str, ...]
    sensitivity: np.ndarray  # (len(prior_labels), n + 1) the posterior mean under each prior
    theta: np.ndarray  # (G,) the grid
    densities: np.ndarray  # (n + 1, G) the conjugate posterior density after k observations
    grid_density: np.ndarray  # (G,) the final posterior by grid approximation, one observation at a time
    grid_mean: float  # its mean
    grid_error: float  # max |grid − conjugate| of the final density, relative to the conjugate's peak
    sequential_vs_batch: float  # max |parameters one at a time − all at once|, relative
    grid_sequential_vs_batch: float  # the same for the grid posterior, relative to its peak
    note: str


def _observations(data: Sequence[float] | np.ndarray | None, family: str, params: dict, n: int, seed: int,
                  device: torch.device) -> np.ndarray:
    if data is None:
        if not 0 <= int(n) <= MAX_OBSERVATIONS:
            raise DataError(f"From 0 to {MAX_OBSERVATIONS:,} observations, got {n}.")
        if int(n) == 0:
            return np.zeros(0)
        return sample_t(family, params, int(n), seed, device).double().cpu().numpy()
    x = np.asarray(data, dtype=np.float64).ravel()
    if x.size > MAX_OBSERVATIONS:
        raise DataError(f"At most {MAX_OBSERVATIONS:,} observations, got {x.size:,}.")
    if not np.isfinite(x).all():
        raise DataError("The observations have missing or infinite values.")
    return x


def _grid_posterior(log_prior: torch.Tensor, loglik: torch.Tensor, width: float) -> tuple[torch.Tensor, float]:
    """The grid posterior density updated one observation (row of ``loglik``) at a time, renormalised after
    each, and its largest difference from the all-at-once update, relative to its peak."""
    post = torch.exp(log_prior - log_prior.max())
    post = post / (post.sum() * width)
    for row in loglik:
        post = post * torch.exp(row - row.max())
        post = post / (post.sum() * width)
    batch = log_prior + loglik.sum(0)
    batch = torch.exp(batch - batch.max())
    batch = batch / (batch.sum() * width)
    return post, float((post - batch).abs().max() / batch.max())


def beta_bernoulli(data: Sequence[float] | np.ndarray | None = None, p_true: float = 0.3, n: int = 50,
                   seed: int = 0, a: float = 1.0, b: float = 1.0, level: float = 0.95, grid: int = 401,
                   priors: Sequence[tuple[float, float, str]] = BETA_PRIORS,
                   device: torch.device | str = "cpu") -> Updating:
    """Beta(a, b) prior on a coin's θ, updated by 0/1 observations (``data``, or n seeded flips of a coin with
    P(1) = ``p_true``). The credible interval is (F⁻¹((1 − level)/2), F⁻¹((1 + level)/2)) of the Beta posterior
    (``scipy.special.betaincinv``)."""
    from scipy import special

    device = torch.device(device)
    if not (a > 0 and b > 0 and math.isfinite(a) and math.isfinite(b)):
        raise DataError(f"A Beta prior needs a > 0 and b > 0, got a = {a}, b = {b}.")
    if not 0 < level < 1:
        raise DataError(f"The credible level is between 0 and 1, got {level}.")
    if not 0 <= p_true <= 1:
        raise DataError(f"The coin's P(1) is between 0 and 1, got {p_true}.")
    x = _observations(data, "bernoulli", {"p": p_true}, n, seed, device)
    if not np.isin(x, (0.0, 1.0)).all():
        raise DataError("Beta–Bernoulli observations are 0 or 1.")
    params = [(a, b)]
    for xi in x:  # one at a time, as the observations arrive
        pa, pb = params[-1]
        params.append((pa + xi, pb + 1 - xi))
    params = np.array(params)
    batch = np.array([a + x.sum(), b + len(x) - x.sum()])
    seq_vs_batch = float(np.abs(params[-1] - batch).max() / batch.max())
    A, B = params[:, 0], params[:, 1]
    k = np.arange(len(x) + 1)
    s = np.r_[0.0, np.cumsum(x)]
    mean = A / (A + B)
    with np.errstate(divide="ignore", invalid="ignore"):
        mode = np.where((A > 1) & (B > 1), (A - 1) / (A + B - 2),
                        np.where((A <= 1) & (B > 1), 0.0, np.where((A > 1) & (B <= 1), 1.0, np.nan)))
        mle = np.where(k > 0, s / np.maximum(k, 1), np.nan)
    lo, hi = special.betaincinv(A, B, (1 - level) / 2), special.betaincinv(A, B, (1 + level) / 2)
    sens = np.array([(pa + s) / (pa + pb + k) for pa, pb, _ in priors]) if priors else np.zeros((0, len(k)))
    with single_thread(device):  # a few hundred small steps: see core.device.single_thread
        dtype = compute_dtype(device)
        # the open interval (0, 1): a density may be infinite at the ends
        theta = torch.linspace(0, 1, int(grid) + 2, dtype=dtype, device=device)[1:-1]
        width = 1.0 / (int(grid) + 1)
        At = torch.as_tensor(A, dtype=dtype, device=device)[:, None]
        Bt = torch.as_tensor(B, dtype=dtype, device=device)[:, None]
        dens = torch.exp(torch.distributions.Beta(At, Bt, validate_args=False).log_prob(theta))
        xt = torch.as_tensor(x, dtype=dtype, device=device)[:, None]
        loglik = xt * torch.log(theta) + (1 - xt) * torch.log1p(-theta)
        log_prior = (a - 1) * torch.log(theta) + (b - 1) * torch.log1p(-theta)
        post, grid_seq = _grid_posterior(log_prior, loglik, width)
    final = dens[-1]
    note = "" if (A[-1] > 1 and B[-1] > 1) else ("The posterior's mode is at an end of [0, 1] or not unique "
                                                 "(a parameter ≤ 1).")
    return Updating("beta_bernoulli", x, ("a", "b"), params, mean, mode, mle, lo, hi, float(level),
                    tuple(lbl for _, _, lbl in priors), sens, theta.double().cpu().numpy(),
                    dens.double().cpu().numpy(), post.double().cpu().numpy(), float((theta * post).sum() * width),
                    float((post - final).abs().max() / final.max()), seq_vs_batch, grid_seq, note)


def normal_normal(data: Sequence[float] | np.ndarray | None = None, mu_true: float = 1.0, sigma: float = 1.0,
                  n: int = 30, seed: int = 0, mu0: float = 0.0, tau0: float = 1.0, level: float = 0.95,
                  grid: int = 401, priors: Sequence[tuple[float, float, str]] = NORMAL_PRIORS,
                  device: torch.device | str = "cpu") -> Updating:
    """N(μ₀, τ₀²) prior on the mean μ of N(μ, σ²) observations with σ known (``data``, or n seeded draws at
    ``mu_true``). Posterior parameters are (mean, sd); the credible interval is mean ± z sd."""
    from scipy import stats

    device = torch.device(device)
    for v, what in ((sigma, "σ"), (tau0, "τ₀")):
        if not (v > 0 and math.isfinite(v)):
            raise DataError(f"{what} must be a positive number, got {v}.")
    if not (math.isfinite(mu0) and math.isfinite(mu_true)):
        raise DataError("μ₀ and the true μ must be finite numbers.")
    if not 0 < level < 1:
        raise DataError(f"The credible level is between 0 and 1, got {level}.")
    x = _observations(data, "normal", {"mu": mu_true, "sigma": sigma}, n, seed, device)
    prec, m = [1 / tau0**2], [mu0]
    for xi in x:  # one at a time
        p = prec[-1] + 1 / sigma**2
        m.append((m[-1] * prec[-1] + xi / sigma**2) / p)
        prec.append(p)
    prec, m = np.array(prec), np.array(m)
    sd = 1 / np.sqrt(prec)
    params = np.c_[m, sd]
    p_all = 1 / tau0**2 + len(x) / sigma**2
    batch = np.array([(mu0 / tau0**2 + x.sum() / sigma**2) / p_all, 1 / math.sqrt(p_all)])
    seq_vs_batch = float(np.abs(params[-1] - batch).max() / np.abs(batch).max())
    k = np.arange(len(x) + 1)
    csum = np.r_[0.0, np.cumsum(x)]
    with np.errstate(invalid="ignore", divide="ignore"):
        mle = np.where(k > 0, csum / np.maximum(k, 1), np.nan)
    z = float(stats.norm.ppf(0.5 + level / 2))
    sens = (np.array([(pm / pt**2 + csum / sigma**2) / (1 / pt**2 + k / sigma**2) for pm, pt, _ in priors])
            if priors else np.zeros((0, len(k))))
    with single_thread(device):  # a few hundred small steps: see core.device.single_thread
        dtype = compute_dtype(device)
        lo_g = min(mu0 - 5 * tau0, m[-1] - 8 * sd[-1])
        hi_g = max(mu0 + 5 * tau0, m[-1] + 8 * sd[-1])
        theta = torch.linspace(lo_g, hi_g, int(grid), dtype=dtype, device=device)
        width = (hi_g - lo_g) / (int(grid) - 1)
        dens = torch.exp(torch.distributions.Normal(torch.as_tensor(m, dtype=dtype, device=device)[:, None],
                                                    torch.as_tensor(sd, dtype=dtype, device=device)[:, None],
                                                    validate_args=False).log_prob(theta))
        xt = torch.as_tensor(x, dtype=dtype, device=device)[:, None]
        loglik = -0.5 * ((xt - theta) / sigma) ** 2
        log_prior = -0.5 * ((theta - mu0) / tau0) ** 2
        post, grid_seq = _grid_posterior(log_prior, loglik, width)
    final = dens[-1]
    return Updating("normal_normal", x, ("mean", "sd"), params, m, m.copy(), mle, m - z * sd, m + z * sd,
                    float(level), tuple(lbl for _, _, lbl in priors), sens, theta.double().cpu().numpy(),
                    dens.double().cpu().numpy(), post.double().cpu().numpy(), float((theta * post).sum() * width),
                    float((post - final).abs().max() / final.max()), seq_vs_batch, grid_seq,
                    "" if len(x) else "No observations yet: the posterior is the prior.")
