"""Chapter 12, Quantum computing: one and two qubits in plain torch (2×2 and 4×4 matrices), and
variational circuits in PennyLane (a classifier trained with its torch interface, gradients by
parameter shift, backprop, finite differences and adjoint, barren plateaus), plus a one-qubit
data re-uploading classifier in torch whose states can be followed on the Bloch sphere.

PennyLane is imported inside the functions that need it (``import pennylane`` takes seconds), so
no other page pays for it. Qubit order is PennyLane's: wire 0 is the most significant bit.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch

from core.data import DataError
from core.threads import PENNYLANE, seeded

CDTYPE = torch.complex128
FDTYPE = torch.float64
LOG2 = math.log(2.0)


# ------------------------------------------------------------------------------------------ gates


def rotation(axis: str, theta: torch.Tensor) -> torch.Tensor:
    """RX, RY or RZ(θ) = exp(−iθσ/2) as (..., 2, 2) complex matrices for a tensor of angles."""
    t = torch.as_tensor(theta, dtype=FDTYPE)
    c, s = torch.cos(t / 2).to(CDTYPE), torch.sin(t / 2).to(CDTYPE)
    zero = torch.zeros_like(c)
    if axis == "X":
        rows = [[c, -1j * s], [-1j * s, c]]
    elif axis == "Y":
        rows = [[c, -s], [s, c]]
    elif axis == "Z":
        e = torch.exp(-0.5j * t.to(CDTYPE))
        rows = [[e, zero], [zero, e.conj()]]
    else:
        raise DataError(f"Unknown rotation axis {axis!r}.")
    return torch.stack([torch.stack(r, dim=-1) for r in rows], dim=-2)


def rot(phi: torch.Tensor, theta: torch.Tensor, omega: torch.Tensor) -> torch.Tensor:
    """PennyLane's Rot(φ, θ, ω) = RZ(ω) RY(θ) RZ(φ)."""
    return rotation("Z", omega) @ rotation("Y", theta) @ rotation("Z", phi)


def bloch(state: torch.Tensor) -> torch.Tensor:
    """Bloch vectors (..., 3) of one-qubit states (..., 2): ⟨X⟩, ⟨Y⟩, ⟨Z⟩."""
    a, b = state[..., 0], state[..., 1]
    ab = a.conj() * b
    return torch.stack([2 * ab.real, 2 * ab.imag, a.abs() ** 2 - b.abs() ** 2], dim=-1)


def fractional_path(U: torch.Tensor, state: torch.Tensor, steps: int = 24) -> torch.Tensor:
    """The Bloch vectors of U^t|ψ⟩ for t from 0 to 1: the arc that a gate U ∈ SU(2) (up to phase)
    moves the state along. U = cos(α/2) I − i sin(α/2) n·σ, so U^t rotates by tα about n."""
    U = U / torch.sqrt(torch.linalg.det(U))  # into SU(2)
    a = U.diagonal(dim1=-2, dim2=-1).sum(-1).real / 2
    if a < 0:  # the same rotation, α in [0, π]
        U, a = -U, -a
    paulis = _paulis()
    b = torch.stack([(1j * torch.trace(U @ p) / 2).real for p in paulis])  # sin(α/2) n
    half = torch.atan2(b.norm(), a)
    n = b / b.norm() if b.norm() > 1e-12 else torch.tensor([0.0, 0.0, 1.0], dtype=FDTYPE)
    t = torch.linspace(0, 1, steps, dtype=FDTYPE)
    eye = torch.eye(2, dtype=CDTYPE)
    nsig = sum(n[k] * paulis[k] for k in range(3))
    Ut = torch.cos(t * half)[:, None, None] * eye - 1j * torch.sin(t * half)[:, None, None] * nsig
    return bloch(Ut @ state)


def _paulis() -> list[torch.Tensor]:
    return [torch.tensor([[0, 1], [1, 0]], dtype=CDTYPE), torch.tensor([[0, -1j], [1j, 0]], dtype=CDTYPE),
            torch.tensor([[1, 0], [0, -1]], dtype=CDTYPE)]


def _sample(probs: torch.Tensor, shots: int, seed: int) -> np.ndarray:
    """``shots`` measurement outcomes drawn from ``probs`` (seeded)."""
    g = torch.Generator().manual_seed(int(seed))
    p = probs.detach().cpu().clamp_min(0)
    return torch.multinomial(p / p.sum(), int(shots), replacement=True, generator=g).numpy()


# ------------------------------------------------------------------------------------- one qubit


@dataclass(frozen=True)
class OneQubit:
    angles: tuple[float, float, float]  # RX, RY, RZ in the order they act
    state: np.ndarray  # (2,) complex amplitudes of α|0⟩ + β|1⟩
    bloch: np.ndarray  # (3,) ⟨X⟩, ⟨Y⟩, ⟨Z⟩
    probs: np.ndarray  # (2,) exact P(0), P(1)
    outcomes: np.ndarray  # (shots,) sampled 0/1
    path: np.ndarray  # (k, 3) the Bloch vector along the gates as they act
    path_gate: np.ndarray  # (k,) which gate moves each stretch of the path

    @property
    def counts(self) -> np.ndarray:
        return np.bincount(self.outcomes, minlength=2)


def one_qubit(rx: float, ry: float, rz: float, shots: int = 100, seed: int = 0,
              device: torch.device | str | None = None) -> OneQubit:
    """|ψ⟩ = RZ(rz) RY(ry) RX(rx) |0⟩, its Bloch vector, exact and sampled measurement in Z."""
    if shots < 1:
        raise DataError("At least one shot is needed.")
    state = torch.tensor([1, 0], dtype=CDTYPE)
    path, gate = [], []
    for axis, angle in zip("XYZ", (rx, ry, rz), strict=True):
        U = rotation(axis, torch.tensor(float(angle), dtype=FDTYPE))
        arc = fractional_path(U, state)
        path.append(arc)
        gate += [f"R{axis}({angle:.2f})"] * len(arc)
        state = U @ state
    probs = state.abs() ** 2
    return OneQubit((float(rx), float(ry), float(rz)), state.numpy(), bloch(state).numpy(), probs.numpy(),
                    _sample(probs, shots, seed), torch.cat(path).numpy(), np.array(gate))


# ------------------------------------------------------------------------------------ two qubits

CNOT = torch.tensor([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 0, 1], [0, 0, 1, 0]], dtype=CDTYPE)
BASIS = ("|00⟩", "|01⟩", "|10⟩", "|11⟩")


def entropy_bits(eigenvalues: torch.Tensor) -> torch.Tensor:
    """Von Neumann entropy −Σ λ log₂ λ over the last axis (0 log 0 = 0)."""
    lam = eigenvalues.clamp(0, 1)
    return -(torch.where(lam > 1e-15, lam * torch.log(lam.clamp_min(1e-300)), torch.zeros_like(lam))).sum(-1) / LOG2


@dataclass(frozen=True)
class TwoQubits:
    theta: float
    phi: float
    state: np.ndarray  # (4,) complex, basis |q0 q1⟩
    probs: np.ndarray  # (4,)
    outcomes: np.ndarray  # (shots,) 0..3
    entropy: float  # von Neumann entropy of qubit 0 (bits)
    reduced_bloch: np.ndarray  # (3,) of qubit 0's reduced state (length 1: pure, 0: maximally mixed)
    zz: float  # ⟨Z⊗Z⟩
    curve_theta: np.ndarray  # (k,) entangling angles
    curve_entropy: np.ndarray  # (k,)

    @property
    def counts(self) -> np.ndarray:
        return np.bincount(self.outcomes, minlength=4)


def _two_qubit_states(theta: torch.Tensor, phi: torch.Tensor) -> torch.Tensor:
    """(I ⊗ RY(φ)) CNOT (RY(θ) ⊗ I) |00⟩, batched over θ."""
    eye = torch.eye(2, dtype=CDTYPE)
    first = torch.kron(rotation("Y", theta), eye) if theta.ndim == 0 else torch.stack(
        [torch.kron(m, eye) for m in rotation("Y", theta)])
    zero = torch.zeros(4, dtype=CDTYPE)
    zero[0] = 1
    return (torch.kron(eye, rotation("Y", phi)) @ CNOT @ first @ zero)


def _reduced(states: torch.Tensor) -> torch.Tensor:
    """Qubit 0's reduced density matrix, (..., 2, 2), from (..., 4) states."""
    M = states.reshape(*states.shape[:-1], 2, 2)
    return M @ M.conj().transpose(-1, -2)


def two_qubits(theta: float, phi: float = 0.0, shots: int = 100, seed: int = 0,
               device: torch.device | str | None = None) -> TwoQubits:
    """The Bell-state circuit: RY(θ) on qubit 0, CNOT(0→1), then a local RY(φ) on qubit 1.
    θ = π/2 and φ = 0 give (|00⟩ + |11⟩)/√2."""
    state = _two_qubit_states(torch.tensor(float(theta), dtype=FDTYPE), torch.tensor(float(phi), dtype=FDTYPE))
    probs = state.abs() ** 2
    rho = _reduced(state)
    ent = entropy_bits(torch.linalg.eigvalsh(rho))
    r = torch.stack([2 * rho[0, 1].real, -2 * rho[0, 1].imag, (rho[0, 0] - rho[1, 1]).real])
    grid = torch.linspace(0, 2 * math.pi, 181, dtype=FDTYPE)
    curve = entropy_bits(torch.linalg.eigvalsh(_reduced(_two_qubit_states(grid, torch.tensor(0.0, dtype=FDTYPE)))))
    zz = float((probs * torch.tensor([1.0, -1.0, -1.0, 1.0], dtype=FDTYPE)).sum())
    return TwoQubits(float(theta), float(phi), state.numpy(), probs.numpy(), _sample(probs, shots, seed),
                     float(ent), r.numpy(), zz, grid.numpy(), curve.numpy())


# --------------------------------------------------------------------------- variational circuits


def load_pennylane(device: torch.device | str | None = None) -> str:
    """Import PennyLane (seconds, once per process); its version."""
    import pennylane as qml

    return qml.__version__


DATASETS = {"moons": "Two moons", "circles": "Two circles", "xor": "XOR", "iris": "Iris (2 species)"}
ENCODINGS = {"angle": "Angle: RY(πx), once", "amplitude": "Amplitude: 2ⁿ entries", "reupload": "Re-upload every layer"}
ANSATZE = {"strong": "Strongly entangling layers", "basic": "Basic entangler layers"}
SNAPSHOTS = 11  # decision maps recorded at 0 %, 10 %, …, 100 % of the epochs
GRID = 30  # the decision map is evaluated on GRID × GRID points
# Measured on an H200 (PennyLane default.qubit, torch backprop, 200 points, 30 epochs): 4 qubits × 3 layers
# 0.90 s on cuda vs 0.55 s on its CPU; 8 qubits × 3 layers 2.2 s vs 3.3 s. Pages use the GPU from here up.
GPU_FROM_QUBITS = 6
WORK_BUDGET = 6.0e8  # amplitudes × gates × points × epochs: above this the epochs are capped (~6 s on 2 idle cores)
MEMORY_BUDGET = 64 * 2**20  # bytes of simulated states that backprop may hold at once (the app's limit is ~1 GiB)


@dataclass(frozen=True)
class Split:
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    description: str


def classifier_data(name: str, n: int = 200, seed: int = 0) -> Split:
    """Two classes in the plane, features scaled to [−1, 1], split 75 % / 25 % (seeded)."""
    from core.data import classification_2d, load_dataset

    if name == "iris":
        iris = load_dataset("iris")
        keep = iris.y > 0
        X, y = iris.X[keep][:, 2:4], (iris.y[keep] == 2).astype(np.int64)
        description = "Iris versicolor (0) vs virginica (1), petal length and width: 100 flowers"
    elif name in DATASETS:
        noise = {"moons": 0.15, "circles": 0.08, "xor": 0.12}[name]
        data = classification_2d(name, n, noise=noise, seed=seed)
        X, y, description = data.X, data.y, data.description
    else:
        raise DataError(f"Unknown data set {name!r}; choose one of {', '.join(DATASETS)}.")
    lo, hi = X.min(0), X.max(0)
    X = 2 * (X - lo) / np.where(hi > lo, hi - lo, 1.0) - 1
    order = np.random.default_rng(seed).permutation(len(X))
    cut = round(0.75 * len(X))
    tr, te = order[:cut], order[cut:]
    return Split(X[tr], y[tr], X[te], y[te], description + " (scaled to [−1, 1]; 75 % train, 25 % test)")


def weight_shape(ansatz: str, qubits: int, layers: int) -> tuple[int, ...]:
    return (layers, qubits, 3) if ansatz == "strong" else (layers, qubits)


def amplitudes(X: torch.Tensor, qubits: int) -> torch.Tensor:
    """Amplitude encoding of 2-D points: (x₁, x₂, 1) padded with zeros to 2ⁿ entries and normalized.
    The constant keeps the point's distance from the origin, which normalizing would erase; one
    qubit has room for (x₁, x₂) only."""
    dim = 2**qubits
    feats = X if dim < 4 else torch.cat([X, torch.ones_like(X[..., :1])], dim=-1)
    padded = torch.nn.functional.pad(feats, (0, dim - feats.shape[-1]))
    return padded / padded.norm(dim=-1, keepdim=True).clamp_min(1e-12)


def variational_layer(qml, w, layer: int, qubits: int, ansatz: str) -> None:
    """Layer ``layer`` of the ansatz, gate by gate (as PennyLane's StronglyEntanglingLayers and
    BasicEntanglerLayers build it): trainable rotations, then a ring of CNOTs."""
    wires = range(qubits)
    if ansatz == "strong":
        for q in wires:
            qml.Rot(w[..., layer, q, 0], w[..., layer, q, 1], w[..., layer, q, 2], wires=q)
        r = layer % (qubits - 1) + 1 if qubits > 1 else 0
    else:
        for q in wires:
            qml.RX(w[..., layer, q], wires=q)
        r = 1
    if qubits == 2 and ansatz == "basic":
        qml.CNOT(wires=[0, 1])
    elif qubits > 1:
        for q in wires:
            qml.CNOT(wires=[q, (q + r) % qubits])


def circuit_fn(qml, qubits: int, layers: int, encoding: str, ansatz: str,
               device: torch.device | str | None = None) -> Callable:
    """The classifier's quantum function: encode x, the ansatz's layers, measure ⟨Z₀⟩.

    On a GPU the circuit starts from an explicit |0…0⟩ on that device: default.qubit builds its
    initial state on the CPU, which torch cannot add to the GPU's broadcast parameters."""
    dev = torch.device(device or "cpu")
    zero = None
    if dev.type != "cpu" and encoding != "amplitude":
        zero = torch.zeros(2**qubits, dtype=CDTYPE, device=dev)
        zero[0] = 1

    def encode(x):
        for q in range(qubits):
            qml.RY(math.pi * x[..., q % 2], wires=q)

    def circuit(x, w):
        if encoding == "amplitude":
            qml.StatePrep(x, wires=range(qubits))
        elif zero is not None:
            qml.StatePrep(zero, wires=range(qubits))
        for layer in range(layers):
            if encoding == "reupload" or (encoding == "angle" and layer == 0):
                encode(x)
            variational_layer(qml, w, layer, qubits, ansatz)
        return qml.expval(qml.PauliZ(0))

    return circuit


@dataclass(frozen=True)
class Trained:
    loss: np.ndarray  # (epochs_run,) training loss before each step
    train_acc: np.ndarray
    test_acc: np.ndarray
    snap_epochs: np.ndarray  # (s,) epochs at which the decision map was recorded
    snaps: np.ndarray  # (s, GRID, GRID) P(class 1) on the grid
    grid: np.ndarray  # (GRID,) coordinates of the grid on both axes
    split: Split
    parameters: int
    drawing: str
    simulator: str
    baseline_hidden: int
    baseline_parameters: int
    baseline_loss: np.ndarray
    baseline_train_acc: np.ndarray
    baseline_test_acc: np.ndarray
    baseline_map: np.ndarray  # (GRID, GRID)
    epochs_asked: int
    notes: tuple[str, ...] = field(default=())

    @property
    def epochs_run(self) -> int:
        return len(self.loss)


def work(qubits: int, layers: int, epochs: int, points: int) -> float:
    """A rough cost of training: amplitudes × gates × points × epochs."""
    return 2**qubits * (layers * qubits * 4 + qubits) * (points + GRID * GRID / 6) * epochs


def _accuracy(p: torch.Tensor, y: torch.Tensor) -> float:
    return float(((p > 0.5).long() == y).double().mean())


def _bce(logit: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    return torch.nn.functional.binary_cross_entropy_with_logits(logit, y.to(logit.dtype))


@PENNYLANE.serialise
def train_classifier(dataset: str = "moons", encoding: str = "angle", ansatz: str = "strong", qubits: int = 4,
                     layers: int = 3, lr: float = 0.1, epochs: int = 30, points: int = 200, seed: int = 0, *,
                     device: torch.device | str | None = None,
                     progress: Callable[[float, str], None] | None = None,
                     memory_budget: float = MEMORY_BUDGET) -> Trained:
    """Train a variational classifier with PennyLane's default.qubit and torch backprop, the
    training set broadcast through one circuit per step (full-batch Adam). The readout ⟨Z₀⟩ ∈ [−1, 1]
    becomes a logit a⟨Z₀⟩ + b (two classical parameters); the loss is binary cross-entropy.
    A tanh MLP with about as many parameters trains on the same split as the classical baseline."""
    import pennylane as qml

    if encoding not in ENCODINGS or ansatz not in ANSATZE:
        raise DataError("Unknown encoding or ansatz.")
    if not 1 <= qubits <= 10 or layers < 1 or epochs < 1:
        raise DataError("Qubits must be 1–10, layers and epochs at least 1.")
    notes: list[str] = []
    dev = torch.device(device or "cpu")
    split = classifier_data(dataset, points, seed)
    epochs_asked = epochs
    n_pts = len(split.X_train) + len(split.X_test)
    chunk = train_chunk(qubits, layers, len(split.X_train), memory_budget)
    # each further slice is one more PennyLane call per step: 15 slices measured 2× slower (8 qubits × 8 layers)
    slowdown = 1 + (math.ceil(len(split.X_train) / chunk) - 1) / 14
    if work(qubits, layers, epochs, n_pts) * slowdown > WORK_BUDGET:
        epochs = max(1, int(WORK_BUDGET / (work(qubits, layers, 1, n_pts) * slowdown)))
        notes.append(f"{qubits} qubits × {layers} layers × {epochs_asked} epochs would take too long here: "
                     f"training stops after {epochs} epochs.")
    if qubits == 1 and encoding != "amplitude":
        notes.append("One qubit: the encoding puts x₁ on the even qubits and x₂ on the odd ones, so with a single "
                     "qubit the circuit never sees x₂; its decision map can only change along x₁.")
    if encoding == "amplitude":
        notes.append(("Amplitude encoding on one qubit: (x₁, x₂) normalized, so a point's distance from the "
                      "origin is lost.") if qubits == 1 else
                     f"Amplitude encoding: (x₁, x₂, 1) has 3 entries, not a power of two; padded with zeros to "
                     f"2^{qubits} = {2**qubits} amplitudes and normalized.")
    X_raw = torch.tensor(np.vstack([split.X_train, split.X_test]), dtype=FDTYPE, device=dev)
    X_all = X_raw
    y_tr = torch.tensor(split.y_train, device=dev)
    y_te = torch.tensor(split.y_test, device=dev)
    n_tr = len(split.X_train)
    g = np.linspace(-1.15, 1.15, GRID)
    gx, gy = np.meshgrid(g, g)
    grid_raw = torch.tensor(np.stack([gx.ravel(), gy.ravel()], 1), dtype=FDTYPE, device=dev)
    X_grid = grid_raw
    if encoding == "amplitude":
        X_all, X_grid = amplitudes(X_raw, qubits), amplitudes(grid_raw, qubits)

    qdev = qml.device("default.qubit", wires=qubits)
    qnode = qml.QNode(circuit_fn(qml, qubits, layers, encoding, ansatz, dev), qdev, interface="torch",
                      diff_method="backprop")
    gen = torch.Generator().manual_seed(int(seed))
    w = (torch.rand(weight_shape(ansatz, qubits, layers), generator=gen, dtype=FDTYPE) * 2 * math.pi).to(dev)
    w.requires_grad_(True)
    ab = torch.tensor([2.0, 0.0], dtype=FDTYPE, device=dev, requires_grad=True)
    opt = torch.optim.Adam([w, ab], lr=lr)
    snap_at = sorted(set(np.linspace(0, epochs, SNAPSHOTS).round().astype(int).tolist()))
    losses, tr_acc, te_acc, snaps, snap_epochs = [], [], [], [], []

    def grid_probs() -> np.ndarray:
        with torch.no_grad():
            return torch.sigmoid(ab[0] * qnode(X_grid, w) + ab[1]).reshape(GRID, GRID).cpu().numpy()

    if chunk < n_tr:
        notes.append(f"Each step's gradient is summed over {math.ceil(n_tr / chunk)} slices of the training set "
                     f"(at most {chunk} points each), so the simulation's memory stays under "
                     f"{memory_budget / 2**20:.3g} MiB; it is the same full-batch gradient.")
    for epoch in range(epochs + 1):
        if epoch in snap_at:
            snaps.append(grid_probs())
            snap_epochs.append(epoch)
        if epoch == epochs:
            break
        opt.zero_grad()
        loss, logit = _full_batch_backward(qnode, X_all, y_tr, w, ab, chunk)
        if not math.isfinite(loss):
            notes.append(f"The loss became NaN/inf at epoch {epoch}: training stopped. Lower the learning rate.")
            break
        p = torch.sigmoid(logit)
        losses.append(loss)
        tr_acc.append(_accuracy(p[:n_tr], y_tr))
        te_acc.append(_accuracy(p[n_tr:], y_te))
        opt.step()
        if progress:
            progress((epoch + 1) / (epochs + 1), f"Training the circuit: epoch {epoch + 1} of {epochs}…")
    if snap_epochs[-1] != len(losses):
        snaps.append(grid_probs())
        snap_epochs.append(len(losses))
    if len(losses) > 4 and losses[-1] > losses[0]:
        notes.append(f"The loss ended higher than it started ({losses[-1]:.3f} > {losses[0]:.3f}): the learning "
                     f"rate {lr:g} is too large for this circuit; Adam overshoots.")
    n_params = int(w.numel()) + 2
    drawing = qml.draw(qnode, decimals=None, max_length=110, level="device")(X_all[0], w.detach())
    hidden = max(1, round((n_params - 1) / 4))
    base = _train_baseline(X_raw, y_tr, y_te, n_tr, hidden, lr, len(losses) or 1, seed, grid_raw)
    if progress:
        progress(1.0, "Done")
    label = "cpu" if dev.type == "cpu" else str(dev)
    return Trained(np.array(losses), np.array(tr_acc), np.array(te_acc), np.array(snap_epochs), np.array(snaps), g,
                   split, n_params, drawing, f"PennyLane default.qubit, torch backprop, {label}", hidden,
                   4 * hidden + 1, *base, epochs_asked, tuple(notes))


def train_chunk(qubits: int, layers: int, n_train: int, budget: float = MEMORY_BUDGET) -> int:
    """How many training points one backward pass may carry: backprop keeps every intermediate state,
    2ⁿ complex128 amplitudes per gate and point (×3 for the copies the gates make)."""
    per_point = 2**qubits * (layers * qubits * 4 + qubits) * 16 * 3
    return int(max(1, min(n_train, budget // per_point)))


def _full_batch_backward(qnode, X_all, y_tr, w, ab, chunk: int) -> tuple[float, torch.Tensor]:
    """The full-batch loss's gradient, accumulated slice by slice (each slice's mean loss weighted by its
    share of the training set, so the sum is the full-batch mean), and the logits of every point (the test
    points, after the training ones, without a graph). Returns (loss, detached logits)."""
    n_tr = len(y_tr)
    total, logits = 0.0, []
    for s in range(0, n_tr, chunk):
        logit = ab[0] * qnode(X_all[s:min(s + chunk, n_tr)], w) + ab[1]
        loss = _bce(logit, y_tr[s:s + chunk]) * (len(logit) / n_tr)
        if not torch.isfinite(loss):
            return math.nan, logit.detach()
        loss.backward()
        total += float(loss.detach())
        logits.append(logit.detach())
    with torch.no_grad():
        logits.append(ab[0] * qnode(X_all[n_tr:], w) + ab[1])
    return total, torch.cat(logits)


def _train_baseline(X, y_tr, y_te, n_tr, hidden, lr, epochs, seed, X_grid):
    """A 2 → hidden → 1 tanh network, 4·hidden + 1 parameters, full-batch Adam like the circuit."""
    with seeded(seed):
        net = torch.nn.Sequential(torch.nn.Linear(2, hidden), torch.nn.Tanh(), torch.nn.Linear(hidden, 1))
    net = net.to(device=X.device, dtype=FDTYPE)
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    losses, tr, te = [], [], []
    for _ in range(epochs):
        opt.zero_grad()
        logit = net(X).squeeze(-1)
        loss = _bce(logit[:n_tr], y_tr)
        if not torch.isfinite(loss):
            break
        p = torch.sigmoid(logit.detach())
        losses.append(float(loss.detach()))
        tr.append(_accuracy(p[:n_tr], y_tr))
        te.append(_accuracy(p[n_tr:], y_te))
        loss.backward()
        opt.step()
    with torch.no_grad():
        grid = torch.sigmoid(net(X_grid)).reshape(GRID, GRID).cpu().numpy()
    return np.array(losses), np.array(tr), np.array(te), grid


# -------------------------------------------------------------------------------------- gradients

METHODS = {
    "backprop": ("default.qubit", "backprop", "torch autograd through the simulation"),
    "parameter-shift": ("default.qubit", "parameter-shift", "two shifted circuits per gate parameter"),
    "finite-diff": ("default.qubit", "finite-diff", "one shifted circuit per parameter, step h"),
    "adjoint": ("default.qubit", "adjoint", "one backward sweep through the state"),
    "adjoint (lightning)": ("lightning.qubit", "adjoint", "the same, in C++ (PennyLane Lightning; its torch path "
                            "hands back float32, hence a difference near 1e-8, float32's rounding, not the method's)"),
}


@dataclass(frozen=True)
class GradientRow:
    method: str
    simulator: str
    how: str
    gradient: np.ndarray
    executions: int
    seconds: float
    max_diff: float  # max |g − g_backprop|


@dataclass(frozen=True)
class Gradients:
    rows: tuple[GradientRow, ...]
    parameters: int


def gradient_weights(qubits: int, layers: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).uniform(0, 2 * math.pi, (layers, qubits, 3))


GRAD_X = (0.3, -0.6)  # the input the gradient circuit encodes


@PENNYLANE.serialise
def gradients(qubits: int = 4, layers: int = 2, seed: int = 0, h: float = 1e-4, repeats: int = 3, *,
              device: torch.device | str | None = None) -> Gradients:
    """∂⟨Z₀⟩/∂w of the classifier's circuit (angle encoding of one point, strongly entangling
    layers) by every method, with the circuit executions PennyLane's tracker counts and the time
    (median of ``repeats``). Runs on the CPU: the point is the methods' cost, not the device."""
    import pennylane as qml

    w0 = gradient_weights(qubits, layers, seed)
    x = torch.tensor(GRAD_X, dtype=FDTYPE)
    rows, ref = [], None
    circuit = circuit_fn(qml, qubits, layers, "angle", "strong")
    for method, (sim, diff, how) in METHODS.items():
        qdev = qml.device(sim, wires=qubits)
        kw = {"gradient_kwargs": {"h": h}} if diff == "finite-diff" else {}
        qnode = qml.QNode(circuit, qdev, interface="torch", diff_method=diff, **kw)
        times = []
        for _ in range(repeats):
            w = torch.tensor(w0, dtype=FDTYPE, requires_grad=True)
            with qml.Tracker(qdev) as tracker:
                t0 = time.perf_counter()
                qnode(x, w).backward()
                times.append(time.perf_counter() - t0)
        g = w.grad.numpy().ravel()
        ref = g if ref is None else ref
        execs = int(tracker.totals.get("executions", 0))
        rows.append(GradientRow(method, sim, how, g, execs, float(np.median(times)), float(np.abs(g - ref).max())))
    return Gradients(tuple(rows), w0.size)


@dataclass(frozen=True)
class ShiftSweep:
    index: int  # the parameter swept
    theta: np.ndarray  # its values over one period
    cost: np.ndarray  # C along the sweep
    theta0: float
    cost0: float
    shift_costs: tuple[float, float]  # C(θ ± π/2)

    @property
    def shift_gradient(self) -> float:
        return (self.shift_costs[0] - self.shift_costs[1]) / 2


@PENNYLANE.serialise
def shift_sweep(qubits: int = 4, layers: int = 2, seed: int = 0, index: int = 0, *,
                device: torch.device | str | None = None) -> ShiftSweep:
    """C = ⟨Z₀⟩ along one parameter (the others fixed), with C(θ₀ ± π/2): one broadcast circuit run."""
    import pennylane as qml

    w0 = gradient_weights(qubits, layers, seed)
    index = int(min(max(index, 0), w0.size - 1))
    t0 = float(w0.ravel()[index])
    theta = torch.linspace(-math.pi, math.pi, 97, dtype=FDTYPE) + t0
    values = torch.cat([theta, torch.tensor([t0, t0 + math.pi / 2, t0 - math.pi / 2], dtype=FDTYPE)])
    wb = torch.tensor(w0, dtype=FDTYPE).reshape(1, -1).repeat(len(values), 1)
    wb[:, index] = values
    qnode = qml.QNode(circuit_fn(qml, qubits, layers, "angle", "strong"), qml.device("default.qubit", wires=qubits),
                      interface="torch")
    c = qnode(torch.tensor(GRAD_X, dtype=FDTYPE), wb.reshape(-1, layers, qubits, 3)).numpy()
    return ShiftSweep(index, theta.numpy(), c[:-3], t0, float(c[-3]), (float(c[-2]), float(c[-1])))


# --------------------------------------------------------------------------------- barren plateaus


@dataclass(frozen=True)
class Plateau:
    qubits: np.ndarray  # (k,)
    var_global: np.ndarray
    var_local: np.ndarray
    se_global: np.ndarray  # standard errors of the variance estimates
    se_local: np.ndarray
    fit_global: tuple[float, float]  # log Var ≈ a + b n: (a, b)
    fit_local: tuple[float, float]
    samples: int
    samples_asked: int
    layers: int
    notes: tuple[str, ...] = field(default=())


PLATEAU_BUDGET = 5.0e6  # samples × layers × Σ 2ⁿ: above this the samples are capped (~3 s on 2 idle cores)


@PENNYLANE.serialise
def plateau_costs(qml, qubits: int, layers: int, theta: torch.Tensor):
    """Global cost 1 − P(0…0) and local cost 1 − (1/n) Σⱼ P(qubit j = 0) of the hardware-efficient
    ansatz (layers of RY on every qubit, then a chain of CZ), broadcast over the rows of θ (B, L, n)."""

    def circuit(t):
        for layer in range(layers):
            for q in range(qubits):
                qml.RY(t[:, layer, q], wires=q)
            for q in range(qubits - 1):
                qml.CZ(wires=[q, q + 1])
        return qml.probs(wires=range(qubits))

    probs = qml.QNode(circuit, qml.device("default.qubit", wires=qubits), interface="torch")(theta)
    probs = probs.reshape(-1, *([2] * qubits))
    glob = 1 - probs.reshape(len(theta), -1)[:, 0]
    marg = torch.stack([probs.sum(dim=[d + 1 for d in range(qubits) if d != j])[:, 0] for j in range(qubits)], 1)
    return glob, 1 - marg.mean(1)


def _variance_and_se(g: torch.Tensor) -> tuple[float, float]:
    g = g.double()
    var = float(g.var(unbiased=True))
    m4 = float(((g - g.mean()) ** 4).mean())
    return var, math.sqrt(max(m4 - var**2, 0.0) / len(g))


@PENNYLANE.serialise
def barren_plateau(max_qubits: int = 8, samples: int = 200, layers: int = 1, seed: int = 0, *,
                   device: torch.device | str | None = None,
                   progress: Callable[[float, str], None] | None = None) -> Plateau:
    """Var[∂C/∂θ₁] over uniformly random angles, for 2…max_qubits qubits: the derivative with
    respect to the first layer's angle on qubit 0, by the parameter-shift rule (exact expectations)."""
    import pennylane as qml

    if not 2 <= max_qubits <= 12 or samples < 10 or layers < 1:
        raise DataError("Qubits must be 2–12, at least 10 samples and 1 layer.")
    notes = []
    asked = samples
    size = sum(2**n for n in range(2, max_qubits + 1))
    if samples * layers * size > PLATEAU_BUDGET:
        samples = max(10, int(PLATEAU_BUDGET / (layers * size)))
        notes.append(f"{asked} samples × {layers} layers up to {max_qubits} qubits would take too long: "
                     f"{samples} samples per qubit count instead.")
    gen = torch.Generator().manual_seed(int(seed))
    ns = list(range(2, max_qubits + 1))
    vg, vl, sg, sl = [], [], [], []
    for i, n in enumerate(ns):
        theta = torch.rand(samples, layers, n, generator=gen, dtype=FDTYPE) * 2 * math.pi
        shifted = theta.repeat(2, 1, 1)
        shifted[:samples, 0, 0] += math.pi / 2
        shifted[samples:, 0, 0] -= math.pi / 2
        glob, loc = plateau_costs(qml, n, layers, shifted)
        dg, dl = (glob[:samples] - glob[samples:]) / 2, (loc[:samples] - loc[samples:]) / 2
        for values, var, se in ((dg, vg, sg), (dl, vl, sl)):
            v, s = _variance_and_se(values)
            var.append(v)
            se.append(s)
        if progress:
            progress((i + 1) / len(ns), f"{n} qubits done ({samples} random circuits)…")
    q = np.array(ns, dtype=float)
    return Plateau(q, np.array(vg), np.array(vl), np.array(sg), np.array(sl), _fit(q, np.array(vg)),
                   _fit(q, np.array(vl)), samples, asked, layers, tuple(notes))


def _fit(n: np.ndarray, var: np.ndarray) -> tuple[float, float]:
    ok = var > 0
    if ok.sum() < 2:
        return (float("nan"), float("nan"))
    b, a = np.polyfit(n[ok], np.log(var[ok]), 1)
    return float(a), float(b)


def plateau_closed_form(n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One layer (a product state: CZ is diagonal, so it does not change the probabilities):
    Var[∂C_global/∂θ₁] = (1/8)(3/8)^(n−1) and Var[∂C_local/∂θ₁] = 1/(8n²)."""
    n = np.asarray(n, dtype=float)
    return (3 / 8) ** (n - 1) / 8, 1 / (8 * n**2)


# ------------------------------------------------------------------------------ data re-uploading


@dataclass(frozen=True)
class Reuploader:
    split: Split
    layers: int
    train_acc: float
    test_acc: float
    loss: np.ndarray
    paths: np.ndarray  # (points, layers + 1, 3) Bloch vectors after each layer (index 0: |0⟩)
    arcs: np.ndarray  # (points, layers * k, 3) the continuous path through each layer's gate
    grid: np.ndarray
    grid_p: np.ndarray  # (GRID, GRID) P(class 1) = P(measuring 1)
    parameters: int


def reupload_unitaries(X: torch.Tensor, params: torch.Tensor) -> torch.Tensor:
    """Each layer l applies Rot(θ_l + w_l ∘ (x₁, x₂, 0)) (Pérez-Salinas et al., 2020):
    (points, layers, 2, 2). params: (layers, 2, 3) with rows θ and w."""
    x3 = torch.nn.functional.pad(X, (0, 1))[:, None, :]  # (P, 1, 3)
    a = params[None, :, 0, :] + params[None, :, 1, :] * x3 * math.pi
    return rot(a[..., 0], a[..., 1], a[..., 2])


def reupload_states(X: torch.Tensor, params: torch.Tensor) -> torch.Tensor:
    """States after each layer, (points, layers + 1, 2)."""
    U = reupload_unitaries(X, params)
    psi = torch.zeros(len(X), 2, dtype=CDTYPE)
    psi[:, 0] = 1
    out = [psi]
    for layer in range(U.shape[1]):
        psi = (U[:, layer] @ psi[..., None])[..., 0]
        out.append(psi)
    return torch.stack(out, 1)


def train_reuploader(dataset: str = "circles", layers: int = 3, epochs: int = 150, lr: float = 0.1, points: int = 200,
                     seed: int = 0, *, device: torch.device | str | None = None) -> Reuploader:
    """A one-qubit classifier that re-uploads x before every layer; P(class 1) = P(measuring |1⟩).
    Plain torch (2×2 matrices, the same gates as PennyLane's Rot), full-batch Adam on cross-entropy."""
    split = classifier_data(dataset, points, seed)
    X = torch.tensor(split.X_train, dtype=FDTYPE)
    y = torch.tensor(split.y_train, dtype=FDTYPE)
    gen = torch.Generator().manual_seed(int(seed))
    params = torch.randn(layers, 2, 3, generator=gen, dtype=FDTYPE) * 0.5
    params.requires_grad_(True)
    opt = torch.optim.Adam([params], lr=lr)
    losses = []
    for _ in range(epochs):
        opt.zero_grad()
        p1 = (reupload_states(X, params)[:, -1, 1].abs() ** 2).clamp(1e-9, 1 - 1e-9)
        loss = torch.nn.functional.binary_cross_entropy(p1, y)
        losses.append(float(loss.detach()))
        loss.backward()
        opt.step()
    params = params.detach()
    X_all = torch.tensor(np.vstack([split.X_train, split.X_test]), dtype=FDTYPE)
    states = reupload_states(X_all, params)
    p_all = (states[:, -1, 1].abs() ** 2).numpy()
    n_tr = len(split.X_train)
    y_all = np.r_[split.y_train, split.y_test]
    correct = (p_all > 0.5) == y_all
    U = reupload_unitaries(X_all, params)
    arcs = torch.stack([torch.cat([fractional_path(U[i, layer], states[i, layer], 12) for layer in range(layers)])
                        for i in range(len(X_all))])
    g = np.linspace(-1.15, 1.15, GRID)
    gx, gy = np.meshgrid(g, g)
    grid_states = reupload_states(torch.tensor(np.stack([gx.ravel(), gy.ravel()], 1), dtype=FDTYPE), params)
    grid_p = (grid_states[:, -1, 1].abs() ** 2).reshape(GRID, GRID).numpy()
    return Reuploader(split, layers, float(correct[:n_tr].mean()), float(correct[n_tr:].mean()), np.array(losses),
                      bloch(states).numpy(), arcs.numpy(), g, grid_p, 6 * layers)
