"""Mutual information: a closed form against two estimators, and which pixels of a digit tell its label.

I(X; Y) = Σ p(x, y) log [p(x, y) / (p(x) p(y))] = H(X) + H(Y) − H(X, Y) = KL(p(x, y) ‖ p(x) p(y)) ≥ 0.

* For a bivariate Gaussian with correlation ρ, I(X; Y) = −½ log(1 − ρ²): 0 for independent variables,
  +∞ at |ρ| = 1 (then Y is a function of X and a real number carries infinitely many bits).
* **Plug-in (histogram) estimate**: bin each variable into B equal-width bins over the sample's range, then
  apply the discrete formula to the bin frequencies (computed in torch). Finite bins lose information
  (biased low for smooth densities, and never more than log B), and few samples make empty and lonely
  cells look informative (biased high: about (B − 1)²/(2n) nats for independent variables, Miller–Madow).
* **k-nearest-neighbour estimate** (Kraskov, Stögbauer & Grassberger 2004), as scikit-learn's
  ``mutual_info_regression`` computes it: no bins; its bias shrinks as n grows.

For the digits, each pixel takes the values 0–16, so the plug-in estimate on those values is exact for the
sample's own frequencies: I(pixel; label) = H(label) − H(label | pixel) ≤ H(label) = log₂ 10.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from core.data import DataError, load_dataset
from core.device import compute_dtype

UNITS = {"bits": math.log(2), "nats": 1.0}
MI_SIZES = (50, 100, 200, 500, 1000, 2000, 5000)
MAX_SIZE = 10_000  # k-NN estimates of 10 repeats up to this size take about a second on a 2-core CPU
Progress = Callable[[float, str], None] | None


def _unit(unit: str) -> float:
    if unit not in UNITS:
        raise DataError(f"Unknown unit {unit!r}; choose one of {', '.join(UNITS)}.")
    return UNITS[unit]


@dataclass(frozen=True)
class Exact:
    """The closed form for a bivariate Gaussian, and a sentence when it is infinite."""

    rho: float
    value: float  # −½ log(1 − ρ²) in the unit asked for; +∞ at |ρ| = 1
    unit: str
    note: str


def gaussian_mi(rho: float, unit: str = "bits") -> Exact:
    """I(X; Y) = −½ log(1 − ρ²) for (X, Y) jointly Gaussian with correlation ρ ∈ [−1, 1]."""
    c = _unit(unit)
    if not (math.isfinite(rho) and -1 <= rho <= 1):
        raise DataError("A correlation lies between −1 and 1.")
    if abs(rho) == 1:
        return Exact(float(rho), math.inf, unit,
                     f"At ρ = {rho:+g} Y = {'' if rho > 0 else '−'}X exactly: knowing X pins Y down to infinitely "
                     "many digits, so the mutual information is infinite. Estimators still return finite numbers.")
    return Exact(float(rho), -0.5 * math.log1p(-rho * rho) / c + 0.0, unit, "")


def gaussian_sample(rho: float, n: int, seed: int = 0) -> np.ndarray:
    """(n, 2) draws of standard normals with correlation ρ: X = Z₁, Y = ρZ₁ + √(1 − ρ²) Z₂ (seeded)."""
    z = np.random.default_rng(seed).standard_normal((n, 2))
    return np.c_[z[:, 0], rho * z[:, 0] + math.sqrt(max(0.0, 1 - rho * rho)) * z[:, 1]]


def bin_index(x: np.ndarray, bins: int) -> np.ndarray:
    """Equal-width bin of each value over [min, max] (the maximum in the last bin; a constant column is one bin)."""
    lo, hi = float(x.min()), float(x.max())
    if hi == lo:
        return np.zeros(len(x), dtype=np.int64)
    return np.minimum(((x - lo) / (hi - lo) * bins).astype(np.int64), bins - 1)


def discrete_mi_t(a: torch.Tensor, b: torch.Tensor, na: int, nb: int) -> torch.Tensor:
    """Plug-in I(A; B) in nats from paired integer codes a ∈ [0, na), b ∈ [0, nb): Σ p_ab log(p_ab/(p_a p_b)),
    with the joint frequencies from one bincount. Works on a batch: a of shape (..., n), b of shape (n,)."""
    n = a.shape[-1]
    flat = a * nb + b
    lead = flat.shape[:-1]
    rows = int(np.prod(lead)) if lead else 1
    offset = (torch.arange(rows, device=a.device) * (na * nb)).reshape(*lead, 1) if lead else 0
    dtype = compute_dtype(a.device)
    joint = torch.bincount((flat + offset).reshape(-1), minlength=rows * na * nb).to(dtype).reshape(*lead, na, nb) / n
    pa, pb = joint.sum(-1, keepdim=True), joint.sum(-2, keepdim=True)
    terms = torch.special.xlogy(joint, joint) - torch.special.xlogy(joint, pa * pb)
    return terms.sum((-2, -1)).clamp(min=0.0)


def plugin_mi(x: np.ndarray, y: np.ndarray, bins: int = 12, unit: str = "bits",
              device: torch.device | str = "cpu") -> float:
    """The plug-in estimate of I(X; Y) from ``bins`` equal-width bins per variable."""
    if not 2 <= bins <= 200:
        raise DataError("Use 2 to 200 bins.")
    device = torch.device(device)
    a = torch.as_tensor(bin_index(np.asarray(x, dtype=np.float64), bins), device=device)
    b = torch.as_tensor(bin_index(np.asarray(y, dtype=np.float64), bins), device=device)
    return float(discrete_mi_t(a, b, bins, bins)) / _unit(unit)


@dataclass(frozen=True)
class Convergence:
    """Both estimates of a Gaussian's mutual information as the sample grows, beside the exact value."""

    exact: Exact
    sizes: np.ndarray  # (s,)
    plugin: np.ndarray  # (repeats, s) histogram estimates
    knn: np.ndarray  # (repeats, s) k-NN estimates (scikit-learn)
    independent_bias: np.ndarray  # (s,) (B − 1)²/(2n) in the unit: the plug-in's bias at ρ = 0 (Miller–Madow)
    bins: int
    n_neighbors: int
    unit: str


def mi_convergence(rho: float = 0.8, sizes: tuple[int, ...] = MI_SIZES, repeats: int = 3, bins: int = 12,
                   n_neighbors: int = 3, unit: str = "bits", seed: int = 0, progress: Progress = None,
                   device: torch.device | str = "cpu") -> Convergence:
    """For each n in ``sizes`` and each of ``repeats`` seeded samples (seed + r; the first n rows of one
    sample of the largest size, so a repeat's points are nested as n grows), the plug-in estimate with
    ``bins`` bins and scikit-learn's k-NN estimate with ``n_neighbors`` neighbours (the slow part: its cost
    grows like n log n). ``progress(fraction, text)`` hears after each repeat."""
    from sklearn.feature_selection import mutual_info_regression

    exact = gaussian_mi(rho, unit)
    c = _unit(unit)
    sizes_a = np.array(sorted({int(s) for s in sizes}), dtype=np.int64)
    if len(sizes_a) == 0 or sizes_a[0] < 10 or sizes_a[-1] > MAX_SIZE:
        raise DataError(f"Sample sizes must lie between 10 and {MAX_SIZE:,}.")
    if not 1 <= repeats <= 20 or not 1 <= n_neighbors <= 20:
        raise DataError("Use 1 to 20 repeats and 1 to 20 neighbours.")
    plug = np.empty((repeats, len(sizes_a)))
    knn = np.empty((repeats, len(sizes_a)))
    for r in range(repeats):
        data = gaussian_sample(rho, int(sizes_a[-1]), seed + r)
        for j, n in enumerate(sizes_a):
            plug[r, j] = plugin_mi(data[:n, 0], data[:n, 1], bins, unit, device)
            knn[r, j] = mutual_info_regression(data[:n, :1], data[:n, 1], n_neighbors=n_neighbors,
                                               random_state=seed + r)[0] / c
        if progress:
            progress((r + 1) / repeats, f"Estimated sample {r + 1} of {repeats}")
    return Convergence(exact, sizes_a, plug, knn, (bins - 1) ** 2 / (2 * sizes_a) / c, bins, n_neighbors, unit)


@dataclass(frozen=True)
class PixelMI:
    """I(pixel; label) for every pixel of the 8×8 digits."""

    plugin: np.ndarray  # (8, 8) from the pixel values 0–16 themselves (no binning needed)
    knn: np.ndarray | None  # (8, 8) scikit-learn's mutual_info_classif with continuous features, or None
    label_entropy: float  # H(label): no pixel can tell more
    unit: str
    constant_pixels: int  # pixels that never change (always 0 at the border): I = 0 exactly


def pixel_mi(knn: bool = False, n_neighbors: int = 3, unit: str = "bits", seed: int = 0, progress: Progress = None,
             device: torch.device | str = "cpu") -> PixelMI:
    """Each digits pixel's mutual information with the label: the plug-in estimate on its 17 values, all 64 at
    once in torch, and with ``knn`` scikit-learn's k-NN estimate treating the pixels as continuous, one image
    row (8 pixels) per call so that ``progress(fraction, text)`` can hear after each (seeded: scikit-learn
    adds a little noise to break ties, drawn from ``seed`` + the row)."""
    c = _unit(unit)
    ds = load_dataset("digits")
    device = torch.device(device)
    X = np.asarray(ds.X).astype(np.int64)
    y = np.asarray(ds.y)
    levels = int(X.max()) + 1
    a = torch.as_tensor(X.T.copy(), device=device)
    b = torch.as_tensor(y.copy(), device=device)
    plug = (discrete_mi_t(a, b, levels, 10) / c).to("cpu", torch.float64).numpy().reshape(8, 8)
    k = None
    if knn:
        from sklearn.feature_selection import mutual_info_classif

        k = np.empty((8, 8))
        for r in range(8):
            k[r] = mutual_info_classif(ds.X[:, 8 * r:8 * r + 8], y, discrete_features=False, n_neighbors=n_neighbors,
                                       random_state=seed + r) / c
            if progress:
                progress((r + 1) / 8, f"k-NN estimates: image row {r + 1} of 8")
    freq = np.bincount(y) / len(y)
    h = float(-(freq * np.log(freq)).sum()) / c
    return PixelMI(plug, k, h, unit, int((np.ptp(X, axis=0) == 0).sum()))
