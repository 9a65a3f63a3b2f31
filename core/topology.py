"""Chapter 9, Topology in deep learning: point clouds, Vietoris–Rips persistent homology, its stability,
and topology inside learning (a differentiable topological loss, the homology of a network's activations).

Pairwise distances are computed in torch on the requested device and handed to ripser as a distance
matrix; gudhi serves where it does better: the persistence pairs' simplices (``flag_persistence_generators``,
which make a persistence differentiable in the point positions) and the bottleneck distance. Both libraries
are imported inside the functions that need them, so only this chapter's page pays for them.

Convention (ripser's and gudhi's): an edge {i, j} enters the Rips complex at ε = ‖xᵢ − xⱼ‖ (balls of radius
ε/2 overlap), a simplex at its longest edge; a bar [b, d) is alive at ε when b ≤ ε < d.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch

from core.data import DataError
from core.threads import seeded

CLOUDS = {
    "circle": "Noisy circle",
    "two_circles": "Two circles",
    "figure_eight": "Figure-eight",
    "annulus": "Annulus",
    "sphere": "Sphere (3-D)",
    "torus": "Torus (3-D)",
    "blobs": "Gaussian clusters",
    "uniform": "Uniform noise",
    "swiss_roll": "Swiss roll (3-D)",
}
EXPECTED = {  # the Betti numbers of the shape each cloud samples (None: no single shape)
    "circle": (1, 1, 0), "two_circles": (2, 2, 0), "figure_eight": (1, 2, 0), "annulus": (1, 1, 0),
    "sphere": (1, 0, 1), "torus": (1, 2, 1), "blobs": (3, 0, 0), "uniform": (1, 0, 0), "swiss_roll": (1, 0, 0),
}
# Points by the highest homology dimension asked for. ripser's H1 on a noisy circle (2 cores): 400 points
# 0.33 s, 600 points 1.8 s; H2 on a 120-point sphere 0.33 s (its cost grows like n⁴).
MAX_POINTS = {0: 1000, 1: 400, 2: 120}
MAX_COLUMNS = 3


@dataclass(frozen=True)
class Cloud:
    X: np.ndarray  # (n, d) float64, finite, no duplicate rows
    name: str
    description: str
    notes: tuple[str, ...] = field(default=())

    @property
    def n(self) -> int:
        return self.X.shape[0]


def _circle(rng: np.random.Generator, n: int, radius: float = 1.0, centre=(0.0, 0.0)) -> np.ndarray:
    t = rng.uniform(0, 2 * np.pi, n)
    return np.stack([centre[0] + radius * np.cos(t), centre[1] + radius * np.sin(t)], axis=1)


def make_cloud(kind: str, n: int = 120, noise: float = 0.1, seed: int = 0) -> Cloud:
    """A seeded sample of ``n`` points from one of :data:`CLOUDS`, plus Gaussian noise of standard
    deviation ``noise`` on every coordinate. Shapes are about unit size (circles of radius 1)."""
    if kind not in CLOUDS:
        raise DataError(f"Unknown point cloud {kind!r}; choose one of {', '.join(CLOUDS)}.")
    if n < 1:
        raise DataError("The cloud is empty: ask for at least one point.")
    if not math.isfinite(noise) or noise < 0:
        raise DataError("The noise must be a finite number ≥ 0.")
    rng = np.random.default_rng(seed)
    if kind == "circle":
        X = _circle(rng, n)
    elif kind == "two_circles":
        X = np.vstack([_circle(rng, n - n // 2, 1.0, (-1.6, 0.0)), _circle(rng, n // 2, 1.0, (1.6, 0.0))])
    elif kind == "figure_eight":  # two unit circles touching at the origin
        X = np.vstack([_circle(rng, n - n // 2, 1.0, (-1.0, 0.0)), _circle(rng, n // 2, 1.0, (1.0, 0.0))])
    elif kind == "annulus":  # uniform by area between radii 0.6 and 1
        r = np.sqrt(rng.uniform(0.36, 1.0, n))
        t = rng.uniform(0, 2 * np.pi, n)
        X = np.stack([r * np.cos(t), r * np.sin(t)], axis=1)
    elif kind == "sphere":
        X = rng.standard_normal((n, 3))
        X /= np.maximum(np.linalg.norm(X, axis=1, keepdims=True), 1e-12)
    elif kind == "torus":  # uniform by area (rejection on the tube angle), radii 1 and 0.4
        R, r, out = 1.0, 0.4, []
        while sum(len(o) for o in out) < n:
            u, v = rng.uniform(0, 2 * np.pi, (2, 2 * n))
            keep = rng.uniform(0, 1, 2 * n) < (R + r * np.cos(v)) / (R + r)
            u, v = u[keep], v[keep]
            out.append(np.stack([(R + r * np.cos(v)) * np.cos(u), (R + r * np.cos(v)) * np.sin(u), r * np.sin(v)], 1))
        X = np.vstack(out)[:n]
    elif kind == "blobs":
        centres = 1.5 * np.array([[np.cos(a), np.sin(a)] for a in (np.pi / 2, np.pi * 7 / 6, np.pi * 11 / 6)])
        X = centres[np.arange(n) % 3] + 0.15 * rng.standard_normal((n, 2))
    elif kind == "uniform":
        X = rng.uniform(-1, 1, (n, 2))
    else:  # swiss roll, scikit-learn's parametrisation scaled to unit size
        from sklearn.datasets import make_swiss_roll

        X, _ = make_swiss_roll(n, noise=0.0, random_state=seed)
        X = X / 10.0
    X = X + noise * rng.standard_normal(X.shape)
    desc = f"{CLOUDS[kind]}: {n} points, noise σ = {noise:g}, seed {seed}"
    return Cloud(np.asarray(X, dtype=np.float64), kind, desc)


def clean(cloud: Cloud, maxdim: int, seed: int = 0) -> Cloud:
    """Make a cloud fit for persistence: drop rows with NaN or infinities and repeated points, and keep a
    seeded random subsample when there are more points than :data:`MAX_POINTS` allows for ``maxdim``.
    Every change is listed in the notes; an empty result raises :class:`DataError`."""
    X, notes = np.asarray(cloud.X, dtype=np.float64), list(cloud.notes)
    if X.ndim != 2 or X.shape[0] == 0:
        raise DataError("The cloud is empty: there is nothing to filter.")
    good = np.isfinite(X).all(axis=1)
    if not good.all():
        notes.append(f"Dropped {int((~good).sum())} point(s) with NaN or infinite coordinates.")
        X = X[good]
    if X.shape[0] == 0:
        raise DataError("No point has finite coordinates: the cloud is empty.")
    _, first = np.unique(X, axis=0, return_index=True)
    if len(first) < X.shape[0]:
        notes.append(f"Dropped {X.shape[0] - len(first)} repeated point(s): a copy adds a vertex born and "
                     "killed at ε = 0, nothing else.")
        X = X[np.sort(first)]
    cap = MAX_POINTS[maxdim]
    if X.shape[0] > cap:
        keep = np.sort(np.random.default_rng(seed).choice(X.shape[0], cap, replace=False))
        notes.append(f"{X.shape[0]:,} points are too many for H{maxdim} here: persistence uses a random "
                     f"subsample of {cap:,} (seed {seed}).")
        X = X[keep]
    return Cloud(X, cloud.name, cloud.description, tuple(notes))


def read_cloud(raw: bytes, name: str = "upload") -> Cloud:
    """A point cloud from an uploaded CSV: two or three numeric columns (x, y[, z]), validated by
    :func:`core.data.read_csv`; more columns keep the first three, with a note."""
    from core.data import read_csv

    try:
        data = read_csv(raw, name=name)
    except DataError as exc:
        msg = str(exc)
        if "column" in msg and ("2" in msg or "numeric" in msg):
            raise DataError("A point cloud needs 2 or 3 numeric columns (x, y and optionally z); "
                            f"this file has fewer. ({msg.replace('PCA', 'the page')})") from exc
        raise DataError(msg.replace("PCA needs numbers", "a point cloud needs numbers")) from exc
    X, notes = data.X, [n for n in data.notes if "class label" not in n]
    if X.shape[1] > MAX_COLUMNS:
        notes.append(f"The file has {X.shape[1]} numeric columns; the page uses the first three "
                     f"({', '.join(data.feature_names[:3])}).")
        X = X[:, :MAX_COLUMNS]
    return Cloud(np.array(X, dtype=np.float64), "upload", f"Uploaded {name}: {X.shape[0]} points in {X.shape[1]}-D",
                 tuple(notes))


# ---------------------------------------------------------------------------------------- persistence


def distances(X: np.ndarray, device: torch.device | str = "cpu") -> np.ndarray:
    """All pairwise Euclidean distances, in torch on ``device`` (float64 on the CPU, float32 on a GPU),
    computed directly (not by the ‖x‖² + ‖y‖² − 2xy expansion, which loses small distances)."""
    device = torch.device(device)
    dtype = torch.float64 if device.type == "cpu" else torch.float32
    x = torch.as_tensor(np.asarray(X), dtype=dtype, device=device)
    D = torch.cdist(x, x, compute_mode="donot_use_mm_for_euclid_dist")
    D = 0.5 * (D + D.T)
    D.fill_diagonal_(0.0)
    return D.double().cpu().numpy()


@dataclass(frozen=True)
class Persistence:
    """Vietoris–Rips persistence of a cloud: one diagram per dimension, rows (birth, death), death = inf for
    a class that never dies. ``h1_edges[i]`` is the edge whose entry created H1 bar i."""

    cloud: Cloud
    D: np.ndarray  # (n, n) distances
    dgms: tuple[np.ndarray, ...]  # H0, H1, … each (k, 2)
    h1_edges: np.ndarray  # (k1, 2) int
    maxdim: int

    @property
    def largest_death(self) -> float:
        finite = [d[np.isfinite(d[:, 1]), 1] for d in self.dgms]
        values = np.concatenate(finite) if finite else np.zeros(0)
        return float(values.max()) if values.size else 0.0

    def eps_max(self) -> float:
        """A round upper end for the ε slider: past the last finite death (1, 2, 2.5 or 5 × 10^k)."""
        top = max(self.largest_death * 1.1, float(self.D.max()) * 0.05, 1e-3)
        k = math.floor(math.log10(top))
        return float(next(m * 10.0**k for m in (1, 2, 2.5, 5, 10) if m * 10.0**k >= top))


def _edge_of_length(D: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """For each value, the edge {i, j} (i < j) whose length is closest to it."""
    iu, ju = np.triu_indices(D.shape[0], 1)
    flat = D[iu, ju]
    order = np.argsort(flat, kind="stable")
    s = flat[order]
    pos = np.clip(np.searchsorted(s, lengths), 1, max(len(s) - 1, 1))
    left = np.clip(pos - 1, 0, len(s) - 1)
    pos = np.clip(pos, 0, len(s) - 1)
    best = np.where(np.abs(s[left] - lengths) <= np.abs(s[pos] - lengths), left, pos)
    return np.stack([iu[order[best]], ju[order[best]]], axis=1).astype(np.int64)


def persistence_of(cloud: Cloud, maxdim: int = 1, device: torch.device | str = "cpu") -> Persistence:
    """Rips persistence up to H``maxdim`` with ripser, on distances computed in torch on ``device``."""
    from ripser import ripser

    if maxdim not in MAX_POINTS:
        raise DataError("Homology up to dimension 0, 1 or 2.")
    cloud = clean(cloud, maxdim)
    D = distances(cloud.X, device)
    if cloud.n == 1:
        dgms = [np.array([[0.0, np.inf]])] + [np.zeros((0, 2)) for _ in range(maxdim)]
    else:
        dgms = [np.asarray(d, dtype=np.float64).reshape(-1, 2) for d in ripser(D, maxdim=maxdim,
                                                                               distance_matrix=True)["dgms"]]
    edges = _edge_of_length(D, dgms[1][:, 0]) if maxdim >= 1 and len(dgms[1]) else np.zeros((0, 2), np.int64)
    return Persistence(cloud, D, tuple(dgms), edges, maxdim)


def cloud_from(source: tuple) -> Cloud:
    """A cloud from a hashable description: ``("generated", kind, n, noise, seed)`` or
    ``("upload", raw_bytes, file_name)`` (the page caches every computation by it)."""
    if source[0] == "upload":
        return read_cloud(source[1], source[2])
    return make_cloud(*source[1:])


def persistence(source: tuple, maxdim: int = 1, device: torch.device | str = "cpu") -> Persistence:
    """:func:`persistence_of` the cloud :func:`cloud_from` ``source`` describes."""
    return persistence_of(cloud_from(source), maxdim, device)


def betti_at(dgm: np.ndarray, eps: float | np.ndarray) -> np.ndarray | int:
    """β(ε): the number of bars [b, d) with b ≤ ε < d."""
    e = np.asarray(eps, dtype=np.float64)[..., None]
    alive = (dgm[:, 0] <= e) & (e < dgm[:, 1])
    out = alive.sum(axis=-1)
    return int(out) if np.ndim(eps) == 0 else out


def prominent(dgm: np.ndarray, fraction: float, scale: float) -> int:
    """Bars longer than ``fraction × scale`` (an infinite bar always counts): the classes the noise
    does not explain."""
    if len(dgm) == 0:
        return 0
    return int(((dgm[:, 1] - dgm[:, 0]) > fraction * scale).sum())


@dataclass(frozen=True)
class RipsAt:
    """The Rips complex at one ε: its full size, and the shortest edges and triangles drawn (capped)."""

    eps: float
    n_edges: int
    n_triangles: int
    edges: np.ndarray  # (m, 2), shortest first, at most the cap
    triangles: np.ndarray  # (t, 3)


def rips_at(D: np.ndarray, eps: float, max_edges: int = 2000, max_triangles: int = 700) -> RipsAt:
    """Edges (length ≤ ε) and triangles (all three edges ≤ ε) of the Rips complex; the triangle count of the
    whole complex is trace(A³)/6 for its adjacency matrix A."""
    n = D.shape[0]
    A = np.less_equal(D, eps) & ~np.eye(n, dtype=bool)
    iu, ju = np.nonzero(np.triu(A, 1))
    n_edges = len(iu)
    Af = A.astype(np.float64)
    n_tri = round(float(np.einsum("ij,ji->", Af @ Af, Af)) / 6) if n_edges else 0
    order = np.argsort(D[iu, ju], kind="stable")[:max_edges]
    edges = np.stack([iu[order], ju[order]], axis=1)
    tris = np.zeros((0, 3), dtype=np.int64)
    if n_tri and len(edges):
        i, j = edges[:, 0], edges[:, 1]
        common = A[i] & A[j] & (np.arange(n)[None, :] > j[:, None])  # k > j > i: each triangle once
        e_idx, k = np.nonzero(common)
        tris = np.stack([i[e_idx], j[e_idx], k], axis=1)[:max_triangles]
    return RipsAt(float(eps), n_edges, n_tri, edges, tris)


def representative_cycle(D: np.ndarray, edge: tuple[int, int], eps: float | None = None) -> np.ndarray:
    """A cycle for the H1 class born when ``edge`` = (u, v) enters: the edge plus a shortest path
    (by length) from u to v through edges no longer than it. Returns the vertices in order (the cycle
    closes back to the first). Representatives are not unique: this one is correct up to adding cycles
    born earlier."""
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import dijkstra

    u, v = int(edge[0]), int(edge[1])
    eps = float(D[u, v]) if eps is None else float(eps)
    # zero entries mean "no edge" (repeated points, at distance 0, are cleaned away before)
    W = np.where(np.less_equal(D, eps) & (D > 0), D, 0.0)
    W[u, v] = W[v, u] = 0.0
    graph = csr_matrix(W)
    dist, pred = dijkstra(graph, directed=False, indices=u, return_predecessors=True)
    if not np.isfinite(dist[v]):
        return np.array([u, v])
    path = [v]
    while path[-1] != u:
        path.append(int(pred[path[-1]]))
    return np.array(path[::-1])


# ------------------------------------------------------------------------------------------- stability


def bottleneck(a: np.ndarray, b: np.ndarray) -> float:
    """Bottleneck distance between two diagrams (gudhi), infinite bars left out (both clouds have the one
    H0 class that never dies)."""
    import gudhi

    fa, fb = a[np.isfinite(a[:, 1])], b[np.isfinite(b[:, 1])]
    if len(fa) == 0 and len(fb) == 0:
        return 0.0
    return float(gudhi.bottleneck_distance(fa.reshape(-1, 2), fb.reshape(-1, 2)))


@dataclass(frozen=True)
class Stability:
    sigmas: np.ndarray  # (s,)
    bottleneck: np.ndarray  # (s, trials, dims)
    displacement: np.ndarray  # (s, trials): max ‖xᵢ − yᵢ‖
    max_dist_change: np.ndarray  # (s, trials): max |D_X − D_Y|, the tighter bound
    clean: tuple[np.ndarray, ...]  # the clean diagrams
    noisy: tuple[tuple[np.ndarray, ...], ...]  # per σ, the first perturbation's diagrams (H0, H1)
    noisy_X: np.ndarray  # (s, n, d): per σ, the first perturbed cloud
    X: np.ndarray
    notes: tuple[str, ...] = ()

    def at(self, sigma: float) -> int:
        """The index of the σ nearest ``sigma``."""
        return int(np.argmin(np.abs(self.sigmas - sigma)))


SIGMAS = (0.0, 0.01, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5)
STABILITY_POINTS = 120  # the default cloud whole; a sweep of 10 σ × up to 5 perturbations stays near a second


def stability(source: tuple, trials: int = 3, seed: int = 1, sigmas: tuple = SIGMAS,
              device: torch.device | str = "cpu") -> Stability:
    """Perturb the cloud by Gaussian noise of each σ and measure the bottleneck distance between the clean
    and the perturbed H0 and H1 diagrams, next to the largest displacement (at most
    :data:`STABILITY_POINTS` points: a seeded subsample above that, noted)."""
    from ripser import ripser

    cloud = cloud_from(source)
    if cloud.n > STABILITY_POINTS:
        keep = np.sort(np.random.default_rng(0).choice(cloud.n, STABILITY_POINTS, replace=False))
        note = f"The stability sweep uses a random subsample of {STABILITY_POINTS} of the {cloud.n:,} points."
        cloud = Cloud(cloud.X[keep], cloud.name, cloud.description, (*cloud.notes, note))
    clean_p = persistence_of(cloud, 1, device)
    X = clean_p.cloud.X
    sigmas = np.asarray(sigmas, dtype=np.float64)
    rng = np.random.default_rng(seed)
    bn = np.zeros((len(sigmas), trials, 2))
    disp = np.zeros((len(sigmas), trials))
    dd = np.zeros((len(sigmas), trials))
    noisy, noisy_X = [], []
    for s, sigma in enumerate(sigmas):
        for t in range(trials):
            Y = X + sigma * rng.standard_normal(X.shape)
            DY = distances(Y, device)
            dg = ripser(DY, maxdim=1, distance_matrix=True)["dgms"]
            bn[s, t] = [bottleneck(clean_p.dgms[k], dg[k]) for k in (0, 1)]
            disp[s, t] = float(np.linalg.norm(X - Y, axis=1).max())
            dd[s, t] = float(np.abs(clean_p.D - DY).max())
            if t == 0:
                noisy.append(tuple(np.asarray(d).reshape(-1, 2) for d in dg))
                noisy_X.append(Y)
    return Stability(sigmas, bn, disp, dd, clean_p.dgms[:2], tuple(noisy), np.stack(noisy_X), X, clean_p.cloud.notes)


# -------------------------------------------------------------------------------------- topological loss


def flag_pairs(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """H1 persistence pairs of the Rips filtration with their simplices (gudhi, coefficients in Z/2 like
    ripser's): rows (a, b, c, d), the birth edge {a, b} and the death edge {c, d}; and the pairs' (birth,
    death) values."""
    import gudhi

    st = gudhi.RipsComplex(points=X).create_simplex_tree(max_dimension=2)
    st.compute_persistence(homology_coeff_field=2)  # Z/2, as ripser (gudhi's default field is Z/11)
    gens = st.flag_persistence_generators()
    pairs = gens[1][0] if len(gens[1]) else np.zeros((0, 4), dtype=np.int64)
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 4)
    D = lambda i, j: np.linalg.norm(X[i] - X[j], axis=-1)  # noqa: E731
    values = np.stack([D(pairs[:, 0], pairs[:, 1]), D(pairs[:, 2], pairs[:, 3])], axis=1) if len(pairs) else \
        np.zeros((0, 2))
    return pairs, values


def h1_persistence_torch(x: torch.Tensor, pairs: np.ndarray) -> torch.Tensor:
    """Persistence of each H1 pair as a differentiable function of the positions:
    ‖x_c − x_d‖ (death edge) − ‖x_a − x_b‖ (birth edge)."""
    p = torch.as_tensor(pairs, device=x.device)
    return (x[p[:, 2]] - x[p[:, 3]]).norm(dim=1) - (x[p[:, 0]] - x[p[:, 1]]).norm(dim=1)


TOPO_GOALS = {"create": "Open a loop (maximize the largest H1 persistence)",
              "close": "Close the loops (shorten every H1 death edge: the holes fill in)"}


@dataclass(frozen=True)
class TopoDescent:
    goal: str
    frames: np.ndarray  # (steps + 1, n, 2)
    loss: np.ndarray  # (steps + 1,)
    top: np.ndarray  # (steps + 1,) largest H1 persistence
    total: np.ndarray  # (steps + 1,) total H1 persistence
    dgms: tuple[np.ndarray, ...]  # H1 diagram at each frame
    targets: tuple[np.ndarray, ...]  # the pairs (a, b, c, d) the loss pulled on at each frame


def topo_start(goal: str, n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    if goal == "close":
        return make_cloud("circle", n, 0.08, seed).X
    return 0.35 * rng.standard_normal((n, 2))  # a blob: no loop worth the name


def topological_descent(goal: str, n: int = 60, steps: int = 80, lr: float = 0.05, seed: int = 0,
                        device: torch.device | str = "cpu",
                        progress: Callable[[float, str], None] | None = None) -> TopoDescent:
    """Gradient descent on the point positions through the persistence pairs' edge lengths.

    ``create``: loss = −(largest H1 persistence) + a penalty keeping the points in the unit disk;
    ``close``: loss = the total length of the H1 death edges (pulling them shorter fills the holes in; with
    the total persistence as loss, descent would rather lengthen the birth edges). At each step gudhi finds the
    pairs for the current positions (a piecewise-constant choice); torch differentiates the edge lengths."""
    if goal not in TOPO_GOALS:
        raise DataError(f"Unknown goal {goal!r}; choose one of {', '.join(TOPO_GOALS)}.")
    device = torch.device(device)
    dtype = torch.float64 if device.type == "cpu" else torch.float32
    return _descent(goal, torch.tensor(topo_start(goal, n, seed), dtype=dtype, device=device, requires_grad=True),
                    steps, lr, progress)


def _descent(goal: str, x: torch.Tensor, steps: int, lr: float, progress) -> TopoDescent:
    opt = torch.optim.SGD([x], lr=lr)
    frames, loss_h, top_h, total_h, dgms, targets = [], [], [], [], [], []
    for step in range(steps + 1):
        pos = x.detach().cpu().numpy().astype(np.float64)
        pairs, values = flag_pairs(pos)
        pers = h1_persistence_torch(x, pairs)
        if goal == "create":
            outside = torch.relu(x.norm(dim=1) - 1.0).pow(2).sum()
            if len(pairs):
                i = int(torch.argmax(pers.detach()))
                loss, used = -pers[i] + 10.0 * outside, pairs[[i]]
            else:
                loss, used = 10.0 * outside - 0.0 * x.sum(), pairs
        else:
            deaths = (x[pairs[:, 2]] - x[pairs[:, 3]]).norm(dim=1) if len(pairs) else None
            loss, used = (deaths.sum() if len(pairs) else 0.0 * x.sum()), pairs
        frames.append(pos)
        loss_h.append(float(loss.detach()))
        top_h.append(float(pers.detach().max()) if len(pairs) else 0.0)
        total_h.append(float(pers.detach().sum()) if len(pairs) else 0.0)
        dgms.append(values)
        targets.append(used)
        if step == steps:
            break
        opt.zero_grad()
        if loss.requires_grad:
            loss.backward()
            opt.step()
        if progress is not None and step % 5 == 0:
            progress(step / steps, f"Gradient step {step} of {steps}")
    return TopoDescent(goal, np.stack(frames), np.array(loss_h), np.array(top_h), np.array(total_h),
                       tuple(dgms), tuple(targets))


# ----------------------------------------------------------------------------------- inside a network


def linked_rings(n: int = 400, noise: float = 0.05, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two interlocked rings in 3-D (like chain links), one per class: each a circle of radius 1, the
    second in the x–z plane through the first's centre... offset by 1 along x, so each passes through
    the other's disk."""
    rng = np.random.default_rng(seed)
    m = n // 2
    t0, t1 = rng.uniform(0, 2 * np.pi, n - m), rng.uniform(0, 2 * np.pi, m)
    a = np.stack([np.cos(t0), np.sin(t0), np.zeros_like(t0)], 1)
    b = np.stack([1.0 + np.cos(t1), np.zeros_like(t1), np.sin(t1)], 1)
    X = np.vstack([a, b]) + noise * rng.standard_normal((n, 3))
    y = np.r_[np.zeros(n - m, dtype=np.int64), np.ones(m, dtype=np.int64)]
    return X, y


@dataclass(frozen=True)
class NetworkTopology:
    layers: tuple[str, ...]
    dgms: tuple[tuple[tuple[np.ndarray, np.ndarray], ...], ...]  # [layer][class] -> (H0, H1)
    scales: np.ndarray  # (layers, classes): the diameter of each class's cloud in that layer
    views: tuple[np.ndarray, ...]  # per layer, (n, 2) PCA projection of the activations
    y: np.ndarray
    accuracy: float
    losses: np.ndarray


def network_topology(n: int = 400, width: int = 12, depth: int = 4, epochs: int = 400, seed: int = 0,
                     per_class: int = 100, device: torch.device | str = "cpu",
                     progress: Callable[[float, str], None] | None = None) -> NetworkTopology:
    """Train a ReLU network to tell the two linked rings apart, then take the Rips persistence (H0, H1) of
    each class's activations after every layer (a seeded subsample of ``per_class`` points per class)."""
    device = torch.device(device)
    return _network_topology(n, width, depth, epochs, seed, per_class, device, progress)


def _network_topology(n, width, depth, epochs, seed, per_class, device, progress) -> NetworkTopology:
    from ripser import ripser

    X, y = linked_rings(n, seed=seed)
    dims = [3] + [width] * depth
    blocks = []
    with seeded(seed):
        for a, b in itertools.pairwise(dims):
            blocks.append(torch.nn.Sequential(torch.nn.Linear(a, b), torch.nn.ReLU()))
        blocks.append(torch.nn.Sequential(torch.nn.Linear(dims[-1], 2)))
    net = torch.nn.Sequential(*blocks).to(device=device, dtype=torch.float32)
    xt = torch.tensor(X, dtype=torch.float32, device=device)
    yt = torch.tensor(y, device=device)
    opt = torch.optim.Adam(net.parameters(), lr=0.01)
    losses = []
    for epoch in range(epochs):
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(net(xt), yt)
        loss.backward()
        opt.step()
        losses.append(float(loss.detach()))
        if progress is not None and epoch % 20 == 0:
            progress(0.7 * epoch / epochs, f"Training: epoch {epoch} of {epochs}")
    with torch.no_grad():
        acts, h = [xt], xt
        for block in net:
            h = block(h)
            acts.append(h)
        accuracy = float((acts[-1].argmax(1) == yt).float().mean())
    names = ["input"] + [f"layer {i + 1} (ReLU)" for i in range(depth)] + ["output (logits)"]
    rng = np.random.default_rng(seed)
    picks = [np.sort(rng.choice(np.flatnonzero(y == c), min(per_class, int((y == c).sum())), replace=False))
             for c in (0, 1)]
    dgms, scales, views = [], [], []
    for li, a in enumerate(acts):
        A = a.double().cpu().numpy()
        per = []
        row = []
        for c in (0, 1):
            P = A[picks[c]]
            D = distances(P, device)
            row.append(float(D.max()))
            dg = ripser(D, maxdim=1, distance_matrix=True)["dgms"]
            per.append((np.asarray(dg[0]).reshape(-1, 2), np.asarray(dg[1]).reshape(-1, 2)))
        dgms.append(tuple(per))
        scales.append(row)
        centred = A - A.mean(0)
        if A.shape[1] >= 2:  # the 2-D logits too: the page calls every view "PCs 1 and 2"
            _, _, Vt = np.linalg.svd(centred, full_matrices=False)
            view = centred @ Vt[:2].T
        else:
            view = np.c_[centred, np.zeros((len(A), 2 - A.shape[1]))]
        views.append(view)
        if progress is not None:
            progress(0.7 + 0.3 * (li + 1) / len(acts), f"Persistence of {names[li]}")
    return NetworkTopology(tuple(names), tuple(dgms), np.array(scales), tuple(views), y, accuracy, np.array(losses))
