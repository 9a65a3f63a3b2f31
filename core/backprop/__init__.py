"""Chapter 3, Multivariate calculus: backpropagation on a computational graph, step by step.

An expression f (from :mod:`core.expr`) becomes a directed acyclic graph (:func:`graph`): one node per
variable, per constant and per operation, identical subexpressions merged into one node (hash-consing).
A variable used twice is *one* node with two out-edges, and that is where the chain rule sums: the
derivative of the output u with respect to a node v is

    ∂u/∂v = Σ over the edges v → w of  ∂u/∂w · ∂w/∂v,

the adjoint of each consumer w times the *local* derivative of w with respect to its input v. Unrolled,
∂f/∂x is the sum over every path x → … → f of the product of the local derivatives along it (:func:`paths`).

:func:`forward` computes every node's value and, by hand-written rules (the lesson: no autograd here), each
node's local derivatives with respect to its inputs. :func:`backward_steps` runs reverse-mode accumulation
one node at a time, in reverse topological order: when a node is processed its adjoint ∂f/∂node is final
(all its consumers came later in the forward order, so were processed before it), and it sends
``adjoint × local derivative`` to each input. Every step records the full adjoint vector, so a page can show
any step at once. :func:`network_graph` builds a one-hidden-layer network with a squared-error loss on one
sample as the same kind of graph, so the same stepper backpropagates to every weight.

References to compare with: :func:`autograd_check` (``torch.autograd`` in float64 on the same graph, with
torch's own derivative rules), and in the tests sympy's exact gradient and ``torch.func``.
:func:`mode_costs` sets forward mode against reverse mode on a small tanh MLP R^n → R^m.

Undefined points never raise: log or sqrt of a negative number give NaN, division by zero ±inf, as torch and
numpy do, and :attr:`Forward.problems` says which node went wrong first and why.

The package: :mod:`core.backprop.dag` (graphs, the forward and backward passes, paths),
:mod:`core.backprop.network` (the one-sample network) and :mod:`core.backprop.reference` (torch.autograd on the
same graph, forward against reverse mode), :mod:`core.backprop.replay` (all of it at one point, in one call a
page caches); everything public is importable from ``core.backprop``.
"""

from core.backprop.dag import (
    MAX_PATHS,
    Backward,
    BackwardStep,
    Contribution,
    Forward,
    ForwardStep,
    Graph,
    Node,
    Path,
    Paths,
    backward_steps,
    backward_text,
    forward,
    forward_steps,
    graph,
    local_derivatives,
    paths,
)
from core.backprop.network import ACTIVATIONS, MAX_HIDDEN, Network, network_graph
from core.backprop.reference import MAX_MODE_SIZE, AutogradCheck, ModeCosts, autograd_check, mlp, mode_costs
from core.backprop.replay import Replay, replay_expression, replay_network

__all__ = [
    "ACTIVATIONS",
    "MAX_HIDDEN",
    "MAX_MODE_SIZE",
    "MAX_PATHS",
    "AutogradCheck",
    "Backward",
    "BackwardStep",
    "Contribution",
    "Forward",
    "ForwardStep",
    "Graph",
    "ModeCosts",
    "Network",
    "Node",
    "Path",
    "Paths",
    "Replay",
    "autograd_check",
    "backward_steps",
    "backward_text",
    "forward",
    "forward_steps",
    "graph",
    "local_derivatives",
    "mlp",
    "mode_costs",
    "network_graph",
    "paths",
    "replay_expression",
    "replay_network",
]
