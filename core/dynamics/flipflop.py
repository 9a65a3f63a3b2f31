"""What a trained RNN computes: the 3-bit flip-flop (Sussillo & Barak 2013, "Opening the black box").

**Task.** Three input channels carry occasional pulses of +1 or −1 (each step, each channel, with probability
``pulse_prob``; every channel pulses at t = 0 so that the memory is defined from the start). Each of three
outputs must hold the sign of the last pulse on its channel: a memory of 2³ = 8 states.

**Network.** A vanilla RNN (h_t = tanh(W_ih x_t + b_ih + W_hh h_{t−1} + b_hh)) or a GRU (``torch.nn.RNN`` /
``torch.nn.GRU``) with a linear readout y_t = C h_t + d, trained live by Adam on the squared error, with the
gradient's norm clipped. A loss that turns non-finite or grows past :data:`BLOW_UP` times its start stops
training and is reported as diverged.

**Fixed and slow points.** With no input the network is the map F(h) (the cell at x = 0). Its fixed points
h* = F(h*) are the minima of q(h) = ½‖F(h) − h‖² where q = 0; local minima with small q > 0 are *slow points*
(the state barely moves there). From many starts (hidden states visited on held-out trials, jittered) q is
minimised in one batch by Adam and then polished by Newton's method on F(h) − h = 0 with backtracking (one start
per cluster; Jacobians in closed form, tested against autograd). Distinct points are kept; at each the
Jacobian's eigenvalues decide its kind by |λ| against 1: stable (an attractor), saddle (unstable along the
eigenvectors with |λ| > 1, its **unstable directions**, which lead to neighbouring attractors), or unstable.
A well-trained flip-flop has one stable fixed point per bit pattern (8), with saddles between them.

**Picture.** Hidden states of held-out trials projected on their first three principal components (PCA by
SVD of the centred states), with the fixed points and unstable directions in the same coordinates.

Weights are built inside :func:`core.threads.seeded` and batches come from a private ``torch.Generator``, so
a seed fixes the whole run whatever other sessions do. Results are CPU numpy arrays; a trained network is a
:class:`FlipFlopNet` of weights (cacheable), rebuilt into torch modules when needed.
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
CELLS = ("rnn", "gru")
BITS = 3
BLOW_UP = 100.0  # a loss above this many times the first counts as diverged, like core.networks
MAX_HIDDEN = 128
MAX_TRAIN_STEPS = 1000
MAX_TRAIN_BATCH = 64
MAX_TRAIN_LENGTH = 100
MAX_BATCH = 128
MAX_LENGTH = 200
MAX_STARTS = 1024
FIXED = 1e-16  # q(h) below this: a fixed point (‖F(h) − h‖ < 1.4e-8); in float32 (a GPU) FIXED_32
FIXED_32 = 1e-10  # (‖F(h) − h‖ < 1.4e-5: float32 resolves hidden states to ~1e-7)
SLOW = 1e-6  # q(h) below this but above FIXED: a slow point (it moves less than 1.4e-3 a step)
SAME = 1e-3  # fixed points closer than this (max norm) are one
SLOW_SAME = 0.1  # a slow point this close to a point already kept adds nothing (a GRU has slow regions, and
# Adam leaves a hundred points strewn along them)
MAX_SLOW = 48  # slow points reported at most (the lowest q first)
CLUSTER = 0.02  # after Adam, of starts this close together only one is polished
MAX_POLISH = 128  # … and at most this many (the lowest q)


@dataclass(frozen=True)
class Task:
    """Flip-flop trials: inputs (B, T, 3) in {−1, 0, +1} and targets (B, T, 3) in {−1, +1}."""

    inputs: np.ndarray
    targets: np.ndarray


def _task(B: int, T: int, pulse_prob: float, gen: torch.Generator, dtype: torch.dtype,
          device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
    pulses = torch.rand((B, T, BITS), generator=gen) < pulse_prob
    pulses[:, 0] = True
    signs = torch.where(torch.rand((B, T, BITS), generator=gen) < 0.5, -1.0, 1.0)
    x = (pulses * signs).to(dtype)
    # the target is the last pulse so far: index of the last nonzero step, by a running maximum
    last = torch.cummax(torch.where(pulses, torch.arange(T)[None, :, None], 0), dim=1).values
    y = torch.gather(x, 1, last)
    return x.to(device), y.to(device)


def task(sequences: int = 8, length: int = 100, pulse_prob: float = 0.05, seed: int = 0) -> Task:
    """Seeded flip-flop trials (CPU, float64)."""
    _check_task(sequences, length, pulse_prob)
    x, y = _task(sequences, length, pulse_prob, torch.Generator().manual_seed(int(seed)), torch.float64,
                 torch.device("cpu"))
    return Task(x.numpy(), y.numpy())


def _check_task(sequences: int, length: int, pulse_prob: float) -> None:
    if not 1 <= sequences <= MAX_BATCH or not 2 <= length <= MAX_LENGTH:
        raise DataError(f"Use 1 to {MAX_BATCH} sequences of 2 to {MAX_LENGTH} steps.")
    if not (math.isfinite(pulse_prob) and 0 < pulse_prob <= 0.5):
        raise DataError("The pulse probability must lie in (0, 0.5].")


# ------------------------------------------------------------------------------------------ the network


@dataclass(frozen=True)
class FlipFlopNet:
    """A trained (or diverged) flip-flop network: its weights, and how training went."""

    cell: str  # "rnn" or "gru"
    hidden: int
    weights: dict[str, np.ndarray] = field(repr=False)  # torch's names: weight_ih_l0, …, readout.weight, readout.bias
    losses: np.ndarray = field(repr=False)  # (steps run,) training loss per step
    accuracy: float  # sign accuracy on held-out trials (every step, every bit)
    diverged: bool
    stopped_at: int | None  # the step at which training stopped on divergence
    note: str


class _Model(torch.nn.Module):
    def __init__(self, cell: str, hidden: int) -> None:
        super().__init__()
        self.rnn = (torch.nn.RNN if cell == "rnn" else torch.nn.GRU)(BITS, hidden, batch_first=True)
        self.readout = torch.nn.Linear(hidden, BITS)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        h, _ = self.rnn(x)
        return self.readout(h), h


def _build(net: FlipFlopNet, device: torch.device) -> _Model:
    model = _Model(net.cell, net.hidden).to(device=device, dtype=compute_dtype(device))  # the dtype first: loading
    # float64 weights into float32 parameters would round them
    model.load_state_dict({k if k.startswith("readout.") else f"rnn.{k}": torch.as_tensor(v)
                           for k, v in net.weights.items()})
    return model


def _weights(model: _Model) -> dict[str, np.ndarray]:
    out = {}
    for k, v in model.state_dict().items():
        out[k.removeprefix("rnn.")] = v.detach().to("cpu", torch.float64).numpy().copy()
    return out


def _accuracy(model: _Model, x: torch.Tensor, y: torch.Tensor) -> float:
    with torch.no_grad():
        out, _ = model(x)
    return float((torch.sign(out) == y).to(torch.float64).mean())


def train_flipflop(cell: str = "rnn", hidden: int = 64, steps: int = 300, batch: int = 32, length: int = 50,
                   lr: float = 0.01, clip: float = 1.0, pulse_prob: float = 0.05, seed: int = 0,
                   progress: Progress = None, device: torch.device | str = "cpu") -> FlipFlopNet:
    """Train a ``cell`` network of ``hidden`` units for ``steps`` Adam steps, each on a fresh seeded batch of
    ``batch`` trials of ``length`` steps; gradient norm clipped to ``clip`` (0: no clipping). Accuracy is
    measured on 64 held-out trials of 200 steps (four times the default training length). ``progress``
    hears every twentieth of the steps with the current loss."""
    if cell not in CELLS:
        raise DataError(f"Unknown cell {cell!r}; choose one of {', '.join(CELLS)}.")
    if not 2 <= hidden <= MAX_HIDDEN or not 1 <= steps <= MAX_TRAIN_STEPS:
        raise DataError(f"Use 2 to {MAX_HIDDEN} hidden units and 1 to {MAX_TRAIN_STEPS} training steps.")
    _check_task(batch, length, pulse_prob)
    if batch > MAX_TRAIN_BATCH or length > MAX_TRAIN_LENGTH:
        raise DataError(f"Train on at most {MAX_TRAIN_BATCH} sequences of at most {MAX_TRAIN_LENGTH} steps a batch.")
    if not (math.isfinite(lr) and 0 < lr <= 10) or not (math.isfinite(clip) and clip >= 0):
        raise DataError("The learning rate must lie in (0, 10] and the clipping norm be 0 (none) or positive.")
    device = torch.device(device)
    dtype = compute_dtype(device)
    with seeded(seed):
        model = _Model(cell, hidden)
    model = model.to(device=device, dtype=dtype)
    params = list(model.parameters())
    opt = torch.optim.Adam(params, lr=lr)
    gen = torch.Generator().manual_seed(int(seed) + 1)
    losses = np.full(steps, np.nan)
    diverged, stopped, first = False, None, None
    with single_thread(device), torch.enable_grad():
        for t in range(steps):
            x, y = _task(batch, length, pulse_prob, gen, dtype, device)
            out, _ = model(x)
            loss = ((out - y) ** 2).mean()
            value = float(loss.detach())
            losses[t] = value
            first = value if first is None else first
            if not math.isfinite(value) or value > BLOW_UP * first:
                diverged, stopped = True, t + 1
                break
            opt.zero_grad()
            loss.backward()
            if clip > 0:
                torch.nn.utils.clip_grad_norm_(params, clip)
            opt.step()
            if progress and (t + 1) % max(1, steps // 20) == 0:
                progress((t + 1) / steps, f"Training: step {t + 1} of {steps}, loss {value:.4f}")
        xt, yt = _task(64, 200, pulse_prob, torch.Generator().manual_seed(int(seed) + 10_000), dtype, device)
        acc = float("nan") if diverged else _accuracy(model, xt, yt)
    note = ""
    if diverged:
        note = (f"Training diverged at step {stopped}: the loss reached {losses[stopped - 1]:.3g} (from "
                f"{first:.3g}). Lower the learning rate or clip the gradient.")
    elif acc < 0.95:
        note = (f"The network holds its bits on only {acc:.1%} of held-out steps: train longer (or with a different "
                "seed) before reading its fixed points.")
    return FlipFlopNet(cell, hidden, _weights(model), losses[: stopped or steps], acc, diverged, stopped, note)


# ------------------------------------------------------------------------------------------ the autonomous map


def _cell_tensors(net: FlipFlopNet, device: torch.device) -> dict[str, torch.Tensor]:
    dtype = compute_dtype(device)
    return {k: torch.as_tensor(v, dtype=dtype, device=device) for k, v in net.weights.items()}


def step_and_jacobian(net: FlipFlopNet, h: torch.Tensor, w: dict[str, torch.Tensor],
                      jacobian: bool = True) -> tuple[torch.Tensor, torch.Tensor | None]:
    """F(h) (the cell with zero input) for a batch h (B, n) and, when asked, its Jacobians (B, n, n) in closed
    form. Vanilla: F = tanh(W_hh h + b_ih + b_hh), J = diag(1 − F²) W_hh. GRU (torch's gate order r, z, n):
    r = σ(W_hr h + c_r), z = σ(W_hz h + c_z), m = W_hn h + b_hn, ñ = tanh(b_in + r ⊙ m), F = (1 − z) ⊙ ñ + z ⊙ h;
    J = diag(1 − z) diag(1 − ñ²)[diag(m) diag(r(1 − r)) W_hr + diag(r) W_hn] + diag(h − ñ) diag(z(1 − z)) W_hz
    + diag(z)."""
    Whh, bih, bhh = w["weight_hh_l0"], w["bias_ih_l0"], w["bias_hh_l0"]
    n = h.shape[-1]
    if net.cell == "rnn":
        f = torch.tanh(h @ Whh.T + bih + bhh)
        return f, ((1 - f * f)[:, :, None] * Whh if jacobian else None)
    Wr, Wz, Wn = Whh[:n], Whh[n:2 * n], Whh[2 * n:]
    r = torch.sigmoid(h @ Wr.T + bih[:n] + bhh[:n])
    z = torch.sigmoid(h @ Wz.T + bih[n:2 * n] + bhh[n:2 * n])
    m = h @ Wn.T + bhh[2 * n:]
    nn_ = torch.tanh(bih[2 * n:] + r * m)
    f = (1 - z) * nn_ + z * h
    if not jacobian:
        return f, None
    dr = (r * (1 - r))[:, :, None] * Wr
    dn = (1 - nn_ * nn_)[:, :, None] * (m[:, :, None] * dr + r[:, :, None] * Wn)
    J = (1 - z)[:, :, None] * dn + ((h - nn_) * z * (1 - z))[:, :, None] * Wz + torch.diag_embed(z)
    return f, J


# ------------------------------------------------------------------------------------------ trials and PCA


@dataclass(frozen=True)
class Evaluation:
    """Held-out trials run through the network, and the principal components of its hidden states."""

    inputs: np.ndarray  # (B, T, 3)
    targets: np.ndarray  # (B, T, 3)
    outputs: np.ndarray  # (B, T, 3)
    accuracy: float  # sign(output) = target, over every step and bit
    states_pc: np.ndarray  # (B, T, 3) hidden states in PC coordinates
    mean: np.ndarray  # (n,) the states' mean
    components: np.ndarray  # (3, n) principal axes (rows, unit length)
    explained: np.ndarray  # (3,) fraction of the states' variance along each


def _pca(H: torch.Tensor, k: int = 3) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    mean = H.mean(0)
    _, S, Vh = torch.linalg.svd(H - mean, full_matrices=False)
    var = S * S
    return mean, Vh[:k], (var[:k] / var.sum())


def evaluate(net: FlipFlopNet, sequences: int = 16, length: int = 200, pulse_prob: float = 0.05, seed: int = 1234,
             device: torch.device | str = "cpu") -> Evaluation:
    """Run ``sequences`` seeded held-out trials, score them, and project the hidden states on their first three
    principal components."""
    if net.diverged:
        raise DataError("This network diverged in training; retrain it with a lower learning rate.")
    _check_task(sequences, length, pulse_prob)
    device = torch.device(device)
    dtype = compute_dtype(device)
    model = _build(net, device)
    x, y = _task(sequences, length, pulse_prob, torch.Generator().manual_seed(int(seed)), dtype, device)
    with single_thread(device), torch.no_grad():
        out, h = model(x)
        mean, comps, explained = _pca(h.reshape(-1, net.hidden))
        pc = (h - mean) @ comps.T
    c = [v.to("cpu", torch.float64).numpy() for v in (x, y, out, pc, mean, comps, explained)]
    acc = float((np.sign(c[2]) == c[1]).mean())
    return Evaluation(c[0], c[1], c[2], acc, c[3], c[4], c[5], c[6])


# ------------------------------------------------------------------------------------------ fixed points


@dataclass(frozen=True)
class FlipFlopFixedPoints:
    """The distinct fixed and slow points found, one row each, in hidden space and in the PCA picture."""

    points: np.ndarray  # (k, n)
    pc: np.ndarray  # (k, 3) in the evaluation's PC coordinates
    q: np.ndarray  # (k,) ½‖F(h) − h‖²
    slow: np.ndarray  # (k,) bool: a slow point (FIXED ≤ q < SLOW; FIXED_32 in float32), not a fixed point
    eigenvalues: np.ndarray  # (k, n) complex, by decreasing modulus
    kinds: tuple[str, ...]  # "stable", "saddle" or "unstable"
    unstable: np.ndarray  # (k,) int: eigenvalues with |λ| > 1
    unstable_pc: np.ndarray  # (k, 3) the leading unstable eigenvector (real part, unit length) in PC coordinates;
    # zeros where there is none
    outputs: np.ndarray  # (k, 3) the readout C h* + d
    bits: np.ndarray  # (k, 3) its signs: the bit pattern a stable point remembers
    stable_count: int  # stable fixed points (slow points not counted)
    patterns: int  # distinct bit patterns among them (8 for a perfect flip-flop)
    starts: int
    note: str


def fixed_points(net: FlipFlopNet, starts: int = 256, adam_steps: int = 200, polish_steps: int = 30,
                 noise: float = 0.1, evaluation: Evaluation | None = None, seed: int = 0, progress: Progress = None,
                 device: torch.device | str = "cpu") -> FlipFlopFixedPoints:
    """Minimise q(h) from ``starts`` hidden states sampled (seeded) from the evaluation's trials plus N(0, noise²)
    jitter: ``adam_steps`` Adam steps (lr 0.01) on the batch, then up to ``polish_steps`` steps of Newton's
    method on F(h) − h = 0 with backtracking (:func:`_polish`) for one representative of each cluster of starts
    (:func:`_representatives`). Points
    with q < :data:`SLOW` are kept and merged when closer than :data:`SAME`. ``evaluation`` (from
    :func:`evaluate`) supplies the starts and the PCA; by default it is computed. ``progress`` hears every
    tenth of the way."""
    if net.diverged:
        raise DataError("This network diverged in training; retrain it with a lower learning rate.")
    if not 1 <= starts <= MAX_STARTS or not 0 <= adam_steps <= 5000 or not 0 <= polish_steps <= 200:
        raise DataError(f"Use 1 to {MAX_STARTS} starts, 0 to 5000 Adam steps and 0 to 200 polishing steps.")
    if not (math.isfinite(noise) and 0 <= noise <= 1):
        raise DataError("The starting jitter must lie between 0 and 1.")
    device = torch.device(device)
    dtype = compute_dtype(device)
    ev = evaluation if evaluation is not None else evaluate(net, device=device)
    w = _cell_tensors(net, device)
    n = net.hidden
    # the visited states (three PCs would lose detail): rerun the held-out trials
    model = _build(net, device)
    gen = torch.Generator().manual_seed(int(seed))
    total = adam_steps + polish_steps
    with single_thread(device):
        with torch.no_grad():
            _, H = model(torch.as_tensor(ev.inputs, dtype=dtype, device=device))
            H = H.reshape(-1, n)
            pick = torch.randint(len(H), (starts,), generator=gen)
            h = H[pick.to(device)] + noise * torch.randn((starts, n), generator=gen, dtype=torch.float64).to(device,
                                                                                                            dtype)
        h = h.clone().requires_grad_(True)
        opt = torch.optim.Adam([h], lr=0.01)
        with torch.enable_grad():
            for i in range(adam_steps):
                f, _ = step_and_jacobian(net, h, w, jacobian=False)
                q = 0.5 * ((f - h) ** 2).sum(-1)
                opt.zero_grad()
                q.sum().backward()
                opt.step()
                if progress and (i + 1) % max(1, total // 10) == 0:
                    progress((i + 1) / total, f"Minimising q: step {i + 1} of {adam_steps}")
        with torch.no_grad():
            h = _representatives(net, h.detach(), w)
            h, q = _polish(net, h, w, polish_steps, progress, adam_steps, total)
    H_all, Q_all = h.to("cpu", torch.float64).numpy(), q.to("cpu", torch.float64).numpy()
    ok = np.isfinite(Q_all) & (Q_all < SLOW)
    order = np.argsort(Q_all[ok], kind="stable")  # the best-converged representative of each cluster first
    cand_h, cand_q = H_all[ok][order], Q_all[ok][order]
    keep: list[int] = []
    slow_found = 0
    fixed = FIXED if dtype == torch.float64 else FIXED_32
    for i, p in enumerate(cand_h):
        radius = SAME if cand_q[i] < fixed else SLOW_SAME
        if all(np.abs(p - cand_h[j]).max() > radius for j in keep):
            if cand_q[i] >= fixed:
                slow_found += 1
                if slow_found > MAX_SLOW:
                    continue
            keep.append(i)
    pts, qs = cand_h[keep].reshape(-1, n), cand_q[keep]
    with single_thread(device):
        return _describe(net, pts, qs, ev, starts, slow_found, fixed)


def _representatives(net: FlipFlopNet, h: torch.Tensor, w: dict[str, torch.Tensor]) -> torch.Tensor:
    """After Adam most starts sit next to the same few points: of starts closer than :data:`CLUSTER` (max norm)
    to one already kept only the lowest q stays, and at most :data:`MAX_POLISH` in all (lowest q first). Newton's
    method, which solves an n × n system per point a step, then polishes tens of points instead of hundreds."""
    f, _ = step_and_jacobian(net, h, w, jacobian=False)
    q = 0.5 * ((f - h) ** 2).sum(-1)
    order = torch.argsort(q)
    order = order[torch.isfinite(q[order])]
    H = h[order].to("cpu", torch.float64).numpy()
    keep: list[int] = []
    for i, p in enumerate(H):
        if not keep or np.abs(H[keep] - p).max(1).min() > CLUSTER:
            keep.append(i)
            if len(keep) == MAX_POLISH:
                break
    return h[order[keep]]


def _polish(net: FlipFlopNet, h: torch.Tensor, w: dict[str, torch.Tensor], steps: int, progress: Progress,
            done: int, total: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Newton's method on G(h) = F(h) − h: δ solves (J − I) δ = G, and of h − αδ for α = 1, ½, ¼, ⅛ the
    lowest q is taken when it beats the current one. A point leaves the batch once q < 1e-30 (converged) or
    when no α improves it (a slow point, a local minimum of q with q > 0, stays where Adam left it). Returns
    the points and their q."""
    n = h.shape[-1]
    eye = torch.eye(n, dtype=h.dtype, device=h.device)
    f, _ = step_and_jacobian(net, h, w, jacobian=False)
    q = 0.5 * ((f - h) ** 2).sum(-1)
    active = torch.nonzero(q > 1e-30)[:, 0]
    alphas = (1.0, 0.5, 0.25, 0.125)
    for i in range(steps):
        if len(active) == 0:
            break
        x = h[active]
        f, J = step_and_jacobian(net, x, w)
        delta, info = torch.linalg.solve_ex(J - eye, (f - x)[:, :, None])
        delta = torch.where((info == 0)[:, None], delta[:, :, 0], 0.0)
        best_h, best_q = x, q[active]
        for a in alphas:
            cand = x - a * delta
            fc, _ = step_and_jacobian(net, cand, w, jacobian=False)
            qc = 0.5 * ((fc - cand) ** 2).sum(-1)
            better = torch.isfinite(qc) & (qc < best_q)
            best_h = torch.where(better[:, None], cand, best_h)
            best_q = torch.where(better, qc, best_q)
        improved = best_q < q[active]
        h[active], q[active] = best_h, best_q
        active = active[improved & (best_q > 1e-30)]
        if progress and (done + i + 1) % max(1, total // 10) == 0:
            progress((done + i + 1) / total, f"Polishing by Newton's method: step {i + 1} of {steps}")
    return h, q


def _describe(net: FlipFlopNet, pts: np.ndarray, qs: np.ndarray, ev: Evaluation, starts: int,
              slow_found: int, fixed: float = FIXED) -> FlipFlopFixedPoints:
    k, n = pts.shape
    w64 = {name: torch.as_tensor(v) for name, v in net.weights.items()}  # linearise in float64 on the CPU
    if k:
        _, J = step_and_jacobian(net, torch.as_tensor(pts), w64)
        lam, vec = torch.linalg.eig(J)
        lam, vec = lam.numpy(), vec.numpy()
    else:
        lam, vec = np.empty((0, n), complex), np.empty((0, n, n), complex)
    order = np.argsort(-np.abs(lam), axis=-1, kind="stable")
    lam = np.take_along_axis(lam, order, -1)
    vec = np.take_along_axis(vec, order[:, None, :], -1)
    mod = np.abs(lam)
    n_unstable = (mod > 1).sum(-1)
    kinds = tuple("stable" if u == 0 else "unstable" if u == n else "saddle" for u in n_unstable)
    lead = vec[:, :, 0].real if k else np.empty((0, n))
    lead = lead / np.maximum(np.linalg.norm(lead, axis=-1, keepdims=True), 1e-300)
    unstable_pc = np.where((n_unstable > 0)[:, None], lead @ ev.components.T, 0.0) if k else np.empty((0, 3))
    out = pts @ net.weights["readout.weight"].T + net.weights["readout.bias"] if k else np.empty((0, BITS))
    bits = np.sign(out)
    slow = qs >= fixed
    stable = np.array([kd == "stable" for kd in kinds], dtype=bool) & ~slow
    patterns = len({tuple(b) for b in bits[stable]})
    notes = []
    if k == 0:
        notes.append(f"No fixed or slow point found from {starts} starts (q stayed above {SLOW:g}).")
    if slow.any():
        shown = "" if slow_found <= MAX_SLOW else f" (the {MAX_SLOW} slowest of {slow_found} are kept)"
        notes.append(f"{int(slow.sum())} of the points are slow points{shown}: q between {fixed:g} and {SLOW:g}, "
                     "not a fixed point, but the state drifts there only slowly.")
    if k and not stable.any():
        notes.append("None of the fixed points is stable: this network holds its bits in states that keep moving "
                     "when the input is silent (a discrete-time RNN may use cycles or transients), not at attractors.")
    elif k and patterns < 2**BITS:
        notes.append(f"The stable fixed points store {patterns} of the {2**BITS} bit patterns: the others are held "
                     "by slow points, or not at all; train longer.")
    return FlipFlopFixedPoints(pts, (pts - ev.mean) @ ev.components.T if k else np.empty((0, 3)), qs, slow, lam,
                               kinds, n_unstable, unstable_pc, out, bits, int(stable.sum()), patterns, starts,
                               " ".join(notes))
