"""Chapter 1, Introduction (Figure 1.1): distances and similarities between samples, and k-means.

Pairwise Euclidean distances and cosine similarities, and Lloyd's k-means algorithm, in torch on the
requested device (float64 on the CPU, float32 on a GPU), recording every assign and update step so that a
page can replay them. scikit-learn supplies the bundled data, the shapes that break k-means, and the
silhouette and adjusted Rand scores (library calls, as in the tests' references).

Nothing here draws or reads files; every function takes plain arguments (+ ``device``) and returns
dataclasses of CPU numpy arrays.
"""

from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass

import numpy as np
import torch

from core.data import DataError, Dataset
from core.device import as_tensor, single_thread

SHAPES = {"moons": "Two moons", "aniso": "Anisotropic blobs", "unequal": "Unequal-size blobs"}
INITS = {"k-means++": "k-means++", "random": "random points", "first": "the first k points"}
MAX_K = 12


def shape(name: str, n: int = 300, seed: int = 0) -> Dataset:
    """A seeded two-column set that breaks k-means' assumptions (round, equal clusters): scikit-learn's
    two moons, three Gaussian blobs sheared by one linear map (scikit-learn's own example), or three round
    blobs of very different sizes (60 %, 30 % and 10 % of the points, spreads 1.0, 0.5 and 0.25)."""
    from sklearn.datasets import make_blobs, make_moons

    if name not in SHAPES:
        raise DataError(f"Unknown shape {name!r}; choose one of {', '.join(SHAPES)}.")
    if n < 6:
        raise DataError("A shape needs at least 6 points.")
    if name == "moons":
        X, y = make_moons(n, noise=0.06, random_state=seed)
    elif name == "aniso":
        X, y = make_blobs(n, centers=3, random_state=seed + 170)
        X = X @ np.array([[0.6, -0.6], [-0.4, 0.8]])
    else:
        sizes = [round(0.6 * n), round(0.3 * n)]
        sizes.append(n - sum(sizes))
        X, y = make_blobs(sizes, centers=[[-2.5, 0.0], [2.0, 1.5], [2.0, -2.0]], cluster_std=[1.0, 0.5, 0.25],
                          random_state=seed)
    names = ("cluster A", "cluster B", "cluster C")[: int(y.max()) + 1]
    return Dataset(name=name, X=np.asarray(X, dtype=np.float64), y=np.asarray(y, dtype=np.int64),
                   feature_names=("x₁", "x₂"), target_names=names,
                   description=f"{SHAPES[name]}: {n} points, seed {seed} (scikit-learn generators)")


# ------------------------------------------------------------------------------------------ preparing


@dataclass(frozen=True)
class Prepared:
    """The table the distances and k-means see, and what was done to it."""

    X: np.ndarray  # (n, d)
    factors: np.ndarray  # (n,) each sample's scale factor (all 1 when not scaled)
    constant_columns: int  # columns with no spread (left unscaled when standardizing)


def sample_factors(n: int, seed: int = 0, low: float = 0.25, high: float = 4.0) -> np.ndarray:
    """One positive factor per sample, log-uniform in [low, high] (seeded): "scale each sample"."""
    rng = np.random.default_rng(seed)
    return np.exp(rng.uniform(math.log(low), math.log(high), n))


def prepare(X: np.ndarray, standardize: bool = False, scale_samples: bool = False, seed: int = 0,
            device: torch.device | str | None = None) -> Prepared:
    """Standardize the columns (centre, divide by the sample standard deviation, ddof = 1; constant columns
    are centred and left unscaled), then multiply each sample (row) by its own factor. (numpy: ``device`` is
    accepted so that a page can run it like every other step, and ignored.)"""
    X = np.array(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[0] < 1 or X.shape[1] < 1:
        raise DataError(f"Need a table with at least one row and one column, got shape {X.shape}.")
    if not np.isfinite(X).all():
        raise DataError("The table has missing or infinite values.")
    constant = int((np.ptp(X, axis=0) == 0).sum())
    if standardize:
        X -= X.mean(axis=0)
        std = X.std(axis=0, ddof=1) if X.shape[0] > 1 else np.zeros(X.shape[1])
        X /= np.where(std > 0, std, 1.0)
    factors = sample_factors(len(X), seed) if scale_samples else np.ones(len(X))
    return Prepared(X * factors[:, None], factors, constant)


def subsample(n: int, limit: int, seed: int = 0) -> np.ndarray:
    """Sorted indices of at most ``limit`` of ``n`` rows, drawn without replacement (seeded); all when n ≤ limit."""
    if n <= limit:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, size=limit, replace=False))


# ------------------------------------------------------------------------------------------ distances


@dataclass(frozen=True)
class Pairwise:
    """Euclidean distances and cosine similarities between every pair of rows."""

    index: np.ndarray  # (m,) the rows of the table these are (all of them, or a sample)
    euclidean: np.ndarray  # (m, m) ‖xᵢ − xⱼ‖
    cosine: np.ndarray  # (m, m) xᵢ·xⱼ / (‖xᵢ‖‖xⱼ‖); NaN in the rows and columns of zero vectors
    zero_rows: np.ndarray  # indices of rows that are the zero vector: their cosine is undefined


def euclidean_t(A: torch.Tensor, B: torch.Tensor) -> torch.Tensor:
    """‖aᵢ − bⱼ‖ for every pair, exactly (no ‖a‖² + ‖b‖² − 2a·b cancellation)."""
    return torch.cdist(A, B, compute_mode="donot_use_mm_for_euclid_dist")


def cosine_t(A: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Cosine similarities of the rows of ``A`` (NaN where a row is zero) and the mask of zero rows."""
    norms = torch.linalg.vector_norm(A, dim=1)
    zero = norms == 0
    unit = A / torch.where(zero, torch.ones_like(norms), norms)[:, None]
    cos = (unit @ unit.T).clamp(-1.0, 1.0)
    cos[zero, :] = torch.nan
    cos[:, zero] = torch.nan
    return cos, zero


HEATMAP_POINTS = (50, 100, 150, 200, 300)


def pairwise(X: np.ndarray, limit: int | None = None, seed: int = 0, device: torch.device | str = "cpu") -> Pairwise:
    """Both matrices of the rows of ``X`` (of a seeded sample of ``limit`` rows when there are more: an
    n×n heatmap of 5,000 points cannot be drawn), in torch on ``device``."""
    X = np.asarray(X, dtype=np.float64)
    index = subsample(len(X), limit or len(X), seed)
    T = as_tensor(X[index], torch.device(device))
    cos, zero = cosine_t(T)
    return Pairwise(index, euclidean_t(T, T).cpu().numpy().astype(np.float64), cos.cpu().numpy().astype(np.float64),
                    torch.nonzero(zero).flatten().cpu().numpy())


@dataclass(frozen=True)
class ScalingEffect:
    """How much scaling each sample changed each matrix: the largest change of any entry, relative to the
    largest entry before (Euclidean) or absolute (cosine, already in [−1, 1])."""

    euclidean_change: float
    cosine_change: float


def scaling_effect(X: np.ndarray, standardize: bool = False, seed: int = 0, limit: int | None = None,
                   device: torch.device | str = "cpu") -> ScalingEffect:
    """Compare the two matrices of the rows of ``X`` (the same sample as :func:`pairwise`'s) before and after
    scaling each sample by its factor."""
    before = pairwise(prepare(X, standardize, False, seed).X, limit, seed, device)
    after = pairwise(prepare(X, standardize, True, seed).X, limit, seed, device)
    top = float(np.nanmax(before.euclidean)) if before.euclidean.size else 0.0
    de = float(np.nanmax(np.abs(after.euclidean - before.euclidean))) / (top or 1.0)
    ok = np.isfinite(before.cosine) & np.isfinite(after.cosine)
    dc = float(np.abs(after.cosine - before.cosine)[ok].max()) if ok.any() else 0.0
    return ScalingEffect(de, dc)


# ------------------------------------------------------------------------------------------ k-means


def _sq_distances(X: torch.Tensor, C: torch.Tensor) -> torch.Tensor:
    return euclidean_t(X, C) ** 2


def initial_centroids(X: np.ndarray, k: int, init: str = "k-means++", seed: int = 0,
                      device: torch.device | str = "cpu") -> np.ndarray:
    """k starting centroids: k-means++ (Arthur & Vassilvitskii: each next centre drawn with probability
    proportional to its squared distance to the nearest centre chosen so far), k distinct random points, or the
    first k points. Draws come from a private numpy generator seeded with ``seed`` (no global random state); a
    k-means++ draw is one uniform number looked up in the cumulative squared distances (``torch.multinomial``
    took 36 µs a draw: 20 of the 50 ms that 50 restarts at k = 12 took on iris)."""
    if init not in INITS:
        raise DataError(f"Unknown initialisation {init!r}; choose one of {', '.join(INITS)}.")
    n = len(X)
    k = _check_k(k, n)
    if init == "first":
        return np.array(X[:k], dtype=np.float64)
    rng = np.random.default_rng(int(seed))
    if init == "random":
        return np.array(X[rng.permutation(n)[:k]], dtype=np.float64)
    X = np.asarray(X, dtype=np.float64)
    if torch.device(device).type == "cpu":  # numpy: a few µs a step, where a torch op costs ~10 µs to launch
        def to(i: int) -> np.ndarray:
            return ((X - X[i]) ** 2).sum(axis=1)
    else:
        T = as_tensor(X, torch.device(device))

        def to(i: int) -> np.ndarray:
            return (_sq_distances(T, T[i:i + 1]).squeeze(1)).double().cpu().numpy()
    chosen = [int(rng.integers(n))]
    closest = to(chosen[0])
    for _ in range(1, k):
        cumulative = np.cumsum(closest)
        total = float(cumulative[-1])
        # identical points: every remaining distance is 0, so any point is as good as another
        idx = int(np.searchsorted(cumulative, rng.random() * total, side="right")) if total > 0 else \
            int(rng.integers(n))
        chosen.append(min(idx, n - 1))
        closest = np.minimum(closest, to(idx))
    return np.array(X[chosen], dtype=np.float64)


def _check_k(k: int, n: int) -> int:
    if n < 1:
        raise DataError("k-means needs at least one point.")
    if not 1 <= int(k) <= n:
        raise DataError(f"k = {k} clusters, but there are only {n} point{'s' * (n != 1)}: k must be between 1 "
                        f"and {n}.")
    return int(k)


@dataclass(frozen=True)
class KMeansRun:
    """Lloyd's algorithm, step by step. Step t assigns every point to its nearest centroid ``centroids[t]``
    (``labels[t]``, ``inertia_assign[t]``), then moves each centroid to the mean of its points
    (``centroids[t + 1]``, ``inertia_update[t]``). It stops when an assignment repeats the previous one."""

    centroids: np.ndarray  # (T + 1, k, d); [0] the initial ones
    labels: np.ndarray  # (T, n)
    inertia_assign: np.ndarray  # (T,) Σ ‖x − c(x)‖² after each assignment
    inertia_update: np.ndarray  # (T,) the same after each update (never larger)
    converged: bool
    empty: int  # clusters that were empty at some step (their centroid stayed where it was)

    @property
    def steps(self) -> int:
        return len(self.labels)

    @property
    def final_labels(self) -> np.ndarray:
        return self.labels[-1]

    @property
    def inertia(self) -> float:
        """The inertia of the final assignment with the centroids it was made with (scikit-learn's ``inertia_``)."""
        return float(self.inertia_assign[-1])


def kmeans(X: np.ndarray, k: int = 3, init: str = "k-means++", seed: int = 0, max_iter: int = 300,
           centroids: np.ndarray | None = None, device: torch.device | str = "cpu") -> KMeansRun:
    """k-means in torch from ``centroids`` (or :func:`initial_centroids`), recording every step. On the CPU it
    runs on one torch thread (see :func:`core.device.single_thread`: many small steps, where a second thread
    only waits; measured here on a busy 2-core machine, the digits' k = 10 took 1.9 s on two threads, 50 ms on one)."""
    device = torch.device(device)
    with single_thread(device):
        return _kmeans(X, k, init, seed, max_iter, centroids, device)


def _kmeans(X, k, init, seed, max_iter, centroids, device) -> KMeansRun:
    X = np.asarray(X, dtype=np.float64)
    k = _check_k(k, len(X))
    start = initial_centroids(X, k, init, seed, device) if centroids is None else np.asarray(centroids, float)
    T = as_tensor(X, device)
    C = as_tensor(start, device)
    cents, labs, ia, iu = [C], [], [], []
    previous = None
    empty = torch.zeros(k, dtype=torch.bool, device=device)
    converged = False
    for _ in range(max(1, int(max_iter))):
        d2 = _sq_distances(T, C)
        best, labels = d2.min(dim=1)
        labs.append(labels)
        ia.append(best.sum())
        if previous is not None and torch.equal(labels, previous):
            converged = True
            break
        counts = torch.bincount(labels, minlength=k).to(T.dtype)
        sums = torch.zeros_like(C).index_add_(0, labels, T)
        empty |= counts == 0
        C = torch.where((counts > 0)[:, None], sums / counts.clamp(min=1)[:, None], C)
        cents.append(C)
        iu.append(((T - C[labels]) ** 2).sum())
        previous = labels
    if converged:  # the last step only confirmed the assignment: its "update" leaves every centroid in place
        cents.append(C)
        iu.append(ia[-1])
    return KMeansRun(torch.stack(cents).cpu().numpy().astype(np.float64), torch.stack(labs).cpu().numpy(),
                     torch.stack(ia).cpu().numpy().astype(np.float64),
                     torch.stack(iu).cpu().numpy().astype(np.float64), converged, int(empty.sum()))


@dataclass(frozen=True)
class Restarts:
    """k-means from many seeds: the final inertia of each, and the best seed."""

    seeds: np.ndarray
    inertia: np.ndarray
    steps: np.ndarray

    @property
    def best_seed(self) -> int:
        return int(self.seeds[int(np.argmin(self.inertia))])


def lloyd_batch(X: np.ndarray, starts: np.ndarray, max_iter: int = 300,
                device: torch.device | str = "cpu") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Many k-means runs at once, one per set of starting centroids (``starts``: (R, k, d)), as batched
    tensor operations: the final labels (R, n), inertia (R,) and steps (R,) of each run, by the same rule
    as :func:`kmeans` (stop when an assignment repeats; an emptied centroid stays). Distances are exact
    (no ‖x‖² − 2x·c + ‖c‖² shortcut): on the digits' whole-number pixels a point is often exactly as far
    from two centroids, and the shortcut's rounding broke such ties differently from run to run (measured:
    5 of 50 restarts then ended in other minima than scikit-learn's from the same start). Runs that have
    stopped leave the batch."""
    device = torch.device(device)
    T = as_tensor(np.asarray(X, dtype=np.float64), device)
    C = as_tensor(np.asarray(starts, dtype=np.float64), device)
    R, k, d = C.shape
    n = T.shape[0]
    labels = torch.zeros((R, n), dtype=torch.long, device=device)
    steps = torch.zeros(R, dtype=torch.long, device=device)
    active = torch.arange(R, device=device)  # runs still moving: finished ones leave the batch
    Ca, previous = C, None
    for it in range(1, max(1, int(max_iter)) + 1):
        A = len(active)  # every run's centroids in one exact distance computation, (n, A·k)
        now = euclidean_t(T, Ca.reshape(A * k, d)).reshape(n, A, k).argmin(2).T  # (A, n)
        labels[active] = now
        steps[active] = it
        if previous is not None:
            moving = ~(now == previous).all(1)
            if not bool(moving.any()):
                break
            active, now, Ca = active[moving], now[moving], Ca[moving]
        A = len(active)
        flat = (now + torch.arange(A, device=device)[:, None] * k).flatten()  # run a's cluster j is row a·k + j
        counts = torch.bincount(flat, minlength=A * k).reshape(A, k).to(T.dtype)
        member = torch.sparse_coo_tensor(torch.stack([flat, torch.arange(n, device=device).repeat(A)]),
                                         torch.ones(A * n, dtype=T.dtype, device=device), (A * k, n),
                                         check_invariants=False)
        sums = torch.sparse.mm(member, T).reshape(A, k, d)  # each cluster's sum, without an A·n·k one-hot
        Ca = torch.where((counts > 0)[..., None], sums / counts.clamp(min=1)[..., None], Ca)
        C[active] = Ca
        previous = now
    inertia = ((T[None] - torch.gather(C, 1, labels[..., None].expand(R, n, d))) ** 2).sum((1, 2))
    return labels.cpu().numpy(), inertia.cpu().numpy().astype(np.float64), steps.cpu().numpy()


# Points × clusters × runs that one move may ask of the restarts (see :func:`restarts_allowed`), for a move within
# DESIGN.md's 1 s at the largest settings: on this 2-core machine 5,000 points, k = 3 and 100 runs (1.5 million)
# took 0.9 s, k = 12 and 100 runs 3.2 s, and the page's other work on such a move 0.3 s more. At this cap the
# two-moons page at 5,000 points runs the default 50 restarts for k = 3, and 12 for k = 12.
RESTART_WORK = 750_000
# A batch this large (points × clusters × runs) runs on every torch thread: measured here, 5,000 points, k = 12,
# 100 runs took 5.7 s on one thread and 2.8 s on two, with the same labels, inertias and steps to the last bit
LARGE_BATCH = 200_000


def restarts_allowed(n: int, k: int, runs: int) -> int:
    """How many of ``runs`` restarts to run on ``n`` points with ``k`` clusters: all, or as many as
    :data:`RESTART_WORK` allows on large data (never fewer than 10, or ``runs`` if that is fewer)."""
    return max(min(int(runs), 10), min(int(runs), RESTART_WORK // max(1, int(n) * int(k))))


def _batch_threads(n: int, k: int, runs: int, device: torch.device | str):
    """One torch thread for a small batch (many tiny steps), the thread's own count for a large one."""
    return single_thread(device) if n * k * runs < LARGE_BATCH else contextlib.nullcontext()


def restarts(X: np.ndarray, k: int, init: str = "k-means++", runs: int = 50, seed: int = 0,
             device: torch.device | str = "cpu") -> Restarts:
    """``runs`` k-means runs from the initialisations of seeds seed, seed + 1, …, batched (:func:`lloyd_batch`)."""
    X = np.asarray(X, dtype=np.float64)
    seeds = np.arange(seed, seed + runs)
    with single_thread(device):
        starts = np.stack([initial_centroids(X, k, init, int(s), device) for s in seeds])
    with _batch_threads(len(X), int(k), int(runs), device):
        _, inertia, steps = lloyd_batch(X, starts, device=device)
    return Restarts(seeds, inertia, steps)


@dataclass(frozen=True)
class KSweep:
    """Elbow and silhouette: for each k, the best inertia of a few k-means runs (batched) and its silhouette."""

    ks: np.ndarray
    inertia: np.ndarray
    silhouette: np.ndarray  # NaN for k = 1 (undefined) and where every point fell in one cluster
    sampled: int  # points the silhouette was computed on (all, or a seeded sample of large sets)


SILHOUETTE_POINTS = 2000


def silhouette(X: np.ndarray, labels: np.ndarray, seed: int = 0) -> float:
    """scikit-learn's mean silhouette (on a seeded sample of :data:`SILHOUETTE_POINTS` for large sets);
    NaN when it is undefined (fewer than 2 or as many clusters as points)."""
    from sklearn.metrics import silhouette_score

    found = len(np.unique(labels))
    if not 2 <= found <= len(X) - 1:
        return math.nan
    size = SILHOUETTE_POINTS if len(X) > SILHOUETTE_POINTS else None
    return float(silhouette_score(X, labels, sample_size=size, random_state=seed))


def sweep_k(X: np.ndarray, k_max: int = 8, init: str = "k-means++", seed: int = 0, runs: int = 3,
            device: torch.device | str = "cpu") -> KSweep:
    """k = 1 … k_max (capped at the number of points)."""
    X = np.asarray(X, dtype=np.float64)
    ks = np.arange(1, min(int(k_max), len(X)) + 1)
    inertia, sil = [], []
    for k in ks:
        with single_thread(device):
            starts = np.stack([initial_centroids(X, int(k), init, seed + r, device) for r in range(runs)])
        with _batch_threads(len(X), int(k), runs, device):
            labels, inert, _ = lloyd_batch(X, starts, device=device)
        best = int(np.argmin(inert))
        inertia.append(float(inert[best]))
        sil.append(silhouette(X, labels[best], seed))
    return KSweep(ks, np.array(inertia), np.array(sil), min(len(X), SILHOUETTE_POINTS))


def ari(truth: np.ndarray, labels: np.ndarray) -> float:
    """Adjusted Rand index (scikit-learn): 1 for the same partition, about 0 for chance agreement."""
    from sklearn.metrics import adjusted_rand_score

    return float(adjusted_rand_score(truth, labels))


def order(labels: np.ndarray | None, n: int) -> np.ndarray:
    """Row order that groups equal labels (stable: within a group, as loaded); as loaded when None."""
    return np.arange(n) if labels is None else np.argsort(np.asarray(labels), kind="stable")
