"""The manifold hypothesis: data that lives in R³ (or R⁶⁴) but along a 2-D sheet, distances *along* the data
against straight-line ones, and unrollings.

* **Data.** scikit-learn's Swiss roll and S-curve, a seeded uniform sample of the unit sphere, and the
  digits (8×8 images, a seeded subsample). Noise, when asked for, is added by a generator seeded here, so
  that the noise-free *intrinsic* coordinates stay exact:

  - Swiss roll x = (t cos t, h, t sin t): its sheet is flat in (s, h), s(t) = ½(t√(1 + t²) + asinh t) the
    arc length of the spiral, and its parameter rectangle is convex, so the true geodesic is
    √(Δs² + Δh²);
  - S-curve x = (sin t, y, sign(t)(cos t − 1)): two unit half-circles, unit speed in t, so √(Δt² + Δy²);
  - sphere: the great-circle distance arccos⟨a, b⟩ of the noise-free unit vectors;
  - digits: no known intrinsic coordinates.

* **Geodesics along the data** are shortest paths on the symmetrised k-nearest-neighbour graph whose edges
  are weighted by Euclidean length (Isomap's graph; scipy's Dijkstra). A graph that falls apart is reported
  component by component (sizes); all-pairs work (the unrollings) runs within the largest component.
  **Duplicate points** are collapsed before the graph is built and joined back to their first copy by
  zero-length edges: a copy is at distance 0 from its original and everything else is as far from it as
  from the original (k copies of one point would otherwise fill each other's neighbour lists and cut
  themselves off).

* **Short-circuits.** When k is too large, an edge can jump between layers of the roll: its Euclidean
  length is much shorter than the true geodesic between its ends. Every edge whose intrinsic distance is
  more than ``ratio`` times its length is reported; one such edge spoils every shortest path that uses it.
  (On the sphere no edge can qualify for a ratio above π/2, the arc-to-chord ratio of antipodes: its chords
  cut through the ball, never across a gap in the data.)

* **Unrollings**: scikit-learn's Isomap, spectral embedding (Laplacian eigenmaps) and t-SNE with the same
  seed; how well each keeps the intrinsic coordinates (|Spearman ρ|) and neighbourhoods (trustworthiness,
  scikit-learn's definition, for several neighbourhood sizes at once).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components, dijkstra

from core.data import DataError, load_dataset

Progress = Callable[[float, str], None] | None
DATASETS = {
    "swiss_roll": "Swiss roll: a rolled-up rectangle in R³ (scikit-learn)",
    "s_curve": "S-curve: a rectangle bent into an S in R³ (scikit-learn)",
    "sphere": "Sphere: uniform points on the unit sphere in R³",
    "digits": "Digits: 8×8 images of handwritten digits, points in R⁶⁴ (scikit-learn)",
}
METHODS = {"isomap": "Isomap", "spectral": "Spectral embedding", "tsne": "t-SNE"}
MIN_POINTS = 30
MAX_POINTS = 2000
MAX_DIGITS = 1797
MAX_K = 150
MAX_NOISE = 5.0
SHORT_CIRCUIT_RATIO = 2.0  # an edge whose true geodesic is more than this many times its length
DEFAULT_TRUST_KS = (5, 10, 20, 40)


@dataclass(frozen=True)
class ManifoldData:
    """Points in Rᵈ with, where known, the coordinates in which their sheet is flat (or, for the sphere,
    latitude and longitude of the noise-free points)."""

    name: str
    X: np.ndarray  # (n, d)
    colour: np.ndarray  # (n,) what to colour by: t, the digit, the height z
    colour_name: str
    intrinsic: np.ndarray | None  # (n, 2): (s, h) roll, (t, y) S-curve, (latitude, longitude) sphere, radians
    intrinsic_names: tuple[str, ...]
    labels: np.ndarray | None  # digits: the digit of each row
    rows: np.ndarray | None  # digits: which of the 1,797 images
    noise: float
    seed: int

    @property
    def unrollable(self) -> bool:
        """True where the intrinsic coordinates are flat ones an unrolling should recover (roll, S-curve)."""
        return self.name in ("swiss_roll", "s_curve")


def spiral_arc_length(t: np.ndarray) -> np.ndarray:
    """s(t) = ∫₀ᵗ √(1 + τ²) dτ = ½(t√(1 + t²) + asinh t): arc length of the spiral (t cos t, t sin t)."""
    t = np.asarray(t, dtype=np.float64)
    return 0.5 * (t * np.sqrt(1 + t * t) + np.arcsinh(t))


def _check_n(name: str, n: int) -> int:
    top = MAX_DIGITS if name == "digits" else MAX_POINTS
    if not MIN_POINTS <= int(n) <= top:
        raise DataError(f"Use {MIN_POINTS} to {top:,} points for the {name.replace('_', ' ')}.")
    return int(n)


@lru_cache(maxsize=16)
def manifold_data(name: str = "swiss_roll", n: int = 800, noise: float = 0.0, seed: int = 0) -> ManifoldData:
    """``n`` points of data set ``name`` (see :data:`DATASETS`), with Gaussian noise of standard deviation
    ``noise`` added to every coordinate (not to the digits; their pixels are 0–16), all drawn from ``seed``.
    The arrays are read-only (the result is cached)."""
    if name not in DATASETS:
        raise DataError(f"Unknown data set {name!r}; choose one of {', '.join(DATASETS)}.")
    n = _check_n(name, n)
    if not (math.isfinite(noise) and 0 <= noise <= MAX_NOISE):
        raise DataError(f"The noise must lie between 0 and {MAX_NOISE}.")
    rng = np.random.default_rng([int(seed), 8])
    labels = rows = None
    if name == "swiss_roll":
        from sklearn.datasets import make_swiss_roll

        X, t = make_swiss_roll(n, noise=0.0, random_state=int(seed))
        intrinsic, names = np.c_[spiral_arc_length(t), X[:, 1]], ("arc length s", "height h")
        colour, colour_name = t, "t (angle along the roll)"
    elif name == "s_curve":
        from sklearn.datasets import make_s_curve

        X, t = make_s_curve(n, noise=0.0, random_state=int(seed))
        intrinsic, names = np.c_[t, X[:, 1]], ("t (arc length)", "y")
        colour, colour_name = t, "t (position along the S)"
    elif name == "sphere":
        X = rng.standard_normal((n, 3))
        X /= np.linalg.norm(X, axis=1, keepdims=True)
        intrinsic = np.c_[np.arcsin(np.clip(X[:, 2], -1, 1)), np.arctan2(X[:, 1], X[:, 0])]
        names, colour, colour_name = ("latitude", "longitude"), X[:, 2].copy(), "height z"
    else:
        ds = load_dataset("digits")
        rows = np.sort(rng.permutation(len(ds.X))[:n]) if n < len(ds.X) else np.arange(len(ds.X))
        X, labels = np.array(ds.X[rows]), np.array(ds.y[rows])
        intrinsic, names, colour, colour_name = None, (), labels.astype(np.float64), "digit"
    X = np.asarray(X, dtype=np.float64)
    if noise > 0 and name != "digits":
        X = X + noise * rng.standard_normal(X.shape)
    for a in (X, colour, intrinsic, labels, rows):
        if a is not None:
            a.setflags(write=False)
    return ManifoldData(name, X, colour, colour_name, intrinsic, names, labels, rows, float(noise), int(seed))


def intrinsic_distance(data: ManifoldData, i: np.ndarray | int, j: np.ndarray | int) -> np.ndarray:
    """The true geodesic distance along the noise-free sheet between points ``i`` and ``j`` (arrays of
    indices, broadcast together): √(Δs² + Δh²) on the roll, √(Δt² + Δy²) on the S-curve, the great-circle
    angle on the unit sphere. The digits have none (a DataError)."""
    if data.intrinsic is None:
        raise DataError("The digits have no known intrinsic coordinates: there is no true geodesic to compare with.")
    a, b = data.intrinsic[np.asarray(i)], data.intrinsic[np.asarray(j)]
    if data.name == "sphere":
        lat1, lon1, lat2, lon2 = a[..., 0], a[..., 1], b[..., 0], b[..., 1]
        cos = np.sin(lat1) * np.sin(lat2) + np.cos(lat1) * np.cos(lat2) * np.cos(lon1 - lon2)
        return np.arccos(np.clip(cos, -1.0, 1.0))
    return np.hypot(a[..., 0] - b[..., 0], a[..., 1] - b[..., 1])


# ------------------------------------------------------------------------------------------ the graph


@dataclass(frozen=True)
class KnnGraph:
    """The symmetrised k-nearest-neighbour graph of n points (i ~ j when either is among the other's k
    nearest), weighted by Euclidean length, with its connected components."""

    k: int
    n: int
    edges: np.ndarray  # (m, 2) int, i < j; duplicates' zero-length edges to their first copy come last
    lengths: np.ndarray  # (m,) Euclidean lengths (0 for a duplicate's edge)
    duplicates: int  # points that repeat an earlier point exactly
    component: np.ndarray  # (n,) component label, 0 = the largest, 1 = the next, …
    component_sizes: np.ndarray  # (c,) sizes, largest first
    note: str  # "" or what the reader should know (the graph fell apart, duplicates were joined)

    @property
    def connected(self) -> bool:
        return len(self.component_sizes) == 1

    @property
    def largest(self) -> np.ndarray:
        """Indices of the points in the largest component."""
        return np.flatnonzero(self.component == 0)


@dataclass(frozen=True)
class _Graph:
    """The graph on the distinct points (what Dijkstra runs on) and how the original points map to it."""

    public: KnnGraph
    matrix: sparse.csr_matrix  # (u, u) on the distinct points
    first: np.ndarray  # (u,) original index of each distinct point (its first copy)
    of: np.ndarray  # (n,) the distinct point each original point is a copy of


def _build(X: np.ndarray, k: int) -> _Graph:
    from sklearn.neighbors import NearestNeighbors

    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or len(X) < 3 or not np.isfinite(X).all():
        raise DataError("The graph needs a table of at least 3 points with finite coordinates.")
    n = len(X)
    _, first, of = np.unique(X, axis=0, return_index=True, return_inverse=True)
    order = np.argsort(first)  # distinct points in the order of their first copies
    first = first[order]
    of = np.argsort(order)[of.ravel()]
    u = len(first)
    if not 1 <= k <= min(MAX_K, u - 1):
        raise DataError(f"k must lie between 1 and {min(MAX_K, u - 1)} (the number of distinct points less one, "
                        f"at most {MAX_K}).")
    dist, ind = NearestNeighbors(n_neighbors=k).fit(X[first]).kneighbors()
    a, b = np.repeat(np.arange(u), k), ind.ravel()
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    _, keep = np.unique(lo * u + hi, return_index=True)
    lo, hi, w = lo[keep], hi[keep], np.maximum(dist.ravel()[keep], np.finfo(float).tiny)
    M = sparse.csr_matrix((np.r_[w, w], (np.r_[lo, hi], np.r_[hi, lo])), shape=(u, u))
    count, label = connected_components(M, directed=False)
    sizes_u = np.bincount(of, minlength=u)  # copies per distinct point
    comp_size = np.bincount(label, weights=sizes_u, minlength=count)
    rank = np.argsort(-comp_size, kind="stable")
    relabel = np.empty(count, dtype=np.int64)
    relabel[rank] = np.arange(count)
    component = relabel[label][of]
    sizes = comp_size[rank].astype(np.int64)
    dup = np.flatnonzero(first[of] != np.arange(n))
    edges = np.r_[np.c_[first[lo], first[hi]], np.c_[first[of[dup]], dup]].astype(np.int64)
    edges.sort(axis=1)
    lengths = np.r_[w, np.zeros(len(dup))]
    notes = []
    if count > 1:
        shown = ", ".join(f"{s:,}" for s in sizes[:8]) + (", …" if count > 8 else "")
        notes.append(f"With k = {k} the graph falls apart into {count} components of sizes {shown}: points in "
                     f"different components have no path between them, so the unrollings use the largest "
                     f"({sizes[0]:,} of {n:,} points). A larger k joins them.")
    if len(dup):
        notes.append(f"{len(dup)} point{'s' if len(dup) != 1 else ''} repeat{'s' if len(dup) == 1 else ''} an "
                     f"earlier one exactly; each copy is joined to its original by an edge of length 0.")
    public = KnnGraph(int(k), n, edges, lengths, len(dup), component, sizes, " ".join(notes))
    return _Graph(public, M, first, of)


@lru_cache(maxsize=8)
def _data_graph(name: str, n: int, noise: float, seed: int, k: int) -> _Graph:
    """:func:`_build` of :func:`manifold_data`, kept: a move of k builds the graph once for the path, the
    unrolling and the trustworthiness, not once for each. Its arrays are never written to."""
    return _build(manifold_data(name, n, noise, seed).X, int(k))


def knn_graph(X: np.ndarray, k: int = 10) -> KnnGraph:
    """The symmetrised k-NN graph of the rows of ``X`` (Euclidean; duplicates joined by zero-length edges),
    its edges, their lengths and its components. A DataError for non-finite data or k out of range."""
    return _build(X, int(k)).public


def _path(pred: np.ndarray, source: int, target: int) -> list[int]:
    out = [target]
    while out[-1] != source:
        out.append(int(pred[out[-1]]))
    return out[::-1]


@dataclass(frozen=True)
class GraphGeodesic:
    """Straight-line against along-the-data distance between two points, with the path as vertices."""

    source: int
    target: int
    euclidean: float  # ‖x_source − x_target‖
    graph: float  # shortest-path length on the k-NN graph (inf when they are in different components)
    path: np.ndarray  # vertex indices source … target (empty when unreachable)
    intrinsic: float  # the true geodesic along the sheet (NaN for the digits)
    short_circuits_on_path: int  # edges of the path that are short-circuits
    note: str


@dataclass(frozen=True)
class GraphView:
    """Everything the graph tab draws for one data set, k and pair of points."""

    data: ManifoldData
    graph: KnnGraph
    pair: GraphGeodesic
    from_source: np.ndarray  # (n,) graph distance from the source to every point (inf: another component)
    euclidean_from_source: np.ndarray  # (n,)
    intrinsic_from_source: np.ndarray | None  # (n,) true geodesic from the source (None for the digits)
    short_circuits: np.ndarray  # (s,) indices into graph.edges of the short-circuit edges
    edge_intrinsic: np.ndarray | None  # (m,) true geodesic between each edge's ends (None for the digits)
    ratio: float  # the threshold: intrinsic > ratio × length marks a short-circuit
    seconds: float


def explore_graph(name: str = "swiss_roll", n: int = 800, k: int = 10, source: int = 0, target: int = 1,
                  noise: float = 0.0, seed: int = 0, ratio: float = SHORT_CIRCUIT_RATIO,
                  device: Any = "cpu") -> GraphView:
    """The k-NN graph of :func:`manifold_data`, the shortest path between points ``source`` and ``target``
    (Dijkstra from the source, so every point's graph distance from it comes free), and the short-circuit
    edges: those whose true geodesic is more than ``ratio`` times their length (none are looked for on the
    digits). ``device`` is accepted like every core view's and ignored: scipy and scikit-learn run on the CPU."""
    start = time.perf_counter()
    data = manifold_data(name, n, noise, seed)
    n = len(data.X)
    if not (0 <= int(source) < n and 0 <= int(target) < n):
        raise DataError(f"Choose two points numbered 0 to {n - 1}.")
    if not (math.isfinite(ratio) and ratio > 1):
        raise DataError("The short-circuit ratio must be a number above 1.")
    source, target = int(source), int(target)
    g = _data_graph(name, int(n), float(noise), int(seed), int(k))
    dist_u, pred = dijkstra(g.matrix, directed=False, indices=int(g.of[source]), return_predecessors=True)
    from_source = dist_u[g.of]
    euclid = np.linalg.norm(data.X - data.X[source], axis=1)
    edges, lengths = g.public.edges, g.public.lengths
    if data.intrinsic is not None:
        edge_true = intrinsic_distance(data, edges[:, 0], edges[:, 1])
        short = np.flatnonzero(edge_true > ratio * lengths)
        true_from = intrinsic_distance(data, np.full(n, source), np.arange(n))
    else:
        edge_true = true_from = None
        short = np.zeros(0, dtype=np.int64)
    graph_len = float(from_source[target])
    if source == target:
        path, note = [source], ""
    elif math.isfinite(graph_len):
        core = [int(g.first[v]) for v in _path(pred, int(g.of[source]), int(g.of[target]))]
        path = ([source] if core[0] != source else []) + core + ([target] if core[-1] != target else [])
        note = ""
    else:
        path = []
        note = (f"Points {source} and {target} lie in different components of the graph (sizes "
                f"{g.public.component_sizes[g.public.component[source]]:,} and "
                f"{g.public.component_sizes[g.public.component[target]]:,}): no path joins them at k = {k}.")
    path = np.asarray(path, dtype=np.int64)
    on_path = 0
    if len(short) and len(path) > 1:
        pairs = np.sort(np.c_[path[:-1], path[1:]], axis=1)
        bad = {(int(a), int(b)) for a, b in edges[short]}
        on_path = sum((int(a), int(b)) in bad for a, b in pairs)
    pair = GraphGeodesic(source, target, float(euclid[target]), graph_len, path,
                         float(true_from[target]) if true_from is not None else math.nan, on_path, note)
    return GraphView(data, g.public, pair, from_source, euclid, true_from, short, edge_true, float(ratio),
                     time.perf_counter() - start)


def all_geodesics(X: np.ndarray, k: int = 10) -> np.ndarray:
    """The (n, n) matrix of shortest-path lengths on the k-NN graph of ``X`` (inf between components;
    duplicates at distance 0 from their copies). For tests and small n: n² memory."""
    g = _build(X, int(k))
    D = dijkstra(g.matrix, directed=False)
    return D[np.ix_(g.of, g.of)]


# ------------------------------------------------------------------------------------------ unrolling


def input_ranks(X: np.ndarray) -> np.ndarray:
    """(n, n) int32: entry (i, j) is j's rank among i's neighbours in the input space (1 = nearest; i itself
    ranks last), by distance with the ties broken as ``np.argsort`` breaks them, as scikit-learn's
    trustworthiness does. The n² log n part of :func:`trustworthiness_curve`, which depends only on ``X``."""
    from sklearn.metrics import pairwise_distances

    X = np.asarray(X, dtype=np.float64)
    n = len(X)
    dist = pairwise_distances(X)
    np.fill_diagonal(dist, np.inf)
    ind_x = np.argsort(dist, axis=1)
    del dist
    inverted = np.zeros((n, n), dtype=np.int32)
    inverted[np.arange(n)[:, None], ind_x] = np.arange(1, n + 1, dtype=np.int32)
    return inverted


@lru_cache(maxsize=4)
def _data_ranks(name: str, n: int, noise: float, seed: int) -> np.ndarray:
    """:func:`input_ranks` of all of :func:`manifold_data`'s points (at most 1,000: 4 MB), kept across moves of
    k and of the method: they change only the embedding."""
    ranks = input_ranks(manifold_data(name, n, noise, seed).X)
    ranks.setflags(write=False)
    return ranks


def trustworthiness_curve(X: np.ndarray, Y: np.ndarray, ks: Sequence[int], ranks: np.ndarray | None = None
                          ) -> np.ndarray:
    """scikit-learn's trustworthiness T(k) of the embedding ``Y`` of ``X`` for every k in ``ks`` at the
    price of one: the ranking of the original distances (the n² log n part, :func:`input_ranks`; pass it as
    ``ranks`` when it is at hand) is shared, so this is the same number as
    ``sklearn.manifold.trustworthiness(X, Y, n_neighbors=k)`` for each k (checked in the tests).
    T(k) = 1 − 2/(nk(2n − 3k − 1)) Σᵢ Σ_{j ∈ Nₖᴱ(i) \\ Nₖ(i)} (r(i, j) − k), r the rank in the input
    space; each k must be below n/2."""
    from sklearn.neighbors import NearestNeighbors

    X, Y = np.asarray(X, dtype=np.float64), np.asarray(Y, dtype=np.float64)
    n = len(X)
    ks = [int(k) for k in ks]
    if not ks or len(Y) != n or min(ks) < 1 or max(ks) >= n / 2:
        raise DataError(f"Trustworthiness needs neighbourhood sizes from 1 to below n/2 = {n / 2:g}.")
    inverted = input_ranks(X) if ranks is None else ranks
    if inverted.shape != (n, n):
        raise DataError(f"The ranks must be an {n} × {n} table, one row and column per point.")
    ind_y = NearestNeighbors(n_neighbors=max(ks)).fit(Y).kneighbors(return_distance=False)
    ranks_y = inverted[np.arange(n)[:, None], ind_y].astype(np.int64)  # input-space rank of each embedded neighbour
    out = []
    for k in ks:
        r = ranks_y[:, :k] - k
        t = r[r > 0].sum()
        out.append(1.0 - t * (2.0 / (n * k * (2.0 * n - 3.0 * k - 1.0))))
    return np.asarray(out)


@dataclass(frozen=True)
class Embedding:
    """A 2-D unrolling of the largest component of the k-NN graph."""

    method: str  # "isomap", "spectral" or "tsne"
    k: int
    rows: np.ndarray  # (m,) indices into the data of the embedded points (the largest component)
    Y: np.ndarray  # (m, 2)
    spearman: np.ndarray | None  # (2, 2) |ρ|[axis, intrinsic coordinate] (roll and S-curve only)
    recovery: float  # the best |ρ| of an axis with the first intrinsic coordinate (s or t); NaN without one
    trust_ks: np.ndarray  # neighbourhood sizes
    trustworthiness: np.ndarray  # T(k) for each
    seconds: float  # the embedding alone
    note: str


def _embed(method: str, X: np.ndarray, k: int, seed: int, perplexity: float, tsne_iter: int = 500) -> np.ndarray:
    """scikit-learn's embedding on one OpenMP/BLAS thread (threadpoolctl, a scikit-learn dependency): on two
    shared cores t-SNE of 800 points took 22 s with its default threads while other work ran, 2.5 s on one;
    Isomap 0.31 s and 0.19 s."""
    from sklearn.manifold import TSNE, Isomap, SpectralEmbedding
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        if method == "isomap":
            return Isomap(n_neighbors=k, n_components=2).fit_transform(X)
        if method == "spectral":  # its k-NN graph counts each point as its own neighbour: k + 1 is our graph
            return SpectralEmbedding(n_components=2, affinity="nearest_neighbors", n_neighbors=k + 1,
                                     random_state=seed).fit_transform(X)
        return TSNE(n_components=2, perplexity=min(perplexity, (len(X) - 1) / 3 - 1e-6), init="pca",
                    max_iter=tsne_iter, random_state=seed).fit_transform(X)


def _spearman(Y: np.ndarray, Z: np.ndarray) -> np.ndarray:
    from scipy.stats import spearmanr

    return np.array([[abs(float(spearmanr(Y[:, a], Z[:, b]).statistic)) for b in range(2)] for a in range(2)])


def embed(name: str = "swiss_roll", n: int = 800, k: int = 10, method: str = "isomap", noise: float = 0.0,
          seed: int = 0, trust_ks: Sequence[int] = DEFAULT_TRUST_KS, perplexity: float = 30.0,
          tsne_iter: int = 500, progress: Progress = None, device: Any = "cpu") -> Embedding:
    """Unroll :func:`manifold_data` into the plane with scikit-learn's ``method`` ("isomap", "spectral",
    "tsne"; k neighbours for the first two, ``perplexity`` and ``tsne_iter`` iterations (250 of them
    early exaggeration) for t-SNE, ``seed`` for the last two), within the
    largest component of the k-NN graph and without exact duplicates (each copy gets its original's place).
    Scores: |Spearman ρ| of each axis with each intrinsic coordinate, and trustworthiness at ``trust_ks``
    (sizes at or above half the points are dropped). t-SNE takes seconds for a thousand points. ``device`` is
    accepted and ignored (scikit-learn runs on the CPU)."""
    if method not in METHODS:
        raise DataError(f"Unknown method {method!r}; choose one of {', '.join(METHODS)}.")
    if not (math.isfinite(perplexity) and 2 <= perplexity <= 100):
        raise DataError("The perplexity must lie between 2 and 100.")
    if not 250 <= int(tsne_iter) <= 2000:
        raise DataError("t-SNE takes 250 to 2,000 iterations (its first 250 are early exaggeration).")
    data = manifold_data(name, n, noise, seed)
    g = _data_graph(name, int(n), float(noise), int(seed), int(k))
    rows = g.public.largest
    distinct = rows[np.isin(rows, g.first)]  # one row per distinct point of the largest component
    if len(distinct) <= max(int(k), 5):
        raise DataError(f"The largest component has only {len(distinct)} distinct points: too few to unroll with "
                        f"k = {k}. Use a larger k or more points.")
    if progress:
        progress(0.05, f"{METHODS[method]} of {len(distinct):,} points…")
    start = time.perf_counter()
    Yd = _embed(method, data.X[distinct], int(k), int(seed), float(perplexity), int(tsne_iter))
    seconds = time.perf_counter() - start
    where = np.full(len(g.first), -1)
    where[np.searchsorted(g.first, distinct)] = np.arange(len(distinct))
    Y = Yd[where[g.of[rows]]]
    Y.setflags(write=False)
    if progress:
        progress(0.8, "Trustworthiness…")
    ks = np.array([int(q) for q in trust_ks if 1 <= int(q) < len(rows) / 2], dtype=np.int64)
    every = len(rows) == len(data.X)  # a connected graph: the ranks of the whole data set, kept
    trust = (trustworthiness_curve(data.X[rows], Y, ks, _data_ranks(name, int(n), float(noise), int(seed))
                                   if every else None) if len(ks) else np.zeros(0))
    spear = recovery = None
    if data.unrollable:
        spear = _spearman(Y, data.intrinsic[rows])
        recovery = float(spear[:, 0].max())
    notes = [g.public.note] if g.public.note else []
    if progress:
        progress(1.0, "Done")
    return Embedding(method, int(k), rows, Y, spear, math.nan if recovery is None else recovery, ks, trust,
                     seconds, " ".join(notes))


@dataclass(frozen=True)
class KSweep:
    """What grows with k: components merge, short-circuits appear, Isomap's unrolling breaks."""

    name: str
    ks: np.ndarray
    components: np.ndarray  # (len(ks),) number of components
    largest: np.ndarray  # size of the largest
    short_circuits: np.ndarray  # edges whose true geodesic is > ratio × their length
    recovery: np.ndarray  # Isomap's best |Spearman ρ| with the first intrinsic coordinate (NaN if not run)
    ratio: float


def k_sweep(name: str = "swiss_roll", n: int = 800, ks: Sequence[int] = (5, 8, 12, 20, 30, 50),
            noise: float = 0.0, seed: int = 0, ratio: float = SHORT_CIRCUIT_RATIO, isomap: bool = True,
            progress: Progress = None, device: Any = "cpu") -> KSweep:
    """For each k in ``ks`` (at most 12 of them): the graph's components, its short-circuit edges and, with
    ``isomap``, how well Isomap recovers the first intrinsic coordinate. The roll and the S-curve only.
    ``device`` is accepted and ignored (scipy and scikit-learn run on the CPU)."""
    data = manifold_data(name, n, noise, seed)
    if not data.unrollable:
        raise DataError("The sweep over k compares with the intrinsic coordinates: choose the Swiss roll or the "
                        "S-curve.")
    ks = [int(q) for q in ks]
    if not 1 <= len(ks) <= 12:
        raise DataError("Give 1 to 12 values of k.")
    if not (math.isfinite(ratio) and ratio > 1):
        raise DataError("The short-circuit ratio must be a number above 1.")
    comps, largest, shorts, rec = [], [], [], []
    for i, k in enumerate(ks):
        if progress:
            progress(i / len(ks), f"k = {k}…")
        g = _data_graph(name, int(n), float(noise), int(seed), k)
        e = g.public.edges
        shorts.append(int((intrinsic_distance(data, e[:, 0], e[:, 1]) > ratio * g.public.lengths).sum()))
        comps.append(len(g.public.component_sizes))
        largest.append(int(g.public.component_sizes[0]))
        if isomap:
            rows = g.public.largest
            distinct = rows[np.isin(rows, g.first)]
            if len(distinct) > max(k, 5):
                Y = _embed("isomap", data.X[distinct], k, int(seed), 30.0)
                rec.append(float(_spearman(Y, data.intrinsic[distinct])[:, 0].max()))
            else:
                rec.append(math.nan)
        else:
            rec.append(math.nan)
    if progress:
        progress(1.0, "Done")
    return KSweep(name, np.asarray(ks), np.asarray(comps), np.asarray(largest), np.asarray(shorts),
                  np.asarray(rec), float(ratio))
