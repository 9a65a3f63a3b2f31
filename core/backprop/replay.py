"""One call that a page caches: an expression's (or the small network's) graph, its forward pass, the replayable
backward pass, the forward steps and torch.autograd's gradient on the same graph, at one point."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from core.backprop.dag import Backward, Forward, ForwardStep, Graph, backward_steps, forward, forward_steps, graph
from core.backprop.network import Network, network_graph
from core.backprop.reference import AutogradCheck, autograd_check
from core.expr import Expr


@dataclass(frozen=True)
class Replay:
    graph: Graph
    forward: Forward
    forward_steps: list[ForwardStep]
    backward: Backward
    autograd: AutogradCheck
    network: Network | None = None  # the network's weights, when the graph is one

    @property
    def largest_difference(self) -> float:
        """The largest gap between the stepper's gradient and torch.autograd's, over the leaves that both give."""
        gaps = [abs(self.backward.gradient[k] - v) for k, v in self.autograd.gradient.items()
                if k in self.backward.gradient and np.isfinite(v) and np.isfinite(self.backward.gradient[k])]
        return float(max(gaps, default=0.0))


def _replay(g: Graph, point: dict[str, float], network: Network | None = None) -> Replay:
    fwd = forward(g, point)
    return Replay(g, fwd, forward_steps(g, fwd), backward_steps(g, fwd), autograd_check(g, point), network)


def replay_expression(f: Expr, x: float, y: float, share: bool = True,
                      device: torch.device | str = "cpu") -> Replay:
    """f's graph at (x, y) (``device`` accepted as ui.compute passes it: a graph of ≤ 100 scalar nodes is
    numpy work on the CPU)."""
    g = graph(f, share=share)
    point = {name: float(v) for name, v in zip(f.variables, (x, y), strict=False)}
    return _replay(g, point)


def replay_network(seed: int = 0, hidden: int = 3, activation: str = "tanh",
                   device: torch.device | str = "cpu") -> Replay:
    """The one-sample network's graph, from its seeded weights, input and target."""
    net = network_graph(seed, hidden, activation)
    return _replay(net.graph, net.point, net)
