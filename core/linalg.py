"""Chapter 2, Linear Algebra: PCA through the SVD, low-rank approximation, randomized SVD.

All heavy work is torch on the requested device, in float64 on the CPU (exact enough to compare
with LAPACK-based references) and float32 on GPUs (where float64 is slow or absent).
"""

from __future__ import annotations

import functools
import math
import time
from dataclasses import dataclass

import numpy as np
import torch

from core.device import as_tensor as _as_tensor
from core.device import compute_dtype, synchronize
from core.threads import seeded


def _signs(V: torch.Tensor) -> torch.Tensor:
    """±1 per row of V that makes each component's largest-magnitude loading positive (a
    deterministic sign; flip U's matching columns by the same)."""
    idx = V.abs().argmax(dim=1)
    signs = torch.sign(V[torch.arange(V.shape[0], device=V.device), idx])
    signs[signs == 0] = 1
    return signs


@dataclass(frozen=True)
class PCAResult:
    """PCA of an n×d table. Arrays are CPU numpy; components are rows (like scikit-learn)."""

    mean: np.ndarray  # (d,)
    scale: np.ndarray  # (d,) the divisor per column: its sample std (ddof = 1) when standardized, else 1
    components: np.ndarray  # (r, d) principal axes, unit rows, r = min(n, d)
    singular_values: np.ndarray  # (r,)
    explained_variance: np.ndarray  # (r,) eigenvalues of the sample covariance (standardized: correlation), σ²/(n−1)
    explained_variance_ratio: np.ndarray  # (r,)
    scores: np.ndarray  # (n, k) projections on the first k axes
    rank: int  # numerical rank of the centred (and scaled) data
    constant_columns: int  # columns with zero variance (left unscaled when standardizing)
    n_samples: int

    @property
    def k(self) -> int:
        return self.scores.shape[1]

    def reconstruction_error_curve(self) -> np.ndarray:
        """Relative squared error ‖X − X_k‖²_F / ‖X‖²_F for k = 0…r (Eckart–Young: the tail of σ²)."""
        s2 = self.singular_values**2
        total = s2.sum()
        tail = np.concatenate([total - np.cumsum(np.concatenate([[0.0], s2]))[:-1], [0.0]])
        return np.clip(tail / total, 0.0, 1.0) if total > 0 else np.zeros(len(s2) + 1)

    def covariance(self) -> np.ndarray:
        """The sample covariance of the (scaled) data rebuilt from its eigenpairs: V Λ Vᵀ."""
        return (self.components.T * self.explained_variance) @ self.components


def pca(X: np.ndarray, k: int, standardize: bool = False, device: torch.device | str = "cpu") -> PCAResult:
    """Principal component analysis through the SVD of the centred data matrix.

    X − mean = U Σ Vᵀ (through a QR factorization first when X is tall); the rows of Vᵀ are the
    principal axes (eigenvectors of the covariance XᵀX/(n−1)), σᵢ²/(n−1) its eigenvalues. ``k`` is
    clipped to 1…min(n, d). Standardizing divides each centred column by its sample standard
    deviation (ddof = 1, the same n − 1 as the covariance), so the eigenvalues are exactly those of
    the correlation matrix (np.corrcoef), which sum to d. (scikit-learn's StandardScaler divides by
    the ddof = 0 deviation instead: its eigenvalues are n/(n − 1) times these.) Constant columns
    are left as they are, so there is no division by zero.
    """
    device = torch.device(device)
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[0] < 2 or X.shape[1] < 1:
        raise ValueError(f"PCA needs a 2-D table with at least 2 rows, got shape {X.shape}.")
    if not np.isfinite(X).all():
        raise ValueError("PCA needs finite numbers; drop NaN and infinite values first.")
    n, d = X.shape
    # No defensive copy of X: nothing below writes to T (a read-only array is copied, as torch requires).
    T = torch.from_numpy(X if X.flags.writeable else X.copy()).to(device=device, dtype=compute_dtype(device))
    mean = T.mean(dim=0)
    Xc = T - mean
    # ddof = 1 (one pass, no n×d temporary): then Xcᵀ Xc / (n − 1) of the scaled columns is the correlation matrix
    std = torch.linalg.vector_norm(Xc, dim=0) / math.sqrt(n - 1)
    tiny = torch.finfo(T.dtype).eps * (1.0 + mean.abs()) * 8
    constant = std <= tiny
    scale = torch.where(constant | (not standardize), torch.ones_like(std), std)
    if standardize:
        Xc /= scale
    tall = n >= 2 * d
    if tall:
        # Xc = QR, R = U_R Σ Vᵀ: the same Σ and V from a d×d SVD, and Q (n×d) is never formed:
        # ~25 % faster than the thin SVD on 20000×500. The scores are then Xc V_k (below).
        S, Vh = torch.linalg.svd(torch.linalg.qr(Xc, mode="r")[1], full_matrices=False)[1:]
        U = None
    else:
        U, S, Vh = torch.linalg.svd(Xc, full_matrices=False)
    signs = _signs(Vh)
    Vh = Vh * signs[:, None]
    r = S.shape[0]
    k = int(min(max(k, 1), r))
    tol = S.max() * max(n, d) * torch.finfo(S.dtype).eps if r else 0.0
    rank = int((tol < S).sum())
    var = S**2 / (n - 1)
    total = var.sum()
    ratio = var / total if total > 0 else torch.zeros_like(var)
    # Xc V_k = U_k Σ_k (U's columns flipped with V's rows)
    scores = Xc @ Vh[:k].T if U is None else U[:, :k] * (S[:k] * signs[:k])
    return PCAResult(
        mean=mean.cpu().numpy(), scale=scale.cpu().numpy(), components=Vh.cpu().numpy(),
        singular_values=S.cpu().numpy(), explained_variance=var.cpu().numpy(),
        explained_variance_ratio=ratio.cpu().numpy(), scores=scores.cpu().numpy(), rank=rank,
        constant_columns=int(constant.sum()), n_samples=n)


def reconstruct(result: PCAResult, X: np.ndarray, k: int) -> np.ndarray:
    """Project rows of ``X`` on the first ``k`` axes and map back: mean + scale·(Z V_kᵀ) V_k."""
    k = int(min(max(k, 0), result.components.shape[0]))
    V = result.components[:k]
    Z = (np.asarray(X, dtype=np.float64) - result.mean) / result.scale
    return result.mean + (Z @ V.T @ V) * result.scale


def relative_reconstruction_error(result: PCAResult, X: np.ndarray, k: int) -> float:
    """Measured ‖Z − Ẑ_k‖²_F / ‖Z‖²_F on the centred (and scaled) data Z: what Eckart–Young predicts
    as the share of the discarded σ², computed here from the reconstruction itself."""
    X = np.asarray(X, dtype=np.float64)
    Z = (X - result.mean) / result.scale
    total = float(np.sum(Z**2))
    if total == 0:
        return 0.0
    residual = (X - reconstruct(result, X, k)) / result.scale
    return float(np.sum(residual**2)) / total


@dataclass(frozen=True)
class SVDFactors:
    """A matrix's thin SVD, CPU numpy, for cheap truncation at any rank."""

    U: np.ndarray
    S: np.ndarray
    Vh: np.ndarray

    @property
    def shape(self) -> tuple[int, int]:
        return self.U.shape[0], self.Vh.shape[1]


def svd(A: np.ndarray, device: torch.device | str = "cpu") -> SVDFactors:
    """Thin SVD A = U diag(S) Vh computed by torch on ``device``."""
    device = torch.device(device)
    U, S, Vh = torch.linalg.svd(_as_tensor(A, device), full_matrices=False)
    return SVDFactors(U.cpu().numpy(), S.cpu().numpy(), Vh.cpu().numpy())


@dataclass(frozen=True)
class LowRank:
    """A rank-r approximation and the numbers that certify it."""

    approx: np.ndarray
    rank: int
    storage_ratio: float  # numbers stored r(m+n+1) over m·n
    squared_error: float  # ‖A − A_r‖²_F, measured on the matrices
    discarded_energy: float  # Σ_{i>r} σᵢ², the Eckart–Young value
    relative_error: float  # ‖A − A_r‖_F / ‖A‖_F


def truncate(A: np.ndarray, factors: SVDFactors, rank: int) -> LowRank:
    """Best rank-``rank`` approximation (Eckart–Young) from precomputed factors."""
    A = np.asarray(A, dtype=np.float64)
    r = int(min(max(rank, 0), len(factors.S)))
    approx = (factors.U[:, :r] * factors.S[:r]) @ factors.Vh[:r]
    m, n = A.shape
    sq = float(np.sum((A - approx) ** 2))
    norm2 = float(np.sum(A**2))
    return LowRank(approx=approx, rank=r, storage_ratio=r * (m + n + 1) / (m * n), squared_error=sq,
                   discarded_energy=float(np.sum(factors.S[r:].astype(np.float64) ** 2)),
                   relative_error=math.sqrt(sq / norm2) if norm2 > 0 else 0.0)


def test_matrix(m: int, n: int, decay: float = 0.05, seed: int = 0, noise: float = 1e-3) -> np.ndarray:
    """An m×n matrix with singular values e^{−decay·i} plus a little noise: a realistic spectrum."""
    rng = np.random.default_rng(seed)
    r = min(m, n)
    Qu, _ = np.linalg.qr(rng.standard_normal((m, r)))
    Qv, _ = np.linalg.qr(rng.standard_normal((n, r)))
    s = np.exp(-decay * np.arange(r))
    return (Qu * s) @ Qv.T + noise * rng.standard_normal((m, n)) / math.sqrt(max(m, n))


RACE_DECAY = 0.1  # σᵢ ≈ e^{−0.1 i}: rank 20 leaves e^{−2} ≈ 13.5 % of the norm, rank 100 almost nothing
RACE_NOISE = 1e-3


@functools.lru_cache(maxsize=10)
def race_matrix(m: int, n: int, seed: int = 0, decay: float = RACE_DECAY, noise: float = RACE_NOISE,
                device: torch.device | str = "cpu") -> torch.Tensor:
    """An m×n float32 matrix with singular values close to e^{−decay·i} over a small noise floor,
    made directly on ``device`` from a seeded generator, so that the same seed gives the same matrix.

    Gaussian factors (G_u·diag(s))·G_vᵀ/√(mn) instead of orthonormal ones skip two QR factorizations,
    which cost as much as the SVD being timed; the spectrum is then only close to e^{−decay·i}, which
    is fine because every error is scored against this matrix's own exact SVD. Only the first
    ⌈18/decay⌉ terms are built: the rest lie below float32's resolution. The last few matrices are
    kept (≤ 10, at most 12 MB each): the race's sliders re-sketch the same matrices. Do not modify
    the tensor returned.
    """
    device = torch.device(device)
    gen = torch.Generator(device="cpu").manual_seed(seed)
    r = min(m, n, math.ceil(18 / decay))
    s = torch.exp(-decay * torch.arange(r, dtype=torch.float32))
    Gu = torch.randn(m, r, generator=gen) * (s / math.sqrt(m))
    Gv = torch.randn(n, r, generator=gen) / math.sqrt(n)
    E = torch.randn(m, n, generator=gen) * (noise / math.sqrt(max(m, n)))
    return torch.addmm(E.to(device), Gu.to(device), Gv.to(device).T)


@dataclass(frozen=True)
class ExactRace:
    """The exact SVD of each race matrix: its shape, time and singular values (independent of the
    randomized SVD's settings, so it is computed once per size list and seed)."""

    sizes: list[tuple[int, int]]
    seconds: list[float]
    singular_values: list[np.ndarray]
    seed: int
    device: str


@dataclass(frozen=True)
class SVDRace:
    sizes: list[tuple[int, int]]
    exact_seconds: list[float]
    randomized_seconds: list[float]
    optimal_error: list[float]  # relative Frobenius error of the exact rank-k truncation
    randomized_error: list[float]  # same for the randomized rank-k approximation
    rank: int
    device: str


def _best_time(fn, device: torch.device, repeats: int) -> tuple[float, object]:
    best, out = math.inf, None
    for _ in range(repeats):
        synchronize(device)
        t0 = time.perf_counter()
        out = fn()
        synchronize(device)
        best = min(best, time.perf_counter() - t0)
    return best, out


def _label(device: torch.device) -> str:
    return f"{device.type}:{device.index}" if device.index is not None else device.type


def _shapes(sizes: list[int], aspect: float) -> list[tuple[int, int]]:
    return [(m, max(1, round(aspect * m))) for m in sizes]


def svd_race_exact(sizes: list[int], seed: int = 0, aspect: float = 0.75, repeats: int = 1,
                   device: torch.device | str = "cpu") -> ExactRace:
    """Time ``torch.linalg.svd`` on each m×(aspect·m) :func:`race_matrix` (float32, as GPUs use)."""
    device = torch.device(device)
    times, spectra = [], []
    for m, n in _shapes(sizes, aspect):
        A = race_matrix(m, n, seed, device=device)
        # A first call at a new size can pay one-off costs (workspace, thread pool) of ~0.1 s: small
        # matrices, where that would dominate, take the best of two runs.
        reps = max(repeats, 2) if m * n < 500_000 else repeats
        # The full thin SVD (U, S, Vᵀ) is what is being raced, so time it, not svdvals.
        t, S = _best_time(lambda A=A: torch.linalg.svd(A, full_matrices=False)[1], device, reps)
        times.append(t)
        spectra.append(S.double().cpu().numpy())
    return ExactRace(_shapes(sizes, aspect), times, spectra, seed, _label(device))


def svd_race(sizes: list[int], rank: int = 20, oversample: int = 10, niter: int = 2, seed: int = 0,
             aspect: float = 0.75, repeats: int = 1, exact: ExactRace | None = None,
             device: torch.device | str = "cpu") -> SVDRace:
    """Exact ``torch.linalg.svd`` vs randomized ``torch.svd_lowrank`` on matrices of growing size.

    Both rank-``rank`` approximations are scored by their relative Frobenius error; the exact one's
    is Eckart–Young's optimum, read from the singular values. Pass the :func:`svd_race_exact` of the
    same sizes and seed as ``exact`` to time only the randomized side (a settings change then
    costs a few milliseconds, not a full SVD per size).
    """
    device = torch.device(device)
    if exact is None or exact.sizes != _shapes(sizes, aspect) or exact.seed != seed:
        exact = svd_race_exact(sizes, seed, aspect, repeats, device)
    t_rand, e_opt, e_rand = [], [], []
    for (m, n), S in zip(exact.sizes, exact.singular_values, strict=True):
        A = race_matrix(m, n, seed, device=device)
        q = max(1, min(rank + oversample, m, n))
        with seeded(seed, device):  # svd_lowrank draws its sketch from the global generator
            tr, (Ur, Sr, Vr) = _best_time(lambda A=A, q=q: torch.svd_lowrank(A, q=q, niter=niter), device, repeats)
        k = min(rank, q)
        norm2 = float(np.sum(S**2))
        residual = A - (Ur[:, :k] * Sr[:k]) @ Vr[:, :k].T
        t_rand.append(tr)
        e_opt.append(math.sqrt(float(np.sum(S[rank:] ** 2)) / norm2))
        e_rand.append(float(torch.linalg.matrix_norm(residual.double())) / math.sqrt(norm2))
    return SVDRace(exact.sizes, exact.seconds, t_rand, e_opt, e_rand, rank, _label(device))


def halko_bound(singular_values: np.ndarray, k: int, oversample: int) -> float:
    """Halko–Martinsson–Tropp (2011, Thm 10.5): E‖A − QQᵀA‖_F ≤ √(1 + k/(p−1)) · √(Σ_{j>k} σⱼ²),
    for a Gaussian sketch with k + p columns and no power iterations (p ≥ 2)."""
    if oversample < 2:
        raise ValueError("The bound needs an oversampling of at least 2.")
    tail = float(np.sum(np.asarray(singular_values, dtype=np.float64)[k:] ** 2))
    return math.sqrt(1 + k / (oversample - 1)) * math.sqrt(tail)


def halko_truncated_bound(singular_values: np.ndarray, k: int, oversample: int) -> float:
    """The same expectation for what the race scores, the rank-k truncation Â_k = Q[QᵀA]_k of the sketch
    (not QQᵀA, whose rank is k + p): its error splits orthogonally,
    ‖A − Â_k‖²_F = ‖(I − QQᵀ)A‖²_F + ‖QᵀA − [QᵀA]_k‖²_F ≤ ‖(I − QQᵀ)A‖²_F + Σ_{j>k} σⱼ², and Halko et al.'s
    E‖(I − QQᵀ)A‖²_F ≤ (1 + k/(p−1)) Σ_{j>k} σⱼ² then gives E‖A − Â_k‖_F ≤ √(2 + k/(p−1)) · √(Σ_{j>k} σⱼ²)
    (Gaussian sketch, no power iterations, p ≥ 2)."""
    if oversample < 2:
        raise ValueError("The bound needs an oversampling of at least 2.")
    tail = float(np.sum(np.asarray(singular_values, dtype=np.float64)[k:] ** 2))
    return math.sqrt(2 + k / (oversample - 1)) * math.sqrt(tail)
