"""Chapter 2, Linear Algebra: PCA through the SVD, low-rank approximation, randomized SVD.

All heavy work is torch on the requested device, in float64 on the CPU (exact enough to compare
with LAPACK-based references) and float32 on GPUs (where float64 is slow or absent).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
import torch

from core.device import synchronize


def compute_dtype(device: torch.device) -> torch.dtype:
    return torch.float64 if device.type == "cpu" else torch.float32


def _as_tensor(X: np.ndarray | torch.Tensor, device: torch.device) -> torch.Tensor:
    if isinstance(X, torch.Tensor):
        return X.to(device=device, dtype=compute_dtype(device))
    # np.array(copy) so read-only (cached) inputs never alias a tensor torch might write to.
    return torch.from_numpy(np.array(X, dtype=np.float64)).to(device=device, dtype=compute_dtype(device))


def _flip_signs(V: torch.Tensor, U: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor | None]:
    """Make each component's largest-magnitude loading positive (a deterministic sign)."""
    idx = V.abs().argmax(dim=1)
    signs = torch.sign(V[torch.arange(V.shape[0], device=V.device), idx])
    signs[signs == 0] = 1
    return V * signs[:, None], (U * signs[None, :] if U is not None else None)


@dataclass(frozen=True)
class PCAResult:
    """PCA of an n×d table. Arrays are CPU numpy; components are rows (like scikit-learn)."""

    mean: np.ndarray  # (d,)
    scale: np.ndarray  # (d,) the divisor per column: its std when standardized, else 1
    components: np.ndarray  # (r, d) principal axes, unit rows, r = min(n, d)
    singular_values: np.ndarray  # (r,)
    explained_variance: np.ndarray  # (r,) eigenvalues of the sample covariance, σ²/(n−1)
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

    X − mean = U Σ Vᵀ; the rows of Vᵀ are the principal axes (eigenvectors of the covariance
    XᵀX/(n−1)), σᵢ²/(n−1) its eigenvalues. ``k`` is clipped to 1…min(n, d). Standardizing divides
    each column by its standard deviation (ddof = 0, as scikit-learn's StandardScaler); constant
    columns are left as they are, so there is no division by zero.
    """
    device = torch.device(device)
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[0] < 2 or X.shape[1] < 1:
        raise ValueError(f"PCA needs a 2-D table with at least 2 rows, got shape {X.shape}.")
    if not np.isfinite(X).all():
        raise ValueError("PCA needs finite numbers; drop NaN and infinite values first.")
    n, d = X.shape
    T = _as_tensor(X, device)
    mean = T.mean(dim=0)
    Xc = T - mean
    std = Xc.pow(2).mean(dim=0).sqrt()
    tiny = torch.finfo(T.dtype).eps * (1.0 + mean.abs()) * 8
    constant = std <= tiny
    scale = torch.where(constant | (not standardize), torch.ones_like(std), std)
    Xc = Xc / scale
    U, S, Vh = torch.linalg.svd(Xc, full_matrices=False)
    Vh, U = _flip_signs(Vh, U)
    r = S.shape[0]
    k = int(min(max(k, 1), r))
    tol = S.max() * max(n, d) * torch.finfo(S.dtype).eps if r else 0.0
    rank = int((tol < S).sum())
    var = S**2 / (n - 1)
    total = var.sum()
    ratio = var / total if total > 0 else torch.zeros_like(var)
    scores = U[:, :k] * S[:k]
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


def svd_race(sizes: list[int], rank: int = 20, oversample: int = 10, niter: int = 2, seed: int = 0,
             aspect: float = 0.75, repeats: int = 1, device: torch.device | str = "cpu") -> SVDRace:
    """Exact ``torch.linalg.svd`` vs randomized ``torch.svd_lowrank`` on matrices of growing size.

    Each m×(aspect·m) matrix has an exponentially decaying spectrum; both methods' rank-``rank``
    approximations are scored by their relative Frobenius error.
    """
    device = torch.device(device)
    shapes, t_exact, t_rand, e_opt, e_rand = [], [], [], [], []
    gen = torch.Generator(device="cpu")
    for m in sizes:
        n = max(rank + oversample, round(aspect * m))
        A = _as_tensor(test_matrix(m, n, decay=8.0 / rank, seed=seed), device)
        norm = torch.linalg.matrix_norm(A)
        te, (U, S, Vh) = _best_time(lambda A=A: torch.linalg.svd(A, full_matrices=False), device, repeats)
        gen.manual_seed(seed)
        torch.manual_seed(seed)
        tr, (Ur, Sr, Vr) = _best_time(
            lambda A=A, m=m, n=n: torch.svd_lowrank(A, q=min(rank + oversample, m, n), niter=niter),
            device, repeats)
        Ak = (U[:, :rank] * S[:rank]) @ Vh[:rank]
        Ar = (Ur[:, :rank] * Sr[:rank]) @ Vr[:, :rank].T
        shapes.append((m, n))
        t_exact.append(te)
        t_rand.append(tr)
        e_opt.append(float(torch.linalg.matrix_norm(A - Ak) / norm))
        e_rand.append(float(torch.linalg.matrix_norm(A - Ar) / norm))
    label = f"{device.type}:{device.index}" if device.index is not None else device.type
    return SVDRace(shapes, t_exact, t_rand, e_opt, e_rand, rank, label)


def halko_bound(singular_values: np.ndarray, k: int, oversample: int) -> float:
    """Halko–Martinsson–Tropp (2011, Thm 10.5): E‖A − QQᵀA‖_F ≤ √(1 + k/(p−1)) · √(Σ_{j>k} σⱼ²),
    for a Gaussian sketch with k + p columns and no power iterations (p ≥ 2)."""
    if oversample < 2:
        raise ValueError("The bound needs an oversampling of at least 2.")
    tail = float(np.sum(np.asarray(singular_values, dtype=np.float64)[k:] ** 2))
    return math.sqrt(1 + k / (oversample - 1)) * math.sqrt(tail)
