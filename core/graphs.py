"""Chapter 7, Graph theory: graphs (real ones from networkx, generators, uploads), their Laplacians and
spectra in torch, spectral clustering, graph signals and filters (heat kernel, GCN propagation), and
Cheeger's inequality.

A graph is kept as a :class:`Graph` (edge list + optional coordinates and ground truth); matrices are
built in torch on the requested device. Dense ``torch.linalg.eigh`` serves graphs up to
:data:`DENSE_LIMIT` nodes; above that the lowest eigenpairs come from scipy's sparse ``eigsh``.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field

import numpy as np
import torch

from core.data import DataError

DENSE_LIMIT = 1200  # nodes: above this the dense n×n eigendecomposition is too slow/large for a slider
MAX_NODES = 20_000
MAX_EDGE_BYTES = 5 * 2**20
ZERO_TOL = 1e-9  # an eigenvalue below this (relative to the largest) counts as zero


@dataclass(frozen=True)
class Graph:
    """An undirected simple graph on nodes 0…n−1."""

    name: str
    n: int
    edges: np.ndarray  # (m, 2) int, i < j, no duplicates, no self-loops
    weights: np.ndarray  # (m,) positive
    labels: tuple[str, ...]  # node names
    truth: np.ndarray | None = None  # (n,) known groups (karate club's split, SBM blocks, moons' classes); −1: unscored
    truth_name: str = ""
    coords: np.ndarray | None = None  # (n, 2) where the nodes really are (grid, geometric, moons)
    description: str = ""
    notes: tuple[str, ...] = field(default=())

    @property
    def m(self) -> int:
        return len(self.edges)

    def degrees(self) -> np.ndarray:
        d = np.zeros(self.n)
        np.add.at(d, self.edges[:, 0], self.weights)
        np.add.at(d, self.edges[:, 1], self.weights)
        return d


def _from_networkx(G, name: str, description: str, truth_attr: str | None = None, truth_name: str = "",
                   coords: np.ndarray | None = None, truth: np.ndarray | None = None) -> Graph:
    nodes = list(G.nodes())
    index = {v: i for i, v in enumerate(nodes)}
    weight: dict[tuple[int, int], float] = {}
    for u, v, data in G.edges(data=True):
        if u != v:
            weight[tuple(sorted((index[u], index[v])))] = float(data.get("weight", 1.0)) or 1.0
    edges = np.array(sorted(weight), dtype=np.int64).reshape(-1, 2)
    weights = np.array([weight[tuple(e)] for e in edges], dtype=np.float64)
    if truth_attr is not None:
        values = [str(G.nodes[v].get(truth_attr)) for v in nodes]
        names = sorted(set(values))
        truth = np.array([names.index(x) for x in values])
    return Graph(name, len(nodes), edges, weights, tuple(map(str, nodes)), truth, truth_name, coords, description)


MAX_EDGES = 150_000  # a generator is capped so that its graph stays below this many edges (expected)
UNSCORED = -1  # a node whose true group is undecidable (the middle of a barbell's odd path): left out of scores


def max_nodes(key: str, p: float = 0.1, k: int = 4, p_in: float = 0.3, p_out: float = 0.02, blocks: int = 2,
              limit: int = 10_000) -> int:
    """The most nodes a generator may have with these settings while its expected edge count stays under
    :data:`MAX_EDGES` (a complete graph on 10,000 nodes would have 50 million)."""
    budget = 2 * MAX_EDGES
    if key == "complete":
        n = (1 + math.sqrt(1 + 4 * budget)) / 2
    elif key == "barbell":
        n = 3 * math.sqrt(budget / 2)
    elif key == "er":
        n = math.sqrt(budget / p) if p > 0 else limit
    elif key == "geometric":
        n = math.sqrt(budget / min(1.0, math.pi * p * p)) if p > 0 else limit
    elif key == "sbm":
        dense = max(p_in, p_out)
        n = math.sqrt(budget / dense) if dense > 0 else limit
    elif key == "ws":
        n = budget / max(k, 1)
    elif key == "knn":
        n = budget / (2 * max(k, 1))
    else:
        n = limit
    return int(max(3, min(limit, n)))


GRAPHS = {
    "karate": "Zachary's karate club",
    "lesmis": "Les Misérables",
    "florentine": "Florentine families",
    "davis": "Davis Southern Women",
    "path": "Path",
    "cycle": "Cycle",
    "grid": "Grid",
    "complete": "Complete graph",
    "barbell": "Barbell",
    "sbm": "Stochastic block model",
    "er": "Erdős–Rényi",
    "ws": "Watts–Strogatz",
    "geometric": "Random geometric",
    "knn": "k-NN graph of two moons",
}
REAL = ("karate", "lesmis", "florentine", "davis")


def make_graph(key: str, n: int = 60, p: float = 0.1, k: int = 4, blocks: int = 2, p_in: float = 0.3,
               p_out: float = 0.02, seed: int = 0, device: torch.device | str | None = None) -> Graph:
    """A graph by name. ``n`` sizes the generators (grid: about n nodes; barbell: two cliques of n/3 and a
    path); ``p`` is Erdős–Rényi's edge probability, Watts–Strogatz's rewiring probability and the
    geometric graph's radius; ``k`` the ring degree (Watts–Strogatz) or the neighbours (k-NN).
    (``device`` is accepted for a uniform call signature; building a graph is CPU work.)"""
    import networkx as nx

    n = int(n)
    if key not in GRAPHS:
        raise DataError(f"Unknown graph {key!r}; choose one of {', '.join(GRAPHS)}.")
    if key not in REAL and n > max_nodes(key, p, k, p_in, p_out, limit=MAX_NODES):
        raise DataError(f"{n:,} nodes would give over {MAX_EDGES:,} edges with these settings; at most "
                        f"{max_nodes(key, p, k, p_in, p_out, limit=MAX_NODES):,}.")
    if key == "karate":
        return _from_networkx(nx.karate_club_graph(), GRAPHS[key],
                              "Zachary (1977): 34 members of a karate club and who met outside it; the club then "
                              "split in two (Mr. Hi's and the Officer's side)", "club", "the club's split")
    if key == "lesmis":
        return _from_networkx(nx.les_miserables_graph(), GRAPHS[key],
                              "Knuth (1993): 77 characters of Hugo's novel, an edge when two appear in a chapter "
                              "together (weighted by how often)")
    if key == "florentine":
        return _from_networkx(nx.florentine_families_graph(), GRAPHS[key],
                              "Padgett: marriages between 15 Florentine families of the 1430s")
    if key == "davis":
        G = nx.davis_southern_women_graph()
        return _from_networkx(G, GRAPHS[key], "Davis (1941): 18 women and the 14 social events they attended "
                                              "(a bipartite graph)", "bipartite", "women vs events")
    if key == "path":
        return _from_networkx(nx.path_graph(max(n, 2)), GRAPHS[key], f"{max(n, 2)} nodes in a line")
    if key == "cycle":
        return _from_networkx(nx.cycle_graph(max(n, 3)), GRAPHS[key], f"{max(n, 3)} nodes in a ring")
    if key == "grid":
        side = max(2, round(math.sqrt(n)))
        G = nx.grid_2d_graph(side, side)
        coords = np.array([[c, r] for r, c in G.nodes()], dtype=float)
        return _from_networkx(G, GRAPHS[key], f"a {side}×{side} lattice", coords=coords)
    if key == "complete":
        return _from_networkx(nx.complete_graph(max(n, 2)), GRAPHS[key], f"every pair of {max(n, 2)} nodes")
    if key == "barbell":
        clique = max(3, n // 3)
        bridge = max(0, n - 2 * clique)
        G = nx.barbell_graph(clique, bridge)
        # Two groups, the cut a two-way method can find: each bell with the half of the path nearer to it.
        # An odd path's middle node is as near to one bell as to the other: it is not scored (−1).
        half = bridge // 2
        truth = np.array([0] * (clique + half) + [UNSCORED] * (bridge % 2) + [1] * (half + clique))
        return _from_networkx(G, GRAPHS[key], f"two {clique}-cliques joined by a path of {bridge}",
                              truth=truth, truth_name="the two halves (each bell with the nearer half of the path"
                              + (", the middle node not scored)" if bridge % 2 else ")"))
    if key == "sbm":
        blocks = max(1, min(int(blocks), n))
        sizes = [n // blocks + (1 if i < n % blocks else 0) for i in range(blocks)]
        P = np.full((blocks, blocks), p_out) + np.eye(blocks) * (p_in - p_out)
        G = nx.stochastic_block_model(sizes, P.tolist(), seed=seed)
        truth = np.repeat(np.arange(blocks), sizes)
        return _from_networkx(G, GRAPHS[key], f"{blocks} blocks of ~{n // blocks}: p_in = {p_in:g}, "
                                              f"p_out = {p_out:g}", truth=truth, truth_name="the planted blocks")
    if key == "er":
        return _from_networkx(nx.fast_gnp_random_graph(n, p, seed=seed), GRAPHS[key], f"G({n}, {p:g})")
    if key == "ws":
        kk = max(2, min(int(k), n - 1))
        return _from_networkx(nx.watts_strogatz_graph(n, kk, p, seed=seed), GRAPHS[key],
                              f"a ring of {n}, each linked to {kk} neighbours, rewired with probability {p:g}")
    if key == "geometric":
        rng = np.random.default_rng(seed)
        X = rng.uniform(0, 1, (n, 2))
        G = nx.random_geometric_graph(n, p, pos={i: tuple(x) for i, x in enumerate(X)})
        return _from_networkx(G, GRAPHS[key], f"{n} random points in the unit square, linked closer than {p:g}",
                              coords=X)
    # k-NN graph of two moons
    from sklearn.datasets import make_moons
    from sklearn.neighbors import kneighbors_graph

    X, y = make_moons(n, noise=0.08, random_state=seed)
    kk = max(1, min(int(k), n - 1))
    W = kneighbors_graph(X, kk, mode="connectivity", include_self=False)
    G = nx.from_scipy_sparse_array(W.maximum(W.T))
    return _from_networkx(G, GRAPHS[key], f"{n} points of two moons, each linked to its {kk} nearest", coords=X,
                          truth=y, truth_name="the two moons")


def read_edge_list(raw: bytes, name: str = "upload") -> Graph:
    """Parse an uploaded edge list: two columns of node ids (numbers or names) and an optional positive
    weight, separated by commas, tabs or spaces; ``#`` starts a comment; a header row is skipped.
    Self-loops, repeated edges and rows with a missing id are dropped, each with a note."""
    if len(raw) > MAX_EDGE_BYTES:
        raise DataError(f"The file is {len(raw) / 2**20:.1f} MiB; the limit is {MAX_EDGE_BYTES // 2**20} MiB.")
    if not raw.strip():
        raise DataError("The file is empty.")
    if b"\x00" in raw[:4096]:
        raise DataError("This is not a text file: expected lines like “a,b” or “1 2 0.5”.")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    notes: list[str] = []
    index: dict[str, int] = {}
    edges: dict[tuple[int, int], float] = {}
    loops = dups = missing = badweight = 0
    first = True
    for line in io.StringIO(text):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        parts = [p.strip() for p in (line.split(",") if "," in line else line.split("\t") if "\t" in line
                                     else line.split())]
        if first and len(parts) >= 2 and parts[0].lower() in ("source", "from", "node1") and \
                parts[1].lower() in ("target", "to", "node2"):
            first = False
            notes.append(f"The first line ({parts[0]}, {parts[1]}) was read as column names.")
            continue
        first = False
        if len(parts) < 2 or not parts[0] or not parts[1]:
            missing += 1
            continue
        w = 1.0
        if len(parts) >= 3 and parts[2]:
            try:
                w = float(parts[2])
            except ValueError:
                w = float("nan")
            if not (math.isfinite(w) and w > 0):
                badweight += 1
                continue
        u, v = (index.setdefault(x, len(index)) for x in parts[:2])
        if len(index) > MAX_NODES:
            raise DataError(f"More than {MAX_NODES:,} nodes: too large for this page.")
        if u == v:
            loops += 1
            continue
        key = (min(u, v), max(u, v))
        if key in edges:
            dups += 1
            continue
        edges[key] = w
    if not index:
        raise DataError("No edges found: expected two node ids per line, like “a,b” or “1 2”.")
    for count, what in ((loops, "self-loop(s) dropped"), (dups, "repeated edge(s) dropped (the first kept)"),
                        (missing, "line(s) without two node ids dropped"),
                        (badweight, "line(s) with a weight that is not a positive number dropped")):
        if count:
            notes.append(f"{count} {what}.")
    E = np.array(sorted(edges), dtype=np.int64).reshape(-1, 2)
    W = np.array([edges[tuple(e)] for e in E], dtype=np.float64)
    labels = tuple(sorted(index, key=index.get))
    return Graph(name, len(index), E, W, labels, description=f"{name}: {len(index)} nodes, {len(E)} edges",
                 notes=tuple(notes))


# ------------------------------------------------------------------------------------------- matrices

MATRICES = {"laplacian": "Laplacian L = D − A", "sym": "Normalized L_sym = I − D^−½ A D^−½",
            "rw": "Random-walk L_rw = I − D^−1 A", "adjacency": "Adjacency A"}
SYMBOLS = {"laplacian": "L", "sym": "L_sym", "rw": "L_rw", "adjacency": "A"}


def adjacency(graph: Graph, device: torch.device | str = "cpu", dtype: torch.dtype = torch.float64) -> torch.Tensor:
    A = torch.zeros(graph.n, graph.n, dtype=dtype, device=device)
    if graph.m:
        e = torch.as_tensor(graph.edges, device=device)
        w = torch.as_tensor(graph.weights, dtype=dtype, device=device)
        A[e[:, 0], e[:, 1]] = w
        A[e[:, 1], e[:, 0]] = w
    return A


def _inv_sqrt(d: torch.Tensor) -> torch.Tensor:
    """d^−½ with 0 for isolated nodes."""
    return torch.where(d > 0, d.clamp_min(1e-300).rsqrt(), torch.zeros_like(d))


def matrix(graph: Graph, kind: str, device: torch.device | str = "cpu") -> torch.Tensor:
    """One of :data:`MATRICES` as a dense float64 tensor."""
    A = adjacency(graph, device)
    d = A.sum(1)
    if kind == "adjacency":
        return A
    if kind == "laplacian":
        return torch.diag(d) - A
    # Chung's convention (as networkx): the diagonal is 1 only where the degree is not 0, so an
    # isolated node is a component of its own with eigenvalue 0, as it is for L.
    eye = torch.diag((d > 0).to(A.dtype))
    if kind == "sym":
        s = _inv_sqrt(d)
        return eye - s[:, None] * A * s[None, :]
    if kind == "rw":
        inv = torch.where(d > 0, 1 / d.clamp_min(1e-300), torch.zeros_like(d))
        return eye - inv[:, None] * A
    raise ValueError(f"Unknown matrix {kind!r}; choose one of {', '.join(MATRICES)}.")


def _sparse_laplacian(graph: Graph, kind: str):
    import scipy.sparse as sp

    A = sp.coo_matrix((np.r_[graph.weights, graph.weights], (np.r_[graph.edges[:, 0], graph.edges[:, 1]],
                                                             np.r_[graph.edges[:, 1], graph.edges[:, 0]])),
                      shape=(graph.n, graph.n)).tocsr()
    d = np.asarray(A.sum(1)).ravel()
    if kind == "laplacian":
        return sp.diags(d) - A
    s = np.where(d > 0, 1 / np.sqrt(np.maximum(d, 1e-300)), 0.0)
    return sp.diags((d > 0).astype(float)) - sp.diags(s) @ A @ sp.diags(s)


@dataclass(frozen=True)
class Spectrum:
    """Eigenvalues (ascending) and unit eigenvectors (columns) of a graph matrix; CPU numpy."""

    kind: str
    values: np.ndarray
    vectors: np.ndarray  # (n, r)
    complete: bool  # all n eigenpairs (dense) or only the lowest r (sparse)
    method: str

    def zero_count(self) -> int:
        """How many eigenvalues are 0 (within rounding): for L, L_sym and L_rw, the number of connected
        components (isolated nodes included)."""
        return int(np.sum(np.abs(self.values) <= ZERO_TOL * max(1.0, float(np.abs(self.values).max()))))


def spectrum(graph: Graph, kind: str = "laplacian", k: int | None = None,
             device: torch.device | str = "cpu") -> Spectrum:
    """The eigenpairs of L, L_sym, L_rw or A. Dense (``torch.linalg.eigh``, every pair) up to
    :data:`DENSE_LIMIT` nodes; above it the lowest ``k`` (default 10) pairs of L or L_sym from scipy's
    ``eigsh`` in shift-invert mode. L_rw's eigenvalues are L_sym's; its eigenvectors are D^−½ times
    L_sym's (it is not symmetric), normalized."""
    if graph.n == 0:
        raise DataError("The graph has no nodes.")
    device = torch.device(device)
    base = "sym" if kind == "rw" else kind
    if graph.n <= DENSE_LIMIT:
        M = matrix(graph, base, device)
        vals, vecs = torch.linalg.eigh(M)
        vals, vecs = vals.cpu().numpy(), vecs.cpu().numpy()
        complete, method = True, f"torch.linalg.eigh of the {graph.n}×{graph.n} matrix"
    else:
        if base == "adjacency":
            raise DataError(f"{graph.n:,} nodes: the adjacency spectrum is only computed densely (≤ "
                            f"{DENSE_LIMIT:,} nodes); choose a Laplacian.")
        from scipy.sparse.linalg import eigsh

        kk = int(min(max(k or 10, 2), graph.n - 2))
        S = _sparse_laplacian(graph, base)
        v0 = np.random.default_rng(0).standard_normal(graph.n)
        vals, vecs = eigsh(S.tocsc(), k=kk, sigma=-1e-3, which="LM", v0=v0)
        order = np.argsort(vals)
        vals, vecs = vals[order], vecs[:, order]
        complete, method = False, f"scipy eigsh (shift-invert), lowest {kk} of {graph.n:,}"
    if kind == "rw":
        d = graph.degrees()
        vecs = np.where(d[:, None] > 0, vecs / np.sqrt(np.maximum(d, 1e-300))[:, None], vecs)
        vecs = vecs / np.maximum(np.linalg.norm(vecs, axis=0, keepdims=True), 1e-300)
    # a deterministic sign: the largest-magnitude entry of each vector positive
    idx = np.argmax(np.abs(vecs), axis=0)
    vecs = vecs * np.sign(vecs[idx, np.arange(vecs.shape[1])])
    return Spectrum(kind, vals, vecs, complete, method)


def largest_component(graph: Graph) -> tuple[Graph, np.ndarray]:
    """The largest connected component as a graph of its own, and the indices of its nodes in ``graph``."""
    import scipy.sparse as sp
    from scipy.sparse.csgraph import connected_components

    A = sp.coo_matrix((np.ones(graph.m), (graph.edges[:, 0], graph.edges[:, 1])), shape=(graph.n, graph.n))
    _, comp = connected_components(A, directed=False)
    keep = np.flatnonzero(comp == np.bincount(comp).argmax())
    index = -np.ones(graph.n, dtype=np.int64)
    index[keep] = np.arange(len(keep))
    inside = (index[graph.edges[:, 0]] >= 0) & (index[graph.edges[:, 1]] >= 0)
    truth = graph.truth[keep] if graph.truth is not None else None
    sub = Graph(graph.name, len(keep), index[graph.edges[inside]], graph.weights[inside],
                tuple(graph.labels[i] for i in keep), truth, graph.truth_name,
                graph.coords[keep] if graph.coords is not None else None, graph.description)
    return sub, keep


def component_labels(graph: Graph) -> np.ndarray:
    """(n,) the connected component of each node, numbered 0, 1, … (scipy's connected_components)."""
    import scipy.sparse as sp
    from scipy.sparse.csgraph import connected_components

    A = sp.coo_matrix((np.ones(graph.m), (graph.edges[:, 0], graph.edges[:, 1])), shape=(graph.n, graph.n))
    return connected_components(A, directed=False)[1]


def bipartite_components(graph: Graph) -> int:
    """How many connected components with at least one edge are bipartite (2-colourable). λ_max(L_sym) = 2
    exactly when there is at least one; otherwise λ_max(L_sym) < 2 (and always ≤ 2)."""
    import networkx as nx

    G = nx.Graph()
    G.add_nodes_from(range(graph.n))
    G.add_edges_from(map(tuple, graph.edges.tolist()))
    return sum(1 for c in nx.connected_components(G) if len(c) > 1 and nx.is_bipartite(G.subgraph(c)))


def eigengap(values: np.ndarray, k_max: int = 10) -> tuple[int, np.ndarray]:
    """The eigengap heuristic for the number of clusters: with eigenvalues ascending (of L_sym, say), the k
    in 1…k_max after which the gap λ_{k+1} − λ_k is largest; and the gaps λ_{k+1} − λ_k for k = 1…k_max.
    (k well-separated groups give k eigenvalues near 0, then a jump.)"""
    v = np.asarray(values, dtype=np.float64)
    gaps = np.diff(v[: min(len(v), k_max + 1)])
    if not len(gaps):
        return 1, gaps
    return int(np.argmax(gaps)) + 1, gaps


def components(graph: Graph) -> int:
    """Connected components by union-find (the reference the spectrum's zero count is checked against)."""
    parent = list(range(graph.n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for u, v in graph.edges:
        parent[find(int(u))] = find(int(v))
    return len({find(i) for i in range(graph.n)})


# ---------------------------------------------------------------------------------- clustering


@dataclass(frozen=True)
class Clustering:
    labels: np.ndarray  # (n,)
    embedding: np.ndarray  # (n, k) the spectral coordinates clustered
    accuracy: float | None  # share of nodes in the right group after the best matching of labels
    ari: float | None  # adjusted Rand index against the truth
    method: str


def _score(labels: np.ndarray, truth: np.ndarray | None) -> tuple[float | None, float | None]:
    """Accuracy after the best matching of labels, and the adjusted Rand index, over the scored nodes."""
    if truth is None:
        return None, None
    from scipy.optimize import linear_sum_assignment
    from sklearn.metrics import adjusted_rand_score

    scored = truth != UNSCORED
    if not scored.any():
        return None, None
    labels, truth = labels[scored], truth[scored]
    a, b = np.unique(labels, return_inverse=True)[1], np.unique(truth, return_inverse=True)[1]
    C = np.zeros((a.max() + 1, b.max() + 1))
    np.add.at(C, (a, b), 1)
    r, c = linear_sum_assignment(-C)
    return float(C[r, c].sum() / len(labels)), float(adjusted_rand_score(truth, labels))


def fiedler_split(graph: Graph, spec: Spectrum, device: torch.device | str | None = None) -> Clustering:
    """Two groups by the sign of the Fiedler vector (the eigenvector of the second-smallest eigenvalue)."""
    if spec.vectors.shape[1] < 2:
        raise DataError("A Fiedler vector needs at least two nodes.")
    f = spec.vectors[:, 1]
    labels = (f >= 0).astype(int)
    acc, ari = _score(labels, graph.truth)
    return Clustering(labels, f[:, None], acc, ari, f"sign of the second eigenvector of {SYMBOLS[spec.kind]}")


def spectral_clustering(graph: Graph, spec: Spectrum, k: int, seed: int = 0,
                        device: torch.device | str | None = None) -> Clustering:
    """Ng–Jordan–Weiss: the first k eigenvectors of L_sym (rows normalized to unit length), then k-means
    (scikit-learn's, on the CPU)."""
    from sklearn.cluster import KMeans

    k = int(min(max(k, 2), spec.vectors.shape[1], graph.n))
    U = spec.vectors[:, :k]
    norms = np.linalg.norm(U, axis=1, keepdims=True)
    Un = np.where(norms > 0, U / np.maximum(norms, 1e-300), U)
    labels = KMeans(k, n_init=10, random_state=seed).fit_predict(Un)
    acc, ari = _score(labels, graph.truth)
    return Clustering(labels, U, acc, ari, f"k-means (k = {k}) on the first {k} eigenvectors of {SYMBOLS[spec.kind]}, "
                      "rows scaled to unit length")


# ---------------------------------------------------------------------------------------- signals

SIGNALS = {"smooth": "Smooth (slowest eigenvectors)", "noisy": "Smooth + noise", "delta": "A delta at one node",
           "truth": "The known groups (−1 … +1)"}


def signal(graph: Graph, spec: Spectrum, kind: str, noise: float = 0.5, node: int = 0, seed: int = 0) -> np.ndarray:
    """A signal on the nodes: a mix of the 2nd–4th eigenvectors (smooth), that plus noise, a delta, or
    the ground truth as ±1."""
    rng = np.random.default_rng(seed)
    U = spec.vectors
    if kind in ("smooth", "noisy"):
        r = min(U.shape[1], 4)
        x = U[:, 1:r] @ np.array([1.0, 0.6, 0.3][: r - 1]) if r > 1 else np.ones(graph.n)
        x = x / max(np.abs(x).max(), 1e-12)
        if kind == "noisy":
            x = x + noise * rng.standard_normal(graph.n)
        return x
    if kind == "delta":
        x = np.zeros(graph.n)
        x[int(min(max(node, 0), graph.n - 1))] = 1.0
        return x
    if kind == "truth":
        if graph.truth is None:
            raise DataError("This graph has no known groups; choose another signal.")
        scored = graph.truth != UNSCORED
        groups = np.unique(graph.truth[scored], return_inverse=True)[1].astype(float)
        x = np.zeros(graph.n)  # an unscored node sits halfway, at 0
        x[scored] = 2 * groups / max(groups.max(), 1) - 1  # two groups: −1 and +1; more: evenly from −1 to +1
        return x
    raise ValueError(f"Unknown signal {kind!r}; choose one of {', '.join(SIGNALS)}.")


@dataclass(frozen=True)
class Filtered:
    gft: np.ndarray  # Uᵀx
    response: np.ndarray  # the filter's gain per eigenvalue
    output: np.ndarray  # U (h(λ) ⊙ Uᵀx)
    smoothness_in: float  # xᵀLx / xᵀx (Dirichlet energy per unit of signal)
    smoothness_out: float


def heat_filter(graph: Graph, spec: Spectrum, x: np.ndarray, t: float,
                device: torch.device | str | None = None) -> Filtered:
    """The heat kernel e^{−tL}: each graph frequency λ scaled by e^{−tλ} (a low-pass filter)."""
    if not spec.complete:
        raise DataError("Graph filtering needs the whole spectrum: use a graph of at most "
                        f"{DENSE_LIMIT:,} nodes.")
    U, lam = spec.vectors, spec.values
    coeffs = U.T @ x
    h = np.exp(-t * np.maximum(lam, 0))
    y = U @ (h * coeffs)
    return Filtered(coeffs, h, y, _energy(graph, x), _energy(graph, y))


def polynomial_filter(graph: Graph, spec: Spectrum, x: np.ndarray, order: int,
                      device: torch.device | str = "cpu") -> Filtered:
    """The order-K polynomial low-pass filter (I − L/λ_max)^K, applied as K sparse-style matrix–vector
    products in torch (no eigendecomposition needed: this is how polynomial graph filters and GCNs run
    on large graphs); its gain (1 − λ/λ_max)^K is read off the spectrum for the plot."""
    if not spec.complete:
        raise DataError(f"The frequency view needs the whole spectrum: at most {DENSE_LIMIT:,} nodes.")
    device = torch.device(device)
    L = matrix(graph, "laplacian", device)
    lam_max = float(max(spec.values.max(), 1e-12))
    y = torch.as_tensor(x, dtype=torch.float64, device=device)
    for _ in range(int(order)):
        y = y - (L @ y) / lam_max
    h = (1 - spec.values / lam_max) ** int(order)
    out = y.cpu().numpy()
    return Filtered(spec.vectors.T @ x, h, out, _energy(graph, x), _energy(graph, out))


def _energy(graph: Graph, x: np.ndarray) -> float:
    """Σ_edges w (x_i − x_j)² / Σ x²: 0 for a constant signal, large for one that flips across edges."""
    num = float(np.sum(graph.weights * (x[graph.edges[:, 0]] - x[graph.edges[:, 1]]) ** 2)) if graph.m else 0.0
    den = float(np.sum(x**2))
    return num / den if den > 0 else 0.0


@dataclass(frozen=True)
class GCNSmoothing:
    """x, Âx, Â²x, … with Â = D̃^−½(A+I)D̃^−½ (Kipf & Welling's propagation, no weights)."""

    layers: np.ndarray  # (L+1, n)
    energy: np.ndarray  # (L+1,) Dirichlet energy per unit of signal, after each layer
    spread: np.ndarray  # (L+1,) RMS over nodes of what is left after removing the limit's directions
    response: np.ndarray  # (r,) the gain 1 − λ̃ of one layer per eigenvalue λ̃ of Ã's normalized Laplacian
    eigenvalues: np.ndarray  # (r,) λ̃
    limit: np.ndarray  # (n,) where infinitely many layers take x: on each component, ⟨x, u⟩ u with u ∝ √(d + 1)
    limit_energy: float  # its roughness: what the energy tends to (0 only where degrees are equal)


def gcn_propagation(graph: Graph, x: np.ndarray, layers: int, device: torch.device | str = "cpu") -> GCNSmoothing:
    """Repeated GCN propagation of a node signal: a low-pass filter with gain (1 − λ̃) per layer, so the
    signal flattens towards the top eigenvector as layers stack (over-smoothing)."""
    device = torch.device(device)
    if graph.n > DENSE_LIMIT:
        raise DataError(f"GCN propagation here is dense: at most {DENSE_LIMIT:,} nodes.")
    A = adjacency(graph, device) + torch.eye(graph.n, dtype=torch.float64, device=device)
    s = A.sum(1).rsqrt()
    Ahat = s[:, None] * A * s[None, :]
    out = [torch.as_tensor(x, dtype=torch.float64, device=device)]
    for _ in range(int(layers)):
        out.append(Ahat @ out[-1])
    X = torch.stack(out).cpu().numpy()
    energy = np.array([_energy(graph, v) for v in X])
    # Â's eigenvalue 1 has one eigenvector per component, D̃^½·1 there (√(d+1) on its nodes); every other
    # eigenvalue lies in (−1, 1) (self-loops rule out −1). So Âᴸx tends to the projection of x on those.
    comp = component_labels(graph)
    root = (1 / s).cpu().numpy()
    U = np.zeros((graph.n, comp.max() + 1))
    U[np.arange(graph.n), comp] = root
    U /= np.linalg.norm(U, axis=0)
    limit = U @ (U.T @ np.asarray(x, dtype=np.float64))
    spread = np.linalg.norm(X - (X @ U) @ U.T, axis=1) / math.sqrt(graph.n)
    lam = None
    if graph.n <= DENSE_LIMIT:
        lam = torch.linalg.eigvalsh(torch.eye(graph.n, dtype=torch.float64, device=device) - Ahat).cpu().numpy()
    lam = lam if lam is not None else np.array([])
    return GCNSmoothing(X, energy, spread, 1 - lam, lam, limit, _energy(graph, limit))


# ---------------------------------------------------------------------------------------- Cheeger


@dataclass(frozen=True)
class Cheeger:
    lambda2: float  # second-smallest eigenvalue of L_sym
    lower: float  # λ₂ / 2
    upper: float  # √(2 λ₂)
    sweep_conductance: float  # the best cut among the Fiedler sweep's prefixes
    sweep_set: np.ndarray  # (n,) bool: one side of that cut
    gap: float  # the random walk's spectral gap 1 − max(|μ₂|, |μ_n|), μ = 1 − λ(L_sym)
    lazy_gap: float  # the lazy walk ½(I + P)'s gap: λ₂ / 2


def _largest_sym_eigenvalue(graph: Graph) -> float:
    """λ_max of L_sym: exactly 2 on a bipartite graph with an edge (checked by 2-colouring, which is
    instant, where Lanczos converges slowly on the clustered top of a long path's spectrum); else from
    eigsh, to a tolerance that a gap display needs."""
    import networkx as nx
    from scipy.sparse.linalg import ArpackNoConvergence, eigsh

    G = nx.Graph()
    G.add_nodes_from(range(graph.n))
    G.add_edges_from(map(tuple, graph.edges.tolist()))
    if graph.m and nx.is_bipartite(G):
        return 2.0
    try:
        return float(eigsh(_sparse_laplacian(graph, "sym").tocsc(), k=1, which="LA", tol=1e-6, maxiter=5000,
                           v0=np.random.default_rng(0).standard_normal(graph.n))[0][0])
    except ArpackNoConvergence as exc:  # the best estimate so far, or the bound λ_max ≤ 2
        return float(exc.eigenvalues[0]) if len(exc.eigenvalues) else 2.0


def conductance(graph: Graph, side: np.ndarray) -> float:
    """cut(S, S̄) / min(vol S, vol S̄) (vol = sum of degrees); inf if a side has no volume."""
    d = graph.degrees()
    inside = side[graph.edges[:, 0]] != side[graph.edges[:, 1]]
    cut = float(graph.weights[inside].sum())
    vol = min(float(d[side].sum()), float(d[~side].sum()))
    return cut / vol if vol > 0 else math.inf


def cheeger(graph: Graph, spec: Spectrum) -> Cheeger:
    """Cheeger's inequality for L_sym, λ₂/2 ≤ h(G) ≤ √(2λ₂), with the sweep cut over the Fiedler vector
    scaled by D^−½ (its conductance is the upper end's witness: h(G) ≤ φ(sweep) ≤ √(2λ₂))."""
    if spec.kind != "sym":
        raise ValueError("Cheeger's inequality here is stated for L_sym.")
    if graph.n < 2 or spec.vectors.shape[1] < 2:
        raise DataError("Cheeger's inequality needs at least two nodes.")
    lam2 = float(max(spec.values[1], 0.0))
    d = graph.degrees()
    f = np.where(d > 0, spec.vectors[:, 1] / np.sqrt(np.maximum(d, 1e-300)), spec.vectors[:, 1])
    order = np.argsort(f)
    # conductance of every prefix, incrementally
    pos = np.empty(graph.n, dtype=int)
    pos[order] = np.arange(graph.n)
    total = d.sum()
    vol = np.cumsum(d[order])
    # an edge (u, v) is cut by prefix i when min(pos) ≤ i < max(pos)
    lo = np.minimum(pos[graph.edges[:, 0]], pos[graph.edges[:, 1]])
    hi = np.maximum(pos[graph.edges[:, 0]], pos[graph.edges[:, 1]])
    delta = np.zeros(graph.n + 1)
    np.add.at(delta, lo, graph.weights)
    np.add.at(delta, hi, -graph.weights)
    cut = np.cumsum(delta)[: graph.n]
    denom = np.minimum(vol, total - vol)
    with np.errstate(divide="ignore", invalid="ignore"):
        phi = np.where(denom > 0, cut / denom, np.inf)
    i = int(np.argmin(phi[:-1])) if graph.n > 1 else 0
    side = np.zeros(graph.n, dtype=bool)
    side[order[: i + 1]] = True
    mu = 1 - spec.values
    # with only the lowest eigenvalues known, find λ_max too (μ_n = 1 − λ_max)
    known = mu[1:] if spec.complete else np.r_[mu[1:2], 1 - _largest_sym_eigenvalue(graph)]
    others = np.abs(known)
    gap = max(0.0, float(1 - others.max())) if len(others) else 0.0  # (rounding can put a 0 gap at −1e-15)
    return Cheeger(lam2, lam2 / 2, math.sqrt(2 * lam2), float(phi[i]), side, gap, lam2 / 2)


def random_walk(graph: Graph, start: int, steps: int, device: torch.device | str = "cpu") -> np.ndarray:
    """Total-variation distance to the stationary distribution π ∝ d after t = 0…steps steps of the
    lazy walk ½(I + D^−1A) from ``start`` (lazy, so that bipartite graphs mix too). Sparse, so it
    runs on graphs of any size here."""
    import scipy.sparse as sp

    d = graph.degrees()
    if graph.n < 2 or np.any(d == 0):
        raise DataError("The graph has isolated nodes: a random walk there never mixes.")
    A = sp.coo_matrix((np.r_[graph.weights, graph.weights], (np.r_[graph.edges[:, 0], graph.edges[:, 1]],
                                                             np.r_[graph.edges[:, 1], graph.edges[:, 0]])),
                      shape=(graph.n, graph.n)).tocsr()
    PT = (0.5 * (sp.eye(graph.n) + sp.diags(1 / d) @ A)).T.tocsr()
    pi = d / d.sum()
    p = np.zeros(graph.n)
    p[int(min(max(start, 0), graph.n - 1))] = 1.0
    out = []
    for _ in range(int(steps) + 1):
        out.append(float(0.5 * np.abs(p - pi).sum()))
        p = PT @ p
    return np.array(out)


def mixing_bound(graph: Graph, start: int, lazy_gap: float, steps: int) -> np.ndarray:
    """The spectral bound on the lazy walk's total-variation distance from ``start`` (a connected graph):
    TV(t) ≤ ½·√((1 − π_x)/π_x)·(1 − gap)ᵗ, π_x = d_x / Σd, gap = λ₂(L_sym)/2. (The ℓ² distance of the walk's
    distribution to π, in the π-weighted norm, shrinks by the largest non-trivial eigenvalue 1 − λ₂/2 of
    the lazy walk each step; Cauchy–Schwarz turns it into a TV bound.)"""
    d = graph.degrees()
    pi_x = d[int(min(max(start, 0), graph.n - 1))] / d.sum()
    t = np.arange(int(steps) + 1, dtype=np.float64)
    with np.errstate(under="ignore"):
        return 0.5 * math.sqrt((1 - pi_x) / pi_x) * (1 - lazy_gap) ** t


def layout(graph: Graph, seed: int = 0, device: torch.device | str = "cpu") -> np.ndarray:
    """Where to draw the nodes: their own coordinates if they have some; else networkx's spring layout
    (up to 500 nodes) or, for larger graphs, a spectral drawing: eigenvectors 2 and 3 of L_sym (Belkin and
    Niyogi's Laplacian eigenmap would scale them by D^−½, i.e. take L_rw's)."""
    import networkx as nx

    if graph.coords is not None:
        return np.asarray(graph.coords, dtype=float)
    if graph.n > 500 or graph.n < 3:
        # the Laplacian eigenmap, from this module's own (shift-invert) solver: networkx's spectral
        # layout converges slowly on graphs with clustered small eigenvalues (long paths)
        if graph.n < 3:
            return np.c_[np.arange(graph.n, dtype=float), np.zeros(graph.n)]
        return spectrum(graph, "sym", k=3).vectors[:, 1:3].copy()
    G = nx.Graph()
    G.add_nodes_from(range(graph.n))
    G.add_edges_from(map(tuple, graph.edges.tolist()))
    pos = nx.spring_layout(G, seed=seed)
    return np.array([pos[i] for i in range(graph.n)], dtype=float)
