"""Estimators and their sampling distributions, by simulation, against the closed forms where they exist.

For an estimator θ̂ of θ from a sample of size n: bias E[θ̂] − θ, variance Var θ̂ = E[(θ̂ − Eθ̂)²], and
MSE = E[(θ̂ − θ)²] = variance + bias². Each study draws R seeded samples of the largest n, and the sample of
size n is the first n draws of each (the sizes share their draws: each size's sampling distribution is exact,
and the draws cost Σn less the largest, half the time at the page's sizes). It computes the estimators on each
and reports the three against n beside their exact values (NaN where there is no closed form), plus the R
values of every estimator at one n for a histogram of its sampling distribution.

* Sample variance: s²ₙ = (1/n) Σ(xᵢ − x̄)² (the MLE under a normal) has E[s²ₙ] = (n − 1)σ²/n, bias −σ²/n;
  s²ₙ₋₁ = n s²ₙ/(n − 1) is unbiased with Var s²ₙ₋₁ = (μ₄ − σ⁴(n − 3)/(n − 1))/n (μ₄ the fourth central
  moment; 2σ⁴/(n − 1) for a normal), and Var s²ₙ = ((n − 1)/n)² Var s²ₙ₋₁. For a normal s²ₙ has the smaller MSE.
* Sample mean: x̄ has bias 0 and variance σ²/n; w x̄ has bias (w − 1)μ and variance w²σ²/n.
* Uniform(0, θ) maximum: M = max xᵢ (the MLE) has E[M] = nθ/(n + 1), Var M = nθ²/((n + 1)²(n + 2)); the
  unbiased (n + 1)M/n has variance θ²/(n(n + 2)); the method of moments 2x̄ is unbiased with variance θ²/(3n).
* Shrinking a mean in p ≥ 3 dimensions: from n draws of N(θ, σ²I_p), X̄ ~ N(θ, (σ²/n) I_p) (simulated
  directly from that law). X̄ has risk E‖X̄ − θ‖² = pσ²/n; w X̄ has bias (w − 1)θ and risk w²pσ²/n + (1 − w)²‖θ‖²;
  James–Stein (1 − (p − 2)(σ²/n)/‖X̄‖²) X̄ has risk pσ²/n − (p − 2)²(σ²/n)² E[1/‖X̄‖²] < pσ²/n for every θ,
  with n‖X̄‖²/σ² ~ χ′²_p(λ = n‖θ‖²/σ²) and E[1/χ′²_p(λ)] = Σⱼ Poisson(j; λ/2)/(p + 2j − 2).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import torch

from core.data import DataError
from core.device import compute_dtype
from core.probability.families import check_params, draw, generator, moments, threads_for

NS = (2, 3, 5, 10, 20, 50, 100)
MAX_N = 1000
MAX_REPLICATES = 10_000  # with sample sizes up to 500 (Σn ≈ 900), under a second on 2 cores
CHUNK = 4_000_000


@dataclass(frozen=True)
class Estimator:
    """One estimator's bias, variance and MSE against n (simulated, and exact where known: else NaN)."""

    key: str
    label: str
    bias: np.ndarray
    variance: np.ndarray
    mse: np.ndarray
    exact_bias: np.ndarray
    exact_variance: np.ndarray
    exact_mse: np.ndarray
    draws: np.ndarray  # (R,) its values at ``shown_n`` (for a shrinkage estimator: ‖θ̂ − θ‖²)


@dataclass(frozen=True)
class Study:
    """A sampling study: which quantity is estimated, its true value, and every estimator's curves."""

    target: str
    truth: float
    ns: np.ndarray
    replicates: int
    shown_n: int
    estimators: tuple[Estimator, ...]
    note: str

    def get(self, key: str) -> Estimator:
        return next(e for e in self.estimators if e.key == key)


def _check(ns: Sequence[int], replicates: int, shown_n: int, low: int) -> tuple[np.ndarray, int, int]:
    ns = np.asarray(sorted({int(v) for v in ns}), dtype=np.int64)
    if ns.size == 0 or ns[0] < low or ns[-1] > MAX_N:
        raise DataError(f"Sample sizes from {low} to {MAX_N:,}, got {ns.tolist()}.")
    if not 10 <= int(replicates) <= MAX_REPLICATES:
        raise DataError(f"From 10 to {MAX_REPLICATES:,} replicates, got {replicates}.")
    if int(shown_n) not in ns:
        raise DataError(f"The sample size shown ({shown_n}) must be one of {ns.tolist()}.")
    return ns, int(replicates), int(shown_n)


def _stats(values: torch.Tensor, truth: float) -> tuple[float, float, float]:
    v = values.double()
    return float(v.mean() - truth), float(v.var(correction=0)), float(((v - truth) ** 2).mean())


def _rows(name: str, P: Mapping[str, float], n: int, R: int, gen: torch.Generator, dtype: torch.dtype,
          device: torch.device) -> torch.Tensor:
    rows = max(1, CHUNK // n)
    return torch.cat([draw(name, P, (min(rows, R - s), n), gen, dtype, device) for s in range(0, R, rows)])


def _median(x: torch.Tensor) -> torch.Tensor:
    """Each row's sample median, the mean of the two middle values when n is even (torch.quantile's rule, at
    a third of its time: torch.median's lower middle value, then the next order statistic by a comparison)."""
    n = x.shape[1]
    lower = x.median(dim=1, keepdim=True).values
    if n % 2:
        return lower[:, 0]
    above = torch.where(x > lower, x, torch.full_like(x, math.inf)).min(1).values
    tied = (x <= lower).sum(1) > n // 2  # the (n/2 + 1)-th value equals the n/2-th
    return (lower[:, 0] + torch.where(tied, lower[:, 0], above)) / 2


def _assemble(keys: Sequence[tuple[str, str]], sims: dict, exact: dict, draws: dict) -> tuple[Estimator, ...]:
    out = []
    for key, label in keys:
        b, v, m = (np.array(col) for col in zip(*sims[key], strict=True))
        eb, ev, em = (np.array(col, dtype=np.float64) for col in zip(*exact[key], strict=True))
        out.append(Estimator(key, label, b, v, m, eb, ev, em, draws[key]))
    return tuple(out)


def variance_estimators(name: str = "normal", params: Mapping[str, float] | None = None, ns: Sequence[int] = NS,
                        replicates: int = 5000, seed: int = 0, shown_n: int = 5,
                        device: torch.device | str = "cpu") -> Study:
    """s²ₙ (divide by n) against s²ₙ₋₁ (divide by n − 1) as estimators of σ², for samples from any family of
    :mod:`core.probability.families` with a finite variance."""
    P = check_params(name, params)
    ns, R, shown_n = _check(ns, replicates, shown_n, 2)
    mo = moments(name, P)
    if not mo.variance.defined:
        raise DataError(f"{mo.variance.why}: there is no σ² to estimate.")
    s2 = mo.variance.value
    mu4 = (mo.kurtosis.value + 3) * s2**2 if mo.kurtosis.defined else math.nan
    device = torch.device(device)
    gen = generator(seed, device)
    sims: dict = {"biased": [], "unbiased": []}
    exact: dict = {"biased": [], "unbiased": []}
    draws: dict = {}
    with threads_for(R * int(ns[-1]), device):
        whole = _rows(name, P, int(ns[-1]), R, gen, compute_dtype(device), device)
        for n in ns:
            x = whole[:, :n]
            ss = ((x - x.mean(1, keepdim=True)) ** 2).sum(1)
            est = {"biased": ss / n, "unbiased": ss / (n - 1)}
            var_u = (mu4 - s2**2 * (n - 3) / (n - 1)) / n if s2 > 0 else 0.0
            var_b = ((n - 1) / n) ** 2 * var_u
            exact["biased"].append((-s2 / n, var_b, var_b + (s2 / n) ** 2))
            exact["unbiased"].append((0.0, var_u, var_u))
            for key, v in est.items():
                sims[key].append(_stats(v, s2))
                if n == shown_n:
                    draws[key] = v.double().cpu().numpy()
    note = "" if math.isfinite(mu4) else f"{mo.kurtosis.why}: the estimators' variances have no closed form here."
    return Study("σ²", s2, ns, R, shown_n, _assemble((("biased", "s²ₙ = Σ(xᵢ − x̄)²/n (MLE)"),
                                                      ("unbiased", "s²ₙ₋₁ = Σ(xᵢ − x̄)²/(n − 1)")),
                                                     sims, exact, draws), note)


def mean_estimators(name: str = "normal", params: Mapping[str, float] | None = None, weight: float = 0.8,
                    ns: Sequence[int] = NS, replicates: int = 5000, seed: int = 0, shown_n: int = 5,
                    device: torch.device | str = "cpu") -> Study:
    """Three estimators of the mean μ from samples of a family with finite variance: x̄ (bias 0, variance
    σ²/n), the shrunk w x̄ (bias (w − 1)μ, variance w²σ²/n: it wins when μ² is small against σ²/n), and the
    sample median (no closed form; for a normal its variance tends to πσ²/(2n), larger than x̄'s)."""
    P = check_params(name, params)
    ns, R, shown_n = _check(ns, replicates, shown_n, 1)
    if not 0 <= weight <= 1:
        raise DataError(f"The shrinkage weight is between 0 and 1, got {weight}.")
    mo = moments(name, P)
    if not mo.variance.defined:
        raise DataError(f"{mo.variance.why}: x̄ has no finite variance here.")
    mu, s2 = mo.mean.value, mo.variance.value
    device = torch.device(device)
    gen = generator(seed, device)
    keys = ("mean", "shrink", "median")
    sims: dict = {k: [] for k in keys}
    exact: dict = {k: [] for k in keys}
    draws: dict = {}
    with threads_for(R * int(ns[-1]), device):
        whole = _rows(name, P, int(ns[-1]), R, gen, compute_dtype(device), device)
        for n in ns:
            x = whole[:, :n]
            m = x.mean(1)
            est = {"mean": m, "shrink": weight * m, "median": _median(x)}
            exact["mean"].append((0.0, s2 / n, s2 / n))
            exact["shrink"].append(((weight - 1) * mu, weight**2 * s2 / n,
                                    weight**2 * s2 / n + (weight - 1) ** 2 * mu**2))
            exact["median"].append((math.nan, math.nan, math.nan) if n > 1 else (0.0, s2, s2))
            for key, v in est.items():
                sims[key].append(_stats(v, mu))
                if n == shown_n:
                    draws[key] = v.double().cpu().numpy()
    labels = (("mean", "x̄ (MLE for a normal)"), ("shrink", f"{weight:g} · x̄ (shrunk towards 0)"),
              ("median", "sample median"))
    return Study("μ", mu, ns, R, shown_n, _assemble(labels, sims, exact, draws), "")


def uniform_maximum(theta: float = 1.0, ns: Sequence[int] = NS, replicates: int = 5000, seed: int = 0,
                    shown_n: int = 5, device: torch.device | str = "cpu") -> Study:
    """Three estimators of θ from a Uniform(0, θ) sample: the maximum (MLE), (n + 1)/n × maximum, 2x̄."""
    if not (theta > 0 and math.isfinite(theta)):
        raise DataError(f"θ must be a positive number, got {theta}.")
    ns, R, shown_n = _check(ns, replicates, shown_n, 1)
    device = torch.device(device)
    gen = generator(seed, device)
    P = {"low": 0.0, "high": float(theta)}
    keys = ("max", "unbiased", "moments")
    sims: dict = {k: [] for k in keys}
    exact: dict = {k: [] for k in keys}
    draws: dict = {}
    t2 = theta**2
    with threads_for(R * int(ns[-1]), device):
        whole = _rows("uniform", P, int(ns[-1]), R, gen, compute_dtype(device), device)
        for n in ns:
            x = whole[:, :n]
            m = x.max(1).values
            est = {"max": m, "unbiased": m * (n + 1) / n, "moments": 2 * x.mean(1)}
            vm = n * t2 / ((n + 1) ** 2 * (n + 2))
            exact["max"].append((-theta / (n + 1), vm, vm + t2 / (n + 1) ** 2))
            exact["unbiased"].append((0.0, t2 / (n * (n + 2)), t2 / (n * (n + 2))))
            exact["moments"].append((0.0, t2 / (3 * n), t2 / (3 * n)))
            for key, v in est.items():
                sims[key].append(_stats(v, theta))
                if n == shown_n:
                    draws[key] = v.double().cpu().numpy()
    labels = (("max", "max xᵢ (MLE)"), ("unbiased", "(n + 1)/n · max xᵢ"), ("moments", "2x̄ (method of moments)"))
    return Study("θ", float(theta), ns, R, shown_n, _assemble(labels, sims, exact, draws), "")


def inverse_chi2_mean(p: int, lam: float) -> float:
    """E[1/χ′²_p(λ)] = Σⱼ Poisson(j; λ/2) / (p + 2j − 2), for p ≥ 3 (the Poisson mixture of central χ²)."""
    from scipy import stats

    half = lam / 2
    top = int(half + 12 * math.sqrt(half) + 60)
    j = np.arange(top + 1)
    return float((stats.poisson.pmf(j, half) / (p + 2 * j - 2)).sum())


def shrinkage(p: int = 5, theta_norm: float = 1.0, sigma: float = 1.0, weight: float = 0.5, ns: Sequence[int] = NS,
              replicates: int = 5000, seed: int = 0, shown_n: int = 5, device: torch.device | str = "cpu") -> Study:
    """The mean θ of N(θ, σ²I_p), with ‖θ‖ = ``theta_norm`` along (1, …, 1)/√p, estimated by X̄, by w X̄, and by
    James–Stein. Bias is reported as ‖E θ̂ − θ‖, variance as the trace E‖θ̂ − E θ̂‖², MSE as E‖θ̂ − θ‖²; the
    draws are each replicate's loss ‖θ̂ − θ‖²."""
    if not 3 <= int(p) <= 50:
        raise DataError(f"James–Stein needs p ≥ 3 dimensions (at most 50 here), got {p}.")
    if not (theta_norm >= 0 and sigma > 0 and math.isfinite(theta_norm) and math.isfinite(sigma)):
        raise DataError("‖θ‖ must be ≥ 0 and σ > 0.")
    if not 0 <= weight <= 1:
        raise DataError(f"The shrinkage weight is between 0 and 1, got {weight}.")
    ns, R, shown_n = _check(ns, replicates, shown_n, 1)
    p = int(p)
    device = torch.device(device)
    dtype = compute_dtype(device)
    gen = generator(seed, device)
    theta = torch.full((p,), theta_norm / math.sqrt(p), dtype=dtype, device=device)
    keys = ("mean", "shrink", "james_stein")
    sims: dict = {k: [] for k in keys}
    exact: dict = {k: [] for k in keys}
    draws: dict = {}
    with threads_for(R * p * len(ns), device):
        for n in ns:
            v = sigma**2 / n
            xbar = theta + math.sqrt(v) * torch.randn((R, p), generator=gen, dtype=dtype, device=device)
            js = (1 - (p - 2) * v / (xbar**2).sum(1, keepdim=True)) * xbar
            est = {"mean": xbar, "shrink": weight * xbar, "james_stein": js}
            exact["mean"].append((0.0, p * v, p * v))
            exact["shrink"].append((abs(1 - weight) * theta_norm, weight**2 * p * v,
                                    weight**2 * p * v + (1 - weight) ** 2 * theta_norm**2))
            risk = p * v - (p - 2) ** 2 * v**2 * inverse_chi2_mean(p, theta_norm**2 / v) / v
            exact["james_stein"].append((math.nan, math.nan, risk))
            for key, e in est.items():
                centre = e.mean(0)
                loss = ((e - theta) ** 2).sum(1)
                sims[key].append((float(torch.linalg.vector_norm(centre - theta)),
                                  float(((e - centre) ** 2).sum(1).mean()), float(loss.mean())))
                if n == shown_n:
                    draws[key] = loss.double().cpu().numpy()
    labels = (("mean", "X̄ (MLE)"), ("shrink", f"{weight:g} · X̄"), ("james_stein", "James–Stein"))
    return Study("θ ∈ ℝ^p", float(theta_norm), ns, R, shown_n, _assemble(labels, sims, exact, draws),
                 "James–Stein's bias and variance have no simple closed form; its risk does (a Poisson mixture).")
