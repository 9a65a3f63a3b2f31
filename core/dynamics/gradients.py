"""Spectral radius, gradients through time and Lyapunov exponents of a random RNN of N units.

The network is h_{t+1} = φ(W h_t + x_t) with φ = tanh (or the identity: the linear RNN), x_t optional seeded
Gaussian input, and W drawn from ``seed`` and scaled to spectral radius ρ (the largest |eigenvalue|):

* ``"gaussian"``: W₀ with i.i.d. N(0, 1/N) entries (its eigenvalues fill the unit disc as N grows, Girko's
  circular law), then W = ρ W₀ / ρ(W₀). Not normal: ‖Wᵗ‖ ≈ C ρᵗ with a constant C ≥ 1.
* ``"orthogonal"``: W = ρ Q, Q Haar-random orthogonal (QR of a Gaussian, signs fixed). Every singular value is
  ρ, so ‖Wᵗ‖₂ = ρᵗ exactly: the remedy of orthogonal initialisation (Saxe et al. 2014).

**Gradients through time.** ∂h_T/∂h₀ = J_T ⋯ J₁ with J_t = diag(φ′(a_t)) W, a_t = W h_{t−1} + x_t the
pre-activation. It is accumulated forward, P_t = J_t P_{t−1} (one n × n product a step), and its spectral
norm ‖P_t‖₂ is the factor by which a gradient arriving at step T can grow or shrink on its way back to step 0.
For the linear RNN P_t = Wᵗ, so the norm grows like ρᵗ (log-slope log ρ): vanishing for ρ < 1, exploding
for ρ > 1. tanh′ ≤ 1 only shrinks it further. When P's largest entry passes :func:`_limits`' ceiling (or
falls under its floor) the run stops there and says at which step: the next steps would overflow to inf (or
sink into subnormal numbers, which also run ~100× slower on x86).

**Lyapunov exponents** by the QR (Benettin) method: carry k orthonormal tangent vectors Q along the orbit,
V = J_t Q, V = Q′R, and average log |R_ii| over the steps; λ₁ is the average exponential rate at which
nearby orbits separate (λ₁ > 0: chaos). :func:`lyapunov_qr` takes any map as a function returning the next
state and the pushed-forward tangents, so the same code is tested on the logistic map (λ = ln 2 at r = 4).
For the linear RNN the exponents are log |eigenvalues| (λ₁ = log ρ). For tanh with no input the origin is a
fixed point with Jacobian W: for ρ < 1 every orbit falls into it and λ₁ = log ρ; past ρ ≈ 1 a large random
network turns chaotic (Sompolinsky, Crisanti & Sommers 1988, in discrete time), λ₁ crosses zero: the "edge
of chaos", where trained RNNs tend to work best.

**Gradient clipping.** For each sequence length t the loss L_t = ½‖h_t − y‖² (y a seeded target), its gradient
with respect to W by backpropagation through time, and one step of size lr with the gradient as is and
clipped to norm ``threshold`` (g ← g · min(1, c/‖g‖), Pascanu et al. 2013): the loss after each. Where the
gradient explodes the unclipped step overshoots and the loss jumps; the clipped one stays bounded. (With
tanh and ρ > 1 the loss is chaotic in W: the gradient describes it only very near W, which is why a long
sequence's loss can rise even after a small step.)

Random draws come from numpy's ``default_rng(seed)`` on the CPU in float64 (the same W on every device and
whatever other sessions draw), then move to ``device`` in its compute dtype.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from core.data import DataError
from core.device import compute_dtype, single_thread

Progress = Callable[[float, str], None] | None
Tangent = Callable[[torch.Tensor, torch.Tensor], tuple[torch.Tensor, torch.Tensor]]
INITS = ("gaussian", "orthogonal")
NONLINEARITIES = ("tanh", "linear")
MAX_UNITS = 256
MAX_GRADIENT_UNITS = 128  # an n × n product a step: 500 steps of 128 units take ~0.25 s on one core
CHECKPOINTS = 200  # steps at which ‖∂h_t/∂h₀‖₂ is computed (an SVD each)
MAX_STEPS = 1000  # Lyapunov runs (and their burn-in)
MAX_GRADIENT_STEPS = 500
MAX_SWEEP_UNITS = 128
MAX_RHO = 5.0
MIN_RHO = 0.05
MAX_RHOS = 61
MAX_EXPONENTS = 8
MAX_CLIP_STEPS = 200
MAX_CLIP_UNITS = 64


def _check(n: int, rho: float, init: str, nonlinearity: str, input_std: float, max_units: int = MAX_UNITS) -> None:
    if not 2 <= n <= max_units:
        raise DataError(f"Use 2 to {max_units} units.")
    if not (math.isfinite(rho) and MIN_RHO <= rho <= MAX_RHO):
        raise DataError(f"The spectral radius ρ must lie between {MIN_RHO} and {MAX_RHO:g}.")
    if init not in INITS:
        raise DataError(f"Unknown initialisation {init!r}; choose one of {', '.join(INITS)}.")
    if nonlinearity not in NONLINEARITIES:
        raise DataError(f"Unknown nonlinearity {nonlinearity!r}; choose one of {', '.join(NONLINEARITIES)}.")
    if not (math.isfinite(input_std) and 0 <= input_std <= 5):
        raise DataError("The input's standard deviation must lie between 0 and 5.")


def base_matrix(n: int, init: str = "gaussian", seed: int = 0) -> np.ndarray:
    """The seeded n × n matrix of spectral radius 1 (float64, CPU) that ρ then scales: see the module docstring.
    The factorisations run in torch on one thread: numpy's OpenBLAS on two contended cores took 1 s for the
    eigenvalues of a 256 × 256 matrix that one thread finds in 0.03 s."""
    rng = np.random.default_rng(seed)
    A = torch.as_tensor(rng.standard_normal((n, n)) / math.sqrt(n))
    with single_thread():
        if init == "orthogonal":
            Q, R = torch.linalg.qr(A)
            return (Q * torch.where(torch.diagonal(R) < 0, -1.0, 1.0)).numpy()  # Haar: fix QR's arbitrary signs
        return (A / torch.linalg.eigvals(A).abs().max()).numpy()


@dataclass(frozen=True)
class Recurrent:
    """W = ρ W₁ and its spectrum, for the eigenvalue picture (a disc of radius ρ)."""

    W: np.ndarray  # (n, n)
    rho: float
    init: str
    eigenvalues: np.ndarray  # (n,) complex
    singular_values: np.ndarray  # (n,) descending: all ρ for "orthogonal"; spread out (non-normal) for "gaussian"


def recurrent(n: int = 64, rho: float = 1.0, init: str = "gaussian", seed: int = 0) -> Recurrent:
    """The recurrent matrix the other functions use for these arguments, with its eigenvalues and singular values."""
    _check(n, rho, init, "tanh", 0.0)
    W = rho * base_matrix(n, init, seed)
    with single_thread():
        lam, sv = torch.linalg.eigvals(torch.as_tensor(W)), torch.linalg.svdvals(torch.as_tensor(W))
    return Recurrent(W, float(rho), init, lam.numpy(), sv.numpy())


def _inputs(n: int, steps: int, input_std: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The seeded start h₀ ~ U(−1, 1)ⁿ and inputs x_t ~ N(0, input_std²) (steps, n): an independent stream
    from W's (seed + 1)."""
    rng = np.random.default_rng(seed + 1)
    h0 = rng.uniform(-1, 1, n)
    x = rng.standard_normal((steps, n)) * input_std
    return h0, x


def _limits(dtype: torch.dtype) -> tuple[float, float]:
    """(floor, ceiling) for a norm before it leaves the float type's comfortable range: 1e±250 in float64
    (largest 1.8e308, smallest normal 2.2e-308), 1e±30 in float32 (3.4e38, 1.2e-38)."""
    return (1e-250, 1e250) if dtype == torch.float64 else (1e-30, 1e30)


# ------------------------------------------------------------------------------------------ gradient norms


@dataclass(frozen=True)
class GradientNorms:
    """‖∂h_t/∂h₀‖₂ for t = 0 … (the steps run), beside ρᵗ."""

    t: np.ndarray  # (m,) the steps measured: 0, 1, … (every step up to CHECKPOINTS steps, else evenly spaced)
    norm: np.ndarray  # (m,) spectral norm of ∂h_t/∂h₀ (1 at t = 0)
    rho_power: np.ndarray  # (m,) ρᵗ: the linear RNN's closed form for an orthogonal (or any normal) W
    growth_rate: float  # least-squares slope of log ‖·‖ against t over the second half of the steps run
    log_rho: float
    states: np.ndarray  # (m, n) h_t at those steps
    saturation: np.ndarray  # (m,) fraction of units with |h| > 0.99 at each step (tanh′ < 0.02)
    stopped_at: int | None  # the step at which the norm left the float range (the run stopped), else None
    note: str


def _fit_slope(t: np.ndarray, y: np.ndarray) -> float:
    half = len(t) // 2
    if len(t) - half < 2:
        return float("nan")
    return float(np.polyfit(t[half:], y[half:], 1)[0])


def gradient_norms(n: int = 64, rho: float = 1.0, steps: int = 100, init: str = "gaussian",
                   nonlinearity: str = "tanh", input_std: float = 0.0, seed: int = 0, checkpoints: int = CHECKPOINTS,
                   progress: Progress = None, device: torch.device | str = "cpu") -> GradientNorms:
    """Run the RNN ``steps`` steps from the seeded h₀, accumulating P_t = ∂h_t/∂h₀ forward, and take its spectral
    norm (an SVD) at every step up to ``checkpoints`` steps (at most :data:`CHECKPOINTS`), else at that many evenly
    spaced steps: the SVDs are most of the cost, so a picture that needs fewer points asks for fewer. Stops
    where P's largest entry leaves the float range and says so (the norm is within a factor n of it).
    ``progress`` hears every tenth of the steps."""
    _check(n, rho, init, nonlinearity, input_std, MAX_GRADIENT_UNITS)
    if not 1 <= steps <= MAX_GRADIENT_STEPS:
        raise DataError(f"Take 1 to {MAX_GRADIENT_STEPS} steps.")
    if not 2 <= checkpoints <= CHECKPOINTS:
        raise DataError(f"Measure the norm at 2 to {CHECKPOINTS} steps.")
    device = torch.device(device)
    dtype = compute_dtype(device)
    floor, ceiling = _limits(dtype)
    W = torch.as_tensor(rho * base_matrix(n, init, seed), dtype=dtype, device=device)
    h0, x = _inputs(n, steps, input_std, seed)
    h = torch.as_tensor(h0, dtype=dtype, device=device)
    X = torch.as_tensor(x, dtype=dtype, device=device)
    P = torch.eye(n, dtype=dtype, device=device)
    marks = set(np.unique(np.linspace(0, steps, min(steps, checkpoints) + 1).round().astype(int)).tolist())
    ts, norms, states = [0], [torch.ones((), dtype=dtype, device=device)], [h]
    stopped, exploded = None, False
    with single_thread(device):  # n ≤ 128: a second thread only waits (see core.device.single_thread)
        for t in range(1, steps + 1):
            a = W @ h + X[t - 1]
            if nonlinearity == "tanh":
                h = torch.tanh(a)
                P = (1 - h * h)[:, None] * (W @ P)
            else:
                h = a
                P = W @ P
            top = float(P.abs().amax())
            if not (floor <= top <= ceiling):  # also catches inf and NaN
                stopped, exploded = t, not top < floor
                break
            if t in marks:
                ts.append(t)
                norms.append(torch.linalg.matrix_norm(P, ord=2))
                states.append(h)
            if progress and t % max(1, steps // 10) == 0:
                progress(t / steps, f"Multiplied Jacobians: step {t} of {steps}")
    norm = torch.stack(norms).to("cpu", torch.float64).numpy()
    tt = np.array(ts)
    S = torch.stack(states).to("cpu", torch.float64).numpy()
    note = ""
    if stopped is not None:
        kind = str(dtype).removeprefix("torch.")
        note = (f"Stopped at step {stopped}: the gradient passed {ceiling:.0e} (exploding), and a few more "
                f"steps would overflow {kind} to infinity." if exploded else
                f"Stopped at step {stopped}: the gradient fell below {floor:.0e} (vanished), and a few more "
                f"steps would underflow {kind} to zero.")
    return GradientNorms(tt, norm, rho ** tt.astype(np.float64), _fit_slope(tt, np.log(norm)), math.log(rho), S,
                         (np.abs(S) > 0.99).mean(-1), stopped, note)


# ------------------------------------------------------------------------------------------ Lyapunov exponents


@dataclass(frozen=True)
class LyapunovRun:
    """The QR method's estimate of the k largest Lyapunov exponents, averaged over a batch of orbits."""

    exponents: np.ndarray  # (k,) descending, per step (natural log)
    running: np.ndarray  # (steps, k) the running average after each step (batch-averaged): its convergence
    per_orbit: np.ndarray  # (B, k) each orbit's estimate


def lyapunov_qr(tangent: Tangent, h0: torch.Tensor, steps: int, k: int = 1, burn_in: int = 0,
                progress: Progress = None) -> LyapunovRun:
    """The QR (Benettin) method for any map: ``tangent(h, Q) -> (F(h), J(h) @ Q)`` with h (B, n) a batch of
    states and Q (B, n, k) tangent vectors. Starts from the first k coordinate axes, re-orthonormalises by QR
    every step, and averages log |R_ii| over ``steps`` steps after ``burn_in`` steps that only align Q with
    the growing directions."""
    B, n = h0.shape
    if not 1 <= k <= n:
        raise DataError(f"Ask for 1 to {n} exponents.")
    Q = torch.eye(n, k, dtype=h0.dtype, device=h0.device).expand(B, n, k).clone()
    h = h0
    total = torch.zeros((B, k), dtype=h0.dtype, device=h0.device)
    running = torch.empty((steps, k), dtype=h0.dtype, device=h0.device)
    with single_thread(h0.device):  # many small steps: a second thread only waits
        _qr_loop(tangent, h, Q, total, running, steps, k, burn_in, progress)
    per = (total / steps).to("cpu", torch.float64).numpy()
    return LyapunovRun(per.mean(0), running.to("cpu", torch.float64).numpy(), per)


def _qr_loop(tangent: Tangent, h: torch.Tensor, Q: torch.Tensor, total: torch.Tensor, running: torch.Tensor,
             steps: int, k: int, burn_in: int, progress: Progress) -> None:
    for t in range(burn_in + steps):
        h, V = tangent(h, Q)
        if k == 1:
            r = torch.linalg.vector_norm(V, dim=1)  # (B, 1)
            Q = V / r[:, None, :]
            logs = torch.log(r)
        else:
            Q, R = torch.linalg.qr(V)
            logs = torch.log(torch.diagonal(R, dim1=-2, dim2=-1).abs())
        if t >= burn_in:
            total += logs
            running[t - burn_in] = total.mean(0) / (t - burn_in + 1)
        if progress and (t + 1) % max(1, (burn_in + steps) // 10) == 0:
            progress((t + 1) / (burn_in + steps), f"Lyapunov exponents: step {t + 1} of {burn_in + steps}")


def rnn_tangent(W: torch.Tensor, nonlinearity: str = "tanh", inputs: torch.Tensor | None = None,
                scale: torch.Tensor | None = None) -> Tangent:
    """The RNN's ``tangent`` for :func:`lyapunov_qr`: h ← φ(s W h + x_t), Q ← diag(φ′) s W Q, with s a per-orbit
    scale (B,) (ρ in a sweep over one base matrix) and x_t the next row of ``inputs`` (steps, n) when given."""
    state = {"t": 0}

    def step(h: torch.Tensor, Q: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        a = h @ W.T
        WQ = W @ Q
        if scale is not None:
            a = a * scale[:, None]
            WQ = WQ * scale[:, None, None]
        if inputs is not None:
            a = a + inputs[state["t"] % len(inputs)]
            state["t"] += 1
        if nonlinearity == "linear":
            return a, WQ
        f = torch.tanh(a)
        return f, (1 - f * f)[:, :, None] * WQ

    return step


@dataclass(frozen=True)
class Lyapunov:
    """The k largest Lyapunov exponents of one RNN, and how the estimate converged."""

    exponents: np.ndarray  # (k,) descending
    running: np.ndarray  # (steps, k)
    log_rho: float  # the linear RNN's λ₁ (and tanh's, below the edge of chaos with no input)
    log_moduli: np.ndarray  # (k,) log |eigenvalues of W|, largest first: the linear RNN's whole spectrum
    note: str


def lyapunov(n: int = 64, rho: float = 1.5, steps: int = 500, burn_in: int = 100, k: int = 1,
             init: str = "gaussian", nonlinearity: str = "tanh", input_std: float = 0.0, seed: int = 0,
             progress: Progress = None, device: torch.device | str = "cpu") -> Lyapunov:
    """The k largest exponents of one seeded RNN by :func:`lyapunov_qr` from the seeded h₀ (after ``burn_in``
    steps), with the linear closed forms beside them."""
    _check(n, rho, init, nonlinearity, input_std)
    if not 1 <= steps <= 2 * MAX_STEPS or not 0 <= burn_in <= MAX_STEPS or not 1 <= k <= min(n, MAX_EXPONENTS):
        raise DataError(f"Take 1 to {2 * MAX_STEPS} steps after 0 to {MAX_STEPS} burn-in steps, and ask for "
                        f"1 to {min(n, MAX_EXPONENTS)} exponents.")
    device = torch.device(device)
    dtype = compute_dtype(device)
    W1 = rho * base_matrix(n, init, seed)
    W = torch.as_tensor(W1, dtype=dtype, device=device)
    h0, x = _inputs(n, burn_in + steps, input_std, seed)
    X = torch.as_tensor(x, dtype=dtype, device=device) if input_std > 0 else None
    with single_thread(device):
        run = lyapunov_qr(rnn_tangent(W, nonlinearity, X), torch.as_tensor(h0, dtype=dtype, device=device)[None],
                          steps, k, burn_in, progress)
    with single_thread():
        moduli = torch.linalg.eigvals(torch.as_tensor(W1)).abs().sort(descending=True).values[:k].numpy()
    note = ""
    if run.exponents[0] > 0.005:
        note = (f"λ₁ = {run.exponents[0]:+.3f} > 0: nearby states separate by a factor e^{run.exponents[0]:.2f} "
                "a step on average (chaos).")
    return Lyapunov(run.exponents, run.running, math.log(rho), np.log(moduli), note)


@dataclass(frozen=True)
class LyapunovSweep:
    """λ₁ against ρ for one seeded base matrix scaled to each ρ: the edge of chaos."""

    rho: np.ndarray  # (R,)
    exponent: np.ndarray  # (R,) λ₁
    log_rho: np.ndarray  # (R,) log ρ, the linear RNN's λ₁
    crossing: float | None  # the first ρ where λ₁ crosses from below to above 0 (linear interpolation)
    note: str


def lyapunov_sweep(n: int = 64, rhos: tuple[float, float] = (0.5, 2.5), count: int = 41, steps: int = 300,
                   burn_in: int = 200, init: str = "gaussian", nonlinearity: str = "tanh", input_std: float = 0.0,
                   seed: int = 0, progress: Progress = None, device: torch.device | str = "cpu") -> LyapunovSweep:
    """λ₁ at ``count`` spectral radii over ``rhos``, every ρ in one batch (one orbit each, the same h₀ and
    inputs, W = ρ W₁ for one base W₁). ``progress`` hears every tenth of the steps."""
    lo, hi = (float(r) for r in rhos)
    _check(n, lo, init, nonlinearity, input_std, MAX_SWEEP_UNITS)
    _check(n, hi, init, nonlinearity, input_std, MAX_SWEEP_UNITS)
    if not lo < hi or not 2 <= count <= MAX_RHOS:
        raise DataError(f"The radii must run from a low to a higher value, at 2 to {MAX_RHOS} points.")
    if not 10 <= steps <= MAX_STEPS or not 0 <= burn_in <= MAX_STEPS or steps + burn_in > MAX_STEPS:
        raise DataError(f"Take 10 to {MAX_STEPS} steps in all, burn-in included.")
    device = torch.device(device)
    dtype = compute_dtype(device)
    W = torch.as_tensor(base_matrix(n, init, seed), dtype=dtype, device=device)
    rho = torch.linspace(lo, hi, count, dtype=dtype, device=device)
    h0, x = _inputs(n, burn_in + steps, input_std, seed)
    X = torch.as_tensor(x, dtype=dtype, device=device) if input_std > 0 else None
    start = torch.as_tensor(h0, dtype=dtype, device=device).expand(count, n).clone()
    with single_thread(device):
        run = lyapunov_qr(rnn_tangent(W, nonlinearity, X, rho), start, steps, 1, burn_in, progress)
    lam = run.per_orbit[:, 0]
    r = rho.to("cpu", torch.float64).numpy()
    crossing = None
    for i in range(count - 1):
        if lam[i] < 0 <= lam[i + 1]:
            crossing = float(r[i] + (r[i + 1] - r[i]) * (-lam[i]) / (lam[i + 1] - lam[i]))
            break
    note = "" if crossing is not None else "λ₁ does not cross zero in this range of ρ."
    return LyapunovSweep(r, lam, np.log(r), crossing, note)


# ------------------------------------------------------------------------------------------ clipping


@dataclass(frozen=True)
class Clipping:
    """For each sequence length t: the gradient of L_t = ½‖h_t − y‖² with respect to W, and one step with it."""

    t: np.ndarray  # (T,) 1 … T
    grad_norm: np.ndarray  # (T,) ‖∂L_t/∂W‖_F
    clipped_norm: np.ndarray  # (T,) min(‖g‖, threshold)
    loss: np.ndarray  # (T,) L_t before the step
    loss_unclipped: np.ndarray  # (T,) L_t after W ← W − lr g
    loss_clipped: np.ndarray  # (T,) L_t after W ← W − lr g·min(1, threshold/‖g‖)
    threshold: float
    lr: float
    note: str


def bptt_all(W: torch.Tensor, h0: torch.Tensor, X: torch.Tensor, y: torch.Tensor, nonlinearity: str = "tanh",
             progress: Progress = None) -> tuple[torch.Tensor, torch.Tensor]:
    """∂L_t/∂W for every length t = 1 … T at once, L_t = ½‖h_t − y‖²: backpropagation through time written
    out, with one adjoint row per loss carried backwards together. Going down s = T … 1, row t of D holds
    ∂L_t/∂h_s (row s is seeded with h_s − y when s is reached); δ = D ⊙ φ′(a_s) gives ∂L_t/∂a_s, every
    gradient gains δ_t h_{s−1}ᵀ, and D ← δ W carries it one step further back. T² n² work in T steps, where
    one autograd pass per length would replay the graph T times. Returns (gradients (T, n, n), losses (T,))."""
    T, n = X.shape
    hs = [h0]
    for t in range(T):
        a = hs[-1] @ W.T + X[t]
        hs.append(torch.tanh(a) if nonlinearity == "tanh" else a)
    H = torch.stack(hs)  # (T + 1, n)
    losses = 0.5 * ((H[1:] - y) ** 2).sum(-1)
    D = torch.zeros((T, n), dtype=W.dtype, device=W.device)
    G = torch.zeros((T, n, n), dtype=W.dtype, device=W.device)
    for s in range(T, 0, -1):
        D[s - 1] = H[s] - y
        delta = D * (1 - H[s] * H[s]) if nonlinearity == "tanh" else D
        G += delta[:, :, None] * H[s - 1]
        D = delta @ W
        if progress and (T - s + 1) % max(1, T // 10) == 0:
            progress((T - s + 1) / T, f"Backpropagated through {T - s + 1} of {T} steps")
    return G, losses


def clipping(n: int = 32, rho: float = 1.5, steps: int = 50, threshold: float = 1.0, lr: float = 0.01,
             init: str = "gaussian", nonlinearity: str = "tanh", input_std: float = 0.0, seed: int = 0,
             progress: Progress = None, device: torch.device | str = "cpu") -> Clipping:
    """The gradient of L_t for every length t ≤ ``steps`` (:func:`bptt_all`), then the loss after one unclipped
    and one clipped step of size ``lr`` (the T updated networks run in one batch). The target y is seeded in
    (−0.9, 0.9)ⁿ. ``progress`` hears every tenth of the way back."""
    _check(n, rho, init, nonlinearity, input_std, MAX_CLIP_UNITS)
    if not 1 <= steps <= MAX_CLIP_STEPS:
        raise DataError(f"Use sequences of 1 to {MAX_CLIP_STEPS} steps.")
    if not (math.isfinite(threshold) and threshold > 0 and math.isfinite(lr) and 0 < lr <= 10):
        raise DataError("The clipping threshold must be positive and the step size between 0 and 10.")
    device = torch.device(device)
    dtype = compute_dtype(device)
    W = torch.as_tensor(rho * base_matrix(n, init, seed), dtype=dtype, device=device)
    h0, x = _inputs(n, steps, input_std, seed)
    y = torch.as_tensor(np.random.default_rng(seed + 2).uniform(-0.9, 0.9, n), dtype=dtype, device=device)
    H0 = torch.as_tensor(h0, dtype=dtype, device=device)
    X = torch.as_tensor(x, dtype=dtype, device=device)
    with single_thread(device), torch.no_grad():
        G, losses = bptt_all(W, H0, X, y, nonlinearity, progress)
        gn = torch.linalg.matrix_norm(G)  # Frobenius
        finite = torch.isfinite(gn)
        G = torch.where(finite[:, None, None], G, 0.0)
        factor = torch.where(finite, (threshold / gn).clamp(max=1.0), 0.0)
        after = []
        for Wt in (W - lr * G, W - lr * G * factor[:, None, None]):
            h = H0.expand(steps, n)
            L = torch.empty(steps, dtype=dtype, device=device)
            for t in range(steps):  # network t (its step fitted to length t + 1) is read at step t, then dropped
                a = torch.bmm(Wt[t:], h[:, :, None])[:, :, 0] + X[t]
                h = torch.tanh(a) if nonlinearity == "tanh" else a
                L[t] = 0.5 * ((h[0] - y) ** 2).sum()
                h = h[1:]
            after.append(L)
    gnorm, loss, unclipped, clipped = (v.to("cpu", torch.float64).numpy() for v in (gn, losses, *after))
    note = ""
    bad = ~np.isfinite(gnorm)
    if bad.any():
        first = int(np.flatnonzero(bad)[0]) + 1
        note = f"The gradient overflowed from sequence length {first}: those lengths are left out (NaN)."
        for a in (gnorm, loss, unclipped, clipped):
            a[bad] = np.nan
    return Clipping(np.arange(1, steps + 1), gnorm, np.minimum(gnorm, threshold), loss, unclipped, clipped,
                    float(threshold), float(lr), note)
