"""Computational graphs of core.expr expressions, their forward pass with hand-written local derivatives,
reverse-mode accumulation as replayable steps, and the sum over paths (see :mod:`core.backprop`)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from core.expr import CONSTANTS, Expr

MAX_PATHS = 200  # paths listed by default; more are counted, not listed

LEAVES = ("var", "param", "num", "const")
UNARY = ("neg", "sin", "cos", "tan", "exp", "log", "sqrt", "abs", "tanh", "sigmoid", "relu")
BINARY = ("sub", "div", "pow")
NARY = ("add", "mul")  # two or more inputs (the network's weighted sums have three or four terms)

_SYMBOL = {"add": "+", "sub": "−", "mul": "×", "div": "÷", "pow": "^", "neg": "−"}
_PRECEDENCE = {"add": 1, "sub": 1, "mul": 2, "div": 2, "neg": 3, "pow": 4}
_CONST_LABEL = {"pi": "π", "e": "e"}
CALL_LABEL = {"sqrt": "√", "abs": "|·|", "sigmoid": "σ"}  # short enough to sit inside a node


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


class Builder:
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
    b = Builder(share)

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
            return b.add(t[1], (i,), CALL_LABEL.get(t[1], t[1]), text), text, 9
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


def local_derivatives(g: Graph, values: np.ndarray) -> tuple[tuple[float, ...], ...]:
    """``[i][s]`` = ∂node_i/∂(its input in slot s) at the node values ``values`` (:func:`_local`'s rules; a
    local derivative depends only on the node's inputs and its own value)."""
    values = np.asarray(values, dtype=np.float64)
    if values.shape != (len(g.nodes),):
        raise ValueError(f"expected {len(g.nodes)} node values, got shape {values.shape}")
    with np.errstate(all="ignore"):
        return tuple(tuple(float(x) for x in _local(nd.op, [values[j] for j in nd.inputs], values[nd.id]))
                     if nd.inputs else () for nd in g.nodes)


def _from_values(g: Graph, values: np.ndarray) -> Forward:
    local = local_derivatives(g, values)
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
