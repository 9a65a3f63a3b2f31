"""Geodesics and curvature on three surfaces in R³: a sphere, a torus and a saddle.

Each surface is a map f(u, v) → R³ written in torch:

* **sphere** of radius R, u = latitude ∈ (−π/2, π/2), v = longitude: f = R(cos u cos v, cos u sin v, sin u);
  K = 1/R² everywhere.
* **torus** with tube radius r around a circle of radius R > r, u around the axis, v around the tube:
  f = ((R + r cos v) cos u, (R + r cos v) sin u, r sin v); K = cos v / (r(R + r cos v)): positive outside,
  negative on the inner side.
* **saddle** z = x² − y² over the square |x|, |y| ≤ ``extent`` (a Monge patch, u = x, v = y);
  K = −4/(1 + 4x² + 4y²)² < 0.

**Curvature** comes from the two fundamental forms, every derivative by torch's autograd:
E = f_u·f_u, F = f_u·f_v, G = f_v·f_v; with the unit normal n = f_u × f_v/|f_u × f_v|, L = f_uu·n,
M = f_uv·n, N = f_vv·n; then K = (LN − M²)/(EG − F²) and H = (EN − 2FM + GL)/(2(EG − F²)). The closed forms
above are what the tests hold it to. Integrated over a closed surface, ∫K dA = 2πχ (Gauss–Bonnet): 4π for
the sphere, 0 for the torus.

**Geodesics** are found by minimising the discrete energy Σᵢ |f(zᵢ₊₁) − f(zᵢ)|² of a path of ``segments``
steps z₀ … z_N in the parameter domain with both ends held: Newton's method in torch with the energy's exact,
block-tridiagonal Hessian (f's first and second derivatives from autograd), damped where it is not positive
definite, from the straight line between the ends (a periodic coordinate is first unwrapped so that the line
takes the shorter way round). A minimiser of
the energy has equal steps and no sideways acceleration: a discrete geodesic, *locally* shortest (on the
torus there can be several geodesics between two points; this finds the one nearest the straight start). On
the sphere the great circle R·arccos(⟨a, b⟩/R²) is the check.

**Geodesic triangles.** The angle at each corner is measured between the first steps of its two sides,
each projected onto the tangent plane there (which removes the step's bending out of the surface, so the
error is second order in the step). Gauss–Bonnet for a geodesic triangle: angle sum − π = ∫∫_T K dA; on the
sphere that is area/R², positive; on the saddle it is negative.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from core.data import DataError
from core.device import compute_dtype, single_thread

SURFACES = {
    "sphere": "Sphere (K = 1/R² > 0)",
    "torus": "Torus (K > 0 outside, < 0 inside)",
    "saddle": "Saddle z = x² − y² (K < 0)",
}
PARAMETER_NAMES = {"sphere": ("latitude", "longitude"), "torus": ("u (around the axis)", "v (around the tube)"),
                   "saddle": ("x", "y")}
MAX_RESOLUTION = 200
MAX_SEGMENTS = 400
POLE_MARGIN = 1e-3  # the sphere's grid stops this far (radians) short of the poles, where the chart degenerates
TWO_PI = 2 * math.pi


@dataclass(frozen=True)
class Shape:
    """A validated surface: its name and sizes."""

    name: str
    R: float  # the sphere's radius; the torus's distance from its centre to the tube's centre
    r: float  # the torus's tube radius
    extent: float  # the saddle's half-width

    def domain(self) -> tuple[tuple[float, float], tuple[float, float]]:
        """The parameter rectangle ((u_lo, u_hi), (v_lo, v_hi)) that the curvature grid covers."""
        if self.name == "sphere":
            return (-math.pi / 2 + POLE_MARGIN, math.pi / 2 - POLE_MARGIN), (-math.pi, math.pi)
        if self.name == "torus":
            return (-math.pi, math.pi), (-math.pi, math.pi)
        return (-self.extent, self.extent), (-self.extent, self.extent)

    @property
    def periodic(self) -> tuple[bool, bool]:
        return {"sphere": (False, True), "torus": (True, True), "saddle": (False, False)}[self.name]

    def embed(self, uv: torch.Tensor) -> torch.Tensor:
        """f(u, v) for uv of shape (..., 2): points (..., 3)."""
        u, v = uv[..., 0], uv[..., 1]
        if self.name == "sphere":
            return self.R * torch.stack([torch.cos(u) * torch.cos(v), torch.cos(u) * torch.sin(v), torch.sin(u)], -1)
        if self.name == "torus":
            ring = self.R + self.r * torch.cos(v)
            return torch.stack([ring * torch.cos(u), ring * torch.sin(u), self.r * torch.sin(v)], -1)
        return torch.stack([u, v, u * u - v * v], -1)


def shape(name: str = "sphere", R: float = 1.0, r: float = 0.4, extent: float = 1.0) -> Shape:
    """Validate a surface: a sphere of radius R > 0, a torus with 0 < r < R, a saddle over |x|, |y| ≤ extent."""
    if name not in SURFACES:
        raise DataError(f"Unknown surface {name!r}; choose one of {', '.join(SURFACES)}.")
    R, r, extent = float(R), float(r), float(extent)
    if not all(math.isfinite(x) for x in (R, r, extent)):
        raise DataError("The surface's sizes must be finite numbers.")
    if name == "sphere" and not 0.05 <= R <= 100:
        raise DataError("The sphere's radius must lie between 0.05 and 100.")
    if name == "torus" and not (0.01 <= r < R <= 100):
        raise DataError("The torus needs 0.01 ≤ tube radius r < R ≤ 100 (r ≥ R would make it cross itself).")
    if name == "saddle" and not 0.1 <= extent <= 10:
        raise DataError("The saddle's half-width must lie between 0.1 and 10.")
    return Shape(name, R, r, extent)


def closed_form_curvature(s: Shape, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """K from the textbook formulas (not from the fundamental forms): for display beside the computed one."""
    u, v = np.broadcast_arrays(np.asarray(u, dtype=np.float64), np.asarray(v, dtype=np.float64))
    if s.name == "sphere":
        return np.full(u.shape, 1 / s.R**2)
    if s.name == "torus":
        return np.cos(v) / (s.r * (s.R + s.r * np.cos(v)))
    return -4 / (1 + 4 * u**2 + 4 * v**2) ** 2


def _derivatives(s: Shape, uv: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """f, its Jacobian (M, 3, 2) and its second derivatives (M, 3, 2, 2) at the rows of uv (M, 2), by reverse-mode
    autograd. Each point's image depends on that point's parameters alone, so the gradient of a sum over the
    points is every point's own gradient at once; the three components are told apart by evaluating f on three
    copies of the points and summing component c over copy c. Three backward passes in all, whatever M
    (``torch.func``'s nested ``jacfwd`` gives the same numbers but spent 2 s here on its first call)."""
    m = len(uv)
    with torch.enable_grad():
        x = uv.detach().repeat(3, 1).requires_grad_(True)  # (3M, 2): copy c for component c
        P = s.embed(x)
        picked = torch.cat([P[c * m:(c + 1) * m, c] for c in range(3)]).sum()
        (g,) = torch.autograd.grad(picked, x, create_graph=True)  # (3M, 2): row c·M + i is ∇f_c at point i
        second = []
        for j in range(2):
            if g.requires_grad:
                (h,) = torch.autograd.grad(g[:, j].sum(), x, retain_graph=True, materialize_grads=True)
            else:
                h = torch.zeros_like(g)
            second.append(h)
    J = g.detach().reshape(3, m, 2).transpose(0, 1)  # (M, 3, 2)
    Hs = torch.stack(second, -2).reshape(3, m, 2, 2).transpose(0, 1)  # (M, 3, 2, 2): [i, c, j, k] = ∂²f_c/∂j∂k
    return P[:m].detach(), J, Hs


def _forms(s: Shape, uv: torch.Tensor) -> dict[str, torch.Tensor]:
    """First and second fundamental forms, K and H at each row of uv (M, 2), by autograd."""
    _, J, Hs = _derivatives(s, uv)
    fu, fv = J[..., 0], J[..., 1]
    E, F, G = (fu * fu).sum(-1), (fu * fv).sum(-1), (fv * fv).sum(-1)
    cross = torch.linalg.cross(fu, fv, dim=-1)
    det = E * G - F * F
    n = cross / torch.sqrt(det)[:, None]
    L, M, N = (Hs[:, :, 0, 0] * n).sum(-1), (Hs[:, :, 0, 1] * n).sum(-1), (Hs[:, :, 1, 1] * n).sum(-1)
    K = (L * N - M * M) / det
    H = (E * N - 2 * F * M + G * L) / (2 * det)
    return {"E": E, "F": F, "G": G, "L": L, "M": M, "N": N, "K": K, "H": H, "dA": torch.sqrt(det), "normal": n}


@dataclass(frozen=True)
class CurvatureGrid:
    """K (and H, the principal curvatures) over a grid of the parameter rectangle, cell centres."""

    surface: Shape
    u: np.ndarray  # (a,) cell centres
    v: np.ndarray  # (b,)
    points: np.ndarray  # (b, a, 3) f(u, v): rows v, columns u
    K: np.ndarray  # (b, a) Gaussian curvature from the fundamental forms
    H: np.ndarray  # (b, a) mean curvature (sign follows the normal f_u × f_v)
    k1: np.ndarray  # (b, a) principal curvatures H ± √(H² − K), k1 ≥ k2
    k2: np.ndarray
    first_form: np.ndarray  # (b, a, 3) E, F, G
    second_form: np.ndarray  # (b, a, 3) L, M, N
    K_closed_form: np.ndarray  # (b, a) the textbook formula
    total_curvature: float  # ∫K dA over the rectangle (midpoint rule): 4π sphere, 0 torus
    area: float  # ∫dA
    gauss_bonnet: float | None  # 2πχ for the closed surfaces (4π, 0), None for the saddle patch
    seconds: float


def curvature_grid(surface: str = "sphere", resolution: int = 60, R: float = 1.0, r: float = 0.4,
                   extent: float = 1.0, device: torch.device | str = "cpu") -> CurvatureGrid:
    """Gaussian and mean curvature at the centres of a ``resolution``² grid over the surface's parameter
    rectangle, from autograd's first and second fundamental forms; with the closed form and ∫K dA."""
    s = shape(surface, R, r, extent)
    if not 4 <= int(resolution) <= MAX_RESOLUTION:
        raise DataError(f"Use 4 to {MAX_RESOLUTION} grid points a side.")
    res = int(resolution)
    device = torch.device(device)
    dtype = compute_dtype(device)
    start = time.perf_counter()
    (ua, ub), (va, vb) = s.domain()
    du, dv = (ub - ua) / res, (vb - va) / res
    u = torch.linspace(ua + du / 2, ub - du / 2, res, dtype=dtype, device=device)
    v = torch.linspace(va + dv / 2, vb - dv / 2, res, dtype=dtype, device=device)
    V, U = torch.meshgrid(v, u, indexing="ij")
    uv = torch.stack([U.reshape(-1), V.reshape(-1)], -1)
    with single_thread(device):
        forms = _forms(s, uv)
        pts = s.embed(uv)
    out = {k: t.detach().to("cpu", torch.float64).numpy() for k, t in forms.items()}
    K, H = out["K"].reshape(res, res), out["H"].reshape(res, res)
    disc = np.sqrt(np.maximum(H * H - K, 0.0))
    un, vn = u.cpu().double().numpy(), v.cpu().double().numpy()
    total = float((out["K"] * out["dA"]).sum() * du * dv)
    area = float(out["dA"].sum() * du * dv)
    gb = {"sphere": 4 * math.pi, "torus": 0.0}.get(s.name)
    return CurvatureGrid(s, un, vn, pts.detach().to("cpu", torch.float64).numpy().reshape(res, res, 3), K, H,
                         H + disc, H - disc, np.stack([out[k].reshape(res, res) for k in "EFG"], -1),
                         np.stack([out[k].reshape(res, res) for k in "LMN"], -1),
                         closed_form_curvature(s, un[None, :], vn[:, None]), total, area, gb,
                         time.perf_counter() - start)


# ------------------------------------------------------------------------------------------ geodesics


def _check_point(s: Shape, p, what: str) -> tuple[float, float]:
    try:
        u, v = (float(x) for x in p)
    except (TypeError, ValueError) as err:
        raise DataError(f"The {what} must be a pair of numbers ({', '.join(PARAMETER_NAMES[s.name])}).") from err
    if not (math.isfinite(u) and math.isfinite(v)):
        raise DataError(f"The {what} must have finite coordinates.")
    if s.name == "sphere" and not abs(u) <= math.pi / 2 - POLE_MARGIN:
        raise DataError(f"The {what}'s latitude must lie strictly between the poles (±90°): the chart of "
                        "latitude and longitude has no direction there.")
    return u, v


def _unwrap(s: Shape, a: tuple[float, float], b: tuple[float, float]) -> tuple[float, float]:
    """b moved by whole turns in each periodic coordinate to lie within half a turn of a (the same point)."""
    out = list(b)
    for i, periodic in enumerate(s.periodic):
        if periodic:
            out[i] = a[i] + math.remainder(b[i] - a[i], TWO_PI)
    return out[0], out[1]


@dataclass(frozen=True)
class SurfaceGeodesic:
    """A discrete geodesic: the path in the parameter domain and on the surface."""

    surface: Shape
    params: np.ndarray  # (N + 1, 2) z₀ … z_N (a periodic coordinate may run past ±π: same points)
    points: np.ndarray  # (N + 1, 3) f(zᵢ)
    length: float  # Σ |f(zᵢ₊₁) − f(zᵢ)|
    chord: float  # |f(z_N) − f(z₀)|, straight through space
    start_length: float  # the straight line in the parameter domain, before minimising
    closed_form: float | None  # the sphere's great circle R·arccos(⟨a, b⟩/R²); None elsewhere
    step_spread: float  # (longest step − shortest)/mean step: 0 for an exact minimiser
    iterations: int
    converged: bool  # the energy's gradient fell below tolerance
    seconds: float


def _energy_parts(s: Shape, path: torch.Tensor, scale: float):
    """The scaled energy E = scale·Σ|Pᵢ₊₁ − Pᵢ|² of a path (N + 1, 2) with its gradient in the interior vertices
    and (``hessian``) the exact Hessian, block tridiagonal: with dᵢ = 2Pᵢ − Pᵢ₋₁ − Pᵢ₊₁,
    ∂E/∂zᵢ = 2·scale·Jᵢᵀdᵢ, ∂²E/∂zᵢ² = 2·scale·(2JᵢᵀJᵢ + Σ_c dᵢ,c ∇²f_c(zᵢ)), ∂²E/∂zᵢ∂zᵢ₊₁ = −2·scale·JᵢᵀJᵢ₊₁."""
    P, J, Hs = _derivatives(s, path)
    E = scale * ((P[1:] - P[:-1]) ** 2).sum()
    d = 2 * P[1:-1] - P[:-2] - P[2:]  # (N − 1, 3)
    Ji = J[1:-1]
    g = 2 * scale * torch.einsum("nci,nc->ni", Ji, d)
    m = len(d)
    diag = 2 * scale * (2 * torch.einsum("nci,ncj->nij", Ji, Ji) + torch.einsum("nc,ncij->nij", d, Hs[1:-1]))
    off = -2 * scale * torch.einsum("nci,ncj->nij", Ji[:-1], Ji[1:])  # (m − 1, 2, 2): block (i, i + 1)
    Hm = torch.zeros(m, 2, m, 2, dtype=P.dtype, device=P.device)
    idx = torch.arange(m, device=P.device)
    Hm[idx, :, idx, :] = diag
    Hm[idx[:-1], :, idx[1:], :] = off
    Hm[idx[1:], :, idx[:-1], :] = off.transpose(1, 2)
    return E, g, Hm.reshape(2 * m, 2 * m)


def _minimise(s: Shape, a: tuple[float, float], b: tuple[float, float], segments: int, device: torch.device,
              max_iter: int) -> tuple[torch.Tensor, int, bool]:
    """Newton's method on the discrete energy from the straight line, with Levenberg damping where the
    Hessian is not positive definite and a backtracking line search: a few tens of linear solves."""
    dtype = compute_dtype(device)
    b = _unwrap(s, a, b)
    ends = torch.tensor([a, b], dtype=dtype, device=device)
    t = torch.linspace(0, 1, segments + 1, dtype=dtype, device=device)[:, None]
    path = ends[0] + t * (ends[1] - ends[0])
    chord = float((s.embed(ends[1]) - s.embed(ends[0])).norm())
    if chord == 0.0 and float((ends[1] - ends[0]).abs().max()) == 0.0:
        return path, 0, True
    scale = segments / max(chord, 1e-9) ** 2
    eye = torch.eye(2 * (segments - 1), dtype=dtype, device=device)
    damping, iters = 0.0, 0
    E, g, H = _energy_parts(s, path, scale)
    # the gradient 2·scale·Jᵀ(2Pᵢ − Pᵢ₋₁ − Pᵢ₊₁) cannot be computed more finely than rounding in the P's allows:
    # for two very close points (a huge scale) that floor is above any fixed tolerance
    P0, J0, _ = _derivatives(s, path)
    floor = 16 * torch.finfo(dtype).eps * scale * float(J0.abs().max()) * float(P0.abs().max())
    tol = max(1e-9 if dtype == torch.float64 else 1e-4, floor)
    while float(g.abs().max()) > tol and iters < max_iter:
        iters += 1
        while True:
            C, info = torch.linalg.cholesky_ex(H + damping * eye)
            if int(info) == 0:
                break
            damping = max(4 * damping, 1e-6 * float(H.diagonal().abs().max()))
        step = torch.cholesky_solve(-g.reshape(-1, 1), C).reshape(-1, 2)
        size, moved = 1.0, False
        while size > 1e-10:
            trial = path.clone()
            trial[1:-1] += size * step
            P = s.embed(trial)
            E_new = scale * ((P[1:] - P[:-1]) ** 2).sum()
            if torch.isfinite(E_new) and E_new <= E + 1e-4 * size * float(g.reshape(-1) @ step.reshape(-1)):
                path, moved = trial, True
                break
            size /= 2
        if not moved:
            break
        damping = damping / 4 if size == 1.0 else max(4 * damping, 1e-6)
        if damping < 1e-12:
            damping = 0.0
        E, g, H = _energy_parts(s, path, scale)
    return path, iters, bool(float(g.abs().max()) <= tol)


def _great_circle(s: Shape, a: tuple[float, float], b: tuple[float, float]) -> float:
    pa, pb = (s.embed(torch.tensor(p, dtype=torch.float64)) for p in (a, b))
    return float(s.R * torch.arccos(torch.clamp((pa @ pb) / s.R**2, -1.0, 1.0)))


def geodesic(surface: str = "sphere", start=(0.0, 0.0), end=(0.8, 2.0), segments: int = 48, R: float = 1.0,
             r: float = 0.4, extent: float = 1.0, max_iter: int = 100,
             device: torch.device | str = "cpu") -> SurfaceGeodesic:
    """The geodesic from ``start`` to ``end`` (parameter pairs: (latitude, longitude) in radians on the
    sphere, (u, v) on the torus, (x, y) on the saddle) as a path of ``segments`` steps minimising the
    discrete energy; its length against the straight chord (and, on the sphere, the great circle)."""
    s = shape(surface, R, r, extent)
    a, b = _check_point(s, start, "start"), _check_point(s, end, "end")
    if not 2 <= int(segments) <= MAX_SEGMENTS:
        raise DataError(f"Use 2 to {MAX_SEGMENTS} segments.")
    if not 1 <= int(max_iter) <= 1000:
        raise DataError("Use 1 to 1,000 Newton iterations.")
    device = torch.device(device)
    t0 = time.perf_counter()
    with single_thread(device):
        path, iters, ok = _minimise(s, a, b, int(segments), device, int(max_iter))
        P = s.embed(path)
        steps = (P[1:] - P[:-1]).norm(dim=-1)
        ends = torch.stack([path[0], path[-1]])
        t = torch.linspace(0, 1, int(segments) + 1, dtype=path.dtype, device=device)[:, None]
        Q = s.embed(ends[0] + t * (ends[1] - ends[0]))
        start_len = float((Q[1:] - Q[:-1]).norm(dim=-1).sum())
    st = steps.to("cpu", torch.float64).numpy()
    return SurfaceGeodesic(s, path.to("cpu", torch.float64).numpy(), P.detach().to("cpu", torch.float64).numpy(),
                           float(st.sum()), float((P[-1] - P[0]).norm()), start_len,
                           _great_circle(s, a, b) if s.name == "sphere" else None,
                           float((st.max() - st.min()) / st.mean()) if st.mean() > 0 else 0.0, iters, ok,
                           time.perf_counter() - t0)


# ------------------------------------------------------------------------------------------ triangles


@dataclass(frozen=True)
class GeodesicTriangle:
    """Three geodesics between three points, the angles between them, and Gauss–Bonnet."""

    surface: Shape
    corners: np.ndarray  # (3, 2) parameters of A, B, C
    sides: tuple[SurfaceGeodesic, SurfaceGeodesic, SurfaceGeodesic]  # AB, BC, CA
    angles: np.ndarray  # (3,) radians at A, B, C
    angle_sum: float
    excess: float  # angle_sum − π
    curvature_integral: float  # ∫∫_T K dA over the enclosed region of the parameter domain (NaN: see note)
    closed_form_excess: float | None  # the sphere: area/R² by the spherical excess formula of the corners
    boundary: np.ndarray  # (3N, 2) the closed boundary in the parameter domain, A → B → C (→ A)
    note: str


def _tangent_angle(s: Shape, corner: torch.Tensor, towards1: torch.Tensor, towards2: torch.Tensor) -> float:
    """Angle at f(corner) between the steps to f(towards1) and f(towards2), projected on the tangent plane."""
    n = _forms(s, corner[None])["normal"][0]
    p = s.embed(corner)
    d1, d2 = s.embed(towards1) - p, s.embed(towards2) - p
    d1, d2 = d1 - (d1 @ n) * n, d2 - (d2 @ n) * n
    cos = (d1 @ d2) / (d1.norm() * d2.norm())
    return float(torch.arccos(torch.clamp(cos, -1.0, 1.0)))


def _sphere_excess(points: np.ndarray) -> float:
    """Oosterom & Strackee (1983): tan(E/2) = |a·(b × c)| / (1 + a·b + b·c + c·a) for unit vectors."""
    a, b, c = points / np.linalg.norm(points, axis=1, keepdims=True)
    num = abs(float(a @ np.cross(b, c)))
    den = 1 + float(a @ b + b @ c + c @ a)
    return 2 * math.atan2(num, den)


def _inside(poly: np.ndarray, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Which points of the grid u × v (columns u, rows v) lie inside the closed polygon (P, 2): for each row, where
    the polygon's edges cross it, and the even–odd rule along the row. (b, a) booleans."""
    u1, v1 = poly[:, 0], poly[:, 1]
    u2, v2 = np.roll(u1, -1), np.roll(v1, -1)
    out = np.zeros((len(v), len(u)), dtype=bool)
    for row, y in enumerate(v):
        hit = (v1 > y) != (v2 > y)
        if not hit.any():
            continue
        at = np.sort(u1[hit] + (y - v1[hit]) * (u2[hit] - u1[hit]) / (v2[hit] - v1[hit]))
        out[row] = (np.searchsorted(at, u, side="right") % 2) == 1
    return out


def _region_integral(s: Shape, poly: np.ndarray, grid: int, device: torch.device) -> float:
    """∫∫ K dA over the polygon in the parameter domain: midpoint rule on a grid² over its bounding box."""
    (ulo, vlo), (uhi, vhi) = poly.min(axis=0), poly.max(axis=0)
    du, dv = (uhi - ulo) / grid, (vhi - vlo) / grid
    u, v = ulo + du * (np.arange(grid) + 0.5), vlo + dv * (np.arange(grid) + 0.5)
    U, V = np.meshgrid(u, v)
    inside = _inside(poly, u, v)
    pts = np.c_[U[inside], V[inside]]
    if not len(pts):
        return 0.0
    forms = _forms(s, torch.as_tensor(pts, dtype=compute_dtype(device), device=device))
    return float((forms["K"] * forms["dA"]).sum()) * du * dv


def geodesic_triangle(surface: str = "sphere", a=(0.0, 0.0), b=(0.0, 1.2), c=(1.0, 0.6), segments: int = 48,
                      R: float = 1.0, r: float = 0.4, extent: float = 1.0, grid: int = 200,
                      device: torch.device | str = "cpu",
                      progress: Callable[[float, str], None] | None = None) -> GeodesicTriangle:
    """The geodesic triangle ABC (parameter pairs as for :func:`geodesic`): its sides, its angles, the
    angle sum against π, and ∫∫K dA over the region it encloses in the parameter domain (a ``grid``² midpoint
    rule), which Gauss–Bonnet says equals the excess. NaN when the boundary winds round a periodic direction
    (a triangle around a pole, or round the torus's hole). On the sphere also the closed-form excess."""
    s = shape(surface, R, r, extent)
    pts = [_check_point(s, p, name) for p, name in ((a, "corner A"), (b, "corner B"), (c, "corner C"))]
    if not 16 <= int(grid) <= 600:
        raise DataError("Use 16 to 600 points a side for the curvature integral.")
    device = torch.device(device)
    dtype = compute_dtype(device)
    sides = []
    for i in range(3):
        if progress:
            progress(i / 4, f"Side {'ABC'[i]}{'BCA'[i]}…")
        sides.append(geodesic(surface, pts[i], pts[(i + 1) % 3], segments, R, r, extent, device=device))
    with single_thread(device):
        angles = []
        for i in range(3):
            out = torch.as_tensor(sides[i].params, dtype=dtype, device=device)  # from the corner
            back = torch.as_tensor(sides[i - 1].params, dtype=dtype, device=device)  # ends at the corner
            corner = out[0]
            other = back[-2] - back[-1] + corner  # the previous side's last step, moved to this corner's chart
            angles.append(_tangent_angle(s, corner, out[1], other))
        angles = np.asarray(angles)
        # the boundary, each side shifted by whole turns to start where the previous one ended
        parts, at, note = [], sides[0].params[0], ""
        for sd in sides:
            shifted = sd.params - sd.params[0] + at
            parts.append(shifted[:-1])
            at = shifted[-1]
        boundary = np.concatenate(parts)
        if np.abs(at - sides[0].params[0]).max() > 1e-6:
            integral = math.nan
            note = ("The triangle's boundary winds round a periodic direction of the chart (it encloses a pole or "
                    "the torus's hole), so its inside is not a region of the parameter rectangle: ∫∫K dA is not "
                    "computed.")
        else:
            if progress:
                progress(0.8, "Integrating the curvature…")
            integral = _region_integral(s, boundary, int(grid), device)
    if len({(round(p[0], 12), round(p[1], 12)) for p in pts}) < 3:
        note = (note + " Two corners coincide: the triangle is degenerate.").strip()
    closed = None
    if s.name == "sphere":
        closed = _sphere_excess(np.stack([sd.points[0] for sd in sides]))
    if progress:
        progress(1.0, "Done")
    total = float(angles.sum())
    return GeodesicTriangle(s, np.asarray(pts), tuple(sides), angles, total, total - math.pi, integral, closed,
                            boundary, note)
