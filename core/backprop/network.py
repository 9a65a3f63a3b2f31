"""A one-hidden-layer network on one sample as a computational graph (see :mod:`core.backprop`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from core.backprop.dag import CALL_LABEL, Builder, Graph

MAX_HIDDEN = 6  # hidden units of :func:`network_graph` (the picture must stay readable)
ACTIVATIONS = ("tanh", "sigmoid", "relu")


# ------------------------------------------------------------------------------------------ a network


@dataclass(frozen=True)
class Network:
    """A one-hidden-layer network on one sample as a computational graph: inputs x1, x2, hidden units
    h_j = act(z_j) with z_j = w_j1·x1 + w_j2·x2 + b_j, output ŷ = Σ_j v_j h_j + c, loss L = (ŷ − t)².
    The weights are parameter leaves named ``w{j}{i}``, ``b{j}``, ``v{j}`` and ``c`` (j, i from 1), their values
    in ``W1`` (hidden × 2), ``b1``, ``v`` (hidden) and ``c``; ``point`` holds every leaf's value, so
    ``forward(net.graph, net.point)`` is the network's forward pass."""

    graph: Graph
    activation: str
    x: np.ndarray
    target: float
    W1: np.ndarray
    b1: np.ndarray
    v: np.ndarray
    c: float
    point: dict[str, float]


_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def network_graph(seed: int = 0, hidden: int = 3, activation: str = "tanh", x: Sequence[float] | None = None,
                  target: float | None = None) -> Network:
    """A small network (2 inputs, ``hidden`` ≤ :data:`MAX_HIDDEN` units of ``activation``, one linear output,
    squared error against ``target``) as a :class:`Graph`, weights drawn from N(0, 1) by ``seed`` and rounded
    to two decimals (readable in the picture); ``x`` and ``target`` default to seeded values in [−1, 1].

    Backpropagating L through it gives ∂L/∂w for every weight: ∂L/∂v_j = 2(ŷ − t)·h_j,
    ∂L/∂w_ji = 2(ŷ − t)·v_j·act'(z_j)·x_i, which the stepper reaches edge by edge."""
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {', '.join(ACTIVATIONS)}, not {activation!r}")
    if not 1 <= int(hidden) <= MAX_HIDDEN:
        raise ValueError(f"hidden must be between 1 and {MAX_HIDDEN}, not {hidden}")
    hidden = int(hidden)
    rng = np.random.default_rng(seed)
    W1 = np.round(rng.normal(0, 1, (hidden, 2)), 2)
    b1 = np.round(rng.normal(0, 0.5, hidden), 2)
    v = np.round(rng.normal(0, 1, hidden), 2)
    c = float(np.round(rng.normal(0, 0.5), 2))
    xs = np.round(rng.uniform(-1, 1, 2), 2) if x is None else np.asarray(x, dtype=np.float64)
    t = float(np.round(rng.uniform(-1, 1), 2)) if target is None else float(target)
    if xs.shape != (2,) or not np.isfinite(xs).all() or not np.isfinite(t):
        raise ValueError("x must be two finite numbers and the target a finite number")

    b = Builder(share=False)
    point: dict[str, float] = {}

    def leaf(op: str, name: str, value: float, label: str) -> int:
        point[name] = float(value)
        return b.add(op, label=label, text=label, name=name, constant=float(value))

    ins = [leaf("var", f"x{i + 1}", xs[i], f"x{i + 1}".translate(_SUB)) for i in range(2)]
    hs = []
    for j in range(hidden):
        J = str(j + 1).translate(_SUB)
        terms = []
        for i in range(2):
            w_ji = f"w{J}{str(i + 1).translate(_SUB)}"
            w = leaf("param", f"w{j + 1}{i + 1}", W1[j, i], w_ji)
            terms.append(b.add("mul", (w, ins[i]), "×", f"{w_ji}·x{str(i + 1).translate(_SUB)}"))
        bias = leaf("param", f"b{j + 1}", b1[j], f"b{J}")
        z = b.add("add", (*terms, bias), "+", f"z{J} = w{J}₁x₁ + w{J}₂x₂ + b{J}")
        hs.append(b.add(activation, (z,), CALL_LABEL.get(activation, activation), f"h{J} = {activation}(z{J})"))
    outs = []
    for j in range(hidden):
        J = str(j + 1).translate(_SUB)
        w = leaf("param", f"v{j + 1}", v[j], f"v{J}")
        outs.append(b.add("mul", (w, hs[j]), "×", f"v{J}·h{J}"))
    bias = leaf("param", "c", c, "c")
    yhat = b.add("add", (*outs, bias), "+", "ŷ = Σ vⱼhⱼ + c")
    tt = b.add("num", label="t", text="t (target)", name="t", constant=t)
    r = b.add("sub", (yhat, tt), "−", "ŷ − t")
    two = b.add("num", label="2", text="2", constant=2.0)
    b.add("pow", (r, two), "^", "L = (ŷ − t)²")
    g = b.finish(("x1", "x2"), "L = (ŷ − t)²")
    return Network(graph=g, activation=activation, x=xs, target=t, W1=W1, b1=b1, v=v, c=c, point=point)
