"""Neural ODEs: a residual network as Euler steps of dh/dt = f(h), the same field through three solvers, and a
vector field learned live from a spiral.

* **ResNet = Euler.** A residual block h ← h + Δt f(h) is one Euler step of dh/dt = f(h); ``depth`` blocks that
  share f, with Δt = T/depth, integrate the ODE from 0 to T (Chen et al. 2018, "Neural ordinary differential
  equations"). More blocks, smaller steps: the network's output converges to the ODE's solution h(T).
* **Solvers.** Euler (order 1: global error ∝ Δt, one evaluation of f a step) and classical Runge–Kutta RK4
  (order 4: error ∝ Δt⁴, four evaluations a step), both written out in torch with k fixed steps; and the
  adaptive Dormand–Prince 5(4) solver of ``torchdiffeq`` (``dopri5``), which picks its own steps to meet a
  tolerance, rtol·|y| + atol per step. Each reports its number of function evaluations (NFE): the cost, and for
  a neural ODE the depth of the network it amounts to.
* **Stiffness.** On a stiff field (Van der Pol with a large μ: a slow manifold with fast collapse onto it) an
  explicit solver's step is limited by stability, not accuracy, and the adaptive solver takes a great many tiny
  steps. Evaluations are capped (``max_nfe``): past the cap the field reads as zero so that the solver finishes
  at once, every output after the last step accepted before the cap is NaN, and the note says where it stopped.
* **Learning a field.** An MLP f_θ(h) = W₂ tanh(W₁ h + b₁) + b₂ is fitted to a trajectory of a damped spiral
  (dh/dt = A h) or of Van der Pol's limit cycle (μ = 1) by backpropagating through RK4 over short segments of
  the data (Adam). The learned field is drawn on a grid beside the true one: close along the data, free to
  differ away from it.

Fields act on batches of states (B, 2); everything runs in torch on ``device`` in its compute dtype, and comes
back as CPU numpy. ``torchdiffeq`` is imported only by :func:`integrate`'s adaptive method.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch

from core.data import DataError
from core.device import compute_dtype, single_thread
from core.threads import seeded

Progress = Callable[[float, str], None] | None
KINDS = ("spiral", "vanderpol", "mlp")
METHODS = ("euler", "rk4", "dopri5")
SPIRAL = np.array([[-0.1, -1.0], [1.0, -0.1]])  # dh/dt = A h: a damped rotation, period 2π, decay e^{−0.1t}
MAX_STEPS = 2_000  # fixed steps (RK4: 8,000 evaluations, ~0.15 s) and residual blocks
MAX_NFE = 5_000  # dopri5 costs ~0.1 ms an evaluation here (its bookkeeping, not the 2-D field): ~0.6 s
DEFAULT_NFE = 2_000
REFERENCE_NFE = 10_000  # convergence()'s tight reference: a few hundred on a smooth field, ~1 s at the cap
MAX_DEPTH = 1000  # residual blocks: ~20 ms
MAX_T = 1000.0
MAX_MU = 2000.0
MAX_HIDDEN = 128
MAX_TRAIN_STEPS = 2000
BLOW_UP = 100.0


@dataclass(frozen=True)
class Field:
    """A vector field f(h) on the plane: a built-in ("spiral", "vanderpol" with ``mu``) or an MLP with
    ``weights`` (W1 (H, 2), b1 (H,), W2 (2, H), b2 (2,))."""

    kind: str
    mu: float = 1.0
    weights: dict[str, np.ndarray] = field(default_factory=dict, repr=False)


def builtin(kind: str = "spiral", mu: float = 1.0) -> Field:
    """A built-in field, validated."""
    if kind not in KINDS[:2]:
        raise DataError(f"Unknown field {kind!r}; choose one of {', '.join(KINDS[:2])}.")
    if not (math.isfinite(mu) and 0 <= mu <= MAX_MU):
        raise DataError(f"Van der Pol's μ must lie between 0 and {MAX_MU:g}.")
    return Field(kind, float(mu))


def random_mlp(hidden: int = 32, scale: float = 1.0, seed: int = 0) -> Field:
    """An MLP field with seeded weights (N(0, scale²/fan-in)): a smooth, generic field for solver tests."""
    if not 1 <= hidden <= MAX_HIDDEN:
        raise DataError(f"Use 1 to {MAX_HIDDEN} hidden units.")
    rng = np.random.default_rng(seed)
    return Field("mlp", weights={"W1": rng.standard_normal((hidden, 2)) * scale / math.sqrt(2),
                                 "b1": rng.standard_normal(hidden) * 0.5,
                                 "W2": rng.standard_normal((2, hidden)) * scale / math.sqrt(hidden),
                                 "b2": np.zeros(2)})


def torch_field(fld: Field, device: torch.device | str = "cpu") -> Callable[[torch.Tensor], torch.Tensor]:
    """f as a torch function of a batch of states (…, 2) on ``device``."""
    device = torch.device(device)
    dtype = compute_dtype(device)
    if fld.kind == "spiral":
        A = torch.as_tensor(SPIRAL, dtype=dtype, device=device)
        return lambda h: h @ A.T
    if fld.kind == "vanderpol":
        mu = fld.mu

        def vdp(h: torch.Tensor) -> torch.Tensor:
            x, y = h[..., 0], h[..., 1]
            return torch.stack([y, mu * (1 - x * x) * y - x], -1)

        return vdp
    if fld.kind == "mlp":
        w = {k: torch.as_tensor(v, dtype=dtype, device=device) for k, v in fld.weights.items()}
        return lambda h: torch.tanh(h @ w["W1"].T + w["b1"]) @ w["W2"].T + w["b2"]
    raise DataError(f"Unknown field {fld.kind!r}.")


# ------------------------------------------------------------------------------------------ fixed-step solvers


def _report(progress: Progress, i: int, k: int, what: str) -> None:
    if progress and (i + 1) % max(1, k // 10) == 0:
        progress((i + 1) / k, f"{what}: step {i + 1} of {k}")


def euler_steps(f: Callable[[torch.Tensor], torch.Tensor], h0: torch.Tensor, t_end: float, k: int,
                progress: Progress = None) -> torch.Tensor:
    """k Euler steps h ← h + Δt f(h), Δt = t_end/k: the states (k + 1, …) including h0."""
    dt = t_end / k
    out = [h0]
    h = h0
    for i in range(k):
        h = h + dt * f(h)
        out.append(h)
        _report(progress, i, k, "Euler")
    return torch.stack(out)


def rk4_steps(f: Callable[[torch.Tensor], torch.Tensor], h0: torch.Tensor, t_end: float, k: int,
              progress: Progress = None) -> torch.Tensor:
    """k classical Runge–Kutta steps (k₁ = f(h), k₂ = f(h + Δt k₁/2), k₃ = f(h + Δt k₂/2), k₄ = f(h + Δt k₃),
    h ← h + Δt (k₁ + 2k₂ + 2k₃ + k₄)/6): the states (k + 1, …) including h0."""
    dt = t_end / k
    out = [h0]
    h = h0
    for i in range(k):
        k1 = f(h)
        k2 = f(h + 0.5 * dt * k1)
        k3 = f(h + 0.5 * dt * k2)
        k4 = f(h + dt * k3)
        h = h + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
        out.append(h)
        _report(progress, i, k, "RK4")
    return torch.stack(out)


class ResidualNet(torch.nn.Module):
    """``depth`` residual blocks h ← h + (t_end/depth) f(h) sharing one field f: a ResNet written as a network."""

    def __init__(self, f: Callable[[torch.Tensor], torch.Tensor], depth: int, t_end: float) -> None:
        super().__init__()
        self.f, self.depth, self.dt = f, depth, t_end / depth

    def forward(self, h: torch.Tensor) -> list[torch.Tensor]:
        states = [h]
        for _ in range(self.depth):
            h = h + self.dt * self.f(h)  # the residual connection
            states.append(h)
        return states


# ------------------------------------------------------------------------------------------ integrate


@dataclass(frozen=True)
class Solution:
    """One solver's trajectories from a batch of starts."""

    method: str
    t: np.ndarray  # (m,) output times
    y: np.ndarray  # (B, m, 2); NaN after a capped adaptive solve stopped
    nfe: int  # evaluations of f (per batch: the batch is evaluated together)
    steps: int  # steps taken (accepted, for dopri5)
    rejected: int  # dopri5's rejected steps (0 for the fixed-step methods)
    step_times: np.ndarray  # (steps + 1,) where the steps began and the last ended: the step sizes' picture
    stopped_at: float | None  # dopri5: the time reached when max_nfe stopped it, else None
    note: str


class _Counted:
    """f(t, y) for torchdiffeq, counting evaluations and accepted/rejected steps; past ``cap`` evaluations it
    returns zeros (the solver then strides to the end) and stops recording."""

    def __init__(self, f: Callable[[torch.Tensor], torch.Tensor], cap: int, progress: Progress = None) -> None:
        self.f, self.cap, self.progress = f, cap, progress
        self.nfe, self.rejected, self.frozen = 0, 0, False
        self.accepted: list[tuple[torch.Tensor, torch.Tensor]] = []

    def __call__(self, t: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        if self.nfe >= self.cap:
            self.frozen = True
            return torch.zeros_like(y)
        self.nfe += 1
        if self.progress and self.nfe % 500 == 0:
            self.progress(self.nfe / self.cap, f"Adaptive solver: {self.nfe:,} evaluations (at most {self.cap:,})")
        return self.f(y)

    def callback_accept_step(self, t0: torch.Tensor, y0: torch.Tensor, dt: torch.Tensor) -> None:
        if not self.frozen:
            self.accepted.append((t0, dt))

    def callback_reject_step(self, t0: torch.Tensor, y0: torch.Tensor, dt: torch.Tensor) -> None:
        if not self.frozen:
            self.rejected += 1


def _starts(y0, device: torch.device) -> torch.Tensor:
    h = torch.as_tensor(np.asarray(y0, dtype=np.float64)).reshape(-1, 2)
    if not torch.isfinite(h).all() or len(h) > 1024 or np.abs(h.numpy()).max() > 1e3:
        raise DataError("Give 1 to 1,024 finite starting points within ±1000.")
    return h.to(device=device, dtype=compute_dtype(device))


def integrate(fld: Field, y0, t_end: float = 10.0, method: str = "rk4", k: int = 100, rtol: float = 1e-6,
              atol: float = 1e-8, outputs: int = 201, max_nfe: int = DEFAULT_NFE, progress: Progress = None,
              device: torch.device | str = "cpu") -> Solution:
    """Solve dh/dt = f(h) from each start in ``y0`` ((2,) or (B, 2)) over [0, t_end].

    "euler" and "rk4": ``k`` fixed steps, outputs at every step (k + 1 times). "dopri5": torchdiffeq's adaptive
    Dormand–Prince with tolerances ``rtol``, ``atol`` (float32 devices: rtol at least 1e-5), outputs at
    ``outputs`` evenly spaced times (interpolated), at most ``max_nfe`` evaluations (see the module docstring);
    ``progress`` hears every tenth of the fixed steps, or every 500 evaluations of the adaptive solver."""
    if method not in METHODS:
        raise DataError(f"Unknown method {method!r}; choose one of {', '.join(METHODS)}.")
    if not (math.isfinite(t_end) and 0 < t_end <= MAX_T):
        raise DataError(f"Integrate over 0 < T ≤ {MAX_T:g}.")
    device = torch.device(device)
    h0 = _starts(y0, device)
    f = torch_field(fld, device)
    with single_thread(device), torch.no_grad():
        if method != "dopri5":
            if not 1 <= k <= MAX_STEPS:
                raise DataError(f"Take 1 to {MAX_STEPS:,} steps.")
            Y = (euler_steps if method == "euler" else rk4_steps)(f, h0, t_end, k, progress)
            t = np.linspace(0, t_end, k + 1)
            y = Y.transpose(0, 1).to("cpu", torch.float64).numpy()
            note = "" if np.isfinite(y).all() else (f"The solution blew up (overflow): {method} with Δt = "
                                                     f"{t_end / k:.3g} is unstable here; take more steps.")
            return Solution(method, t, y, k * (1 if method == "euler" else 4), k, 0, t.copy(), None, note)
        if not (1e-12 <= rtol <= 1e-1 and 1e-14 <= atol <= 1e-1):
            raise DataError("Use 1e-12 ≤ rtol ≤ 0.1 and 1e-14 ≤ atol ≤ 0.1.")
        if not 2 <= outputs <= 5001 or not 10 <= max_nfe <= MAX_NFE:
            raise DataError(f"Use 2 to 5,001 output times and a cap of 10 to {MAX_NFE:,} evaluations.")
        return _dopri5(f, h0, t_end, rtol, atol, outputs, max_nfe, progress)


def _dopri5(f: Callable[[torch.Tensor], torch.Tensor], h0: torch.Tensor, t_end: float, rtol: float, atol: float,
            outputs: int, cap: int, progress: Progress) -> Solution:
    from torchdiffeq import odeint

    if h0.dtype == torch.float32:
        rtol, atol = max(rtol, 1e-5), max(atol, 1e-7)
    fn = _Counted(f, cap, progress)
    t = torch.linspace(0, t_end, outputs, dtype=h0.dtype, device=h0.device)
    with single_thread(h0.device), torch.no_grad():
        Y = odeint(fn, h0, t, rtol=rtol, atol=atol, method="dopri5")
    tt = t.to("cpu", torch.float64).numpy()
    y = Y.transpose(0, 1).to("cpu", torch.float64).numpy()
    starts = np.array([float(a) for a, _ in fn.accepted] + ([float(fn.accepted[-1][0] + fn.accepted[-1][1])]
                                                            if fn.accepted else [0.0]))
    stopped, note = None, ""
    if fn.frozen:
        stopped = float(starts[-1])
        y[:, tt > stopped] = np.nan
        last = float(starts[-1] - starts[-2]) if len(starts) > 1 else 0.0
        note = (f"Stopped after {fn.nfe:,} evaluations of f, at t = {stopped:.4g} of {t_end:g}: the adaptive solver "
                f"had taken {len(fn.accepted):,} steps, the last {last:.2g} long (an explicit method must creep on a "
                "stiff field; a long time at a tight tolerance also costs). Later outputs are left out.")
    return Solution("dopri5", tt, y, fn.nfe, len(fn.accepted), fn.rejected, starts, stopped, note)


def residual_net(fld: Field, y0, depth: int = 10, t_end: float = 1.0, device: torch.device | str = "cpu") -> np.ndarray:
    """The states after each of ``depth`` residual blocks ((B, depth + 1, 2)): equal to Euler with k = depth."""
    if not 1 <= depth <= MAX_DEPTH:
        raise DataError(f"Use 1 to {MAX_DEPTH:,} blocks.")
    if not (math.isfinite(t_end) and 0 < t_end <= MAX_T):
        raise DataError(f"Integrate over 0 < T ≤ {MAX_T:g}.")
    device = torch.device(device)
    net = ResidualNet(torch_field(fld, device), depth, t_end)
    with single_thread(device), torch.no_grad():
        states = net(_starts(y0, device))
    return torch.stack(states, 1).to("cpu", torch.float64).numpy()


# ------------------------------------------------------------------------------------------ comparisons


@dataclass(frozen=True)
class Convergence:
    """Error at t_end against step count for Euler and RK4 (against a tight dopri5 reference), with the fitted
    orders: log(error) against log(Δt)."""

    k: np.ndarray  # (s,) step counts
    dt: np.ndarray  # (s,)
    euler_error: np.ndarray  # (s,) ‖h_k − h(T)‖ (max over starts)
    rk4_error: np.ndarray  # (s,)
    euler_order: float  # least-squares slope over the points above the error floor
    rk4_order: float
    reference_nfe: int
    reference: np.ndarray  # (B, 2) the reference solution h(t_end) (dopri5 at the tight tolerance)


def _order(dt: np.ndarray, err: np.ndarray, floor: float) -> float:
    ok = np.isfinite(err) & (err > floor)
    if ok.sum() < 2:
        return float("nan")
    return float(np.polyfit(np.log(dt[ok]), np.log(err[ok]), 1)[0])


def convergence(fld: Field, y0, t_end: float = 5.0, ks: tuple[int, ...] = (10, 20, 40, 80, 160, 320),
                progress: Progress = None, device: torch.device | str = "cpu") -> Convergence:
    """Euler's and RK4's global error at ``t_end`` for each step count in ``ks``; the reference is dopri5 at
    rtol 1e-12 (float64) or 1e-6 (float32), so errors under ~100× its tolerance (or the float's precision)
    are left out of the fitted orders. A field that needs more than :data:`REFERENCE_NFE` evaluations for the
    reference is refused."""
    ks_a = np.array(sorted({int(k) for k in ks}))
    if len(ks_a) < 2 or ks_a[0] < 1 or ks_a[-1] > MAX_STEPS:
        raise DataError(f"Give at least two step counts between 1 and {MAX_STEPS:,}.")
    if not (math.isfinite(t_end) and 0 < t_end <= MAX_T):
        raise DataError(f"Integrate over 0 < T ≤ {MAX_T:g}.")
    device = torch.device(device)
    tight = 1e-12 if compute_dtype(device) == torch.float64 else 1e-6
    ref = _dopri5(torch_field(fld, device), _starts(y0, device), t_end, tight, tight, 2, REFERENCE_NFE, None)
    if ref.stopped_at is not None:
        raise DataError(f"The reference solution needs more than {REFERENCE_NFE:,} evaluations: the field is too "
                        "stiff here (or the time too long) for this comparison.")
    end = ref.y[:, -1]
    errs = {"euler": [], "rk4": []}
    for i, k in enumerate(ks_a):
        for m in errs:
            sol = integrate(fld, y0, t_end, m, k=int(k), device=device)
            errs[m].append(float(np.abs(sol.y[:, -1] - end).max()))
        if progress:
            progress((i + 1) / len(ks_a), f"Solved with {k} steps")
    dt = t_end / ks_a
    floor = 100 * max(tight, float(np.finfo(np.float64 if tight < 1e-9 else np.float32).eps)) * max(
        1.0, float(np.abs(end).max()))
    e, r = np.array(errs["euler"]), np.array(errs["rk4"])
    return Convergence(ks_a, dt, e, r, _order(dt, e, floor), _order(dt, r, floor), ref.nfe, end.copy())


@dataclass(frozen=True)
class VectorField:
    """f(h) on a grid: arrows for the phase portrait."""

    x: np.ndarray  # (r,)
    y: np.ndarray  # (r,)
    u: np.ndarray  # (r, r) rows along y
    v: np.ndarray  # (r, r)
    speed: np.ndarray  # (r, r)


def vector_field(fld: Field, extent: float = 2.5, resolution: int = 21,
                 device: torch.device | str = "cpu") -> VectorField:
    """f on a ``resolution``² grid over [−extent, extent]²."""
    if not (math.isfinite(extent) and 0 < extent <= 100) or not 2 <= resolution <= 201:
        raise DataError("Use a window half-width in (0, 100] and 2 to 201 points a side.")
    device = torch.device(device)
    dtype = compute_dtype(device)
    xs = torch.linspace(-extent, extent, resolution, dtype=dtype, device=device)
    Y, X = torch.meshgrid(xs, xs, indexing="ij")
    with torch.no_grad():
        d = torch_field(fld, device)(torch.stack([X, Y], -1))
    u, v = (d[..., i].to("cpu", torch.float64).numpy() for i in (0, 1))
    x = xs.to("cpu", torch.float64).numpy()
    return VectorField(x, x.copy(), u, v, np.hypot(u, v))


# ------------------------------------------------------------------------------------------ training


@dataclass(frozen=True)
class TrainedODE:
    """An MLP field fitted to one trajectory of a built-in field."""

    field: Field  # the learned field (kind "mlp")
    truth: Field  # the field that made the data
    t: np.ndarray  # (m,) observation times
    data: np.ndarray  # (m, 2) observed states (with noise)
    clean: np.ndarray  # (m, 2) the true trajectory
    fit: np.ndarray  # (m, 2) the learned field integrated from the first observation (RK4, 4 steps per gap)
    losses: np.ndarray  # (steps run,) mean absolute error per training step
    diverged: bool
    stopped_at: int | None
    note: str


def spiral_data(kind: str = "spiral", points: int = 200, t_end: float = 20.0, noise: float = 0.0, seed: int = 0,
                start=(2.0, 0.0)) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The true trajectory of a built-in field at ``points`` times over [0, t_end] (scipy's DOP853 at rtol 1e-10),
    and a copy with seeded N(0, noise²) noise: (t, clean, noisy)."""
    from scipy.integrate import solve_ivp

    if kind not in ("spiral", "vanderpol"):
        raise DataError("Learn the 'spiral' or Van der Pol's cycle ('vanderpol', μ = 1).")
    if not 10 <= points <= 2000 or not (math.isfinite(t_end) and 0 < t_end <= 100):
        raise DataError("Use 10 to 2,000 observations over 0 < T ≤ 100.")
    if not (math.isfinite(noise) and 0 <= noise <= 1):
        raise DataError("The noise's standard deviation must lie between 0 and 1.")
    fun = {"spiral": lambda _t, h: SPIRAL @ h,
           "vanderpol": lambda _t, h: np.array([h[1], (1 - h[0] ** 2) * h[1] - h[0]])}[kind]
    t = np.linspace(0, t_end, points)
    sol = solve_ivp(fun, (0, t_end), np.asarray(start, dtype=np.float64), method="DOP853", t_eval=t, rtol=1e-10,
                    atol=1e-12)
    clean = sol.y.T
    return t, clean, clean + noise * np.random.default_rng(seed).standard_normal(clean.shape)


def train_ode(kind: str = "spiral", hidden: int = 32, steps: int = 200, lr: float = 0.01, points: int = 200,
              t_end: float = 20.0, noise: float = 0.0, segment: int = 10, batch: int = 16, seed: int = 0,
              progress: Progress = None, device: torch.device | str = "cpu") -> TrainedODE:
    """Fit f_θ (``hidden`` tanh units) to the spiral's observations: each of ``steps`` Adam steps takes ``batch``
    seeded segments of ``segment`` gaps, integrates f_θ over each by RK4 (one step per gap) from its first
    observation, and lowers the mean absolute error to the observations (backpropagation through the solver).
    The defaults fit the spiral; Van der Pol's cycle fits better with ``segment=5, lr=0.02``.
    A loss that turns non-finite or grows past 100× its start stops training (reported). ``progress`` hears
    every twentieth of the steps."""
    if not 2 <= hidden <= MAX_HIDDEN or not 1 <= steps <= MAX_TRAIN_STEPS:
        raise DataError(f"Use 2 to {MAX_HIDDEN} hidden units and 1 to {MAX_TRAIN_STEPS} training steps.")
    if not (math.isfinite(lr) and 0 < lr <= 10):
        raise DataError("The learning rate must lie in (0, 10].")
    t, clean, noisy = spiral_data(kind, points, t_end, noise, seed)
    if not 1 <= segment < points or not 1 <= batch <= 256:
        raise DataError(f"Use segments of 1 to {points - 1} gaps and 1 to 256 of them a step.")
    device = torch.device(device)
    dtype = compute_dtype(device)
    with seeded(seed):
        l1, l2 = torch.nn.Linear(2, hidden), torch.nn.Linear(hidden, 2)
        torch.nn.init.normal_(l2.weight, std=0.1)
        torch.nn.init.zeros_(l2.bias)
    model = torch.nn.Sequential(l1, torch.nn.Tanh(), l2).to(device=device, dtype=dtype)
    obs = torch.as_tensor(noisy, dtype=dtype, device=device)
    dt = float(t[1] - t[0])
    gen = torch.Generator().manual_seed(int(seed) + 1)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    losses = np.full(steps, np.nan)
    diverged, stopped, first = False, None, None
    offsets = torch.arange(segment + 1, device=device)
    with single_thread(device), torch.enable_grad():
        for i in range(steps):
            s = torch.randint(points - segment, (batch,), generator=gen).to(device)
            target = obs[s[:, None] + offsets]  # (batch, segment + 1, 2)
            pred = rk4_steps(model, target[:, 0], dt * segment, segment)  # (segment + 1, batch, 2)
            loss = (pred.transpose(0, 1) - target).abs().mean()
            value = float(loss.detach())
            losses[i] = value
            first = value if first is None else first
            if not math.isfinite(value) or value > BLOW_UP * max(first, 1e-12):
                diverged, stopped = True, i + 1
                break
            opt.zero_grad()
            loss.backward()
            opt.step()
            if progress and (i + 1) % max(1, steps // 20) == 0:
                progress((i + 1) / steps, f"Training the field: step {i + 1} of {steps}, loss {value:.4f}")
    weights = {"W1": l1.weight, "b1": l1.bias, "W2": l2.weight, "b2": l2.bias}
    learned = Field("mlp", weights={k: v.detach().to("cpu", torch.float64).numpy().copy() for k, v in weights.items()})
    note, fit = "", np.full_like(clean, np.nan)
    if diverged:
        note = (f"Training diverged at step {stopped} (loss {losses[stopped - 1]:.3g} from {first:.3g}): lower the "
                "learning rate.")
    else:
        sol = integrate(learned, noisy[0], float(t[-1]), "rk4", k=4 * (points - 1), device=device)
        fit = sol.y[0, ::4]
    return TrainedODE(learned, builtin(kind), t, noisy, clean, fit, losses[: stopped or steps], diverged, stopped,
                      note)
