"""Chapter 5, Optimization: optimizers on 2-D landscapes, their theory on a quadratic, a fair race,
and the same optimizers training a small network.

The 2-D engine runs many trajectories at once: every optimizer, every learning rate of a tuning grid
and every seed is one row of a (rows × 2) tensor, so a step is a handful of vectorized torch
operations however many trajectories there are. Its update rules are those of ``torch.optim``
(SGD with momentum and Nesterov, Adagrad, RMSprop, Adam, AdamW, NAdam, RAdam, with their defaults),
written out in batched form so that each row can have its own learning rate; the unit tests check
every rule, step by step, against ``torch.optim`` itself. The network race uses ``torch.optim``
directly. Newton's method uses the exact Hessian from ``torch.func``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch

from core.threads import seeded

# ----------------------------------------------------------------------------------------- landscapes

Fn = Callable[[torch.Tensor], torch.Tensor]


@dataclass(frozen=True)
class Landscape:
    """A function of two variables, evaluated row-wise on (..., 2) tensors, with its gradient and
    Hessian in closed form (the engine's inner loop then needs no autograd; the unit tests check
    both against ``torch.autograd``)."""

    key: str
    name: str
    fn: Fn = field(repr=False, compare=False)
    grad: Fn = field(repr=False, compare=False)  # (..., 2) -> (..., 2)
    hess: Callable[[torch.Tensor], tuple] = field(repr=False, compare=False)  # (..., 2) -> (h_xx, h_xy, h_yy)
    box: tuple[float, float, float, float]  # x_min, x_max, y_min, y_max of the picture
    minima: tuple[tuple[float, float], ...]  # global minimizers (empty: unbounded below)
    f_min: float | None  # the minimum value (None: unbounded below)
    start: tuple[float, float]  # the default starting point
    formula: str  # LaTeX
    note: str = ""
    hessian_eigs: tuple[float, float] | None = None  # quadratic only: (λ_min, λ_max)
    rotation: float = 0.0  # quadratic only: the angle of the λ_min eigenvector, degrees


LANDSCAPE_NAMES = {
    "quadratic": "Ill-conditioned quadratic",
    "rosenbrock": "Rosenbrock",
    "himmelblau": "Himmelblau",
    "beale": "Beale",
    "rastrigin": "Rastrigin",
    "saddle": "Saddle",
    "monkey": "Monkey saddle",
}


def quadratic_hessian(kappa: float, angle_deg: float) -> torch.Tensor:
    """H = R diag(1/κ, 1) Rᵀ (float64): eigenvalues λ_min = 1/κ and λ_max = 1, the λ_min axis at
    ``angle_deg``. With λ_max = 1 gradient descent is stable for learning rates below 2."""
    a = math.radians(angle_deg)
    R = torch.tensor([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]], dtype=torch.float64)
    return R @ torch.diag(torch.tensor([1.0 / kappa, 1.0], dtype=torch.float64)) @ R.T


def _xy(p: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    return p[..., 0], p[..., 1]


def _vec(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    return torch.stack([a, b], dim=-1)


def _mat(a: torch.Tensor | float, b: torch.Tensor | float, d: torch.Tensor | float) -> tuple:
    """A symmetric 2×2 matrix field [[a, b], [b, d]], kept as its three entries (cheap to invert;
    a constant entry may be a plain float)."""
    return a, b, d


def _as_matrix(entries: tuple, p: torch.Tensor) -> torch.Tensor:
    a, b, d = (torch.as_tensor(v, dtype=p.dtype, device=p.device).expand(p.shape[:-1]) for v in entries)
    return torch.stack([torch.stack([a, b], -1), torch.stack([b, d], -1)], -2)


def hessian(land: Landscape, p: torch.Tensor) -> torch.Tensor:
    """The landscape's Hessian at the rows of ``p`` as (..., 2, 2) matrices."""
    return _as_matrix(land.hess(p), p)


def _rosenbrock(p):
    x, y = _xy(p)
    return (x - 1) ** 2 + 100 * (y - x**2) ** 2


def _rosenbrock_grad(p):
    x, y = _xy(p)
    r = y - x**2
    return _vec(2 * (x - 1) - 400 * x * r, 200 * r)


def _rosenbrock_hess(p):
    x, y = _xy(p)
    return _mat(2 - 400 * (y - x**2) + 800 * x**2, -400 * x, 200.0)


def _himmelblau(p):
    x, y = _xy(p)
    return (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2


def _himmelblau_grad(p):
    x, y = _xy(p)
    a, b = x**2 + y - 11, x + y**2 - 7
    return _vec(4 * x * a + 2 * b, 2 * a + 4 * y * b)


def _himmelblau_hess(p):
    x, y = _xy(p)
    a, b = x**2 + y - 11, x + y**2 - 7
    return _mat(4 * a + 8 * x**2 + 2, 4 * x + 4 * y, 2 + 4 * b + 8 * y**2)


def _beale_parts(p):
    x, y = _xy(p)
    y2 = y * y
    y3 = y2 * y
    r = (1.5 - x + x * y, 2.25 - x + x * y2, 2.625 - x + x * y3)
    rx = (y - 1, y2 - 1, y3 - 1)  # ∂r_i/∂x
    ry = (x, 2 * x * y, 3 * x * y2)  # ∂r_i/∂y
    return x, y, r, rx, ry


def _beale(p):
    x, y = _xy(p)
    return (1.5 - x + x * y) ** 2 + (2.25 - x + x * y**2) ** 2 + (2.625 - x + x * y**3) ** 2


def _beale_grad(p):
    _, _, r, rx, ry = _beale_parts(p)
    return _vec(2 * (r[0] * rx[0] + r[1] * rx[1] + r[2] * rx[2]), 2 * (r[0] * ry[0] + r[1] * ry[1] + r[2] * ry[2]))


def _beale_hess(p):
    x, y, r, rx, ry = _beale_parts(p)
    rxy = (1, 2 * y, 3 * y * y)
    ryy = (0, 2 * x, 6 * x * y)
    hxx = 2 * (rx[0] ** 2 + rx[1] ** 2 + rx[2] ** 2)
    hxy = 2 * sum(rx[i] * ry[i] + r[i] * rxy[i] for i in range(3))
    hyy = 2 * sum(ry[i] * ry[i] + r[i] * ryy[i] for i in range(3))
    return _mat(hxx, hxy, hyy)


def _rastrigin(p):
    return 20 + (p**2 - 10 * torch.cos(2 * math.pi * p)).sum(-1)


def _rastrigin_grad(p):
    return 2 * p + 20 * math.pi * torch.sin(2 * math.pi * p)


def _rastrigin_hess(p):
    d = 2 + 40 * math.pi**2 * torch.cos(2 * math.pi * p)
    return _mat(d[..., 0], 0.0, d[..., 1])


def landscape(key: str, kappa: float = 10.0, angle: float = 0.0) -> Landscape:
    """The landscape called ``key``; ``kappa`` and ``angle`` shape the quadratic only."""
    if key == "quadratic":
        if not (math.isfinite(kappa) and kappa >= 1):
            raise ValueError(f"The condition number κ must be at least 1, got {kappa}.")
        H = quadratic_hessian(kappa, angle)

        def quad(p: torch.Tensor) -> torch.Tensor:
            return 0.5 * (p * (p @ H.to(p))).sum(-1)

        entries = (H[0, 0].item(), H[0, 1].item(), H[1, 1].item())
        return Landscape("quadratic", LANDSCAPE_NAMES[key], quad, lambda p: p @ H.to(p), lambda p: entries,
                         (-3.0, 3.0, -3.0, 3.0), ((0.0, 0.0),), 0.0,
                         (-2.5, 2.0),
                         r"f(x)=\tfrac12\,x^\top H x,\quad H=R_\theta\,\mathrm{diag}(1/\kappa,\,1)\,R_\theta^\top",
                         "One valley whose floor is κ times flatter than its walls.", (1.0 / kappa, 1.0), angle)
    if key == "rosenbrock":
        return Landscape(key, LANDSCAPE_NAMES[key], _rosenbrock, _rosenbrock_grad, _rosenbrock_hess,
                         (-2.0, 2.0, -1.0, 3.0), ((1.0, 1.0),), 0.0, (-1.5, 2.0),
                         r"f(x,y)=(1-x)^2+100\,(y-x^2)^2",
                         "A curved, nearly flat valley: easy to find, slow to follow to (1, 1).")
    if key == "himmelblau":
        return Landscape(key, LANDSCAPE_NAMES[key], _himmelblau, _himmelblau_grad, _himmelblau_hess,
                         (-5.0, 5.0, -5.0, 5.0),
                         ((3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186), (3.584428, -1.848126)), 0.0,
                         (-0.5, -0.5), r"f(x,y)=(x^2+y-11)^2+(x+y^2-7)^2",
                         "Four equally deep minima: which one an optimizer finds depends on where it starts.")
    if key == "beale":
        return Landscape(key, LANDSCAPE_NAMES[key], _beale, _beale_grad, _beale_hess, (-4.5, 4.5, -4.5, 4.5),
                         ((3.0, 0.5),), 0.0, (1.0, 1.4), r"f(x,y)=(1.5-x+xy)^2+(2.25-x+xy^2)^2+(2.625-x+xy^3)^2",
                         "Flat plateaus and steep walls: gradients vary over orders of magnitude.")
    if key == "rastrigin":
        return Landscape(key, LANDSCAPE_NAMES[key], _rastrigin, _rastrigin_grad, _rastrigin_hess,
                         (-5.12, 5.12, -5.12, 5.12), ((0.0, 0.0),), 0.0, (3.2, 2.1),
                         r"f(x,y)=20+\sum_{u\in\{x,y\}}\big(u^2-10\cos 2\pi u\big)",
                         "A bowl covered in local minima: gradient methods stop in the nearest one.")
    if key == "saddle":
        return Landscape(key, LANDSCAPE_NAMES[key], lambda p: p[..., 0] ** 2 - p[..., 1] ** 2,
                         lambda p: _vec(2 * p[..., 0], -2 * p[..., 1]),
                         lambda p: (2.0, 0.0, -2.0),
                         (-2.0, 2.0, -2.0, 2.0), (), None, (-1.8, 1e-3), r"f(x,y)=x^2-y^2",
                         "No minimum: a start on the ridge y = 0 slides to the saddle point and stays; a tiny "
                         "offset (or noise) escapes, slowly at first.")
    if key == "monkey":
        return Landscape(key, LANDSCAPE_NAMES[key], lambda p: p[..., 0] ** 3 - 3 * p[..., 0] * p[..., 1] ** 2,
                         lambda p: _vec(3 * p[..., 0] ** 2 - 3 * p[..., 1] ** 2, -6 * p[..., 0] * p[..., 1]),
                         lambda p: _mat(6 * p[..., 0], -6 * p[..., 1], -6 * p[..., 0]),
                         (-1.5, 1.5, -1.5, 1.5), (), None, (0.9, 0.05), r"f(x,y)=x^3-3xy^2",
                         "A degenerate saddle (zero Hessian at the origin): three valleys down, three ridges up.")
    raise ValueError(f"Unknown landscape {key!r}; choose one of {', '.join(LANDSCAPE_NAMES)}.")


def grid_values(land: Landscape, resolution: int = 80, box: tuple[float, float, float, float] | None = None
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The landscape on a resolution × resolution grid over its box (or ``box``): xs, ys and f (rows = y)."""
    x0, x1, y0, y1 = box or land.box
    xs = torch.linspace(x0, x1, resolution, dtype=torch.float64)
    ys = torch.linspace(y0, y1, resolution, dtype=torch.float64)
    Y, X = torch.meshgrid(ys, xs, indexing="ij")
    F = land.fn(torch.stack([X, Y], dim=-1))
    return xs.numpy(), ys.numpy(), F.numpy()


# ----------------------------------------------------------------------------------------- optimizers

OPTIMIZERS = {  # key -> (label, the torch.optim call it reproduces)
    "sgd": ("SGD", "torch.optim.SGD(lr)"),
    "momentum": ("Momentum", "torch.optim.SGD(lr, momentum=μ)"),
    "nesterov": ("Nesterov", "torch.optim.SGD(lr, momentum=μ, nesterov=True)"),
    "adagrad": ("Adagrad", "torch.optim.Adagrad(lr)"),
    "rmsprop": ("RMSprop", "torch.optim.RMSprop(lr)"),
    "adam": ("Adam", "torch.optim.Adam(lr)"),
    "adamw": ("AdamW", "torch.optim.AdamW(lr, weight_decay=0.01)"),
    "nadam": ("NAdam", "torch.optim.NAdam(lr)"),
    "radam": ("RAdam", "torch.optim.RAdam(lr)"),
    "newton": ("Newton", "x ← x − lr·H⁻¹∇f (torch.func.hessian)"),
}
DEFAULT_OPTIMIZERS = ("sgd", "momentum", "nesterov", "rmsprop", "adam", "newton")
SCHEDULES = ("constant", "step", "cosine", "warmup")
# Defaults of torch.optim (2.x), reproduced exactly.
BETAS = (0.9, 0.999)
EPS = 1e-8
ADAGRAD_EPS = 1e-10
RMSPROP_ALPHA = 0.99
ADAMW_DECAY = 0.01
NADAM_MOMENTUM_DECAY = 4e-3
DIVERGED = 1e6  # a coordinate beyond this (or a non-finite loss) ends a trajectory


def lr_factor(schedule: str, step: int, steps: int) -> float:
    """The learning-rate multiplier at ``step`` (0-based) of ``steps``, as torch.optim.lr_scheduler
    computes it: ``step`` = StepLR(step_size=⌈steps/3⌉, γ=0.3); ``cosine`` = CosineAnnealingLR(T_max=steps);
    ``warmup`` = LinearLR from 0.1 over the first 10 % of steps, then cosine over the rest."""
    if schedule == "constant" or steps <= 0:
        return 1.0
    if schedule == "step":
        return 0.3 ** (step // max(1, math.ceil(steps / 3)))
    if schedule == "cosine":
        return 0.5 * (1 + math.cos(math.pi * step / steps))
    if schedule == "warmup":
        warm = max(1, steps // 10)
        if step < warm:
            return 0.1 + 0.9 * step / warm
        return 0.5 * (1 + math.cos(math.pi * (step - warm) / max(1, steps - warm)))
    raise ValueError(f"Unknown schedule {schedule!r}; choose one of {', '.join(SCHEDULES)}.")


_SGD_FAMILY = ("sgd", "momentum", "nesterov")


@dataclass
class _State:
    buf: torch.Tensor | None = None  # momentum buffer / Adam's first moment
    sq: torch.Tensor | None = None  # Adagrad's sum, RMSprop's and Adam's second moment
    mu_product: float = 1.0  # NAdam
    mu: torch.Tensor | None = None  # the SGD family's block: per-row momentum (0 for plain SGD)
    nesterov: torch.Tensor | None = None  # 1 on Nesterov rows
    buf_weight: torch.Tensor | None = None  # μ on Nesterov rows, 1 elsewhere
    has_momentum: torch.Tensor | None = None  # 0 on plain SGD rows, 1 on the others


def _update(kind: str, p: torch.Tensor, g: torch.Tensor, lr: torch.Tensor, t: int, st: _State, mu: float,
            newton_step: Callable[[torch.Tensor, torch.Tensor], torch.Tensor] | None
            ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None, torch.Tensor | None]:
    """One step of optimizer ``kind`` on rows ``p`` with gradients ``g`` and per-row learning rates
    ``lr`` (a column), at step t ≥ 1. Returns the new rows, the direction moved before the learning
    rate (what the step-through view draws), the per-coordinate scaling applied to the gradient and
    the first moment (momentum buffer, or Adam's bias-corrected m̂); None where there is none."""
    one = None  # no per-coordinate scaling
    if kind == "sgd_family":  # SGD (μ = 0), momentum and Nesterov rows, as torch.optim.SGD computes them
        st.buf = g.clone() if st.buf is None else torch.addcmul(g, st.buf, st.mu)
        d = torch.addcmul(g * st.nesterov, st.buf, st.buf_weight)
        return p - lr * d, d, one, st.buf * st.has_momentum  # plain SGD rows have no momentum: 0
    if kind == "sgd":
        d = g
        scale = one
    elif kind in ("momentum", "nesterov"):
        st.buf = g.clone() if st.buf is None else st.buf.mul(mu).add(g)
        d = g.add(st.buf, alpha=mu) if kind == "nesterov" else st.buf
        scale = one
    elif kind == "adagrad":
        st.sq = (g * g) if st.sq is None else st.sq.addcmul(g, g)
        scale = (st.sq.sqrt() + ADAGRAD_EPS).reciprocal()  # .reciprocal(): `1 / t` costs 4× more
        d = g * scale
    elif kind == "rmsprop":
        st.sq = ((1 - RMSPROP_ALPHA) * g * g) if st.sq is None else \
            st.sq.mul(RMSPROP_ALPHA).addcmul(g, g, value=1 - RMSPROP_ALPHA)
        scale = (st.sq.sqrt() + EPS).reciprocal()
        d = g * scale
    elif kind in ("adam", "adamw", "nadam", "radam"):
        b1, b2 = BETAS
        if kind == "adamw":
            p = p * (lr * -ADAMW_DECAY + 1)  # decoupled weight decay first, as torch.optim.AdamW
        st.buf = (1 - b1) * g if st.buf is None else st.buf.mul(b1).add(g, alpha=1 - b1)
        st.sq = (1 - b2) * g * g if st.sq is None else st.sq.mul(b2).addcmul(g, g, value=1 - b2)
        bc1, bc2 = 1 - b1**t, 1 - b2**t
        if kind in ("adam", "adamw"):
            scale = (st.sq.sqrt() / math.sqrt(bc2) + EPS).reciprocal()
            d = st.buf / bc1 * scale
        elif kind == "nadam":
            mu_t = b1 * (1 - 0.5 * 0.96 ** (t * NADAM_MOMENTUM_DECAY))
            mu_next = b1 * (1 - 0.5 * 0.96 ** ((t + 1) * NADAM_MOMENTUM_DECAY))
            st.mu_product *= mu_t
            scale = ((st.sq / bc2).sqrt() + EPS).reciprocal()
            d = (g * ((1 - mu_t) / (1 - st.mu_product)) + st.buf * (mu_next / (1 - st.mu_product * mu_next))) * scale
        else:  # radam
            rho_inf = 2 / (1 - b2) - 1
            rho_t = rho_inf - 2 * t * b2**t / bc2
            if rho_t > 5:
                rect = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
                scale = rect * math.sqrt(bc2) / (st.sq.sqrt() + EPS)
                d = st.buf / bc1 * scale
            else:
                scale = one
                d = st.buf / bc1
    elif kind == "newton":
        assert newton_step is not None
        d = newton_step(p, g)
        scale = one
    else:
        raise ValueError(f"Unknown optimizer {kind!r}; choose from {', '.join(OPTIMIZERS)}.")
    first = None
    if kind in ("momentum", "nesterov"):
        first = st.buf
    elif kind in ("adam", "adamw", "nadam", "radam"):
        first = st.buf / (1 - BETAS[0] ** t)
    return p - lr * d, d, scale, first


def _newton_direction(hess: Callable[[torch.Tensor], tuple]) -> Callable[[torch.Tensor, torch.Tensor], torch.Tensor]:
    """H(p)⁻¹∇f(p) per row by the 2×2 inverse; where H is singular (|det| tiny against its entries)
    the pseudo-inverse's least-squares step instead, so no row ever gets inf or NaN."""

    constant = None  # a quadratic's (or the saddle's) Hessian is the same everywhere: invert it once

    def direction(p: torch.Tensor, g: torch.Tensor) -> torch.Tensor:
        nonlocal constant
        if constant is None:
            entries = hess(p)
            if all(isinstance(e, float) for e in entries):
                constant = torch.linalg.pinv(_as_matrix(entries, p[:1])[0]).T
            else:
                constant = False
        if constant is not False:
            return g @ constant.to(g)
        a, b, d = hess(p)
        gx, gy = g[..., 0], g[..., 1]
        det = a * d - b * b
        size = abs(a) + abs(b) + abs(d)
        regular = abs(det) > 1e-12 * size * size
        if bool(regular.all()) if torch.is_tensor(regular) else regular:
            return _vec((d * gx - b * gy) / det, (a * gy - b * gx) / det)
        return (torch.linalg.pinv(_as_matrix((a, b, d), p)) @ g.unsqueeze(-1)).squeeze(-1)

    return direction


@dataclass(frozen=True)
class Runs:
    """Trajectories of many (optimizer, learning rate, seed) rows on one landscape; CPU numpy.

    ``positions[t, r]`` is row r after t steps (t = 0 is the start); a row that diverged keeps its
    last finite point from ``diverged_at[r]`` on (−1: it never diverged). ``direction`` is what the
    optimizer moved along at each step before the learning rate (−Δx / lr), ``gradient`` the
    (noisy) gradient it was given, ``scale`` the per-coordinate factor it applied to that gradient
    (1 for SGD; 1/(√v̂+ε) for Adam).
    """

    kinds: tuple[str, ...]  # per row
    lrs: np.ndarray  # (R,)
    seeds: np.ndarray  # (R,)
    positions: np.ndarray  # (T+1, R, 2)
    losses: np.ndarray  # (T+1, R)
    gradient: np.ndarray  # (T, R, 2)
    direction: np.ndarray  # (T, R, 2)
    scale: np.ndarray  # (T, R, 2)
    moment: np.ndarray  # (T, R, 2) momentum buffer / Adam's m̂ after the step (0 where none)
    lr_factors: np.ndarray  # (T,)
    diverged_at: np.ndarray  # (R,)
    steps: int

    def rows(self, kind: str) -> np.ndarray:
        return np.flatnonzero(np.array(self.kinds) == kind)


def run(land_key: str, kinds: tuple[str, ...], lrs: tuple[float, ...] | dict[str, tuple[float, ...]],
        steps: int = 300, start: tuple[float, float] | None = None, seeds: tuple[int, ...] = (0,),
        noise: float = 0.0, schedule: str = "constant", momentum: float = 0.9, kappa: float = 10.0,
        angle: float = 0.0, start_jitter: float = 0.0, record: bool = True,
        device: torch.device | str = "cpu") -> Runs:
    """Every optimizer in ``kinds`` × every learning rate (``lrs``, or ``lrs[kind]``) × every seed,
    for ``steps`` steps from ``start`` on landscape ``land_key``, all rows at once.

    ``noise`` adds σ·ξ (ξ standard normal) to every gradient, the same draws for every optimizer of
    a seed (common random numbers: a fair comparison); ``start_jitter`` moves each seed's start by a
    normal offset of that size (seed 0 included). ``record=False`` keeps only the positions and
    losses (all a race needs): the gradient, direction, scale and moment arrays then have no steps.
    Computed in float64.
    """
    device = torch.device(device)
    land = landscape(land_key, kappa, angle)
    steps = int(max(0, steps))
    start = land.start if start is None else start
    table: list[tuple[str, float, int]] = []
    for kind in kinds:
        if kind not in OPTIMIZERS:
            raise ValueError(f"Unknown optimizer {kind!r}; choose from {', '.join(OPTIMIZERS)}.")
        for lr in (lrs[kind] if isinstance(lrs, dict) else lrs):
            if not (math.isfinite(lr) and lr > 0):
                raise ValueError(f"A learning rate must be a positive number, got {lr}.")
            table += [(kind, float(lr), int(s)) for s in seeds]
    R = len(table)
    dt = torch.float64
    seed_index = {s: i for i, s in enumerate(seeds)}
    starts = torch.tensor(start, dtype=dt).repeat(len(seeds), 1)
    if start_jitter > 0:
        for i, s in enumerate(seeds):
            starts[i] += start_jitter * torch.randn(2, generator=torch.Generator().manual_seed(10_000 + int(s)),
                                                    dtype=dt)
    rows_of_seed = torch.tensor([seed_index[s] for _, _, s in table], dtype=torch.long)
    p = starts[rows_of_seed].to(device) if R else torch.zeros(0, 2, dtype=dt, device=device)
    lr_col = torch.tensor([lr for _, lr, _ in table], dtype=dt, device=device).reshape(-1, 1)
    # The table is optimizer-major, so each optimizer's rows are one contiguous slice (views, no copies).
    # Plain SGD, momentum and Nesterov side by side share one block (one rule with per-row μ), which
    # saves a third of the per-step operations of the default set.
    blocks: dict[str, slice] = {}
    row_kind = [k for k, _, _ in table]
    for i, kind in enumerate(row_kind):
        name = "sgd_family" if kind in _SGD_FAMILY and "sgd_family" in blocks and blocks["sgd_family"].stop == i \
            else ("sgd_family" if kind in _SGD_FAMILY and "sgd_family" not in blocks else kind)
        if name in blocks and blocks[name].stop != i:  # not contiguous: keep this optimizer on its own
            name = kind
        blocks[name] = slice(blocks[name].start if name in blocks else i, i + 1)
    states = {name: _State() for name in blocks}
    if "sgd_family" in blocks:
        fam = row_kind[blocks["sgd_family"]]
        st = states["sgd_family"]
        st.mu = torch.tensor([momentum if k != "sgd" else 0.0 for k in fam], dtype=dt, device=device)[:, None]
        st.nesterov = torch.tensor([1.0 if k == "nesterov" else 0.0 for k in fam], dtype=dt, device=device)[:, None]
        st.buf_weight = torch.where(st.nesterov > 0, st.mu, torch.ones_like(st.mu))  # d = nf·g + w·buf
        st.has_momentum = torch.tensor([0.0 if k == "sgd" else 1.0 for k in fam], dtype=dt, device=device)[:, None]
    newton = _newton_direction(land.hess) if "newton" in blocks else None
    if noise > 0 and steps > 0:  # one stream per seed, shared by every optimizer (common random numbers)
        draws = torch.stack([torch.randn(steps, 2, generator=torch.Generator().manual_seed(20_000 + int(s)),
                                         dtype=dt) for s in seeds])
        noise_rows = (noise * draws[rows_of_seed]).to(device)  # (R, steps, 2)

    alive = torch.ones(R, dtype=torch.bool, device=device)
    factors = np.array([lr_factor(schedule, t, steps) for t in range(steps)])
    # Records go into Python lists and are stacked once at the end: an indexed write into a
    # preallocated tensor costs as much as a small computation, and a step is only ~60 of those.
    rec_p, rec_alive, rec_g = [p], [alive], []
    rec = {name: ([], [], []) for name in blocks}  # per block: directions, scalings, first moments
    lr_blocks = {name: lr_col[rows] for name, rows in blocks.items()}

    g = land.grad(p)
    with torch.inference_mode():
        for t in range(1, steps + 1):
            if noise > 0:
                g = g + noise_rows[:, t - 1]
            if record:
                rec_g.append(g)
            factor = factors[t - 1]
            news = []
            for name, rows in blocks.items():
                lr_b = lr_blocks[name] if factor == 1.0 else lr_blocks[name] * factor
                q, d, c, m = _update(name, p[rows], g[rows], lr_b, t, states[name], momentum, newton)
                news.append(q)
                if record:  # what the step-through draws; a race needs only the positions
                    dl, cl, ml = rec[name]
                    dl.append(d)
                    cl.append(c)
                    ml.append(m)
            new = torch.cat(news) if len(news) > 1 else (news[0] if news else p)
            # A row dies once a coordinate passes DIVERGED; NaN fails the comparison too. Dead rows
            # keep their last finite point (their optimizer state may go on, unused).
            alive = alive & (new.abs().amax(-1) <= DIVERGED)
            p = torch.where(alive[:, None], new, p)
            rec_p.append(p)
            rec_alive.append(alive)
            if t % 25 == 0 and not bool(alive.any()):
                break
            g = land.grad(p)
        done = len(rec_p) - 1
        positions = torch.stack(rec_p)  # (done+1, R, 2)
        alive_after = torch.stack(rec_alive)

        def by_row(which: int, fill: float) -> torch.Tensor:
            parts = []
            for name, rows in blocks.items():
                items = rec[name][which]
                n = rows.stop - rows.start
                parts.append(torch.stack([torch.full((n, 2), fill, dtype=dt, device=device) if x is None else
                                          x.expand(n, 2) for x in items]) if items else
                             torch.zeros(0, n, 2, dtype=dt, device=device))
            return torch.cat(parts, dim=1) if parts else torch.zeros(done, 0, 2, dtype=dt, device=device)

        none = torch.zeros(0, R, 2, dtype=dt, device=device)
        grads = torch.stack(rec_g) if rec_g else none
        dirs, scales, moments = (by_row(0, 0.0), by_row(1, 1.0), by_row(2, 0.0)) if record else (none, none, none)
        pad = steps - done
        if pad:  # every row ended early: pad to the full length, standing still
            positions = torch.cat([positions, positions[-1:].expand(pad, R, 2)])
            alive_after = torch.cat([alive_after, torch.zeros(pad, R, dtype=torch.bool, device=device)])
        if pad and record:
            grads, dirs, moments = (torch.cat([x, torch.zeros(pad, R, 2, dtype=dt, device=device)])
                                    for x in (grads, dirs, moments))
            scales = torch.cat([scales, torch.ones(pad, R, 2, dtype=dt, device=device)])
        losses = land.fn(positions)  # all at once, after the loop
    died = ~alive_after
    diverged_at = torch.where(died.any(0), died.to(torch.uint8).argmax(0), -1)
    if record:  # after a row diverged, nothing moves it: no gradient, direction or scaling from then on
        dead = died[1:]
        grads, dirs, moments = (torch.where(dead[..., None], 0.0, x) for x in (grads, dirs, moments))
        scales = torch.where(dead[..., None], 1.0, scales)
    return Runs(tuple(k for k, _, _ in table), lr_col.squeeze(1).cpu().numpy(),
                np.array([s for _, _, s in table]), positions.cpu().numpy(), losses.cpu().numpy(),
                grads.cpu().numpy(), dirs.cpu().numpy(), scales.cpu().numpy(), moments.cpu().numpy(), factors,
                diverged_at.cpu().numpy(), steps)


def gap(land: Landscape, losses: np.ndarray) -> np.ndarray:
    """f − f* (≥ 0, for a log axis) where the minimum is known; the loss itself elsewhere."""
    return np.maximum(losses - land.f_min, 0.0) if land.f_min is not None else losses


def distance_to_minimum(land: Landscape, positions: np.ndarray) -> np.ndarray | None:
    """Euclidean distance from each point to the nearest global minimizer (None: there is none)."""
    if not land.minima:
        return None
    mins = np.asarray(land.minima)
    return np.min(np.linalg.norm(positions[..., None, :] - mins, axis=-1), axis=-1)


# ------------------------------------------------------------------------------------------ tuning

# 1e-4 … 3.16, half a decade apart (1e-4, 3.16e-4, 1e-3, …, 1, 3.16). On the quadratic (λ_max = 1) gradient
# descent's best step 2/(1 + 1/κ) lies in [1, 2), between the grid's 1 and 3.16 (on it only at κ = 1).
LR_GRID = tuple(float(v) for v in np.logspace(-4, 0.5, 10))


TARGET = 1e-6  # "reached": f − f* at most this fraction of where it started


@dataclass(frozen=True)
class Tuned:
    """The learning rate each optimizer does best with on a landscape, chosen on a grid.

    Best = fewest steps until f − f* falls to :data:`TARGET` × its starting value on every seed;
    among rates that never get there (or on a landscape without a minimum), the lowest mean final
    f − f* (or f). A rate where any seed diverges is out.
    """

    best_lr: dict[str, float]
    steps_to_target: dict[str, float]  # mean over seeds at the best rate; inf: not every seed got there
    final: dict[str, float]  # mean final f − f* (or f) at the best rate
    grid: tuple[float, ...]
    table: np.ndarray  # (len(kinds), len(grid)) mean final f − f* (or f) per rate; inf: a seed diverged
    table_steps: np.ndarray  # (len(kinds), len(grid)) mean steps to the target; inf: not reached by all
    kinds: tuple[str, ...]


def steps_to_target(land: Landscape, runs: Runs, rows: np.ndarray) -> np.ndarray:
    """Per row, the first step from which on f − f* stays ≤ TARGET × (f − f*) at the start; inf where
    that never happens, where it diverged, or where the landscape has no minimum."""
    out = np.full(len(rows), np.inf)
    if land.f_min is None or len(rows) == 0:
        return out
    g = gap(land, runs.losses[:, rows])
    below = g <= TARGET * g[0]
    reached = np.flip(np.logical_and.accumulate(np.flip(below, 0), 0), 0)  # below now and at every later step
    ok = reached.any(axis=0) & (runs.diverged_at[rows] < 0)
    out[ok] = reached.argmax(axis=0)[ok]
    return out


def _scores(land: Landscape, runs: Runs, rows: np.ndarray) -> tuple[float, float]:
    """(mean steps to the target, mean final f − f*) of some rows; (inf, inf) if any diverged."""
    if np.any(runs.diverged_at[rows] >= 0):
        return math.inf, math.inf
    final = gap(land, runs.losses[-1, rows])
    if not np.all(np.isfinite(final)):
        return math.inf, math.inf
    return float(np.mean(steps_to_target(land, runs, rows))), float(np.mean(final))


def tune(land_key: str, kinds: tuple[str, ...], steps: int = 300, start: tuple[float, float] | None = None,
         seeds: tuple[int, ...] = (0,), noise: float = 0.0, schedule: str = "constant", momentum: float = 0.9,
         kappa: float = 10.0, angle: float = 0.0, grid: tuple[float, ...] = LR_GRID, start_jitter: float = 0.0,
         record: bool = True, device: torch.device | str = "cpu") -> tuple[Tuned, Runs]:
    """Each optimizer's best learning rate on ``grid`` (see :class:`Tuned`), every optimizer, rate
    and seed in one batch. The runs come back too: the chosen rows are :func:`select`'s."""
    land = landscape(land_key, kappa, angle)
    runs = run(land_key, kinds, grid, steps, start, seeds, noise, schedule, momentum, kappa, angle, start_jitter,
               record, device)
    table = np.full((len(kinds), len(grid)), math.inf)
    table_steps = np.full((len(kinds), len(grid)), math.inf)
    for i, kind in enumerate(kinds):
        rows = runs.rows(kind)
        for j, lr in enumerate(grid):
            table_steps[i, j], table[i, j] = _scores(land, runs, rows[np.isclose(runs.lrs[rows], lr)])
    best, to_target, final = {}, {}, {}
    for i, kind in enumerate(kinds):
        order = np.lexsort((table[i], table_steps[i]))  # fewest steps first, then the lowest final value
        j = int(order[0])
        best[kind], to_target[kind], final[kind] = grid[j], float(table_steps[i, j]), float(table[i, j])
    return Tuned(best, to_target, final, tuple(grid), table, table_steps, tuple(kinds)), runs


def select(runs: Runs, lr_of: dict[str, float]) -> np.ndarray:
    """Row indices of ``runs`` with each optimizer at its chosen learning rate, in optimizer order."""
    out = []
    for kind, lr in lr_of.items():
        rows = runs.rows(kind)
        out.extend(rows[np.isclose(runs.lrs[rows], lr)].tolist())
    return np.array(out, dtype=int)


# ------------------------------------------------------------------------------ theory on the quadratic


@dataclass(frozen=True)
class QuadraticTheory:
    """Gradient descent and heavy ball on f = ½xᵀHx, measured against their textbook rates."""

    eigenvalues: np.ndarray  # (2,) ascending: v₁ is the flat direction (λ = 1/κ), v₂ the steep one (λ = 1)
    eigenvectors: np.ndarray  # (2, 2) columns
    lr: float  # the learning rate used for gradient descent
    gd_rate_theory: float  # max_i |1 − lr λ_i|
    gd_rate_optimal: float  # (κ−1)/(κ+1), at lr = 2/(λ_min+λ_max)
    gd_lr_optimal: float
    gd_rate_measured: float
    hb_lr: float  # heavy ball's optimal step 4/(√λ_max+√λ_min)²
    hb_momentum: float  # ((√κ−1)/(√κ+1))²
    hb_rate_theory: float  # (√κ−1)/(√κ+1)
    hb_rate_measured: float
    gd_bound: np.ndarray  # (T+1,) ‖x₀‖·rᵗ with r = max_i |1 − lr λ_i|: ‖x_t‖ ≤ this (equality only along one mode)
    hb_bound: np.ndarray  # (T+1,) ‖x₀‖·(1 + c·t)·ρᵗ, c = 2√κ/(√κ+1): ‖x_t‖ ≤ this (see heavy_ball_modes)
    hb_modes: np.ndarray  # (T+1, 2) heavy ball's ⟨x_t, v_i⟩ in closed form (heavy_ball_modes)
    components: np.ndarray  # (T+1, 2) |⟨x_t, v_i⟩| under gradient descent at ``lr``
    components_predicted: np.ndarray  # (T+1, 2) |1 − lr λ_i|^t |⟨x_0, v_i⟩|
    gd_error: np.ndarray  # (T+1,) ‖x_t‖ for gradient descent
    hb_error: np.ndarray  # (T+1,) ‖x_t‖ for heavy ball
    runs: Runs  # row 0: gradient descent at ``lr``; row 1: heavy ball at its optimal settings


def _measured_rate(err: np.ndarray) -> float:
    """The per-step contraction over the last half of the run (geometric mean), where the slowest
    mode dominates; stops at the floating-point floor."""
    e = err[np.isfinite(err)]
    e = e[: int(np.argmax(e < 1e-200))] if np.any(e < 1e-200) else e
    if len(e) < 4:
        return float("nan")
    half = len(e) // 2
    return float((e[-1] / e[half]) ** (1.0 / (len(e) - 1 - half)))


def heavy_ball_modes(kappa: float, c0: np.ndarray, steps: int) -> np.ndarray:
    """Heavy ball at its optimal η* = 4/(√λ_max + √λ_min)², μ* = ρ² on f = ½xᵀHx with eigenvalues 1/κ and 1, in
    closed form: the coordinates ⟨x_t, v_i⟩ for t = 0…steps from ``c0`` = (⟨x₀, v₁⟩, ⟨x₀, v₂⟩) (ascending λ).

    Along an eigen-direction with eigenvalue λ, (x_{t+1}, x_t) = M (x_t, x_{t−1}) with the companion matrix
    M = [[1 + μ − ηλ, −μ], [1, 0]], whose characteristic polynomial is r² − (1 + μ − ηλ) r + μ. At η*, μ* it
    has a double root for both extreme eigenvalues: r = ρ = (√κ−1)/(√κ+1) for λ_min and r = −ρ for λ_max
    (both modes critically damped). Then M = rI + N with N² = 0, so Mᵗ = rᵗ I + t rᵗ⁻¹ N: the error is
    (a + b t) rᵗ, not a multiple of ρᵗ. torch.optim starts the momentum buffer at the first gradient, so
    x₁ = (1 − ηλ) x₀ (as if x₋₁ = x₀), which gives

        ⟨x_t, v₁⟩ = (1 + 2t/(√κ+1)) ρᵗ ⟨x₀, v₁⟩,   ⟨x_t, v₂⟩ = (1 + 2√κ t/(√κ+1)) (−ρ)ᵗ ⟨x₀, v₂⟩,

    hence ‖x_t‖ ≤ (1 + 2√κ t/(√κ+1)) ρᵗ ‖x₀‖: ρ is the asymptotic rate, approached with a linear factor."""
    s = math.sqrt(kappa)
    rho = (s - 1) / (s + 1)
    t = np.arange(int(steps) + 1, dtype=np.float64)
    with np.errstate(under="ignore"):
        geometric = rho**t  # 0⁰ = 1: at κ = 1 the first step lands on the minimum
    return np.stack([c0[0] * (1 + 2 * t / (s + 1)) * geometric,
                     c0[1] * (1 + 2 * s * t / (s + 1)) * geometric * (-1.0) ** t], axis=1)


def quadratic_theory(kappa: float, angle: float, lr: float, steps: int = 100,
                     start: tuple[float, float] = (-2.5, 2.0), device: torch.device | str = "cpu") -> QuadraticTheory:
    """Run gradient descent at ``lr`` and heavy ball at its optimal settings on the quadratic, and
    set their measured rates beside the theory; split gradient descent's error into the Hessian's
    eigen-directions (computed with ``torch.linalg.eigh``), each shrinking by |1 − lr λᵢ| a step."""
    device = torch.device(device)
    land = landscape("quadratic", kappa, angle)
    # The Hessian as torch.func differentiates it (of a quadratic: the same at every point).
    H = torch.func.hessian(land.fn)(torch.tensor(start, dtype=torch.float64, device=device))
    lam, V = torch.linalg.eigh(H)
    lmin, lmax = float(lam[0]), float(lam[1])
    k = lmax / lmin
    steps = int(max(1, steps))
    hb_lr = 4 / (math.sqrt(lmax) + math.sqrt(lmin)) ** 2
    hb_mu = ((math.sqrt(k) - 1) / (math.sqrt(k) + 1)) ** 2
    both = run("quadratic", ("sgd", "momentum"), {"sgd": (lr,), "momentum": (hb_lr,)}, steps, start,
               momentum=hb_mu, kappa=kappa, angle=angle, device=device)
    gd = hb = both
    Vn = V.cpu().numpy()
    xs = gd.positions[:, 0, :]
    comps = np.abs(xs @ Vn)
    factors = np.abs(1 - lr * lam.cpu().numpy())
    t = np.arange(steps + 1)[:, None]
    with np.errstate(over="ignore", under="ignore"):
        predicted = comps[0] * factors[None, :] ** t
    # hypot, not linalg.norm: the norm squares first, and below ~1e-154 the squares underflow (wrong, then 0)
    gd_err = np.hypot(xs[:, 0], xs[:, 1])
    hb_err = np.hypot(hb.positions[:, 1, 0], hb.positions[:, 1, 1])
    # Heavy ball at η*, μ* is critically damped along both eigen-directions (a double root of its companion
    # matrix): its error is (a + b·t)·ρᵗ, so ‖x₀‖·ρᵗ is no bound; the gap to it grows linearly in t.
    rho = (math.sqrt(k) - 1) / (math.sqrt(k) + 1)
    with np.errstate(over="ignore", under="ignore"):
        gd_bound = gd_err[0] * float(factors.max()) ** t[:, 0]
        hb_bound = hb_err[0] * (1 + 2 * math.sqrt(k) / (math.sqrt(k) + 1) * t[:, 0]) * rho ** t[:, 0]
    hb_modes = heavy_ball_modes(k, np.asarray(start, dtype=np.float64) @ Vn, steps)
    return QuadraticTheory(
        lam.cpu().numpy(), Vn, lr, float(factors.max()), (k - 1) / (k + 1), 2 / (lmin + lmax),
        _measured_rate(gd_err) if gd.diverged_at[0] < 0 else float("inf"), hb_lr, hb_mu,
        rho, _measured_rate(hb_err), gd_bound, hb_bound, hb_modes, comps, predicted, gd_err, hb_err, both)


# ------------------------------------------------------------------------------------- a real network

# What each optimizer is usually started with on a small network (the race can tune them instead).
NET_LR = {"sgd": 0.3, "momentum": 0.05, "nesterov": 0.05, "adagrad": 0.05, "rmsprop": 3e-3, "adam": 0.01,
          "adamw": 0.01, "nadam": 0.01, "radam": 0.01}
NET_LR_GRID = (1e-3, 1e-2, 0.1, 1.0)


def make_torch_optimizer(kind: str, params, lr: float, momentum: float = 0.9) -> torch.optim.Optimizer:
    """The ``torch.optim`` optimizer ``kind`` (Newton has none: it needs the full Hessian)."""
    makers = {
        "sgd": lambda: torch.optim.SGD(params, lr=lr),
        "momentum": lambda: torch.optim.SGD(params, lr=lr, momentum=momentum),
        "nesterov": lambda: torch.optim.SGD(params, lr=lr, momentum=momentum, nesterov=True),
        "adagrad": lambda: torch.optim.Adagrad(params, lr=lr),
        "rmsprop": lambda: torch.optim.RMSprop(params, lr=lr),
        "adam": lambda: torch.optim.Adam(params, lr=lr),
        "adamw": lambda: torch.optim.AdamW(params, lr=lr, weight_decay=ADAMW_DECAY),
        "nadam": lambda: torch.optim.NAdam(params, lr=lr),
        "radam": lambda: torch.optim.RAdam(params, lr=lr),
    }
    if kind not in makers:
        raise ValueError(f"No torch.optim optimizer for {kind!r}; choose from {', '.join(makers)}.")
    return makers[kind]()


def make_scheduler(opt: torch.optim.Optimizer, schedule: str, steps: int):
    """``torch.optim.lr_scheduler`` for a :data:`SCHEDULES` name (the same factors as :func:`lr_factor`)."""
    sched = torch.optim.lr_scheduler
    if schedule == "constant" or steps <= 0:
        return None
    if schedule == "step":
        return sched.StepLR(opt, step_size=max(1, math.ceil(steps / 3)), gamma=0.3)
    if schedule == "cosine":
        return sched.CosineAnnealingLR(opt, T_max=steps)
    if schedule == "warmup":
        warm = max(1, steps // 10)
        return sched.SequentialLR(opt, [sched.LinearLR(opt, start_factor=0.1, end_factor=1.0, total_iters=warm),
                                        sched.CosineAnnealingLR(opt, T_max=max(1, steps - warm))],
                                  milestones=[warm])
    raise ValueError(f"Unknown schedule {schedule!r}; choose one of {', '.join(SCHEDULES)}.")


@dataclass(frozen=True)
class NetRace:
    """Several ``torch.optim`` optimizers training copies of one small network from the same start."""

    kinds: tuple[str, ...]
    lrs: dict[str, float]
    train_loss: np.ndarray  # (len(kinds), steps + 1) full-training-set cross-entropy after each step
    train_acc: np.ndarray  # (len(kinds),)
    test_acc: np.ndarray  # (len(kinds),)
    diverged_at: np.ndarray  # (len(kinds),) −1: never
    seconds: np.ndarray  # (len(kinds),) training time
    parameters: int
    steps: int
    batch: int
    tuned: bool
    grid_loss: np.ndarray | None  # (len(kinds), len(NET_LR_GRID)) final train loss per lr when tuned
    X: np.ndarray  # (n, 2) every point
    y: np.ndarray  # (n,) its class
    is_test: np.ndarray  # (n,) held out
    xs: np.ndarray  # (G,) the decision map's grid
    ys: np.ndarray  # (G,)
    prob: np.ndarray  # (len(kinds), G, G) P(class 1) of each trained network on the grid


def _mlp(hidden: int, seed: int) -> torch.nn.Module:
    with seeded(seed):
        return torch.nn.Sequential(torch.nn.Linear(2, hidden), torch.nn.Tanh(), torch.nn.Linear(hidden, hidden),
                                   torch.nn.Tanh(), torch.nn.Linear(hidden, 2)).double()


def _train(model: torch.nn.Module, kind: str, lr: float, X: torch.Tensor, y: torch.Tensor, order: torch.Tensor,
           batch: int, steps: int, schedule: str, momentum: float) -> tuple[np.ndarray, int]:
    opt = make_torch_optimizer(kind, model.parameters(), lr, momentum)
    sched = make_scheduler(opt, schedule, steps)
    loss_fn = torch.nn.functional.cross_entropy
    losses = np.empty(steps + 1)
    with torch.no_grad():
        losses[0] = float(loss_fn(model(X), y))
    for t in range(steps):
        idx = order[t] if batch else slice(None)
        opt.zero_grad(set_to_none=True)
        loss_fn(model(X[idx]), y[idx]).backward()
        opt.step()
        if sched is not None:
            sched.step()
        with torch.no_grad():
            full = float(loss_fn(model(X), y))
        if not math.isfinite(full) or full > 100 * losses[0]:  # 100× the starting loss: it has blown up
            losses[t + 1:] = losses[t]
            return losses, t + 1
        losses[t + 1] = full
    return losses, -1


def train_race(data_key: str = "moons", kinds: tuple[str, ...] = DEFAULT_OPTIMIZERS, steps: int = 300,
               lr_scale: float = 1.0, tune_lr: bool = False, hidden: int = 16, batch: int = 32, n: int = 400,
               noise: float = 0.15, schedule: str = "constant", momentum: float = 0.9, seed: int = 0,
               progress: Callable[[float, str], None] | None = None,
               device: torch.device | str = "cpu") -> NetRace:
    """Train one small tanh network (2 → hidden → hidden → 2) with each ``torch.optim`` optimizer in
    ``kinds`` (Newton is left out), from the same initial weights and on the same mini-batches.

    The learning rate is :data:`NET_LR` × ``lr_scale``, or with ``tune_lr`` the best of
    :data:`NET_LR_GRID` by final training loss. A quarter of the points are held out for the test
    accuracy. The network is tiny, so it trains on the CPU whatever ``device`` says.
    """
    from sklearn.model_selection import train_test_split

    from core.data import classification_2d

    kinds = tuple(k for k in kinds if k != "newton")
    steps = int(max(0, steps))
    ds = classification_2d(data_key, n, noise, seed)
    Xtr, Xte, ytr, yte = train_test_split(ds.X, ds.y, test_size=0.25, random_state=seed, stratify=ds.y)
    X, y = torch.from_numpy(Xtr), torch.from_numpy(ytr)
    Xt, yt = torch.from_numpy(Xte), torch.from_numpy(yte)
    batch = int(batch) if 0 < batch < len(X) else 0
    gen = torch.Generator().manual_seed(seed)
    order = torch.stack([torch.randperm(len(X), generator=gen)[:batch] for _ in range(steps)]) if batch and steps \
        else torch.zeros(0, dtype=torch.long)
    base = _mlp(hidden, seed)
    grid = NET_LR_GRID if tune_lr else None
    jobs = [(k, lr) for k in kinds for lr in (grid or (NET_LR[k] * lr_scale,))]
    results: dict[tuple[str, float], tuple[np.ndarray, int, float, torch.nn.Module]] = {}
    import copy
    import time

    if jobs and steps:  # one throwaway step first: torch's first backward pays one-off set-up costs
        _train(copy.deepcopy(base), jobs[0][0], jobs[0][1], X, y, order[:1], batch, 1, "constant", momentum)
    for i, (kind, lr) in enumerate(jobs):
        if progress:
            progress(i / max(1, len(jobs)), f"Training with {OPTIMIZERS[kind][0]} at lr {lr:g}…")
        model = copy.deepcopy(base)
        t0 = time.perf_counter()
        losses, div = _train(model, kind, lr, X, y, order, batch, steps, schedule, momentum)
        results[(kind, lr)] = (losses, div, time.perf_counter() - t0, model)
    if progress:
        progress(1.0, "Done")
    chosen, grid_loss = {}, None
    if grid:
        grid_loss = np.array([[results[(k, lr)][0][-1] if results[(k, lr)][1] < 0 else np.inf for lr in grid]
                              for k in kinds])
        chosen = {k: grid[int(np.argmin(grid_loss[i]))] for i, k in enumerate(kinds)}
    else:
        chosen = {k: NET_LR[k] * lr_scale for k in kinds}

    def accuracy(model: torch.nn.Module, A: torch.Tensor, b: torch.Tensor) -> float:
        with torch.no_grad():
            return float((model(A).argmax(1) == b).double().mean())

    picked = [results[(k, chosen[k])] for k in kinds]
    lo, hi = ds.X.min(axis=0) - 0.5, ds.X.max(axis=0) + 0.5
    gx, gy = np.linspace(lo[0], hi[0], 60), np.linspace(lo[1], hi[1], 60)
    G = torch.from_numpy(np.stack(np.meshgrid(gx, gy), axis=-1).reshape(-1, 2))
    with torch.no_grad():
        prob = np.array([torch.softmax(r[3](G), dim=1)[:, 1].reshape(60, 60).numpy() for r in picked]).reshape(
            len(kinds), 60, 60)
    return NetRace(kinds, chosen, np.array([r[0] for r in picked]).reshape(len(kinds), steps + 1),
                   # a network that blew up has no meaningful accuracy: NaN (the page shows "—")
                   np.array([accuracy(r[3], X, y) if r[1] < 0 else np.nan for r in picked]),
                   np.array([accuracy(r[3], Xt, yt) if r[1] < 0 else np.nan for r in picked]),
                   np.array([r[1] for r in picked]), np.array([r[2] for r in picked]),
                   sum(p.numel() for p in base.parameters()), steps, batch, bool(grid), grid_loss,
                   np.vstack([Xtr, Xte]), np.concatenate([ytr, yte]),
                   np.concatenate([np.zeros(len(Xtr), bool), np.ones(len(Xte), bool)]), gx, gy, prob)
