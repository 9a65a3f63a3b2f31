"""Maximum likelihood: the log-likelihood ℓ(θ) = Σᵢ log f(xᵢ; θ) of a model for a column of real data (or a
seeded sample), its surface over the parameters, the MLE θ̂ = argmax ℓ by gradient ascent in torch, each
observation's share log f(xᵢ; θ̂), the observed Fisher information J(θ̂) = −∇²ℓ(θ̂) (autograd Hessian) with the
standard errors √[J⁻¹]ⱼⱼ, and the coverage of the Wald intervals θ̂ⱼ ± z_{1−α/2} SEⱼ over repeated samples.

Models and their MLEs in closed form, where one exists (the tests check the ascent against them):
Normal(μ, σ): μ̂ = x̄, σ̂² = (1/n) Σ (xᵢ − x̄)² (the *biased* variance) · Exponential(λ): λ̂ = 1/x̄ ·
Poisson(λ): λ̂ = x̄ · Gamma(α, β) (shape, rate): no closed form; β̂ = α̂/x̄ and α̂ solves
log α − ψ(α) = log x̄ − mean(log x) (the profile equation; Newton's method on it is :func:`mle_closed`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import torch

from core.data import DataError
from core.device import compute_dtype, single_thread
from core.probability.families import check_params, draw, generator, threads_for

MODELS: dict[str, tuple[str, ...]] = {
    "normal": ("μ", "σ"),
    "gamma": ("α (shape)", "β (rate)"),
    "exponential": ("λ",),
    "poisson": ("λ",),
}
FAMILY_KEYS = {"normal": ("mu", "sigma"), "gamma": ("concentration", "rate"), "exponential": ("rate",),
               "poisson": ("rate",)}

# (loader, column, description, the model that suits it)
DATA: dict[str, tuple[str, str, str, str]] = {
    "wine_alcohol": ("wine", "alcohol", "Wine: alcohol (% vol) of 178 wines (UCI, via scikit-learn)", "normal"),
    "iris_sepal_length": ("iris", "sepal length (cm)", "Iris: sepal length (cm) of 150 flowers (Fisher 1936)",
                          "normal"),
    "iris_petal_length": ("iris", "petal length (cm)", "Iris: petal length (cm) of 150 flowers: two clumps, "
                          "which no single normal fits", "normal"),
    "breast_cancer_radius": ("breast_cancer", "mean radius", "Breast cancer (Wisconsin): mean radius of 569 "
                             "tumours, skewed right", "gamma"),
    "diabetes_progression": ("diabetes", "target", "Diabetes: disease progression one year on, 442 patients "
                             "(Efron et al. 2004), positive and skewed", "gamma"),
    "linnerud_chins": ("linnerud", "Chins", "Linnerud: chin-ups done by 20 middle-aged men (a count)", "poisson"),
}
MAX_STEPS = 2000
MAX_COVERAGE_DRAWS = 10_000_000
ADAM_BETAS = (0.9, 0.999)  # torch.optim.Adam's defaults
ADAM_EPS = 1e-8


@lru_cache(maxsize=8)
def data_column(key: str) -> np.ndarray:
    """One column of a data set bundled with scikit-learn (read-only float64, so it can be shared: loaded once
    per process; scikit-learn's loaders parse their CSV files on every call, tens of ms)."""
    if key not in DATA:
        raise DataError(f"Unknown data column {key!r}; choose one of {', '.join(DATA)}.")
    return _data_column(key)


@lru_cache(maxsize=len(DATA))
def _data_column(key: str) -> np.ndarray:
    from sklearn import datasets

    loader, column, _, _ = DATA[key]
    bunch = getattr(datasets, f"load_{loader}")()
    x = bunch.target if column == "target" else bunch.data[:, list(bunch.feature_names).index(column)]
    x = np.array(x, dtype=np.float64)
    x.setflags(write=False)
    return x


def check_data(model: str, x: Sequence[float] | np.ndarray) -> np.ndarray:
    """The observations as float64, refused with a reason when the model cannot have produced them."""
    if model not in MODELS:
        raise DataError(f"Unknown model {model!r}; choose one of {', '.join(MODELS)}.")
    x = np.asarray(x, dtype=np.float64).ravel()
    if x.size < 2:
        raise DataError("Maximum likelihood needs at least 2 observations.")
    if not np.isfinite(x).all():
        raise DataError("The data have missing or infinite values.")
    if model == "normal" and np.ptp(x) == 0:
        raise DataError("All observations are equal: the normal likelihood grows without bound as σ → 0.")
    if model == "gamma" and (x <= 0).any():
        raise DataError("A Gamma model needs positive observations (some are ≤ 0).")
    if model == "exponential" and ((x < 0).any() or x.sum() == 0):
        raise DataError("An exponential model needs non-negative observations, not all zero.")
    if model == "poisson" and ((x < 0).any() or (x != np.round(x)).any()):
        raise DataError("A Poisson model needs counts: whole numbers ≥ 0.")
    if model == "gamma" and np.ptp(x) == 0:
        raise DataError("All observations are equal: the Gamma likelihood grows without bound as α → ∞.")
    return x


def log_density(model: str, x: torch.Tensor, theta: torch.Tensor) -> torch.Tensor:
    """log f(x; θ) in the natural parameters θ (last axis), broadcasting over leading axes of θ and x."""
    t = theta.unbind(-1)
    if model == "normal":
        mu, sigma = t
        return -0.5 * ((x - mu) / sigma) ** 2 - torch.log(sigma) - 0.5 * math.log(2 * math.pi)
    if model == "gamma":
        a, b = t
        return a * torch.log(b) - torch.lgamma(a) + (a - 1) * torch.log(x) - b * x
    if model == "exponential":
        (lam,) = t
        return torch.log(lam) - lam * x
    (lam,) = t
    return torch.xlogy(x, lam) - lam - torch.lgamma(x + 1)


# The ascent runs on unconstrained, dimensionless coordinates u (scaled by the data's centre c and spread s,
# so one learning rate suits wine alcohol and diabetes alike); natural parameters are functions of u.


def _scales(model: str, x: np.ndarray) -> tuple[float, float]:
    med = float(np.median(x))
    iqr = float(np.subtract(*np.percentile(x, [75, 25])))
    spread = iqr / 1.349 if iqr > 0 else float(np.std(x)) or 1.0
    return med, (max(med, 0.5) if model != "normal" else spread)


def _natural(model: str, u: torch.Tensor, c: float, s: float) -> torch.Tensor:
    if model == "normal":
        return torch.stack([c + s * u[..., 0], s * torch.exp(u[..., 1])], -1)
    if model == "gamma":  # u = (log α, log(mean / s)): orthogonal coordinates
        a = torch.exp(u[..., 0])
        return torch.stack([a, a / (s * torch.exp(u[..., 1]))], -1)
    if model == "exponential":
        return (torch.exp(u[..., 0]) / s)[..., None]
    return (s * torch.exp(u[..., 0]))[..., None]


def _coordinates(model: str, theta: Sequence[float], c: float, s: float) -> list[float]:
    if model == "normal":
        return [(theta[0] - c) / s, math.log(theta[1] / s)]
    if model == "gamma":
        return [math.log(theta[0]), math.log(theta[0] / theta[1] / s)]
    if model == "exponential":
        return [math.log(theta[0] * s)]
    return [math.log(theta[0] / s)]


def default_start(model: str, x: np.ndarray) -> tuple[float, ...]:
    """A starting point visibly away from the MLE, in the natural parameters."""
    c, s = _scales(model, x)
    return {"normal": (c - 1.5 * s, 2.5 * s), "gamma": (1.0, 1.0 / (2 * c)), "exponential": (3.0 / c,),
            "poisson": (0.3 * c + 0.5,)}[model]


def _check_start(model: str, start: Sequence[float]) -> tuple[float, ...]:
    start = tuple(float(v) for v in start)
    if len(start) != len(MODELS[model]) or not all(math.isfinite(v) for v in start):
        raise DataError(f"A start for the {model} model is {len(MODELS[model])} finite numbers.")
    if any(v <= 0 for v in (start[1:] if model == "normal" else start)):
        raise DataError(f"The {model} model's {'σ' if model == 'normal' else 'parameters'} must be positive.")
    return start


@dataclass(frozen=True)
class Fit:
    """The MLE by gradient ascent and everything the maximum-likelihood tab draws around it."""

    model: str
    names: tuple[str, ...]
    n: int
    mle: np.ndarray  # (k,) natural parameters
    loglik: float  # ℓ(θ̂)
    path: np.ndarray  # (1 + adam_steps + newton_steps, k) the iterates from the start, natural parameters
    path_loglik: np.ndarray  # ℓ along the path
    adam_steps: int  # gradient-ascent (Adam) steps taken: the first iterates after the start
    newton_steps: int  # the polishing Newton steps: the last iterates
    converged: bool  # ‖∇ℓ/n‖ < 10⁻⁸ at θ̂ (10⁻³ in a GPU's float32)
    grid_x: np.ndarray  # the first parameter's grid
    grid_y: np.ndarray | None  # the second's (None for a one-parameter model)
    surface: np.ndarray  # ℓ on the grid: (len(y), len(x)), or (len(x),)
    contributions: np.ndarray  # (n,) log f(xᵢ; θ̂), in the data's order; their sum is ℓ(θ̂)
    information: np.ndarray  # (k, k) observed Fisher information −∇²ℓ(θ̂)
    se: np.ndarray  # (k,) √ diag J⁻¹


def fit(model: str, x: Sequence[float] | np.ndarray, start: Sequence[float] | None = None, steps: int = 300,
        lr: float = 0.1, tol: float = 1e-2, grid: int = 60, device: torch.device | str = "cpu") -> Fit:
    """Maximise ℓ by Adam (learning rate ``lr``; m ← β₁m + (1 − β₁)g, v ← β₂v + (1 − β₂)g²,
    u ← u − lr m̂/(√v̂ + ε) with the bias corrections m̂ = m/(1 − β₁ᵗ), v̂ = v/(1 − β₂ᵗ): torch.optim.Adam's rule
    written out, since constructing torch.optim.Adam imports torch._dynamo, seconds on a cold start) on the
    mean log-likelihood ℓ/n in the unconstrained, dimensionless coordinates u (log σ, log α, …), from
    ``start`` (natural parameters), until ‖∇ℓ/n‖ < ``tol`` or ``steps`` steps; then polish with Newton steps
    u ← u − H⁻¹∇ (autograd Hessian, halved until ℓ rises, or, where ℓ's change is below its rounding, until ‖∇‖
    falls) until ‖∇‖ < 10⁻¹⁰: Adam's last digits come slowly (from ‖∇‖ = 10⁻² to 10⁻³ took wine alcohol's
    gamma fit 150 more steps), Newton's quadratically (2–4 steps). Then J(θ̂) by
    ``torch.autograd.functional.hessian`` of −ℓ in the natural parameters, and ℓ on a ``grid`` × ``grid`` lattice
    spanning the path and θ̂ ± 4 SE."""
    x = check_data(model, x)
    if not 1 <= int(steps) <= MAX_STEPS:
        raise DataError(f"From 1 to {MAX_STEPS:,} ascent steps, got {steps}.")
    if not (lr > 0 and math.isfinite(lr)):
        raise DataError(f"The learning rate must be positive, got {lr}.")
    device = torch.device(device)
    dtype = compute_dtype(device)
    X = torch.from_numpy(np.array(x)).to(device=device, dtype=dtype)
    c, s = _scales(model, x)
    start = _check_start(model, start if start is not None else default_start(model, x))
    u = torch.tensor(_coordinates(model, start, c, s), dtype=dtype, device=device)

    def loss_u(v: torch.Tensor) -> torch.Tensor:
        return -log_density(model, X, _natural(model, v, c, s)).mean()

    def grad(v: torch.Tensor) -> torch.Tensor:
        v = v.detach().requires_grad_(True)
        return torch.autograd.grad(loss_u(v), v)[0]

    path, adam_steps, newton_steps = [u.detach()], 0, 0  # iterates in u; natural parameters once, at the end
    polish = 1e-10 if dtype == torch.float64 else 1e-5  # float32 on a GPU: its gradient is noise below ~10⁻⁶
    v = u.detach()
    m, m2 = torch.zeros_like(v), torch.zeros_like(v)
    b1, b2 = ADAM_BETAS
    with single_thread(device), torch.enable_grad():
        for t in range(1, int(steps) + 1):  # Adam, written out (torch.optim.Adam's rule and defaults)
            g = grad(v)
            if float(g.norm()) < tol:
                break
            m = b1 * m + (1 - b1) * g
            m2 = b2 * m2 + (1 - b2) * g * g
            v = v - (lr / (1 - b1**t)) * m / (m2.sqrt() / math.sqrt(1 - b2**t) + ADAM_EPS)
            adam_steps += 1
            path.append(v)
        for _ in range(20):
            g = grad(v)
            size = float(g.norm())
            if size < polish:
                break
            H = torch.autograd.functional.hessian(loss_u, v)
            try:
                step = torch.linalg.solve(H, g)
            except RuntimeError:
                break
            before, t = float(loss_u(v)), 1.0
            # ℓ/n's last digits, summed over n terms of up to ~100× its size: below this a change is noise
            rounding = 1000 * torch.finfo(dtype).eps * max(1.0, abs(before))
            while t > 1e-3:
                after = float(loss_u(v - t * step))
                if after <= before or (after <= before + rounding and float(grad(v - t * step).norm()) < size):
                    break
                t /= 2
            if t <= 1e-3:
                break
            v = v - t * step
            newton_steps += 1
            path.append(v)
        converged = float(grad(v).norm()) < 100 * polish
    P = _natural(model, torch.stack(path), c, s).detach()
    P[0] = torch.tensor(start, dtype=dtype, device=device)  # the start as given, not its round trip through u
    mle = P[-1]
    path_ll = log_density(model, X[None, :], P[:, None, :]).sum(1)
    contributions = log_density(model, X, mle)

    def nll(theta: torch.Tensor) -> torch.Tensor:
        return -log_density(model, X, theta).sum()

    with torch.enable_grad():
        J = torch.autograd.functional.hessian(nll, mle.clone())
    J = J.double().cpu().numpy()
    try:
        se = np.sqrt(np.diag(np.linalg.inv(J)))
    except np.linalg.LinAlgError:
        se = np.full(len(mle), np.nan)
    with single_thread(device):  # small tensors: a second thread only waits (see core.device.single_thread)
        gx, gy, surf = _surface(model, X, P.double().cpu().numpy(), mle.double().cpu().numpy(), se, int(grid),
                                device)
    return Fit(model, MODELS[model], len(x), mle.double().cpu().numpy(), float(contributions.sum()),
               P.double().cpu().numpy(), path_ll.double().cpu().numpy(), adam_steps, newton_steps, converged, gx, gy,
               surf,
               contributions.double().cpu().numpy(), J, se)


def _axis(values: np.ndarray, centre: float, se: float, positive: bool, count: int) -> np.ndarray:
    half = 4 * se if np.isfinite(se) and se > 0 else 0.5 * abs(centre) or 1.0
    lo, hi = min(values.min(), centre - half), max(values.max(), centre + half)
    pad = 0.05 * (hi - lo)
    lo, hi = lo - pad, hi + pad
    if positive:
        lo = max(lo, 0.02 * min(values.min(), centre))
    return np.linspace(lo, hi, count)


def _surface(model: str, X: torch.Tensor, path: np.ndarray, mle: np.ndarray, se: np.ndarray, count: int,
             device: torch.device) -> tuple[np.ndarray, np.ndarray | None, np.ndarray]:
    """ℓ on the lattice, in blocks of rows (at most 2 × 10⁶ values of log f in memory at once)."""
    dtype = X.dtype
    gx = _axis(path[:, 0], mle[0], se[0], model != "normal", count)
    if len(mle) == 1:
        T = torch.as_tensor(gx, dtype=dtype, device=device)[:, None, None]
        return gx, None, log_density(model, X, T).sum(-1).double().cpu().numpy()
    gy = _axis(path[:, 1], mle[1], se[1], True, count)
    tx = torch.as_tensor(gx, dtype=dtype, device=device)
    ty = torch.as_tensor(gy, dtype=dtype, device=device)
    rows = max(1, 2_000_000 // (count * X.numel()))
    out = []
    for i in range(0, count, rows):
        Y, Xg = torch.meshgrid(ty[i:i + rows], tx, indexing="ij")
        out.append(log_density(model, X, torch.stack([Xg, Y], -1)[..., None, :]).sum(-1))
    return gx, gy, torch.cat(out).double().cpu().numpy()


# ------------------------------------------------------------------------------------------ many samples


def mle_closed(model: str, X: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """MLEs and their standard errors (from the observed information, in closed form) for each row of X
    (R, n): Normal σ̂/√n and σ̂/√(2n); Exponential λ̂/√n; Poisson √(λ̂/n); Gamma from the inverse of
    J = n [[ψ′(α), −1/β], [−1/β, α/β²]]: Var α̂ = α/(n(αψ′(α) − 1)), Var β̂ = β²ψ′(α)/(n(αψ′(α) − 1)).
    The Gamma's α̂ by Newton's method on log α − ψ(α) = log x̄ − mean(log x) from Minka's start
    (3 − s + √((s − 3)² + 24s)) / (12s)."""
    n = X.shape[-1]
    m = X.mean(-1)
    if model == "normal":
        sig = X.std(-1, correction=0)
        return torch.stack([m, sig], -1), torch.stack([sig / math.sqrt(n), sig / math.sqrt(2 * n)], -1)
    if model == "exponential":
        lam = 1 / m
        return lam[:, None], (lam / math.sqrt(n))[:, None]
    if model == "poisson":
        return m[:, None], torch.sqrt(m / n)[:, None]
    s = torch.log(m) - torch.log(X).mean(-1)
    a = (3 - s + torch.sqrt((s - 3) ** 2 + 24 * s)) / (12 * s)
    for _ in range(50):
        step = (torch.log(a) - torch.special.digamma(a) - s) / (1 / a - torch.special.polygamma(1, a))
        a = (a - step).clamp(min=a / 10)
        if float(step.abs().max()) < 1e-13 * float(a.max()):
            break
    b = a / m
    tri = torch.special.polygamma(1, a)
    d = n * (a * tri - 1)
    return torch.stack([a, b], -1), torch.stack([torch.sqrt(a / d), torch.sqrt(b**2 * tri / d)], -1)


@dataclass(frozen=True)
class Coverage:
    """Wald intervals θ̂ ± z SE from R samples of size n drawn at ``truth``; ``covered[r, j]`` says whether the
    r-th interval for parameter j holds the truth."""

    model: str
    names: tuple[str, ...]
    truth: np.ndarray  # (k,)
    n: int
    level: float
    estimates: np.ndarray  # (R, k)
    lower: np.ndarray  # (R, k)
    upper: np.ndarray  # (R, k)
    covered: np.ndarray  # (R, k) bool
    count: np.ndarray  # (k,) intervals that cover
    coverage: np.ndarray  # (k,) count / R
    margin: float  # 1.96 √(level(1 − level)/R): coverage's sampling error at 95 % confidence


def wald_coverage(model: str, truth: Sequence[float] | Mapping[str, float], n: int = 50, replications: int = 1000,
                  level: float = 0.95, seed: int = 0, device: torch.device | str = "cpu") -> Coverage:
    """Draw ``replications`` seeded samples of size n from the model at ``truth`` (natural parameters, e.g.
    (μ, σ), or the fitted θ̂ of a real column, standing in for the unknown truth), fit each (:func:`mle_closed`:
    the same maximum the ascent finds, at a fraction of the cost of R ascents) and count the Wald intervals
    that cover the truth. Coverage falls short of ``level`` at small n (σ̂ is biased low, and the likelihood
    is not yet quadratic) and approaches it as n grows."""
    from scipy import stats

    if model not in MODELS:
        raise DataError(f"Unknown model {model!r}; choose one of {', '.join(MODELS)}.")
    keys = FAMILY_KEYS[model]
    truth = tuple(float(truth[k]) for k in keys) if isinstance(truth, Mapping) else tuple(map(float, truth))
    if len(truth) != len(keys):
        raise DataError(f"The {model} model has {len(keys)} parameter(s), got {len(truth)}.")
    P = check_params(model, dict(zip(keys, truth, strict=True)))
    if not (2 <= int(n) <= 10_000 and 10 <= int(replications) <= 20_000):
        raise DataError(f"n from 2 to 10,000 and 10 to 20,000 replications, got n = {n}, R = {replications}.")
    if int(n) * int(replications) > MAX_COVERAGE_DRAWS:
        raise DataError(f"n × R is at most {MAX_COVERAGE_DRAWS:,} (about a second), "
                        f"got {int(n) * int(replications):,}.")
    if not 0 < level < 1:
        raise DataError(f"The confidence level is between 0 and 1, got {level}.")
    device = torch.device(device)
    with threads_for(int(n) * int(replications), device):
        X = draw(model, P, (int(replications), int(n)), generator(seed, device), compute_dtype(device), device)
        if model == "gamma":
            X = X.clamp(min=torch.finfo(X.dtype).tiny)
        est, se = mle_closed(model, X)
    z = float(stats.norm.ppf(0.5 + level / 2))
    t = torch.as_tensor(truth, dtype=est.dtype, device=device)
    lo, hi = est - z * se, est + z * se
    cov = (lo <= t) & (t <= hi)
    R = int(replications)
    cnt = cov.sum(0).cpu().numpy()
    return Coverage(model, MODELS[model], np.array(truth), int(n), float(level), est.double().cpu().numpy(),
                    lo.double().cpu().numpy(), hi.double().cpu().numpy(), cov.cpu().numpy(), cnt, cnt / R,
                    1.96 * math.sqrt(level * (1 - level) / R))
