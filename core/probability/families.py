"""The distributions tab: a registry of ``torch.distributions`` families with their sliders, exact moments,
densities and cdfs on a drawable window, and seeded samples drawn with a private ``torch.Generator``.

``torch.distributions``' own ``.sample()`` draws from torch's *global* generator, which every Streamlit session
of the process shares; so samples here come from primitives that take a generator (``torch.rand``,
``torch.randn``, ``torch.poisson``, ``torch.binomial``, ``torch._standard_gamma``) by the textbook
constructions written next to each family in :func:`sample_t`. Densities come from the torch distribution's
``log_prob``; cdfs from its ``cdf`` where torch has one, the regularised incomplete gamma function
(``torch.special.gammainc``) for the Gamma, and ``scipy.special.betainc`` for the Beta and Student-t (torch has
no incomplete beta function); a discrete cdf is the running sum of the pmf from 0.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import torch
from torch import distributions as D

from core.data import DataError
from core.device import compute_dtype, single_thread

MAX_SAMPLE = 200_000
MAX_SUPPORT = 2_000  # the most integers a discrete family's window shows
LARGE_WORK = 2_000_000  # draws from which a computation uses every torch thread


def threads_for(draws: int, device: torch.device | str = "cpu") -> contextlib.AbstractContextManager:
    """One torch thread for work below :data:`LARGE_WORK` draws, the thread's own count above it. Measured on
    2 cores with a test suite running beside it: the estimator studies' default (≈ 10⁶ draws in many
    moderate steps) took 258 ms on two threads and 51 ms on one, the law of large numbers' 2 × 10⁵ draws 47
    and 8.5 ms, while the KS curve's 2 × 10⁶ took 58 ms on two and 90 ms on one."""
    return single_thread(device) if draws < LARGE_WORK else contextlib.nullcontext()


@dataclass(frozen=True)
class Param:
    """One parameter: its slider (``low``…``high`` from ``default`` in steps of ``step``) and its mathematical
    domain (``lower``…``upper``, each end open or closed), which is wider than the slider's range."""

    key: str
    label: str
    low: float
    high: float
    default: float
    step: float
    lower: float = -math.inf
    upper: float = math.inf
    open_lower: bool = True
    open_upper: bool = True
    integer: bool = False


@dataclass(frozen=True)
class Family:
    """A family of distributions: its name, parameters, support and density (LaTeX)."""

    key: str
    label: str
    params: tuple[Param, ...]
    discrete: bool
    support: str
    formula: str

    def defaults(self) -> dict[str, float]:
        return {p.key: p.default for p in self.params}


def _pos(key: str, label: str, low: float, high: float, default: float, step: float) -> Param:
    return Param(key, label, low, high, default, step, lower=0.0)


def _loc(key: str, label: str, default: float = 0.0) -> Param:
    return Param(key, label, -5.0, 5.0, default, 0.1)


def _prob(default: float, low: float = 0.0, open_lower: bool = False) -> Param:
    return Param("p", "p", low, 1.0, default, 0.01, lower=0.0, upper=1.0, open_lower=open_lower, open_upper=False)


FAMILIES: dict[str, Family] = {f.key: f for f in (
    Family("normal", "Normal", (_loc("mu", "μ"), _pos("sigma", "σ", 0.05, 5.0, 1.0, 0.05)), False, "ℝ",
           r"\frac{1}{\sigma\sqrt{2\pi}}e^{-(x-\mu)^2/2\sigma^2}"),
    Family("bernoulli", "Bernoulli", (_prob(0.3),), True, "{0, 1}", r"p^x(1-p)^{1-x}"),
    Family("binomial", "Binomial", (Param("trials", "n", 1, 100, 10, 1, lower=0, open_lower=False, integer=True),
                                    _prob(0.3)), True, "{0, 1, …, n}", r"\binom{n}{x}p^x(1-p)^{n-x}"),
    Family("poisson", "Poisson", (_pos("rate", "λ", 0.1, 50.0, 4.0, 0.1),), True, "{0, 1, 2, …}",
           r"\frac{\lambda^x e^{-\lambda}}{x!}"),
    Family("geometric", "Geometric", (_prob(0.3, 0.01, open_lower=True),), True,
           "{0, 1, 2, …} (failures before the first success)", r"(1-p)^x p"),
    Family("uniform", "Uniform", (_loc("low", "a", 0.0), _loc("high", "b", 1.0)), False, "[a, b]",
           r"\frac{1}{b-a}\ \text{on } [a, b]"),
    Family("exponential", "Exponential", (_pos("rate", "λ", 0.05, 10.0, 1.0, 0.05),), False, "[0, ∞)",
           r"\lambda e^{-\lambda x}"),
    Family("gamma", "Gamma", (_pos("concentration", "α (shape)", 0.1, 20.0, 2.0, 0.1),
                              _pos("rate", "β (rate)", 0.1, 10.0, 1.0, 0.1)), False, "(0, ∞)",
           r"\frac{\beta^\alpha}{\Gamma(\alpha)}x^{\alpha-1}e^{-\beta x}"),
    Family("beta", "Beta", (_pos("a", "α", 0.01, 20.0, 2.0, 0.01), _pos("b", "β", 0.01, 20.0, 5.0, 0.01)), False,
           "(0, 1)", r"\frac{x^{\alpha-1}(1-x)^{\beta-1}}{B(\alpha,\beta)}"),
    Family("student_t", "Student-t", (_pos("df", "ν (degrees of freedom)", 0.5, 50.0, 3.0, 0.5),), False, "ℝ",
           r"\frac{\Gamma(\frac{\nu+1}{2})}{\sqrt{\nu\pi}\,\Gamma(\frac{\nu}{2})}"
           r"\left(1+\frac{x^2}{\nu}\right)^{-\frac{\nu+1}{2}}"),
    Family("cauchy", "Cauchy", (_loc("loc", "x₀"), _pos("scale", "γ", 0.05, 5.0, 1.0, 0.05)), False, "ℝ",
           r"\frac{1}{\pi\gamma\left(1+\left(\frac{x-x_0}{\gamma}\right)^2\right)}"),
    Family("laplace", "Laplace", (_loc("loc", "μ"), _pos("scale", "b", 0.05, 5.0, 1.0, 0.05)), False, "ℝ",
           r"\frac{1}{2b}e^{-|x-\mu|/b}"),
    Family("mixture", "Two-Gaussian mixture",
           (Param("weight", "w (weight of component 1)", 0.0, 1.0, 0.3, 0.01, lower=0.0, upper=1.0,
                  open_lower=False, open_upper=False),
            _loc("mu1", "μ₁", -2.0), _pos("sigma1", "σ₁", 0.05, 5.0, 0.7, 0.05),
            _loc("mu2", "μ₂", 1.5), _pos("sigma2", "σ₂", 0.05, 5.0, 1.0, 0.05)), False, "ℝ",
           r"w\,\mathcal{N}(x;\mu_1,\sigma_1^2)+(1-w)\,\mathcal{N}(x;\mu_2,\sigma_2^2)"),
)}


def family(name: str) -> Family:
    if name not in FAMILIES:
        raise DataError(f"Unknown distribution {name!r}; choose one of {', '.join(FAMILIES)}.")
    return FAMILIES[name]


def check_params(name: str, params: Mapping[str, float] | None = None) -> dict[str, float]:
    """The family's parameters with defaults filled in, each checked against its mathematical domain (not the
    slider's range: σ = 10⁻⁶ is allowed, σ = 0 is not). Raises :class:`DataError` with a readable reason."""
    fam = family(name)
    params = dict(params or {})
    unknown = set(params) - {p.key for p in fam.params}
    if unknown:
        raise DataError(f"{fam.label} has no parameter {', '.join(sorted(unknown))}; its parameters are "
                        f"{', '.join(p.key for p in fam.params)}.")
    out: dict[str, float] = {}
    for p in fam.params:
        try:
            v = float(params.get(p.key, p.default))
        except (TypeError, ValueError):
            raise DataError(f"{fam.label}: {p.label} must be a number, got {params[p.key]!r}.") from None
        if not math.isfinite(v):
            raise DataError(f"{fam.label}: {p.label} must be a finite number, got {v}.")
        below = v < p.lower or (p.open_lower and v == p.lower)
        above = v > p.upper or (p.open_upper and v == p.upper)
        if below or above:
            lo = ("(" if p.open_lower else "[") + f"{p.lower:g}"
            hi = f"{p.upper:g}" + (")" if p.open_upper else "]")
            raise DataError(f"{fam.label}: {p.label} = {v:g} is outside its domain {lo}, {hi}.".replace("inf", "∞"))
        if p.integer:
            if v != round(v):
                raise DataError(f"{fam.label}: {p.label} must be a whole number, got {v:g}.")
            v = float(round(v))
        out[p.key] = v
    if name == "uniform" and not out["low"] < out["high"]:
        raise DataError(f"Uniform: a = {out['low']:g} must be less than b = {out['high']:g}.")
    return out


# ------------------------------------------------------------------------------------------ exact moments


@dataclass(frozen=True)
class Moment:
    """An exact moment, or why there is none: ``value`` is NaN whenever ``why`` is not empty (never ±inf)."""

    value: float
    why: str = ""

    @property
    def defined(self) -> bool:
        return not self.why

    def __str__(self) -> str:
        return self.why if self.why else f"{self.value:.6g}"


@dataclass(frozen=True)
class Moments:
    """Mean, variance, skewness E[(X − μ)³]/σ³ and excess kurtosis E[(X − μ)⁴]/σ⁴ − 3."""

    mean: Moment
    variance: Moment
    skewness: Moment
    kurtosis: Moment

    @property
    def sd(self) -> float:
        return math.sqrt(self.variance.value) if self.variance.defined else math.nan


def _m(v: float) -> Moment:
    return Moment(float(v))


def _none(why: str) -> Moment:
    return Moment(math.nan, why)


def moments(name: str, params: Mapping[str, float] | None = None) -> Moments:
    """The exact moments, by closed form per family (scipy.stats is the tests' reference). A constant
    (variance 0: p ∈ {0, 1}) has no skewness or kurtosis (0/0); a moment whose integral diverges is reported
    as such with a reason, never as inf."""
    P = check_params(name, params)
    label = FAMILIES[name].label
    if name == "cauchy":
        return Moments(*(_none(f"Cauchy has no {w}: ∫|x|ᵏ f(x) dx diverges")
                         for w in ("mean", "variance", "skewness", "kurtosis")))
    if name == "student_t":
        nu = P["df"]
        mean = _m(0.0) if nu > 1 else _none(f"Student-t with ν = {nu:g} ≤ 1 has no mean")
        var = (_m(nu / (nu - 2)) if nu > 2 else _none(f"Student-t with ν = {nu:g} has infinite variance (ν ≤ 2)")
               if nu > 1 else _none(f"Student-t with ν = {nu:g} ≤ 1 has no variance (no mean)"))
        skew = _m(0.0) if nu > 3 else _none(f"Student-t with ν = {nu:g} ≤ 3 has no skewness")
        kurt = (_m(6 / (nu - 4)) if nu > 4 else _none(f"Student-t with ν = {nu:g} has infinite kurtosis (ν ≤ 4)")
                if nu > 2 else _none(f"Student-t with ν = {nu:g} ≤ 2 has no kurtosis"))
        return Moments(mean, var, skew, kurt)
    if name == "mixture":
        w = np.array([P["weight"], 1 - P["weight"]])
        mu, s = np.array([P["mu1"], P["mu2"]]), np.array([P["sigma1"], P["sigma2"]])
        m = float(w @ mu)
        d = mu - m
        m2, m3 = float(w @ (s**2 + d**2)), float(w @ (d**3 + 3 * d * s**2))
        m4 = float(w @ (d**4 + 6 * d**2 * s**2 + 3 * s**4))
        mean, var, skew, kurt = m, m2, m3 / m2**1.5, m4 / m2**2 - 3
    elif name == "normal":
        mean, var, skew, kurt = P["mu"], P["sigma"] ** 2, 0.0, 0.0
    elif name in ("bernoulli", "binomial"):
        n, p = P.get("trials", 1.0), P["p"]
        pq = p * (1 - p)
        mean, var = n * p, n * pq
        skew = (1 - 2 * p) / math.sqrt(var) if var > 0 else math.nan
        kurt = (1 - 6 * pq) / var if var > 0 else math.nan
    elif name == "poisson":
        lam = P["rate"]
        mean, var, skew, kurt = lam, lam, 1 / math.sqrt(lam), 1 / lam
    elif name == "geometric":
        p = P["p"]
        q = 1 - p
        mean, var = q / p, q / p**2
        skew = (2 - p) / math.sqrt(q) if q > 0 else math.nan
        kurt = 6 + p**2 / q if q > 0 else math.nan
    elif name == "uniform":
        a, b = P["low"], P["high"]
        mean, var, skew, kurt = (a + b) / 2, (b - a) ** 2 / 12, 0.0, -1.2
    elif name == "exponential":
        lam = P["rate"]
        mean, var, skew, kurt = 1 / lam, 1 / lam**2, 2.0, 6.0
    elif name == "gamma":
        a, b = P["concentration"], P["rate"]
        mean, var, skew, kurt = a / b, a / b**2, 2 / math.sqrt(a), 6 / a
    elif name == "beta":
        a, b = P["a"], P["b"]
        s = a + b
        mean, var = a / s, a * b / (s**2 * (s + 1))
        skew = 2 * (b - a) * math.sqrt(s + 1) / ((s + 2) * math.sqrt(a * b))
        kurt = 6 * ((a - b) ** 2 * (s + 1) - a * b * (s + 2)) / (a * b * (s + 2) * (s + 3))
    elif name == "laplace":
        mean, var, skew, kurt = P["loc"], 2 * P["scale"] ** 2, 0.0, 3.0
    else:  # pragma: no cover - every registered family is handled above
        raise DataError(f"No moments for {name!r}.")
    const = f"{label} with these parameters is a constant (variance 0): its "
    return Moments(_m(mean), _m(var), _m(skew) if math.isfinite(skew) else _none(const + "skewness is 0/0"),
                   _m(kurt) if math.isfinite(kurt) else _none(const + "kurtosis is 0/0"))


def centre(name: str, params: Mapping[str, float] | None = None) -> tuple[float, str]:
    """Where sample means are compared: the mean when it exists, else the median (Cauchy's x₀, Student-t's 0,
    both symmetric), with the word for it."""
    P = check_params(name, params)
    m = moments(name, P).mean
    if m.defined:
        return m.value, "mean"
    return (P["loc"] if name == "cauchy" else 0.0), "median"


# ------------------------------------------------------------------------------------------ torch objects


def _tensors(P: Mapping[str, float], device: torch.device) -> dict[str, torch.Tensor]:
    dtype = compute_dtype(device)
    return {k: torch.tensor(v, dtype=dtype, device=device) for k, v in P.items()}


def distribution(name: str, params: Mapping[str, float] | None = None,
                 device: torch.device | str = "cpu") -> D.Distribution:
    """The ``torch.distributions`` object of the family at these parameters (``validate_args=False``: points
    outside the support are masked by the callers, not refused)."""
    device = torch.device(device)
    T = _tensors(check_params(name, params), device)
    kw = {"validate_args": False}
    if name == "normal":
        return D.Normal(T["mu"], T["sigma"], **kw)
    if name == "bernoulli":
        return D.Bernoulli(probs=T["p"], **kw)
    if name == "binomial":
        return D.Binomial(total_count=T["trials"], probs=T["p"], **kw)
    if name == "poisson":
        return D.Poisson(T["rate"], **kw)
    if name == "geometric":
        return D.Geometric(probs=T["p"], **kw)
    if name == "uniform":
        return D.Uniform(T["low"], T["high"], **kw)
    if name == "exponential":
        return D.Exponential(T["rate"], **kw)
    if name == "gamma":
        return D.Gamma(T["concentration"], T["rate"], **kw)
    if name == "beta":
        return D.Beta(T["a"], T["b"], **kw)
    if name == "student_t":
        return D.StudentT(T["df"], **kw)
    if name == "cauchy":
        return D.Cauchy(T["loc"], T["scale"], **kw)
    if name == "laplace":
        return D.Laplace(T["loc"], T["scale"], **kw)
    w = T["weight"]
    mix = D.Categorical(probs=torch.stack([w, 1 - w]), validate_args=False)
    comp = D.Normal(torch.stack([T["mu1"], T["mu2"]]), torch.stack([T["sigma1"], T["sigma2"]]), **kw)
    return D.MixtureSameFamily(mix, comp, **kw)


def generator(seed: int, device: torch.device | str = "cpu") -> torch.Generator:
    """A private generator: no global random state is read or changed."""
    return torch.Generator(device=torch.device(device)).manual_seed(int(seed))


def _uniform_open(shape: tuple[int, ...], gen: torch.Generator, dtype: torch.dtype,
                  device: torch.device) -> torch.Tensor:
    """U(0, 1] (1 − U[0, 1)), so that log U is finite."""
    return 1.0 - torch.rand(shape, generator=gen, dtype=dtype, device=device)


def _log_gamma(alpha: float, shape: tuple[int, ...], gen: torch.Generator, dtype: torch.dtype,
               device: torch.device) -> torch.Tensor:
    """log G with G ~ Gamma(α, 1), in log space so that α = 0.01 does not underflow to log 0: for α < 1,
    G = G' U^{1/α} with G' ~ Gamma(α + 1) (Marsaglia & Tsang's boost)."""
    boost = alpha < 1
    a = torch.full(shape, alpha + 1 if boost else alpha, dtype=dtype, device=device)
    logg = torch.log(torch._standard_gamma(a, generator=gen))
    if boost:
        logg = logg + torch.log(_uniform_open(shape, gen, dtype, device)) / alpha
    return logg


def sample_t(name: str, params: Mapping[str, float] | None, n: int, seed: int = 0,
             device: torch.device | str = "cpu", shape: tuple[int, ...] | None = None) -> torch.Tensor:
    """``n`` draws (or an array of ``shape``) on ``device`` from a private generator seeded with ``seed``:

    Normal μ + σZ · Bernoulli 1{U < p} · Binomial and Poisson torch's generator-aware samplers ·
    Geometric ⌊log U / log(1 − p)⌋ · Uniform a + (b − a)U · Exponential −log U / λ · Gamma G(α)/β ·
    Beta G_α / (G_α + G_β) = sigmoid(log G_α − log G_β) · Student-t Z / √(V/ν), V = 2G(ν/2) ~ χ²_ν ·
    Cauchy x₀ + γ tan(π(U − ½)) · Laplace μ − b sign(V) log(1 − 2|V|), V = U − ½ ·
    mixture: component 1 when U < w, then its normal.
    """
    P = check_params(name, params)
    device = torch.device(device)
    shape = tuple(shape) if shape is not None else (int(n),)
    return draw(name, P, shape, generator(seed, device), compute_dtype(device), device)


def draw(name: str, P: Mapping[str, float], shape: tuple[int, ...], gen: torch.Generator, dtype: torch.dtype,
         device: torch.device) -> torch.Tensor:
    """:func:`sample_t`'s draws from a generator the caller owns (so that chunks continue one stream), with
    ``P`` already checked."""

    def U() -> torch.Tensor:
        return _uniform_open(shape, gen, dtype, device)

    def Z() -> torch.Tensor:
        return torch.randn(shape, generator=gen, dtype=dtype, device=device)

    if name == "normal":
        return P["mu"] + P["sigma"] * Z()
    if name == "bernoulli":
        return (torch.rand(shape, generator=gen, dtype=dtype, device=device) < P["p"]).to(dtype)
    if name == "binomial":
        count = torch.full(shape, P["trials"], dtype=dtype, device=device)
        return torch.binomial(count, torch.full(shape, P["p"], dtype=dtype, device=device), generator=gen)
    if name == "poisson":
        return torch.poisson(torch.full(shape, P["rate"], dtype=dtype, device=device), generator=gen)
    if name == "geometric":
        return torch.floor(torch.log(U()) / math.log1p(-P["p"])) if P["p"] < 1 else torch.zeros(
            shape, dtype=dtype, device=device)
    if name == "uniform":
        return P["low"] + (P["high"] - P["low"]) * torch.rand(shape, generator=gen, dtype=dtype, device=device)
    if name == "exponential":
        return -torch.log(U()) / P["rate"]
    if name == "gamma":
        return torch.exp(_log_gamma(P["concentration"], shape, gen, dtype, device)) / P["rate"]
    if name == "beta":
        la = _log_gamma(P["a"], shape, gen, dtype, device)
        return torch.sigmoid(la - _log_gamma(P["b"], shape, gen, dtype, device))
    if name == "student_t":
        nu = P["df"]
        logv = math.log(2.0) + _log_gamma(nu / 2, shape, gen, dtype, device)
        return Z() * torch.exp(0.5 * (math.log(nu) - logv))
    if name == "cauchy":
        return P["loc"] + P["scale"] * torch.tan(math.pi * (torch.rand(shape, generator=gen, dtype=dtype,
                                                                       device=device) - 0.5))
    if name == "laplace":
        v = torch.rand(shape, generator=gen, dtype=dtype, device=device) - 0.5
        return P["loc"] - P["scale"] * torch.sign(v) * torch.log1p(-2 * v.abs())
    first = torch.rand(shape, generator=gen, dtype=dtype, device=device) < P["weight"]
    z = Z()
    return torch.where(first, P["mu1"] + P["sigma1"] * z, P["mu2"] + P["sigma2"] * z)


def sample(name: str, params: Mapping[str, float] | None, n: int, seed: int = 0,
           device: torch.device | str = "cpu") -> np.ndarray:
    """:func:`sample_t` as a float64 numpy array."""
    _check_n(n)
    return sample_t(name, params, n, seed, device).double().cpu().numpy()


def _check_n(n: int, low: int = 1, high: int = MAX_SAMPLE, what: str = "sample size") -> int:
    if int(n) != n or not low <= n <= high:
        raise DataError(f"The {what} must be a whole number from {low:,} to {high:,}, got {n}.")
    return int(n)


# ------------------------------------------------------------------------------------------ the window


def window(name: str, params: Mapping[str, float] | None = None) -> tuple[float, float]:
    """The range drawn and histogrammed: (nearly) all the mass for light tails, a fixed number of scales for
    heavy ones (Cauchy ±12γ holds 94.7 %), the integers 0…hi for a discrete family (hi from the tail bound,
    at most :data:`MAX_SUPPORT`)."""
    P = check_params(name, params)
    mo = moments(name, P)
    if name == "normal":
        return P["mu"] - 4.5 * P["sigma"], P["mu"] + 4.5 * P["sigma"]
    if name == "bernoulli":
        return 0.0, 1.0
    if name == "binomial":
        return 0.0, P["trials"]
    if name == "poisson":
        lam = P["rate"]
        return 0.0, float(min(MAX_SUPPORT, math.ceil(lam + 7 * math.sqrt(lam) + 5)))
    if name == "geometric":
        hi = math.ceil(math.log(1e-4) / math.log1p(-P["p"])) if P["p"] < 1 else 1
        return 0.0, float(min(MAX_SUPPORT, max(hi, 1)))
    if name == "uniform":
        pad = 0.15 * (P["high"] - P["low"])
        return P["low"] - pad, P["high"] + pad
    if name == "exponential":
        return 0.0, 8.0 / P["rate"]
    if name == "gamma":
        return max(0.0, mo.mean.value - 6 * mo.sd), mo.mean.value + 6 * mo.sd
    if name == "beta":
        return 0.0, 1.0
    if name == "student_t":
        return (-min(12.0, 4.5 * mo.sd), min(12.0, 4.5 * mo.sd)) if mo.variance.defined else (-12.0, 12.0)
    if name == "cauchy":
        return P["loc"] - 12 * P["scale"], P["loc"] + 12 * P["scale"]
    if name == "laplace":
        return P["loc"] - 7 * P["scale"], P["loc"] + 7 * P["scale"]
    comps = [(P["mu1"], P["sigma1"])] * (P["weight"] > 0) + [(P["mu2"], P["sigma2"])] * (P["weight"] < 1)
    return min(m - 4.5 * s for m, s in comps), max(m + 4.5 * s for m, s in comps)


def grid(name: str, params: Mapping[str, float] | None = None, points: int = 401,
         device: torch.device | str = "cpu") -> torch.Tensor:
    """The x values: the integers of the window (discrete), else ``points`` evenly spaced ones; a boundary
    where the density can be infinite (Gamma's 0, Beta's 0 and 1) is left out."""
    device = torch.device(device)
    dtype = compute_dtype(device)
    lo, hi = window(name, params)
    if FAMILIES[name].discrete:
        return torch.arange(int(lo), int(hi) + 1, dtype=dtype, device=device)
    if name == "beta":
        return torch.linspace(0, 1, points + 2, dtype=dtype, device=device)[1:-1]
    if name == "gamma" and lo == 0:
        return torch.linspace(lo, hi, points + 1, dtype=dtype, device=device)[1:]
    return torch.linspace(lo, hi, points, dtype=dtype, device=device)


def pdf_t(name: str, params: Mapping[str, float] | None, x: torch.Tensor) -> torch.Tensor:
    """The density (pmf) at ``x``: exp(log_prob) inside the support, 0 outside (where torch's formula, with
    validation off, would give a number that means nothing, e.g. λe^{−λx} for x < 0)."""
    P = check_params(name, params)
    if name == "uniform":  # torch's Uniform is [a, b); the closed interval, as scipy, counts b in
        inside = (x >= P["low"]) & (x <= P["high"])
        return torch.where(inside, torch.full_like(x, 1.0 / (P["high"] - P["low"])), torch.zeros_like(x))
    dist = distribution(name, P, x.device)
    if isinstance(dist, D.MixtureSameFamily):
        return torch.exp(dist.log_prob(x))
    inside = dist.support.check(x)
    safe = torch.where(inside, x, {"beta": 0.5, "gamma": 1.0, "exponential": 1.0}.get(name, 0.0))
    return torch.where(inside, torch.exp(dist.log_prob(safe)), 0.0)


def cdf_t(name: str, params: Mapping[str, float] | None, x: torch.Tensor) -> torch.Tensor:
    """P(X ≤ x) at each x (for a discrete family ``x`` must be the integers 0, 1, …, as :func:`grid` gives)."""
    P = check_params(name, params)
    if FAMILIES[name].discrete:
        if x.numel() and (x[0] != 0 or (x.diff() != 1).any()):
            raise DataError("A discrete cdf is the running sum of the pmf: pass the integers 0, 1, 2, ….")
        return torch.cumsum(pdf_t(name, P, x), 0).clamp(max=1.0)
    if name == "gamma":
        return torch.special.gammainc(torch.full_like(x, P["concentration"]), (P["rate"] * x).clamp(min=0))
    if name in ("beta", "student_t"):
        from scipy import special

        xn = x.double().cpu().numpy()
        if name == "beta":
            out = special.betainc(P["a"], P["b"], np.clip(xn, 0, 1))
        else:  # P(|T| > |x|) = I_{ν/(ν+x²)}(ν/2, ½)
            nu = P["df"]
            tail = 0.5 * special.betainc(nu / 2, 0.5, nu / (nu + xn**2))
            out = np.where(xn > 0, 1 - tail, tail)
        return torch.from_numpy(out).to(dtype=x.dtype, device=x.device)
    return distribution(name, P, x.device).cdf(x).clamp(0.0, 1.0)


# ------------------------------------------------------------------------------------------ one call


@dataclass(frozen=True)
class Histogram:
    """Counts of a sample in bins (unit-width bins centred on the integers for a discrete family); draws
    outside the edges are counted in ``clipped_below`` / ``clipped_above``, not in any bin. ``density`` =
    count / (n · width), to overlay on the pdf (pmf)."""

    edges: np.ndarray  # (bins + 1,)
    counts: np.ndarray  # (bins,)
    density: np.ndarray  # (bins,)
    clipped_below: int
    clipped_above: int


def histogram_t(x: torch.Tensor, lo: float, hi: float, bins: int, discrete: bool = False) -> Histogram:
    """Bin the finite values of ``x`` over [lo, hi] (half-open bins, the last one closed)."""
    x = x.flatten()
    if discrete:
        lo, hi, bins = lo - 0.5, hi + 0.5, round(hi - lo) + 1
    width = (hi - lo) / bins
    below, above = int((x < lo).sum()), int((x > hi).sum())
    kept = x[(x >= lo) & (x <= hi)]
    idx = ((kept - lo) / width).floor().long().clamp(0, bins - 1)
    counts = torch.bincount(idx, minlength=bins).cpu().numpy().astype(np.int64)
    edges = np.linspace(lo, hi, bins + 1)
    return Histogram(edges, counts, counts / max(x.numel(), 1) / width, below, above)


@dataclass(frozen=True)
class Explored:
    """Everything the distributions tab shows for one family and parameter setting."""

    name: str
    params: dict[str, float]
    discrete: bool
    x: np.ndarray  # the grid (integers for a discrete family)
    pdf: np.ndarray  # density, or pmf
    cdf: np.ndarray
    window_mass: float  # P(lo ≤ X ≤ hi): the share of the distribution the window shows
    moments: Moments
    sample: np.ndarray  # (n,) the seeded draws
    sample_mean: float
    sample_variance: float  # ddof = 1
    sample_skewness: float  # m₃ / m₂^{3/2} with biased central moments (scipy.stats.skew's default)
    histogram: Histogram


def sample_moments(x: torch.Tensor) -> tuple[float, float, float]:
    """Sample mean, variance (ddof = 1; NaN for one draw) and skewness m₃/m₂^{3/2} (NaN for a constant)."""
    x = x.double()
    m = x.mean()
    d = x - m
    m2, m3 = (d**2).mean(), (d**3).mean()
    var = float(d.pow(2).sum() / (x.numel() - 1)) if x.numel() > 1 else math.nan
    skew = float(m3 / m2**1.5) if float(m2) > 1e-300 * max(1.0, float(m) ** 2) else math.nan
    return float(m), var, skew


def explore(name: str, params: Mapping[str, float] | None = None, n: int = 1000, seed: int = 0, bins: int = 40,
            points: int = 401, device: torch.device | str = "cpu") -> Explored:
    """The density (pmf) and cdf on the window, the exact moments, and ``n`` seeded draws with their sample
    moments and histogram over the same window (heavy tails clipped and counted)."""
    P = check_params(name, params)
    n = _check_n(n)
    if not 2 <= int(bins) <= 400:
        raise DataError(f"Between 2 and 400 bins, got {bins}.")
    if not 2 <= int(points) <= 5001:
        raise DataError(f"Between 2 and 5,001 grid points, got {points}.")
    device = torch.device(device)
    fam = FAMILIES[name]
    with threads_for(n, device):
        x = grid(name, P, int(points), device)
        pdf, cdf = pdf_t(name, P, x), cdf_t(name, P, x)
        lo, hi = window(name, P)
        if fam.discrete:
            mass = float(cdf[-1])
        else:
            ends = cdf_t(name, P, torch.tensor([lo, hi], dtype=x.dtype, device=device))
            mass = float(ends[1] - ends[0])
        s = sample_t(name, P, n, seed, device)
        sm = sample_moments(s)
        hist = histogram_t(s, lo, hi, int(bins), fam.discrete)
    as_np = [t.double().cpu().numpy() for t in (x, pdf, cdf, s)]
    return Explored(name, P, fam.discrete, as_np[0], as_np[1], as_np[2], mass, moments(name, P), as_np[3],
                    *sm, hist)
