"""The law of large numbers and the central limit theorem, by simulation in torch.

Law of large numbers: the running mean X̄ₙ = (X₁ + … + Xₙ)/n of each of P independent paths of N draws
(a cumulative sum along each path). Weak law: for every ε > 0, P(|X̄ₙ − μ| > ε) → 0; Chebyshev bounds it by
σ²/(nε²) when the variance is finite. For the Cauchy, X̄ₙ is again Cauchy(x₀, γ) for every n, so the share of
paths outside the band never falls: there is no mean to converge to.

Central limit theorem: Zₙ = √n (X̄ₙ − μ)/σ → N(0, 1) in distribution when σ² < ∞; the Kolmogorov–Smirnov
distance sup |F_{Zₙ} − Φ| falls like n^{−1/2} (Berry–Esseen: ≤ 0.4748 E|X − μ|³ / (σ³√n)).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import torch

from core.data import DataError
from core.device import compute_dtype
from core.probability.families import (
    Histogram,
    centre,
    check_params,
    draw,
    generator,
    histogram_t,
    moments,
    threads_for,
)

MAX_PATHS = 10_000
MAX_STEPS = 10_000
MAX_N = 1000  # the CLT's largest sample size (and the KS curve's largest n)
MAX_REPLICATES = 20_000
CHUNK = 4_000_000  # draws held at once (32 MB in float64)
KS_NS = (1, 2, 5, 10, 20, 30, 50, 100, 200, 300, 500, 1000)  # the explorer's n are among these (central_limit_at)


def log_steps(n: int, count: int) -> np.ndarray:
    """About ``count`` distinct integers from 1 to n, evenly spaced in log n (always 1 and n)."""
    return np.unique(np.round(np.logspace(0, math.log10(n), max(int(count), 2))).astype(np.int64))


# ------------------------------------------------------------------------------------------ LLN


@dataclass(frozen=True)
class LawOfLargeNumbers:
    """Running means at the kept steps; the first ``means.shape[0]`` paths are kept for drawing, every path
    counts in ``outside``."""

    steps: np.ndarray  # (k,) the kept n, log-spaced 1…N
    means: np.ndarray  # (shown, k) X̄ₙ of the shown paths
    centre: float  # the mean, or the median when there is no mean (Cauchy, Student-t with ν ≤ 1)
    centre_kind: str  # "mean" or "median"
    sd: float  # σ, NaN when the variance is not finite
    funnel: np.ndarray  # (k,) σ/√n (NaN without σ): the band centre ± σ/√n
    eps: float
    outside: np.ndarray  # (k,) share of all P paths with |X̄ₙ − centre| > ε
    chebyshev: np.ndarray  # (k,) min(1, σ²/(nε²)), NaN without σ
    final: np.ndarray  # (P,) every path's X̄_N
    paths: int
    note: str


def law_of_large_numbers(name: str, params: Mapping[str, float] | None = None, paths: int = 200,
                         steps: int = 1000, eps: float = 0.1, seed: int = 0, shown_paths: int = 20,
                         shown_steps: int = 150, device: torch.device | str = "cpu") -> LawOfLargeNumbers:
    """P paths × N steps of running means, computed in chunks of whole paths (at most :data:`CHUNK` draws in
    memory: 10,000 × 10,000 holds 4 × 10⁶ at a time, not 10⁸), one generator stream through the chunks."""
    P = check_params(name, params)
    if not (1 <= int(paths) <= MAX_PATHS and 1 <= int(steps) <= MAX_STEPS):
        raise DataError(f"Paths from 1 to {MAX_PATHS:,} and steps from 1 to {MAX_STEPS:,}, got {paths} × {steps}.")
    if not (eps > 0 and math.isfinite(eps)):
        raise DataError(f"The band half-width ε must be a positive number, got {eps}.")
    device = torch.device(device)
    dtype = compute_dtype(device)
    paths, steps = int(paths), int(steps)
    kept = log_steps(steps, shown_steps)
    k_idx = torch.as_tensor(kept - 1, device=device)
    c, kind = centre(name, P)
    mo = moments(name, P)
    sd = mo.sd
    gen = generator(seed, device)
    rows = max(1, CHUNK // steps)
    outside = torch.zeros(len(kept), dtype=torch.int64, device=device)
    final, shown = [], None
    n_t = torch.arange(1, steps + 1, dtype=dtype, device=device)
    with threads_for(paths * steps, device):
        for start in range(0, paths, rows):
            x = draw(name, P, (min(rows, paths - start), steps), gen, dtype, device)
            m = x.cumsum_(1).div_(n_t)[:, k_idx]
            outside += ((m - c).abs() > eps).sum(0)
            final.append(m[:, -1])
            if shown is None:
                shown = m[: int(shown_paths)]
    n = kept.astype(np.float64)
    funnel = sd / np.sqrt(n)
    cheb = np.minimum(1.0, sd**2 / (n * eps**2)) if math.isfinite(sd) else np.full(len(n), np.nan)
    if not mo.mean.defined:
        note = f"{mo.mean.why}: the running means never settle; the band is drawn around the median {c:g}."
    elif not mo.variance.defined:
        note = f"{mo.variance.why}: the means converge, but more slowly than σ/√n (there is no σ)."
    else:
        note = ""
    return LawOfLargeNumbers(kept, shown.double().cpu().numpy(), c, kind, sd, funnel, float(eps),
                             outside.cpu().numpy() / paths, cheb, torch.cat(final).double().cpu().numpy(), paths,
                             note)


# ------------------------------------------------------------------------------------------ CLT


def standardizer(name: str, params: Mapping[str, float] | None = None) -> tuple[float, float, str]:
    """(centre, scale, note): Zₙ = √n (X̄ₙ − centre)/scale. The exact mean and sd when they exist; otherwise
    the median and the normal-equivalent sd IQR/1.349 (the CLT's recipe applied where its hypothesis fails)."""
    P = check_params(name, params)
    mo = moments(name, P)
    c, _ = centre(name, P)
    if mo.variance.defined and mo.sd > 0:
        return c, mo.sd, ""
    if mo.variance.defined:
        raise DataError("This distribution is a constant (variance 0): there is nothing to standardise.")
    if name == "cauchy":
        q = P["scale"]
    else:
        from scipy import stats

        q = float(stats.t.ppf(0.75, P["df"]))
    return c, 2 * q / 1.3489795003921634, (f"{mo.variance.why}: standardised by the median and IQR/1.349 "
                                            "instead of μ and σ.")


def ks_normal_t(z: torch.Tensor) -> float:
    """The Kolmogorov–Smirnov distance sup |F̂(z) − Φ(z)| of a sample to N(0, 1):
    max over the sorted z₍ᵢ₎ of max(i/R − Φ(z₍ᵢ₎), Φ(z₍ᵢ₎) − (i − 1)/R)."""
    zs, _ = torch.sort(z.flatten())
    R = zs.numel()
    F = torch.special.ndtr(zs)
    i = torch.arange(1, R + 1, dtype=F.dtype, device=F.device)
    return float(torch.maximum(i / R - F, F - (i - 1) / R).max())


def _z_means(name: str, P: Mapping[str, float], n: int, R: int, gen: torch.Generator, loc: float, scale: float,
             dtype: torch.dtype, device: torch.device) -> torch.Tensor:
    rows = max(1, CHUNK // n)
    parts = [draw(name, P, (min(rows, R - s), n), gen, dtype, device).mean(1) for s in range(0, R, rows)]
    return (torch.cat(parts) - loc) * (math.sqrt(n) / scale)


@dataclass(frozen=True)
class CentralLimit:
    """Standardised means of ``replicates`` seeded samples of size n, against N(0, 1)."""

    n: int
    z: np.ndarray  # (R,) Zₙ of each replicate
    histogram: Histogram  # of z over [−4, 4], density scale (draws beyond ±4 counted as clipped)
    x: np.ndarray  # grid for the N(0, 1) density
    normal_pdf: np.ndarray
    qq_theory: np.ndarray  # Φ⁻¹((i − ½)/R) at evenly spaced ranks (at most ``qq_points``)
    qq_sample: np.ndarray  # the z of those ranks
    ks: float  # KS distance of z to N(0, 1)
    centre: float
    scale: float
    note: str


def central_limit(name: str, params: Mapping[str, float] | None = None, n: int = 30, replicates: int = 2000,
                  seed: int = 0, bins: int = 40, qq_points: int = 200,
                  device: torch.device | str = "cpu") -> CentralLimit:
    """Zₙ = √n (X̄ₙ − μ)/σ for ``replicates`` seeded samples of size n: its histogram against φ, QQ points
    (sample quantiles against Φ⁻¹ at the same ranks) and KS distance to N(0, 1)."""
    P = check_params(name, params)
    if not (1 <= int(n) <= MAX_N and 10 <= int(replicates) <= MAX_REPLICATES):
        raise DataError(f"n from 1 to {MAX_N:,} and 10 to {MAX_REPLICATES:,} replicates, got n = {n}, "
                        f"{replicates} replicates.")
    device = torch.device(device)
    loc, scale, note = standardizer(name, P)
    with threads_for(int(n) * int(replicates), device):
        z = _z_means(name, P, int(n), int(replicates), generator(seed, device), loc, scale, compute_dtype(device),
                     device)
    return _central(z, int(n), loc, scale, note, int(bins), int(qq_points))


def _central(z: torch.Tensor, n: int, loc: float, scale: float, note: str, bins: int, qq_points: int) -> CentralLimit:
    from scipy import stats

    hist = histogram_t(z, -4.0, 4.0, bins)
    x = np.linspace(-4, 4, 201)
    zs = torch.sort(z)[0].double().cpu().numpy()
    R = len(zs)
    ranks = np.unique(np.linspace(0, R - 1, min(qq_points, R)).round().astype(np.int64))
    return CentralLimit(n, z.double().cpu().numpy(), hist, x, stats.norm.pdf(x),
                        stats.norm.ppf((ranks + 0.5) / R), zs[ranks], ks_normal_t(z), loc, scale, note)


@dataclass(frozen=True)
class KSCurve:
    """The KS distance of Zₙ to N(0, 1) against n, and its log–log slope."""

    ns: np.ndarray
    distance: np.ndarray  # (len(ns),)
    floor: float  # 1.358/√R: the 95 % point of the KS distance of R draws from N(0, 1) itself
    fitted: np.ndarray  # (len(ns),) bool: the points above the floor that the slope is fitted to
    slope: float  # least-squares slope of log KS on log n; NaN with fewer than 3 points above the floor
    replicates: int
    note: str
    z: np.ndarray  # (replicates, len(ns)) Zₙ of each path at each n: its columns are :func:`central_limit_at`'s
    centre: float  # the μ and σ that standardise the means (location and scale where they do not exist)
    scale: float


def ks_curve(name: str, params: Mapping[str, float] | None = None, ns: Sequence[int] = KS_NS,
             replicates: int = 2000, seed: int = 0, device: torch.device | str = "cpu") -> KSCurve:
    """KS distance of Zₙ to N(0, 1) for each n in ``ns``, from R paths of max(ns) draws: Zₙ of a path uses its
    first n draws (nested, like the law of large numbers' running means, so the curve costs R · max(ns) draws
    rather than R · Σns, and its points are positively correlated, which steadies the fitted slope). With
    finite variance the slope is ≈ −½ (Berry–Esseen) once the distance stands above the floor; below the floor
    the simulation cannot see it, so those points are left out of the fit. With no variance it does not fall."""
    P = check_params(name, params)
    ns = np.asarray(sorted({int(v) for v in ns}), dtype=np.int64)
    if ns.size == 0 or ns[0] < 1 or ns[-1] > MAX_N:
        raise DataError(f"The KS curve's n must be whole numbers from 1 to {MAX_N:,}.")
    if not 10 <= int(replicates) <= MAX_REPLICATES:
        raise DataError(f"From 10 to {MAX_REPLICATES:,} replicates, got {replicates}.")
    device = torch.device(device)
    dtype = compute_dtype(device)
    loc, scale, note = standardizer(name, P)
    R, N = int(replicates), int(ns[-1])
    gen = generator(seed, device)
    idx = torch.as_tensor(ns - 1, device=device)
    root = torch.as_tensor(np.sqrt(ns) / ns, dtype=dtype, device=device)
    rows = max(1, CHUNK // N)
    with threads_for(R * N, device):
        z = torch.cat([(draw(name, P, (min(rows, R - s), N), gen, dtype, device).cumsum_(1)[:, idx]
                        - ns_t * loc) * root / scale
                       for s in range(0, R, rows)
                       for ns_t in [torch.as_tensor(ns, dtype=dtype, device=device)]])
    dist = np.array([ks_normal_t(z[:, j]) for j in range(len(ns))])
    floor = 1.358 / math.sqrt(R)
    fitted = dist > floor
    slope = math.nan
    if fitted.sum() >= 3:
        slope = float(np.polyfit(np.log(ns[fitted]), np.log(dist[fitted]), 1)[0])
    else:
        note = (note + " " if note else "") + "Fewer than 3 points stand above the noise floor: no slope fitted."
    return KSCurve(ns, dist, floor, fitted, slope, R, note, z.double().cpu().numpy(), loc, scale)


def central_limit_at(curve: KSCurve, n: int, bins: int = 40, qq_points: int = 200) -> CentralLimit:
    """:func:`central_limit` at one of the curve's n, from the curve's own paths (their first n draws): the
    explorer draws R · 1,000 values once per family and reads every n from them, where a separate draw for the
    shown n would double the work at n = 1,000."""
    hits = np.flatnonzero(curve.ns == int(n))
    if hits.size == 0:
        raise DataError(f"n = {n} is not one of the curve's sizes ({', '.join(map(str, curve.ns.tolist()))}).")
    z = torch.from_numpy(curve.z[:, hits[0]].copy())
    return _central(z, int(n), curve.centre, curve.scale, curve.note, int(bins), int(qq_points))
