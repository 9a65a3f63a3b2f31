"""References for the backpropagation stepper: torch.autograd on the same graph, and forward against reverse
mode for a whole Jacobian (see :mod:`core.backprop`)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
import torch

from core.backprop.dag import Graph
from core.device import single_thread

MAX_MODE_SIZE = 256  # n and m of :func:`mode_costs`


# ------------------------------------------------------------------------------------------ references


@dataclass(frozen=True)
class AutogradCheck:
    """f and its gradient (by leaf name) from ``torch.autograd`` in float64."""

    value: float
    gradient: dict[str, float]


_TORCH_UNARY = {
    "neg": torch.neg, "sin": torch.sin, "cos": torch.cos, "tan": torch.tan, "exp": torch.exp, "log": torch.log,
    "sqrt": torch.sqrt, "abs": torch.abs, "tanh": torch.tanh, "sigmoid": torch.sigmoid, "relu": torch.relu,
}


def autograd_check(g: Graph, point: Mapping[str, float]) -> AutogradCheck:
    """The same graph evaluated with torch operations on float64 tensors, the variables and parameters as
    leaves that require gradients, and differentiated by ``torch.autograd.grad``: torch's derivative rules,
    not :func:`_local`'s, on the same structure. Variables the graph does not use get 0."""
    dt = torch.float64
    leaves: dict[str, torch.Tensor] = {}
    vals: list[torch.Tensor] = []
    for node in g.nodes:
        a = [vals[j] for j in node.inputs]
        if node.op in ("var", "param"):
            start = point.get(node.name, node.constant if node.constant is not None else float("nan"))
            t = torch.tensor(float(start), dtype=dt, requires_grad=True)
            leaves[node.name] = t
        elif node.op in ("num", "const"):
            t = torch.tensor(node.constant, dtype=dt)
        elif node.op == "add":
            t = torch.stack(a).sum()
        elif node.op == "mul":
            t = torch.stack(a).prod() if len(a) > 2 else a[0] * a[1]
        elif node.op == "sub":
            t = a[0] - a[1]
        elif node.op == "div":
            t = a[0] / a[1]
        elif node.op == "pow":
            t = torch.pow(a[0], a[1])
        else:
            t = _TORCH_UNARY[node.op](a[0])
        vals.append(t)
    out = vals[-1]
    gradient = {name: 0.0 for name in g.variables}
    if leaves and out.requires_grad:
        grads = torch.autograd.grad(out, list(leaves.values()), allow_unused=True)
        gradient.update({k: 0.0 if gr is None else float(gr) for k, gr in zip(leaves, grads, strict=True)})
    else:
        gradient.update({k: 0.0 for k in leaves})
    return AutogradCheck(value=float(out.detach()), gradient=gradient)


# ------------------------------------------------------------------------------------------ forward vs reverse


@dataclass(frozen=True)
class ModeCosts:
    """The Jacobian (m × n) of a tanh MLP R^n → R^m, f(x) = W₂ tanh(W₁x + b₁) + b₂, two ways:
    forward mode (one Jacobian-vector product per input direction, ``jvps`` = n) and reverse mode (one
    vector-Jacobian product per output, ``vjps`` = m), the passes run one by one. Times are the
    median of ``repeats`` calls in milliseconds, after one warm-up call each; ``max_difference`` is the largest
    entrywise gap between the two Jacobians and ``agree`` whether it is within 1e-10 (float64)."""

    n: int
    m: int
    hidden: int
    jvps: int
    vjps: int
    forward_ms: float
    reverse_ms: float
    max_difference: float
    agree: bool
    jacobian: np.ndarray = field(repr=False)
    device: str = "cpu"


Function = Callable[[torch.Tensor], torch.Tensor]


def mlp(n: int, m: int, hidden: int = 32, seed: int = 0,
        device: torch.device | str = "cpu") -> tuple[Function, torch.Tensor, tuple[torch.Tensor, ...]]:
    """The MLP of :func:`mode_costs`, its input point and its weights (W₁, b₁, W₂, b₂), float64, seeded."""
    gen = torch.Generator().manual_seed(seed)
    dt = torch.float64
    W1 = (torch.randn(hidden, n, generator=gen, dtype=dt) / np.sqrt(n)).to(device)
    b1 = (0.1 * torch.randn(hidden, generator=gen, dtype=dt)).to(device)
    W2 = (torch.randn(m, hidden, generator=gen, dtype=dt) / np.sqrt(hidden)).to(device)
    b2 = (0.1 * torch.randn(m, generator=gen, dtype=dt)).to(device)
    x = torch.randn(n, generator=gen, dtype=dt).to(device)

    def f(z: torch.Tensor) -> torch.Tensor:
        return W2 @ torch.tanh(W1 @ z + b1) + b2

    return f, x, (W1, b1, W2, b2)


def _median_ms(fn, repeats: int, device: torch.device | str) -> tuple[float, torch.Tensor]:
    cuda = torch.device(device).type == "cuda"
    result = fn()  # warm-up
    times = []
    for _ in range(max(1, repeats)):
        if cuda:
            torch.cuda.synchronize()
        t0 = time.perf_counter()
        result = fn()
        if cuda:
            torch.cuda.synchronize()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), result


def mode_costs(n: int, m: int, hidden: int = 32, repeats: int = 5, seed: int = 0,
               device: torch.device | str = "cpu") -> ModeCosts:
    """Forward against reverse mode for the full Jacobian of :func:`mlp` (see :class:`ModeCosts`). Forward mode
    needs n passes (Jacobian-vector products J·eᵢ, a column each), reverse mode m (eⱼᵀ·J, a row each): for a loss
    (m = 1) of many parameters, reverse mode, that is backpropagation, wins by a factor of n. The passes are run
    one by one and written out for this network, as chapter 3 derives them: forward mode carries a tangent
    ṫ = J·eᵢ through the layers with the values (z = W₁x + b₁, ṫ₁ = W₁eᵢ; h = tanh z, ṫ₂ = (1 − h²)⊙ṫ₁;
    ŷ = W₂h + b₂, ṫ₃ = W₂ṫ₂): a column per pass; reverse mode runs the values forward once, then carries an
    adjoint back per output (ā₂ = W₂ᵀeⱼ, ā₁ = (1 − h²)⊙ā₂, x̄ = W₁ᵀā₁): a row per pass. The tests check both
    against ``torch.func.jacfwd``/``jacrev``. Those batch the passes with vmap (their times barely follow the
    counts: 64 → 1 took 0.85 ms forward and 0.32 ms reverse), and importing what they and
    ``torch.autograd.forward_ad`` need took 1.9 s and 150 MiB of a server's memory on first use."""
    n, m, hidden = int(n), int(m), int(hidden)
    if not (1 <= n <= MAX_MODE_SIZE and 1 <= m <= MAX_MODE_SIZE and 1 <= hidden <= MAX_MODE_SIZE):
        raise ValueError(f"n, m and hidden must be between 1 and {MAX_MODE_SIZE}")
    _, x, (W1, b1, W2, _b2) = mlp(n, m, hidden, seed, device)
    eye_n = torch.eye(n, dtype=x.dtype, device=x.device)
    eye_m = torch.eye(m, dtype=x.dtype, device=x.device)

    def columns() -> torch.Tensor:  # forward mode: values and one tangent together, a pass per input direction
        out = []
        for i in range(n):
            z, dz = W1 @ x + b1, W1 @ eye_n[i]
            h = torch.tanh(z)
            dh = (1 - h * h) * dz
            out.append(W2 @ dh)  # (ŷ = W2 @ h + b2 is the value this pass also carries)
        return torch.stack(out, dim=1)

    def rows() -> torch.Tensor:  # reverse mode: one forward pass, then one backward pass per output
        h = torch.tanh(W1 @ x + b1)
        slope = 1 - h * h
        return torch.stack([W1.T @ (slope * (W2.T @ eye_m[j])) for j in range(m)], dim=0)

    with single_thread(device):
        fwd_ms, Jf = _median_ms(columns, repeats, device)
        rev_ms, Jr = _median_ms(rows, repeats, device)
    diff = float((Jf - Jr).abs().max())
    return ModeCosts(n=n, m=m, hidden=hidden, jvps=n, vjps=m, forward_ms=fwd_ms, reverse_ms=rev_ms,
                     max_difference=diff, agree=diff <= 1e-10, jacobian=Jr.detach().cpu().numpy(),
                     device=str(torch.device(device)))
