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
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import torch

from core.device import single_thread
from core.expr import CONSTANTS, Expr

MAX_PATHS = 200  # paths listed by default; more are counted, not listed
MAX_HIDDEN = 6  # hidden units of :func:`network_graph` (the picture must stay readable)
MAX_MODE_SIZE = 256  # n and m of :func:`mode_costs`
ACTIVATIONS = ("tanh", "sigmoid", "relu")

LEAVES = ("var", "param", "num", "const")
UNARY = ("neg", "sin", "cos", "tan", "exp", "log", "sqrt", "abs", "tanh", "sigmoid", "relu")
BINARY = ("sub", "div", "pow")
NARY = ("add", "mul")  # two or more inputs (the network's weighted sums have three or four terms)

_SYMBOL = {"add": "+", "sub": "−", "mul": "×", "div": "÷", "pow": "^", "neg": "−"}
_PRECEDENCE = {"add": 1, "sub": 1, "mul": 2, "div": 2, "neg": 3, "pow": 4}
_CONST_LABEL = {"pi": "π", "e": "e"}
_CALL_LABEL = {"sqrt": "√", "abs": "|·|", "sigmoid": "σ"}  # short enough to sit inside a node


# ------------------------------------------------------------------------------------------ the graph


@dataclass(frozen=True)
class Node:
    """One node of a computational graph.

    ``op``: a leaf (``var`` a variable or network input, ``param`` a weight or bias, ``num`` a number, ``const``
    π or e) or an operation (``add`` ``mul`` with two or more inputs, ``sub`` ``div`` ``pow``, or a function of
    one input: ``neg`` and the language's functions). ``label``: a short text to draw in the node ("x", "2", "×",
    "sin"); ``text``: the subexpression it computes, for a tooltip. ``name``: a leaf's name (variables,
    parameters), else "". ``constant``: a number's or constant's value (or a parameter's default), else None.
    ``layer``: the drawing column (variables 0; an operation one right of its rightmost input; a constant or
    parameter one left of its first consumer); ``row``: its place in the column, centred on 0."""

    id: int
    op: str
    label: str
    text: str
    inputs: tuple[int, ...]
    layer: int
    row: float
    name: str = ""
    constant: float | None = None


@dataclass(frozen=True)
class Graph:
    """A computational graph: ``nodes`` in topological order (every input before its consumers), the output
    last. ``variables``: the names f takes (in order, including any the expression does not use);
    ``consumers[i]``: the (consumer id, input slot) pairs reading node i, one per edge (x·x reads x twice);
    ``active[i]``: whether node i depends on a variable or parameter (only these get adjoints, as in torch,
    where a constant does not require a gradient)."""

    nodes: tuple[Node, ...]
    variables: tuple[str, ...]
    consumers: tuple[tuple[tuple[int, int], ...], ...]
    active: np.ndarray = field(repr=False)
    text: str = ""

    @property
    def output(self) -> int:
        return len(self.nodes) - 1

    @property
    def layers(self) -> int:
        return 1 + max(n.layer for n in self.nodes)

    @property
    def leaves(self) -> dict[str, int]:
        """Name → node id of the variables and parameters present in the graph."""
        return {n.name: n.id for n in self.nodes if n.op in ("var", "param")}

    def edges(self) -> list[tuple[int, int, int]]:
        """Every edge as (input id, consumer id, input slot), in the consumers' order."""
        return [(j, n.id, s) for n in self.nodes for s, j in enumerate(n.inputs)]


class _Builder:
    """Adds nodes with hash-consing: a node with the same op, inputs and leaf identity as an existing one is
    that node. Node ids are in creation order, which is topological when inputs are created first."""

    def __init__(self, share: bool = True) -> None:
        self.share = share
        self.rows: list[dict] = []
        self.memo: dict[tuple, int] = {}

    def add(self, op: str, inputs: tuple[int, ...] = (), label: str = "", text: str = "", name: str = "",
            constant: float | None = None) -> int:
        key = (op, inputs, name, None if constant is None else float(constant))
        if (op in ("var", "param") or self.share) and key in self.memo:  # a variable is always one node
            return self.memo[key]
        self.rows.append({"op": op, "inputs": inputs, "label": label, "text": text, "name": name,
                          "constant": None if constant is None else float(constant)})
        self.memo.setdefault(key, len(self.rows) - 1)
        return len(self.rows) - 1

    def finish(self, variables: tuple[str, ...], text: str) -> Graph:
        rows, n = self.rows, len(self.rows)
        consumers: list[list[tuple[int, int]]] = [[] for _ in range(n)]
        for i, r in enumerate(rows):
            for s, j in enumerate(r["inputs"]):
                consumers[j].append((i, s))
        active = np.zeros(n, dtype=bool)
        for i, r in enumerate(rows):
            active[i] = r["op"] in ("var", "param") or any(active[j] for j in r["inputs"])
        layer = _layers(rows, consumers)
        row = _rows(rows, consumers, layer)
        nodes = tuple(Node(id=i, op=r["op"], label=r["label"], text=r["text"], inputs=r["inputs"], layer=layer[i],
                           row=row[i], name=r["name"], constant=r["constant"]) for i, r in enumerate(rows))
        return Graph(nodes=nodes, variables=variables, consumers=tuple(tuple(c) for c in consumers), active=active,
                     text=text)


def _layers(rows: list[dict], consumers: list[list[tuple[int, int]]]) -> list[int]:
    """Variables in column 0, an operation one right of its rightmost input; then each number, constant or
    parameter one left of its leftmost consumer, so it sits next to where it is used (no edge runs across
    the whole picture); finally the columns are renumbered without gaps."""
    layer = [0] * len(rows)
    for i, r in enumerate(rows):
        if r["inputs"]:
            layer[i] = 1 + max(layer[j] for j in r["inputs"])
    for i in range(len(rows)):  # only leaves move, and no leaf consumes another: one pass
        if rows[i]["op"] in ("num", "const", "param") and consumers[i]:
            layer[i] = max(0, min(layer[c] for c, _ in consumers[i]) - 1)
    used = sorted(set(layer))
    return [used.index(v) for v in layer]


def _rows(rows: list[dict], consumers: list[list[tuple[int, int]]], layer: list[int]) -> list[float]:
    """Places within each column by the barycentre heuristic: start in creation order, then a few sweeps in
    which each node moves to the mean place of its neighbours (inputs and consumers) and each column is
    re-ranked. Fewer crossings, not an optimum; deterministic."""
    n = len(rows)
    neighbours = [list(rows[i]["inputs"]) + [c for c, _ in consumers[i]] for i in range(n)]
    pos = np.arange(n, dtype=float)
    columns: dict[int, list[int]] = {}
    for i in range(n):
        columns.setdefault(layer[i], []).append(i)

    def rank() -> None:
        for members in columns.values():
            order = sorted(members, key=lambda i: (pos[i], i))
            for k, i in enumerate(order):
                pos[i] = k

    rank()
    for _ in range(4):
        target = np.array([np.mean([pos[j] for j in neighbours[i]]) if neighbours[i] else pos[i] for i in range(n)])
        pos = 0.5 * pos + 0.5 * target
        rank()
    out = [0.0] * n
    for members in columns.values():
        for i in members:
            out[i] = float(pos[i] - (len(members) - 1) / 2)
    return out


def _number_label(value: float | int) -> str:
    if isinstance(value, int):
        return str(value)
    return f"{value:g}"


def _wrap(text: str, prec: int, need: int, strict: bool = False) -> str:
    return f"({text})" if prec < need or (strict and prec == need) else text


def graph(expr: Expr, share: bool = True) -> Graph:
    """The computational graph of ``expr``: one node per variable (used twice, it is still one node with two
    out-edges), per number or constant, and per operation; with ``share`` (the default) identical
    subexpressions are one node too, computed once (``sin(x)*sin(x)`` has one sin node with two edges to ×),
    without it only the variables are shared and every other occurrence is its own node (the expression tree
    with its variable leaves glued). At most about :data:`core.expr.MAX_NODES` nodes: the parser caps the
    expression."""
    b = _Builder(share)

    def walk(t: tuple) -> tuple[int, str, int]:  # (node id, text, precedence); depth bounded by the parser
        kind = t[0]
        if kind == "var":
            return b.add("var", label=t[1], text=t[1], name=t[1]), t[1], 9
        if kind == "num":
            label = _number_label(t[1])
            return b.add("num", label=label, text=label, constant=float(t[1])), label, 9
        if kind == "const":
            label = _CONST_LABEL[t[1]]
            return b.add("const", label=label, text=label, name=t[1], constant=CONSTANTS[t[1]]), label, 9
        if kind == "neg":
            i, s, p = walk(t[1])
            text = "-" + _wrap(s, p, 3)
            return b.add("neg", (i,), "−", text), text, 3
        if kind == "call":
            i, s, _ = walk(t[2])
            text = f"{t[1]}({s})"
            return b.add(t[1], (i,), _CALL_LABEL.get(t[1], t[1]), text), text, 9
        (i, sa, pa), (j, sb, pb) = walk(t[1]), walk(t[2])
        prec = _PRECEDENCE[kind]
        if kind == "pow":
            text = f"{_wrap(sa, pa, prec, strict=True)}^{_wrap(sb, pb, prec)}"
        else:
            sign = {"add": " + ", "sub": " - ", "mul": "*", "div": "/"}[kind]
            text = f"{_wrap(sa, pa, prec)}{sign}{_wrap(sb, pb, prec, strict=kind in ('sub', 'div'))}"
        return b.add(kind, (i, j), _SYMBOL[kind], text), text, prec

    _, text, _ = walk(expr.tree)
    g = b.finish(expr.variables, text)
    if g.output != len(b.rows) - 1:
        raise AssertionError("the output must be the last node")
    return g


# ------------------------------------------------------------------------------------------ forward pass


@dataclass(frozen=True)
class Forward:
    """Every node's value (float64, in node order) and its local derivatives: ``local[i][s]`` = ∂node_i/∂(its
    input in slot s), at these values. ``problems``: a sentence per node where the value first became NaN or
    ±inf (its inputs were finite) or where a local derivative is infinite or undefined at a finite value, and
    per kink where a convention was used (relu'(0) = 0, |·|'(0) = 0); empty when all is well. ``defined``:
    whether the output is finite."""

    values: np.ndarray
    local: tuple[tuple[float, ...], ...]
    problems: tuple[str, ...]
    point: dict[str, float]

    @property
    def value(self) -> float:
        return float(self.values[-1])

    @property
    def defined(self) -> bool:
        return bool(np.isfinite(self.values[-1]))


def _value(op: str, a: Sequence[np.float64], node: Node) -> np.float64:
    if op in ("num", "const"):
        return np.float64(node.constant)
    if op == "add":
        return np.sum(np.array(a, dtype=np.float64))
    if op == "mul":
        return np.prod(np.array(a, dtype=np.float64))
    if op == "sub":
        return a[0] - a[1]
    if op == "div":
        return a[0] / a[1]
    if op == "pow":
        return np.power(a[0], a[1])
    z = a[0]
    return {
        "neg": lambda: -z, "sin": lambda: np.sin(z), "cos": lambda: np.cos(z), "tan": lambda: np.tan(z),
        "exp": lambda: np.exp(z), "log": lambda: np.log(z), "sqrt": lambda: np.sqrt(z), "abs": lambda: np.abs(z),
        "tanh": lambda: np.tanh(z), "sigmoid": lambda: 1.0 / (1.0 + np.exp(-z)),
        "relu": lambda: np.maximum(z, 0.0) if not np.isnan(z) else z,
    }[op]()


def _local(op: str, a: Sequence[np.float64], v: np.float64) -> tuple[np.float64, ...]:
    """∂v/∂a_s for each input a_s of one node whose value is v, by the rules of calculus written out:

    sums: 1 each (sub: 1, −1); products: the product of the other factors; a/b: 1/b and −a/b²;
    a^b: b·a^(b−1) and a^b·ln a (torch's conventions where these are 0·∞: the first is 0 when b = 0, the second
    0 when a = 0 and b ≥ 0, the limit from a > 0); −a: −1; sin: cos a; cos: −sin a; tan: 1 + tan² a;
    exp: e^a = v; log: 1/a; sqrt: 1/(2√a); |a|: sign a (0 at 0); tanh: 1 − tanh² a = 1 − v²;
    sigmoid: σ(a)(1 − σ(a)) = v(1 − v); relu: the step, 1 for a > 0 and 0 for a ≤ 0 (0 at the kink, as torch)."""
    if op == "add":
        return tuple(np.float64(1.0) for _ in a)
    if op == "mul":
        return tuple(np.prod(np.array([a[k] for k in range(len(a)) if k != s], dtype=np.float64))
                     for s in range(len(a)))
    if op == "sub":
        return np.float64(1.0), np.float64(-1.0)
    if op == "div":
        return 1.0 / a[1], -a[0] / (a[1] * a[1])
    if op == "pow":
        base, exponent = a
        d_base = np.float64(0.0) if exponent == 0 else exponent * np.power(base, exponent - 1)
        d_exp = np.float64(0.0) if base == 0 and exponent >= 0 else v * np.log(base)
        return d_base, d_exp
    z = a[0]
    rule = {
        "neg": lambda: np.float64(-1.0), "sin": lambda: np.cos(z), "cos": lambda: -np.sin(z),
        "tan": lambda: 1.0 + v * v, "exp": lambda: v, "log": lambda: 1.0 / z, "sqrt": lambda: 1.0 / (2.0 * v),
        "abs": lambda: np.sign(z), "tanh": lambda: 1.0 - v * v, "sigmoid": lambda: v * (1.0 - v),
        "relu": lambda: np.float64(1.0) if z > 0 else (np.float64(0.0) if z <= 0 else np.float64(np.nan)),
    }
    return (rule[op](),)


def _show(x: float) -> str:
    if np.isnan(x):
        return "NaN"
    if np.isinf(x):
        return "∞" if x > 0 else "−∞"
    return f"{x:.4g}"


def _why(node: Node, a: Sequence[float], v: float) -> str:
    """Why a node's value is NaN or ±inf although its inputs are finite."""
    op, where = node.op, f"{node.text} = {_show(v)}"
    if op == "log":
        return f"{where}: the logarithm of {_show(a[0])} is {'−∞' if a[0] == 0 else 'not a real number'}."
    if op == "sqrt":
        return f"{where}: the square root of the negative number {_show(a[0])} is not a real number."
    if op == "div" and a[1] == 0:
        return f"{where}: division by zero."
    if op == "pow" and a[0] == 0:
        return f"{where}: 0 to the negative power {_show(a[1])} divides by zero."
    if op == "pow" and a[0] < 0 and np.isnan(v):
        return f"{where}: a negative base {_show(a[0])} to the non-integer power {_show(a[1])} is not real."
    if op == "tan":
        return f"{where}: tan is infinite near odd multiples of π/2."
    if np.isinf(v):
        return f"{where}: the result overflows float64 (beyond about 1.8e308)."
    return f"{where}: undefined (∞ − ∞, 0·∞ or ∞/∞)."


def forward(g: Graph, point: Mapping[str, float]) -> Forward:
    """Every node's value at ``point`` (variable name → number; parameters default to their stored values),
    in topological order, and every local derivative (:func:`_local`'s rules), in float64. Never raises for an
    undefined value: it becomes NaN or ±inf, as in torch, and :attr:`Forward.problems` explains where."""
    known = {n.name for n in g.nodes if n.op == "var"}
    missing = sorted(n.name for n in g.nodes if n.op == "var" and n.constant is None and n.name not in point)
    if missing:
        raise ValueError(f"no value given for {', '.join(missing)}")
    values = np.empty(len(g.nodes), dtype=np.float64)
    local: list[tuple[float, ...]] = []
    problems: list[str] = []
    with np.errstate(all="ignore"):
        for node in g.nodes:
            a = [values[j] for j in node.inputs]
            if node.op in ("var", "param"):
                v = np.float64(point.get(node.name, node.constant if node.constant is not None else np.nan))
            else:
                v = _value(node.op, a, node)
            values[node.id] = v
            d = _local(node.op, a, v) if node.inputs else ()
            local.append(tuple(float(x) for x in d))
            finite_in = all(np.isfinite(x) for x in a)
            if not np.isfinite(v) and finite_in:
                problems.append(_why(node, a, float(v)))
            elif np.isfinite(v) and finite_in and g.active[node.id]:
                for s, x in enumerate(d):
                    if g.active[node.inputs[s]] and not np.isfinite(x):
                        problems.append(f"{node.text}: its derivative with respect to "
                                        f"{g.nodes[node.inputs[s]].text} is {_show(float(x))} here.")
            if node.op in ("relu", "abs") and a and a[0] == 0 and g.active[node.id]:
                slope = "0 and 1" if node.op == "relu" else "−1 and 1"
                problems.append(f"{node.text}: a kink at 0 (one-sided slopes {slope}); its derivative is taken "
                                "as 0 there, as torch does.")
    used = {k: float(point[k]) for k in point if k in known or k in g.leaves}
    return Forward(values=values, local=tuple(local), problems=tuple(problems), point=used)


@dataclass(frozen=True)
class ForwardStep:
    """One node's value appearing in the forward pass: ``node``, its ``value``, and a sentence like
    ``sin(x*y) = sin(0.5) = 0.4794``."""

    index: int
    node: int
    value: float
    text: str


def forward_steps(g: Graph, fwd: Forward) -> list[ForwardStep]:
    """The forward pass as steps to replay: node by node in topological order (step k has computed nodes
    0…k), each with the operation written with its inputs' numbers."""
    out = []
    for k, node in enumerate(g.nodes):
        v = float(fwd.values[node.id])
        ins = [_show(float(fwd.values[j])) for j in node.inputs]
        if node.op in ("var", "param"):
            text = f"{node.label} = {_show(v)}"
        elif node.op in ("num", "const"):
            text = f"{node.label} = {_show(v)}" if node.op == "const" else f"the number {node.label}"
        elif node.op in ("add", "mul", "sub", "div", "pow"):
            text = f"{node.text} = {f' {node.label} '.join(ins)} = {_show(v)}"
        elif node.op == "neg":
            text = f"{node.text} = −({ins[0]}) = {_show(v)}"
        else:
            text = f"{node.text} = {node.op}({ins[0]}) = {_show(v)}"
        out.append(ForwardStep(index=k, node=node.id, value=v, text=text))
    return out


# ------------------------------------------------------------------------------------------ backward pass


@dataclass(frozen=True)
class Contribution:
    """One term of the chain rule sent along the edge input → node: ``local`` = ∂node/∂input, ``amount`` =
    adjoint(node) × local, added to the input's adjoint."""

    target: int
    slot: int
    local: float
    amount: float


@dataclass(frozen=True)
class BackwardStep:
    """Step ``index`` of reverse-mode accumulation: ``node`` is processed, its ``adjoint`` ∂f/∂node is final,
    ``sent`` its contributions to its (active) inputs. ``adjoints``: the whole adjoint vector after the step
    (a node not yet reached holds 0, a reached but unprocessed one a partial sum); ``done``: which nodes'
    adjoints are final."""

    index: int
    node: int
    adjoint: float
    sent: tuple[Contribution, ...]
    adjoints: np.ndarray = field(repr=False)
    done: np.ndarray = field(repr=False)


@dataclass(frozen=True)
class Backward:
    """The backward pass: ``steps`` (also iterable and indexable as the list of steps), the final adjoints
    (∂f/∂node for every active node, 0 for constants), and ``gradient``: ∂f/∂v for each variable and
    parameter by name (0 for a variable f does not use)."""

    steps: tuple[BackwardStep, ...]
    adjoints: np.ndarray
    gradient: dict[str, float]

    def __len__(self) -> int:
        return len(self.steps)

    def __getitem__(self, k: int) -> BackwardStep:
        return self.steps[k]

    def __iter__(self) -> Iterator[BackwardStep]:
        return iter(self.steps)


def backward_steps(g: Graph, values: Forward | np.ndarray) -> Backward:
    """Reverse-mode accumulation on ``g`` at the values of a forward pass (a :class:`Forward`, or the value
    vector alone, whose local derivatives are then recomputed).

    adjoint(output) = 1; then for each active node in reverse topological order (the output first): its
    adjoint is final, and for each active input u in slot s, adjoint(u) += adjoint(node) · ∂node/∂u. A
    variable read by several edges thus collects one term per edge: the multivariate chain rule's sum.
    Constants (nodes that depend on no variable or parameter) neither get nor send adjoints. IEEE arithmetic
    throughout: a 0 adjoint times an infinite local derivative gives NaN, as in torch."""
    if not isinstance(values, Forward):
        values = _from_values(g, np.asarray(values, dtype=np.float64))
    n = len(g.nodes)
    adj = np.zeros(n, dtype=np.float64)
    adj[g.output] = 1.0
    done = np.zeros(n, dtype=bool)
    steps = []
    with np.errstate(all="ignore"):
        for node in reversed(g.nodes):
            if not g.active[node.id] and node.id != g.output:
                continue
            sent = []
            for s, j in enumerate(node.inputs):
                if not g.active[j]:
                    continue
                local = values.local[node.id][s]
                amount = float(np.float64(adj[node.id]) * np.float64(local))
                adj[j] += amount
                sent.append(Contribution(target=j, slot=s, local=local, amount=amount))
            done[node.id] = True
            steps.append(BackwardStep(index=len(steps), node=node.id, adjoint=float(adj[node.id]), sent=tuple(sent),
                                      adjoints=adj.copy(), done=done.copy()))
    gradient = {name: 0.0 for name in g.variables}
    gradient.update({name: float(adj[i]) for name, i in g.leaves.items()})
    return Backward(steps=tuple(steps), adjoints=adj, gradient=gradient)


def _from_values(g: Graph, values: np.ndarray) -> Forward:
    if values.shape != (len(g.nodes),):
        raise ValueError(f"expected {len(g.nodes)} node values, got shape {values.shape}")
    with np.errstate(all="ignore"):
        local = tuple(tuple(float(x) for x in _local(nd.op, [values[j] for j in nd.inputs], values[nd.id]))
                      if nd.inputs else () for nd in g.nodes)
    point = {nd.name: float(values[nd.id]) for nd in g.nodes if nd.op in ("var", "param")}
    return Forward(values=values, local=local, problems=(), point=point)


def backward_text(g: Graph, step: BackwardStep) -> str:
    """One step in words: "∂f/∂(sin(x*y)) = 0.5 is final; it sends 0.5 × cos(x*y) = … to x*y"."""
    node = g.nodes[step.node]
    head = f"∂f/∂({node.text}) = {_show(step.adjoint)} is final"
    if not step.sent:
        return head + (" (a leaf: nothing to send)." if not node.inputs else " (its inputs are constants).")
    parts = [f"{_show(step.adjoint)} × {_show(c.local)} = {_show(c.amount)} to {g.nodes[c.target].text}"
             for c in step.sent]
    return f"{head}; it sends " + "; ".join(parts) + "."


# ------------------------------------------------------------------------------------------ paths


@dataclass(frozen=True)
class Path:
    """A path var → … → output: its ``nodes``, the input ``slots`` each edge enters (the k-th edge goes from
    nodes[k] into slot slots[k] of nodes[k + 1]), the local derivative on each edge and their ``product``."""

    nodes: tuple[int, ...]
    slots: tuple[int, ...]
    locals: tuple[float, ...]
    product: float


@dataclass(frozen=True)
class Paths:
    """The paths from variable ``var`` to the output: ``listed`` (at most the limit, depth-first order),
    ``total`` (counted by dynamic programming, however many), ``cut`` = total − listed, ``listed_sum`` (the
    sum of the listed products) and ``gradient`` = the sum over *all* paths of the product of the local
    derivatives along them (summed by dynamic programming), which is ∂f/∂var."""

    var: str
    listed: tuple[Path, ...]
    total: int
    cut: int
    listed_sum: float
    gradient: float


def paths(g: Graph, var: str, values: Forward | np.ndarray, limit: int = MAX_PATHS) -> Paths:
    """Every path from the node of ``var`` to the output with the product of the local derivatives along it.

    ∂f/∂var = Σ_paths Π_edges ∂(head)/∂(tail): the chain rule unrolled. The number of paths can grow
    exponentially with the depth (each shared node doubles them), so at most ``limit`` are listed; the count
    and the full sum come from a pass over the graph that never enumerates (paths(u) = Σ over u's out-edges
    of paths(consumer); sum(u) = Σ local · sum(consumer)), so they are exact whatever the limit."""
    if not isinstance(values, Forward):
        values = _from_values(g, np.asarray(values, dtype=np.float64))
    leaves = g.leaves
    if var not in leaves:
        if var not in g.variables:
            raise ValueError(f"{var!r} is not a variable of this graph")
        return Paths(var=var, listed=(), total=0, cut=0, listed_sum=0.0, gradient=0.0)
    n, out = len(g.nodes), g.output
    count = [0] * n
    total_sum = np.zeros(n)
    count[out], total_sum[out] = 1, 1.0
    with np.errstate(all="ignore"):
        for i in reversed(range(n - 1)):
            count[i] = sum(count[c] for c, _ in g.consumers[i])
            total_sum[i] = sum((np.float64(values.local[c][s]) * total_sum[c] for c, s in g.consumers[i]),
                               start=np.float64(0.0))
        start = leaves[var]
        listed: list[Path] = []
        stack: list[tuple[int, tuple[int, ...], tuple[int, ...], tuple[float, ...]]] = [(start, (start,), (), ())]
        while stack and len(listed) < limit:
            u, nodes, slots, locs = stack.pop()
            if u == out:
                listed.append(Path(nodes=nodes, slots=slots, locals=locs,
                                   product=float(np.prod(np.array(locs, dtype=np.float64))) if locs else 1.0))
                continue
            for c, s in reversed(g.consumers[u]):  # reversed: the stack pops the first consumer first
                stack.append((c, (*nodes, c), (*slots, s), (*locs, values.local[c][s])))
        listed_sum = float(np.sum(np.array([p.product for p in listed], dtype=np.float64)))
    total = count[leaves[var]]
    return Paths(var=var, listed=tuple(listed), total=total, cut=total - len(listed), listed_sum=listed_sum,
                 gradient=float(total_sum[leaves[var]]))


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

    b = _Builder(share=False)
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
        hs.append(b.add(activation, (z,), _CALL_LABEL.get(activation, activation), f"h{J} = {activation}(z{J})"))
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
    forward mode (``torch.func.jacfwd``: one Jacobian-vector product per input direction, ``jvps`` = n) and
    reverse mode (``torch.func.jacrev``: one vector-Jacobian product per output, ``vjps`` = m). Times are the
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
    result = fn()  # warm-up: torch.func's first call sets itself up
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
    (m = 1) of many parameters, reverse mode, that is backpropagation, wins by a factor of n. torch.func batches
    the passes with vmap, so the measured times grow more slowly than the counts at these small sizes."""
    n, m, hidden = int(n), int(m), int(hidden)
    if not (1 <= n <= MAX_MODE_SIZE and 1 <= m <= MAX_MODE_SIZE and 1 <= hidden <= MAX_MODE_SIZE):
        raise ValueError(f"n, m and hidden must be between 1 and {MAX_MODE_SIZE}")
    f, x, _ = mlp(n, m, hidden, seed, device)
    with single_thread(device):
        fwd_ms, Jf = _median_ms(lambda: torch.func.jacfwd(f)(x), repeats, device)
        rev_ms, Jr = _median_ms(lambda: torch.func.jacrev(f)(x), repeats, device)
    diff = float((Jf - Jr).abs().max())
    return ModeCosts(n=n, m=m, hidden=hidden, jvps=n, vjps=m, forward_ms=fwd_ms, reverse_ms=rev_ms,
                     max_difference=diff, agree=diff <= 1e-10, jacobian=Jr.detach().cpu().numpy(),
                     device=str(torch.device(device)))
