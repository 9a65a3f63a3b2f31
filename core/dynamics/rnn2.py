"""A two-neuron RNN as a discrete dynamical system: h_{t+1} = F(h_t) = tanh(g W h_t + b), h ∈ (−1, 1)².

Four weights W = [[w₁₁, w₁₂], [w₂₁, w₂₂]], two biases b and a gain g that multiplies W. Everything the page
draws about the map:

* **Phase portrait**: the step F(h) − h on a grid (for a map, the arrow from a point to where it goes next).
* **Nullclines** F₁(h) = h₁ and F₂(h) = h₂, in closed form: for |h₁| < 1, F₁(h) = h₁ ⇔ g(w₁₁h₁ + w₁₂h₂) + b₁ =
  atanh h₁, so h₂ = (atanh h₁ − b₁ − g w₁₁ h₁)/(g w₁₂) (and likewise with the indices swapped). Where g w₁₂ = 0
  the first nullcline is the vertical lines h₁ = r at the roots of atanh r = g w₁₁ r + b₁. Fixed points sit
  where the two nullclines cross.
* **Fixed points** h* = F(h*), by Newton's method on F(h) − h = 0 from a grid of starts (every fixed point lies
  in the image of tanh, the open square), deduplicated. At each, the Jacobian J = diag(1 − h*²) g W and its
  eigenvalues λ: for a **map** a direction is stable when |λ| < 1 (not Re λ < 0, the rule for a flow).
  Both |λ| < 1: stable; both > 1: unstable; one each: saddle. Complex λ: a spiral (the orbit turns by
  arg λ a step); real λ: a node, and a negative real λ flips sides each step. A fixed point with
  |h*ᵢ| > :data:`SATURATED` sits in a saturated corner, where tanh′ = 1 − h² < 0.02 and the map
  barely responds to its input.
* **Trajectories** from a grid of starts, each ending labelled (settled on a fixed point, on a cycle of
  period p, or neither within the steps: an invariant circle or a slow transient).
* **Gain sweep**: the fixed points and their stability for each g in a range, a bifurcation diagram.

A continuous map of the closed square into itself has a fixed point (Brouwer), so "no fixed point found" only
means that Newton's method failed from every start; the page says so rather than claiming there is none.

These are a handful of numbers: everything runs in float64 on the CPU in torch whatever ``device`` is asked for
(a kernel launch would cost more than the arithmetic), and comes back as numpy.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from core.data import DataError
from core.device import single_thread

Progress = Callable[[float, str], None] | None
MAX_WEIGHT = 10.0
MAX_BIAS = 5.0
MAX_GAIN = 5.0
SATURATED = 0.99  # |hᵢ| above this: tanh′ = 1 − h² < 0.02, a saturated corner
EXTENT = 1.1  # the default window [−EXTENT, EXTENT]²: the map's image (−1, 1)² and a margin
MAX_RESOLUTION = 101
MAX_STARTS = 41  # starts per side for fixed points and trajectories
MAX_STEPS = 2000
MAX_GAINS = 401
MAX_PERIOD = 12  # cycles up to this period are recognised at the end of a trajectory
NEWTON_STEPS = 60
RESIDUAL = 1e-11  # ‖F(h) − h‖∞ below this: a fixed point
SAME = 1e-7  # fixed points closer than this are one
UNIT = 1e-7  # |λ| within this of 1: non-hyperbolic, the linearisation does not decide
_CPU = torch.device("cpu")
_F64 = torch.float64


@dataclass(frozen=True)
class Rnn2:
    """The map's parameters, validated: F(h) = tanh(gain · w @ h + b)."""

    w: np.ndarray  # (2, 2)
    b: np.ndarray  # (2,)
    gain: float

    @property
    def matrix(self) -> np.ndarray:
        """g W, the recurrent matrix the map uses."""
        return self.gain * self.w


def rnn2(w, b=(0.0, 0.0), gain: float = 1.0) -> Rnn2:
    """Validate the four weights (a 2 × 2 array or four numbers w₁₁, w₁₂, w₂₁, w₂₂), two biases and the gain."""
    try:
        W = np.array(w, dtype=np.float64).reshape(2, 2)
        B = np.array(b, dtype=np.float64).reshape(2)
        g = float(gain)
    except (TypeError, ValueError) as err:
        raise DataError("Give four weights, two biases and a gain, all numbers.") from err
    if not (np.isfinite(W).all() and np.isfinite(B).all() and math.isfinite(g)):
        raise DataError("The weights, biases and gain must be finite numbers.")
    if np.abs(W).max() > MAX_WEIGHT or np.abs(B).max() > MAX_BIAS or not 0 <= g <= MAX_GAIN:
        raise DataError(f"Keep weights within ±{MAX_WEIGHT:g}, biases within ±{MAX_BIAS:g} and the gain "
                        f"between 0 and {MAX_GAIN:g}.")
    return Rnn2(W, B, g)


@dataclass(frozen=True)
class Preset:
    """A named parameter setting and what it shows (each claim is checked in the unit tests)."""

    label: str
    w: tuple[float, float, float, float]  # w₁₁, w₁₂, w₂₁, w₂₂
    b: tuple[float, float]
    gain: float
    claim: str

    @property
    def net(self) -> Rnn2:
        return rnn2(self.w, self.b, self.gain)


PRESETS: dict[str, Preset] = {
    "one_stable": Preset(
        "One stable point", (0.6, -0.5, 0.5, 0.6), (0.2, -0.1), 1.0,
        "‖gW‖ < 1 and tanh′ ≤ 1 make F a contraction: exactly one fixed point, a stable spiral, and every "
        "start spirals into it."),
    "bistable": Preset(
        "Two attractors and a saddle", (1.2, 0.8, 0.8, 1.2), (0.0, 0.0), 1.0,
        "Mutual excitation: gW has eigenvalues 2 and 0.4, so the origin is a saddle; two stable nodes sit at "
        "±(0.957, 0.957), and the saddle's stable line h₁ = −h₂ divides the plane between them (every start off "
        "it ends at the node on its side): a one-bit memory."),
    "invariant_circle": Preset(
        "Invariant circle (a limit cycle of the map)", (0.5, -1.0, 1.0, 0.5), (0.0, 0.0), 1.0,
        "gW is 1.12 × a rotation by 63°: the only fixed point (the origin) is an unstable spiral, and tanh's "
        "saturation stops the growth on a closed curve around it, which every orbit approaches and then "
        "circulates on."),
    "oscillation": Preset(
        "Oscillation (a cycle of period 4)", (0.0, -2.0, 2.0, 0.0), (0.0, 0.0), 1.0,
        "gW is 2 × a quarter turn: the origin is an unstable spiral turning 90° a step, and every orbit that "
        "starts off the axes settles on a cycle of period 4 through the four corners (±0.957, ±0.957)."),
}


def preset(name: str) -> Preset:
    if name not in PRESETS:
        raise DataError(f"Unknown preset {name!r}; choose one of {', '.join(PRESETS)}.")
    return PRESETS[name]


def _tensors(net: Rnn2) -> tuple[torch.Tensor, torch.Tensor]:
    return torch.as_tensor(net.matrix, dtype=_F64), torch.as_tensor(net.b, dtype=_F64)


def _step(h: torch.Tensor, M: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """F(h) for a batch of rows h: tanh(h Mᵀ + b)."""
    return torch.tanh(h @ M.T + b)


def step(net: Rnn2, h) -> np.ndarray:
    """F(h) for one state (2,) or a batch (k, 2)."""
    M, b = _tensors(net)
    return _step(torch.as_tensor(np.asarray(h, dtype=np.float64)), M, b).numpy()


def jacobian(net: Rnn2, h) -> np.ndarray:
    """∂F/∂h = diag(1 − F(h)²) g W at one state (2,) or a batch (k, 2) → (2, 2) or (k, 2, 2)."""
    M, b = _tensors(net)
    f = _step(torch.as_tensor(np.asarray(h, dtype=np.float64)), M, b)
    return ((1 - f * f)[..., :, None] * M).numpy()


def _window(extent: float, resolution: int) -> None:
    if not (math.isfinite(extent) and 0.1 <= extent <= 5):
        raise DataError("The window's half-width must lie between 0.1 and 5.")
    if not 2 <= resolution <= MAX_RESOLUTION:
        raise DataError(f"Use 2 to {MAX_RESOLUTION} grid points a side.")


# ------------------------------------------------------------------------------------------ portrait


@dataclass(frozen=True)
class Portrait:
    """The step F(h) − h at every point of a grid over [−extent, extent]²."""

    x: np.ndarray  # (r,) h₁ values
    y: np.ndarray  # (r,) h₂ values
    u: np.ndarray  # (r, r) F₁ − h₁, rows along y, columns along x
    v: np.ndarray  # (r, r) F₂ − h₂
    speed: np.ndarray  # (r, r) ‖F(h) − h‖


def portrait(net: Rnn2, extent: float = EXTENT, resolution: int = 21,
             device: torch.device | str = "cpu") -> Portrait:
    """The phase portrait's arrows on a ``resolution``² grid (CPU float64; see the module's note on devices)."""
    _window(extent, resolution)
    M, b = _tensors(net)
    xs = torch.linspace(-extent, extent, resolution, dtype=_F64)
    Y, X = torch.meshgrid(xs, xs, indexing="ij")
    h = torch.stack([X.reshape(-1), Y.reshape(-1)], -1)
    d = (_step(h, M, b) - h).reshape(resolution, resolution, 2)
    u, v = d[..., 0].numpy(), d[..., 1].numpy()
    return Portrait(xs.numpy(), xs.numpy().copy(), u, v, np.hypot(u, v))


# ------------------------------------------------------------------------------------------ nullclines


@dataclass(frozen=True)
class Nullclines:
    """The curves F₁(h) = h₁ and F₂(h) = h₂ inside the window, as (m, 2) points (h₁, h₂) with a NaN row
    between separate pieces (a chart draws each piece as its own line)."""

    first: np.ndarray  # F₁(h) = h₁ ("h₁ stays put")
    second: np.ndarray  # F₂(h) = h₂
    extent: float


def _roots(fn: Callable[[np.ndarray], np.ndarray], points: int) -> list[float]:
    """Roots in (−1, 1) of atanh r − (a r + c), found as sign changes on a grid in s = atanh r (where the
    function is smooth) and refined by brentq."""
    from scipy.optimize import brentq

    s = np.linspace(-20.0, 20.0, 8 * points + 1)
    vals = fn(np.tanh(s))
    out = [float(np.tanh(si)) for si, vi in zip(s, vals, strict=True) if vi == 0]
    for i in np.flatnonzero(np.sign(vals[:-1]) * np.sign(vals[1:]) < 0):
        out.append(float(np.tanh(brentq(lambda z: float(fn(np.tanh(np.array(z)))), s[i], s[i + 1], xtol=1e-14))))
    return sorted(out)


def _nullcline(self_w: float, cross_w: float, bias: float, extent: float, points: int) -> np.ndarray:
    """The curve tanh(self_w · x + cross_w · y + bias) = x in (x, y) coordinates ((m, 2), NaN-separated).

    With s = atanh x as the parameter (x = tanh s), y = (s − bias − self_w tanh s)/cross_w: smooth in s, and
    points evenly spaced in s crowd where the curve turns vertical near x = ±1."""
    if cross_w == 0:
        roots = _roots(lambda r: np.arctanh(np.clip(r, -1 + 1e-16, 1 - 1e-16)) - self_w * r - bias, points)
        pieces = [np.array([[r, -extent], [r, extent]]) for r in roots if abs(r) <= extent]
    else:
        reach = (abs(cross_w) * extent + abs(bias) + abs(self_w)) + 1.0
        s = np.linspace(-reach, reach, points)
        x = np.tanh(s)
        y = (s - bias - self_w * x) / cross_w
        inside = np.abs(y) <= extent
        pieces = [np.c_[x[run], y[run]] for run in np.split(np.arange(points), np.flatnonzero(np.diff(inside)) + 1)
                  if inside[run[0]] and len(run) > 1]
    if not pieces:
        return np.empty((0, 2))
    gap = np.full((1, 2), np.nan)
    return np.concatenate([p for piece in pieces for p in (piece, gap)][:-1])


def nullclines(net: Rnn2, extent: float = EXTENT, points: int = 400) -> Nullclines:
    """Both nullclines in closed form (see the module docstring), ``points`` samples each."""
    _window(extent, 2)
    if not 10 <= points <= 10_000:
        raise DataError("Use 10 to 10,000 points per nullcline.")
    M, b = net.matrix, net.b
    first = _nullcline(M[0, 0], M[0, 1], b[0], extent, points)
    second = _nullcline(M[1, 1], M[1, 0], b[1], extent, points)[:, ::-1].copy()  # (y, x) → (h₁, h₂)
    return Nullclines(first, second, float(extent))


# ------------------------------------------------------------------------------------------ fixed points


def classify(eigenvalues: np.ndarray) -> str:
    """A fixed point of a 2-D map from its Jacobian's eigenvalues: "stable", "unstable" or "saddle" by |λ|
    against 1, then "node" (real λ) or "spiral" (complex λ); "non-hyperbolic" when some |λ| is within
    :data:`UNIT` of 1 (the linearisation cannot decide)."""
    return _classify_rows(np.asarray(eigenvalues, dtype=complex).reshape(1, -1))[0]


def _classify_rows(lam: np.ndarray) -> tuple[str, ...]:
    """:func:`classify` of each row of ``lam`` (k, 2), in one pass of array arithmetic (a gain sweep classifies
    hundreds of points)."""
    m = np.abs(lam)
    undecided = (np.abs(m - 1) <= UNIT).any(-1)
    spiral = (np.abs(lam.imag) > 1e-12 * np.maximum(1, m)).any(-1)
    inside, outside = (m < 1).all(-1), (m > 1).all(-1)
    return tuple("non-hyperbolic" if u else f"stable {'spiral' if s else 'node'}" if i else
                 f"unstable {'spiral' if s else 'node'}" if o else "saddle"
                 for u, s, i, o in zip(undecided.tolist(), spiral.tolist(), inside.tolist(), outside.tolist(),
                                       strict=True))


@dataclass(frozen=True)
class FixedPoints:
    """The fixed points h* = F(h*) found, one row each, with their linearisation."""

    points: np.ndarray  # (k, 2)
    residual: np.ndarray  # (k,) ‖F(h*) − h*‖∞
    jacobians: np.ndarray  # (k, 2, 2) diag(1 − h*²) g W
    eigenvalues: np.ndarray  # (k, 2) complex, larger modulus first
    kinds: tuple[str, ...]  # :func:`classify`
    stable: np.ndarray  # (k,) bool: every |λ| < 1
    flips: np.ndarray  # (k,) bool: a real negative eigenvalue (the orbit alternates sides along it)
    saturated: np.ndarray  # (k,) bool: some |h*ᵢ| > SATURATED
    starts: int
    note: str  # "" or what the page should say (nothing found, saturated corners)

    @property
    def count(self) -> int:
        return len(self.points)


def _newton(M: torch.Tensor, b: torch.Tensor, h: torch.Tensor, steps: int = NEWTON_STEPS) -> torch.Tensor:
    """Newton's method on G(h) = F(h) − h for a batch of starts h (…, 2), written out entry by entry (batched
    2 × 2 products and solves cost far more than this arithmetic). M is (2, 2), or (…, 2, 2) with leading
    dimensions that broadcast against h's (a gain sweep: (G, 1, 2, 2) against (G, S, 2)). A step is capped at
    length 1 so that a start near a flat corner cannot jump far out of the square. Starts whose step falls
    below 1e-15 leave the batch, so the few that wander (Newton can cycle) do not keep the rest iterating."""
    shape = h.shape
    Mb = torch.broadcast_to(M, (*shape[:-1], 2, 2)).reshape(-1, 4)
    m00, m01, m10, m11 = Mb.unbind(-1)
    x, y = h.reshape(-1, 2).clone().unbind(-1)
    x, y = x.clone(), y.clone()
    active = torch.arange(len(x))
    for _ in range(steps):
        xa, ya, a00, a01, a10, a11 = x[active], y[active], m00[active], m01[active], m10[active], m11[active]
        f1 = torch.tanh(a00 * xa + a01 * ya + b[0])
        f2 = torch.tanh(a10 * xa + a11 * ya + b[1])
        g1, g2 = f1 - xa, f2 - ya
        s1, s2 = 1 - f1 * f1, 1 - f2 * f2
        a, bb, c, d = s1 * a00 - 1, s1 * a01, s2 * a10, s2 * a11 - 1
        det = a * d - bb * c
        dx = (d * g1 - bb * g2) / det
        dy = (a * g2 - c * g1) / det
        size = torch.sqrt(dx * dx + dy * dy)
        scale = torch.where(torch.isfinite(size), 1 / size.clamp(min=1), 0.0)
        x[active] = xa - torch.nan_to_num(dx * scale)
        y[active] = ya - torch.nan_to_num(dy * scale)
        active = active[~(size * scale <= 1e-15)]
        if len(active) == 0:
            break
    return torch.stack([x, y], -1).reshape(shape)


def _dedupe(points: np.ndarray) -> np.ndarray:
    """Merge points closer than :data:`SAME` (max norm), sorted by h₁ then h₂. Converged Newton iterates of one
    fixed point agree to ~1e-15, so rounding to a 1e-9 grid first leaves only a few candidates for the
    pairwise merge (which catches the pairs that straddle a rounding boundary)."""
    points = points.reshape(-1, 2)
    return _dedupe_groups(points, np.zeros(len(points), dtype=np.int64), 1)[0]


def _dedupe_groups(points: np.ndarray, group: np.ndarray, groups: int) -> list[np.ndarray]:
    """:func:`_dedupe` within each group (points (N, 2), group (N,) in 0 … groups − 1) at once: one sort for
    the rounding step, then the pairwise merge over the few candidates left, in plain floats."""
    r = np.round(points, 9)
    order = np.lexsort((r[:, 1], r[:, 0], group))  # stable: each run's first is its earliest point
    rs, gs = r[order], group[order]
    first = np.ones(len(order), dtype=bool)
    first[1:] = (gs[1:] != gs[:-1]) | (rs[1:] != rs[:-1]).any(-1)
    cand, cand_g = points[order[first]], group[order[first]]
    order = np.lexsort((cand[:, 1], cand[:, 0], cand_g))
    keep: list[list[tuple[float, float]]] = [[] for _ in range(groups)]
    for (x, y), g in zip(cand[order].tolist(), cand_g[order].tolist(), strict=True):
        kept = keep[g]
        if all(abs(x - a) > SAME or abs(y - b) > SAME for a, b in kept):
            kept.append((x, y))
    return [np.array(k, dtype=points.dtype).reshape(-1, 2) for k in keep]


def _eigen(M: np.ndarray, b: np.ndarray, pts: np.ndarray) -> tuple[np.ndarray, ...]:
    """At fixed points pts (k, 2) of maps with matrices M ((2, 2) or (k, 2, 2)) and bias b: the residual
    ‖F(h) − h‖∞, the Jacobians, their eigenvalues (larger modulus first), the kinds, and the stable, flip and
    saturated flags."""
    k = len(pts)
    if k == 0:
        return (np.empty(0), np.empty((0, 2, 2)), np.empty((0, 2), complex), (), np.zeros(0, bool),
                np.zeros(0, bool), np.zeros(0, bool))
    M = np.broadcast_to(M, (k, 2, 2))
    f = np.tanh(np.einsum("kij,kj->ki", M, pts) + b)
    residual = np.abs(f - pts).max(-1)
    J = (1 - f * f)[:, :, None] * M
    lam = np.linalg.eigvals(J)
    lam = np.take_along_axis(lam, np.argsort(-np.abs(lam), axis=-1, kind="stable"), -1)
    kinds = _classify_rows(lam)
    stable = (np.abs(lam) < 1).all(-1)
    flips = ((np.abs(lam.imag) <= 1e-12) & (lam.real < 0)).any(-1)
    saturated = (np.abs(pts) > SATURATED).any(-1)
    return residual, J, lam, kinds, stable, flips, saturated


def _linearise(net: Rnn2, pts: np.ndarray, starts: int) -> FixedPoints:
    residual, J, lam, kinds, stable, flips, saturated = _eigen(net.matrix, net.b, pts)
    notes = []
    if len(pts) == 0:
        notes.append(f"Newton's method found no fixed point from {starts} starts. One exists (tanh maps the square "
                     "into itself), but it is out of Newton's reach here: try a smaller gain.")
    elif saturated.any():
        n = int(saturated.sum())
        notes.append(f"{n} fixed point{'s' if n > 1 else ''} sit{'s' if n == 1 else ''} in a saturated corner "
                     f"(|h| > {SATURATED}): there tanh′ = 1 − h² < 0.02, so the state barely responds to its input "
                     "and gradients through it vanish.")
    return FixedPoints(pts, residual, J, lam, kinds, stable, flips, saturated, starts, " ".join(notes))


def _starts(per_side: int, extent: float = 0.999) -> torch.Tensor:
    xs = torch.linspace(-extent, extent, per_side, dtype=_F64)
    Y, X = torch.meshgrid(xs, xs, indexing="ij")
    return torch.stack([X.reshape(-1), Y.reshape(-1)], -1)


def fixed_points(net: Rnn2, starts: int = 15, device: torch.device | str = "cpu") -> FixedPoints:
    """Every fixed point Newton's method reaches from a ``starts`` × ``starts`` grid over the square, kept when
    ‖F(h) − h‖∞ < :data:`RESIDUAL` and merged when closer than :data:`SAME`, sorted by h₁ then h₂."""
    if not 2 <= starts <= MAX_STARTS:
        raise DataError(f"Use 2 to {MAX_STARTS} starts a side.")
    M, b = _tensors(net)
    with single_thread(_CPU):  # sixty steps of small tensors: a second thread only waits
        h = _newton(M, b, _starts(starts))
        res = (torch.tanh(h @ M.T + b) - h).abs().amax(-1)
    ok = (res < RESIDUAL) & torch.isfinite(h).all(-1)
    return _linearise(net, _dedupe(h[ok].numpy()), starts * starts)


# ------------------------------------------------------------------------------------------ trajectories


@dataclass(frozen=True)
class Trajectories:
    """Orbits h₀, F(h₀), F(F(h₀)), … from a grid of starts, and where each ended up."""

    paths: np.ndarray  # (S, steps + 1, 2)
    period: np.ndarray  # (S,) int: 1 settled on a fixed point, p > 1 on a cycle of period p, 0 neither
    end: np.ndarray  # (S, 2) the last state
    saturated: np.ndarray  # (S,) bool: the last state is in a saturated corner
    note: str


def trajectories(net: Rnn2, starts: int = 5, steps: int = 60, extent: float = 1.0, starts_at=None,
                 progress: Progress = None, device: torch.device | str = "cpu") -> Trajectories:
    """Iterate the map ``steps`` times from a ``starts`` × ``starts`` grid over [−extent, extent]² (or from the
    given (S, 2) ``starts_at``). An orbit's period is the least p ≤ :data:`MAX_PERIOD` with
    ‖h_T − h_{T−p}‖∞ < 1e-6 at the end (0 when none: still moving, on an invariant circle, or chaotic).
    ``progress`` hears every tenth of the steps (the largest run, 41² starts × 2,000 steps, takes ~0.1 s)."""
    if not 1 <= steps <= MAX_STEPS:
        raise DataError(f"Take 1 to {MAX_STEPS} steps.")
    if starts_at is None:
        if not 1 <= starts <= MAX_STARTS:
            raise DataError(f"Use 1 to {MAX_STARTS} starts a side.")
        _window(extent, 2)
        h = _starts(starts, extent) if starts > 1 else torch.zeros(1, 2, dtype=_F64)
    else:
        h = torch.as_tensor(np.asarray(starts_at, dtype=np.float64)).reshape(-1, 2)
        if not torch.isfinite(h).all() or len(h) > MAX_STARTS**2:
            raise DataError(f"Give up to {MAX_STARTS**2} finite starting points.")
    M, b = _tensors(net)
    path = torch.empty((steps + 1, len(h), 2), dtype=_F64)
    path[0] = h
    with single_thread(_CPU):
        for t in range(steps):
            h = _step(h, M, b)
            path[t + 1] = h
            if progress and (t + 1) % max(1, steps // 10) == 0:
                progress((t + 1) / steps, f"Iterating the map: step {t + 1} of {steps}")
    P = path.transpose(0, 1).numpy()
    period = np.zeros(len(P), dtype=np.int64)
    for p in range(min(MAX_PERIOD, steps), 0, -1):
        close = np.abs(P[:, -1] - P[:, -1 - p]).max(-1) < 1e-6
        period[close] = p
    saturated = (np.abs(P[:, -1]) > SATURATED).any(-1)
    note = ""
    if saturated.any():
        note = (f"{int(saturated.sum())} of {len(P)} orbits end in a saturated corner (|h| > {SATURATED}), where "
                "tanh is flat.")
    return Trajectories(P, period, P[:, -1].copy(), saturated, note)


# ------------------------------------------------------------------------------------------ gain sweep


@dataclass(frozen=True)
class GainSweep:
    """Fixed points against the gain: one row per (gain, fixed point) pair, a bifurcation diagram."""

    gains: np.ndarray  # (G,) the gains swept
    counts: np.ndarray  # (G,) fixed points found at each gain
    gain: np.ndarray  # (K,) the gain of each row
    points: np.ndarray  # (K, 2) the fixed point
    modulus: np.ndarray  # (K,) the largest |λ|
    kinds: tuple[str, ...]  # (K,) :func:`classify`
    stable: np.ndarray  # (K,) bool
    note: str


def gain_sweep(w, b=(0.0, 0.0), gains: tuple[float, float] = (0.0, 3.0), count: int = 121, starts: int = 9,
               progress: Progress = None, device: torch.device | str = "cpu") -> GainSweep:
    """Fixed points of tanh(g W h + b) for ``count`` gains evenly spaced over ``gains``: Newton's method from a
    ``starts``² grid at every gain at once (one batch), deduplicated per gain. Where the count of fixed points
    or their stability changes, a bifurcation happened between two gains. ``progress`` hears after the batched
    Newton solve and at the end."""
    lo, hi = (float(g) for g in gains)
    if not (math.isfinite(lo) and math.isfinite(hi) and 0 <= lo < hi <= MAX_GAIN):
        raise DataError(f"The gains must run from a low to a higher value within 0 … {MAX_GAIN:g}.")
    if not 2 <= count <= MAX_GAINS or not 2 <= starts <= 21:
        raise DataError(f"Use 2 to {MAX_GAINS} gains and 2 to 21 starts a side.")
    net = rnn2(w, b, 1.0)
    g = torch.linspace(lo, hi, count, dtype=_F64)
    W, B = _tensors(net)
    M = g[:, None, None, None] * W  # (G, 1, 2, 2): broadcasts against the starts (G, S, 2)
    h0 = _starts(starts).expand(count, -1, -1)  # (G, S, 2)
    with single_thread(_CPU):
        h = _newton(M, B, h0.clone())
        res = (torch.tanh((M @ h[..., None])[..., 0] + B) - h).abs().amax(-1)
    ok = ((res < RESIDUAL) & torch.isfinite(h).all(-1)).numpy()
    if progress:
        progress(0.7, f"Solved from {starts * starts} starts at each of {count} gains")
    H, G = h.numpy(), g.numpy()
    rows = np.nonzero(ok)
    found = _dedupe_groups(H[rows], rows[0], count)
    counts_a = np.array([len(f) for f in found])
    rows_g = np.repeat(G, counts_a)
    pts = np.concatenate(found)
    _, _, lam, kinds, stable, _, _ = _eigen(rows_g[:, None, None] * net.w, net.b, pts)
    if progress:
        progress(1.0, f"Found the fixed points at {count} gains")
    none = G[counts_a == 0]
    note = "" if not len(none) else (f"No fixed point found at {len(none)} of the gains (from g = {none[0]:.3g}); "
                                     "Newton's method failed there.")
    return GainSweep(G, counts_a, rows_g, pts, np.abs(lam[:, 0]) if len(lam) else np.empty(0), kinds, stable, note)
