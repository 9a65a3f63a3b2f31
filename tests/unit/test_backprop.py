"""core.backprop (chapter 3, backpropagation on a computational graph) against independent references:
sympy's exact gradient (core.expr.gradient, evaluated by core.expr.evaluate), torch.autograd on core.expr's own
torch function (a different code path from the graph), torch.nn layers for the network, a closed-form Jacobian
for forward vs reverse mode, and small cases counted by hand. Plus ui.figures.backprop's charts build with the
rows they should."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from core import backprop as B
from core import expr as E

# torch.func registers its decompositions through torch.jit.script on first use (torch 2.13), which warns.
pytestmark = pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated:DeprecationWarning")

RNG = np.random.default_rng(16)

# (text, low, high): random points drawn in [low, high]² stay away from the expression's kinks and poles
TRICKY = [
    ("x*x*x", -2, 2),  # one variable, three edges into two products
    ("x*y + x/y + y*x", 0.3, 2),  # x and y each used three times; x*y and y*x are different nodes
    ("sin(x)*sin(x) + sin(x)", -2, 2),  # a shared subtree, three out-edges
    ("(x + y)*(x + y) - (x + y)/2", -2, 2),
    ("x^y", 0.2, 2),  # pow with a variable exponent: both partials
    ("y^x + x^(x*y)", 0.2, 2),
    ("(x + y)^(x*y)", 0.2, 1.5),
    ("x^2.5 + 2^x*e^y*pi", 0.2, 2),
    ("relu(x) + abs(y)", 0.2, 2),  # away from 0, positive side
    ("relu(x) + abs(y)", -2, -0.2),  # away from 0, negative side
    ("relu(x - y)*abs(x*y) + abs(x)", -2, 2),
    ("exp(sin(x))/(1 + x^2) - -y", -2, 2),
    ("sqrt(x^2 + y^2 + 1)*log(x^2 + 1)", -2, 2),
    ("tanh(x*y) + sigmoid(x - y)*sigmoid(x - y)", -2, 2),
    ("tan(x/3) + cos(y)*cos(y)", -2, 2),
    ("-x*-y/(y^2 + 1)", -2, 2),
    ("x/y/y", 0.3, 2),  # division by a variable, twice
    ("log(x)*log(x)*log(y) + sqrt(x*y)", 0.3, 2),
    ("sin(x*y)*sin(x*y) + sin(x*y) + x*y", -2, 2),
]
CASES = [(text, -1.5, 1.5) for text in E.EXAMPLES.values()] + TRICKY


def _points(lo: float, hi: float, k: int = 3) -> list[dict[str, float]]:
    return [{"x": float(a), "y": float(b)} for a, b in RNG.uniform(lo, hi, size=(k, 2))]


def _torch_gradient(e: E.Expr, point: dict[str, float]) -> np.ndarray:
    """∇f by torch.autograd through core.expr.to_torch (which never sees the graph)."""
    args = [torch.tensor(point[v], dtype=torch.float64, requires_grad=True) for v in e.variables]
    out = E.to_torch(e)(*args)
    grads = torch.autograd.grad(out, args, allow_unused=True)
    return np.array([0.0 if g is None else float(g) for g in grads])


def _stepper_gradient(e: E.Expr, point: dict[str, float]) -> tuple[np.ndarray, B.Forward, B.Graph]:
    g = B.graph(e)
    fwd = B.forward(g, point)
    back = B.backward_steps(g, fwd)
    return np.array([back.gradient[v] for v in e.variables]), fwd, g


@pytest.mark.parametrize(("text", "lo", "hi"), CASES, ids=[c[0] + f"@[{c[1]},{c[2]}]" for c in CASES])
def test_stepper_gradient_equals_autograd_and_sympys_exact_gradient(text, lo, hi):
    e = E.parse(text)
    exact = E.gradient(e)
    for point in _points(lo, hi):
        mine, fwd, g = _stepper_gradient(e, point)
        assert fwd.defined and not any("undefined" in p or "not a real" in p for p in fwd.problems)
        assert math.isclose(fwd.value, float(E.to_torch(e)(*(torch.tensor(point[v], dtype=torch.float64)
                                                              for v in e.variables))), rel_tol=1e-12, abs_tol=1e-12)
        np.testing.assert_allclose(mine, _torch_gradient(e, point), rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(mine, E.evaluate(exact, point).ravel(), rtol=1e-9, atol=1e-11)
        check = B.autograd_check(g, point)  # the page's comparison: torch's rules on the same graph
        np.testing.assert_allclose(mine, [check.gradient[v] for v in e.variables], rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("fn", E.FUNCTIONS)
def test_every_local_rule_against_autograd_on_both_signs(fn):
    """Each hand-written derivative of one function, at points of both signs (log and sqrt at positive ones)."""
    e = E.parse(f"{fn}(x*y + 0.25) * y")
    for point in _points(0.2, 1.2) + ([] if fn in ("log", "sqrt") else _points(-1.2, -0.3)):
        mine, _, _ = _stepper_gradient(e, point)
        np.testing.assert_allclose(mine, _torch_gradient(e, point), rtol=1e-10, atol=1e-12)


def test_graph_is_a_dag_with_one_node_per_variable_and_shared_subtrees_merged():
    g = B.graph(E.parse("sin(x)*sin(x) + x*y"))
    ops = [n.op for n in g.nodes]
    assert ops.count("var") == 2 and ops.count("sin") == 1 and ops.count("mul") == 2
    x = g.leaves["x"]
    assert sorted(c for c, _ in g.consumers[x]) == sorted(  # x feeds sin and x*y: two out-edges
        [n.id for n in g.nodes if n.op == "sin"] + [n.id for n in g.nodes if n.text == "x*y"])
    sin = next(n.id for n in g.nodes if n.op == "sin")
    assert len(g.consumers[sin]) == 2  # sin(x) enters the product twice, as slot 0 and slot 1
    assert {s for _, s in g.consumers[sin]} == {0, 1}
    for n in g.nodes:  # topological order, output last, layers increase along every edge
        assert all(j < n.id and g.nodes[j].layer < n.layer for j in n.inputs)
    assert g.nodes[g.output].text == "sin(x)*sin(x) + x*y" and g.layers == 1 + g.nodes[-1].layer
    tree = B.graph(E.parse("sin(x)*sin(x) + x*y"), share=False)  # without sharing: two sin nodes, still one x
    assert [n.op for n in tree.nodes].count("sin") == 2 and [n.op for n in tree.nodes].count("var") == 2
    np.testing.assert_allclose(B.backward_steps(tree, B.forward(tree, {"x": 0.4, "y": 2.0})).gradient["x"],
                               B.backward_steps(g, B.forward(g, {"x": 0.4, "y": 2.0})).gradient["x"], rtol=1e-14)


def test_labels_constants_and_a_variable_the_expression_does_not_use():
    g = B.graph(E.parse("2*x^2 + pi"))
    assert {n.label for n in g.nodes} >= {"x", "2", "×", "^", "+", "π"}
    assert [n.op for n in g.nodes].count("num") == 1  # the two 2s are one node
    assert not any(g.active[n.id] for n in g.nodes if n.op in ("num", "const"))
    back = B.backward_steps(g, B.forward(g, {"x": 1.5, "y": 9.0}))
    assert back.gradient == {"x": pytest.approx(4 * 1.5), "y": 0.0}
    assert all(s.node not in {n.id for n in g.nodes if n.op in ("num", "const")} for s in back)
    const = B.graph(E.parse("3 + 4"))  # no variable at all: one step (the output), a zero gradient
    back = B.backward_steps(const, B.forward(const, {}))
    assert len(back) == 1 and back.gradient == {"x": 0.0, "y": 0.0}


def test_backward_steps_are_reverse_mode_replayable_and_final_when_processed():
    e = E.parse("sin(x*y)*sin(x*y) + x*y + x^y")
    g = B.graph(e)
    fwd = B.forward(g, {"x": 1.3, "y": 0.7})
    back = B.backward_steps(g, fwd)
    assert back[0].node == g.output and back[0].adjoint == 1.0
    assert len(back) == int(g.active.sum())
    order = {s.node: s.index for s in back}
    received = np.zeros(len(g.nodes))
    received[g.output] = 1.0
    for k, step in enumerate(back):
        assert step.index == k
        assert step.adjoint == pytest.approx(back.adjoints[step.node], rel=1e-15)  # final when processed
        assert all(order[c] < k for c, _ in g.consumers[step.node])  # after every consumer
        for c in step.sent:
            assert g.nodes[step.node].inputs[c.slot] == c.target
            assert c.local == fwd.local[step.node][c.slot] and c.amount == pytest.approx(step.adjoint * c.local)
            received[c.target] += c.amount
        np.testing.assert_array_equal(step.done, np.isin(np.arange(len(g.nodes)), [s.node for s in back[:k + 1]]))
        assert step.adjoints[step.node] == step.adjoint
    np.testing.assert_allclose(received, back.adjoints, rtol=1e-14)  # the adjoints are the sums of what was sent
    np.testing.assert_array_equal(back[-1].adjoints, back.adjoints)
    assert B.local_derivatives(g, fwd.values) == fwd.local
    again = B.backward_steps(g, fwd.values)  # from the values alone: the same steps
    np.testing.assert_array_equal(again.adjoints, back.adjoints)
    assert [s.node for s in again] == [s.node for s in back]
    assert "is final" in B.backward_text(g, back[0]) and "sends" in B.backward_text(g, back[0])
    steps = B.forward_steps(g, fwd)
    assert [s.node for s in steps] == list(range(len(g.nodes))) and steps[-1].value == fwd.value
    assert steps[2].text == "x*y = 1.3 × 0.7 = 0.91"


def test_path_sums_equal_the_gradient():
    for text, lo, hi in CASES:
        e = E.parse(text)
        point = _points(lo, hi, 1)[0]
        g = B.graph(e)
        fwd = B.forward(g, point)
        back = B.backward_steps(g, fwd)
        for v in e.variables:
            p = B.paths(g, v, fwd)
            assert p.gradient == pytest.approx(back.gradient[v], rel=1e-12, abs=1e-12)
            if p.cut == 0:
                assert p.listed_sum == pytest.approx(back.gradient[v], rel=1e-10, abs=1e-12)
            for path in p.listed:
                assert path.nodes[0] == g.leaves[v] and path.nodes[-1] == g.output
                assert all(g.nodes[b].inputs[s] == a for a, b, s in zip(path.nodes[:-1], path.nodes[1:], path.slots,
                                                                         strict=True))
                assert path.product == pytest.approx(np.prod(path.locals), rel=1e-14)


def test_paths_of_x_cubed_counted_by_hand_and_cut_at_the_limit():
    g = B.graph(E.parse("x*x*x"))
    fwd = B.forward(g, {"x": 1.5, "y": 0.0})
    p = B.paths(g, "x", fwd)
    assert p.total == 3 and p.cut == 0  # x → (x·x) twice, and x → the outer product
    assert sorted(p.product for p in p.listed) == pytest.approx([1.5**2] * 3)
    assert p.listed_sum == pytest.approx(3 * 1.5**2)
    short = B.paths(g, "x", fwd, limit=2)
    assert len(short.listed) == 2 and short.total == 3 and short.cut == 1
    assert short.gradient == pytest.approx(3 * 1.5**2)  # the full sum is exact whatever the limit
    assert B.paths(g, "y", fwd).total == 0  # y does not occur
    with pytest.raises(ValueError):
        B.paths(g, "z", fwd)


def test_paths_grow_exponentially_but_are_counted_exactly():
    # each level squares the one before through a shared node: 2**k paths from x
    e = E.parse("sin(sin(sin(sin(sin(x*x)*sin(x*x))*sin(sin(x*x)*sin(x*x)))*sin(sin(sin(x*x)*sin(x*x))*"
                "sin(sin(x*x)*sin(x*x)))))")
    g = B.graph(e)
    fwd = B.forward(g, {"x": 0.6, "y": 0.0})
    p = B.paths(g, "x", fwd, limit=10)
    assert p.total == 2**4 and len(p.listed) == 10 and p.cut == 6
    assert p.gradient == pytest.approx(_torch_gradient(e, {"x": 0.6, "y": 0.0})[0], rel=1e-12)
    assert len(g.nodes) < 15  # shared, the graph stays small


@pytest.mark.parametrize("activation", B.ACTIVATIONS)
@pytest.mark.parametrize("seed", [0, 1, 7])
def test_network_gradients_equal_torch_nn_in_float64(activation, seed):
    net = B.network_graph(seed=seed, hidden=3 if seed != 7 else 5, activation=activation)
    g = net.graph
    fwd = B.forward(g, net.point)
    back = B.backward_steps(g, fwd)
    h = len(net.b1)
    layer1, layer2 = torch.nn.Linear(2, h).double(), torch.nn.Linear(h, 1).double()
    act = {"tanh": torch.nn.Tanh(), "sigmoid": torch.nn.Sigmoid(), "relu": torch.nn.ReLU()}[activation]
    with torch.no_grad():
        layer1.weight.copy_(torch.from_numpy(net.W1))
        layer1.bias.copy_(torch.from_numpy(net.b1))
        layer2.weight.copy_(torch.from_numpy(net.v[None, :]))
        layer2.bias.fill_(net.c)
    x = torch.tensor(net.x, dtype=torch.float64, requires_grad=True)
    loss = ((layer2(act(layer1(x))) - net.target) ** 2).sum()
    loss.backward()
    assert fwd.value == pytest.approx(loss.item(), rel=1e-13)
    got = back.gradient
    np.testing.assert_allclose([[got[f"w{j + 1}{i + 1}"] for i in range(2)] for j in range(h)],
                               layer1.weight.grad.numpy(), rtol=1e-11, atol=1e-14)
    np.testing.assert_allclose([got[f"b{j + 1}"] for j in range(h)], layer1.bias.grad.numpy(), rtol=1e-11, atol=1e-14)
    np.testing.assert_allclose([got[f"v{j + 1}"] for j in range(h)], layer2.weight.grad.numpy()[0], rtol=1e-11,
                               atol=1e-14)
    assert got["c"] == pytest.approx(float(layer2.bias.grad[0]), rel=1e-11, abs=1e-14)
    np.testing.assert_allclose([got["x1"], got["x2"]], x.grad.numpy(), rtol=1e-11, atol=1e-14)
    check = B.autograd_check(g, net.point)
    assert check.value == pytest.approx(fwd.value, rel=1e-14)
    assert check.gradient == pytest.approx(got, rel=1e-11, abs=1e-14)
    assert len(g.nodes) == 9 * h + 8  # 4h + 5 leaves, 4 ops per hidden unit, h + 1 for the output, 2 for the loss


def test_network_overrides_and_refusals():
    net = B.network_graph(seed=3, x=(0.5, -1.0), target=0.25)
    assert list(net.x) == [0.5, -1.0] and net.target == 0.25
    moved = B.forward(net.graph, {**net.point, "w11": net.point["w11"] + 1e-6})
    base = B.forward(net.graph, net.point)
    grad = B.backward_steps(net.graph, base).gradient["w11"]
    assert (moved.value - base.value) / 1e-6 == pytest.approx(grad, rel=1e-4, abs=1e-8)  # a finite difference
    for bad in ({"activation": "gelu"}, {"hidden": 0}, {"hidden": B.MAX_HIDDEN + 1}, {"x": (1.0, float("nan"))}):
        with pytest.raises(ValueError):
            B.network_graph(**bad)
    with pytest.raises(ValueError, match="no value"):
        B.forward(B.graph(E.parse("x + y")), {"x": 1.0})


@pytest.mark.parametrize(("n", "m"), [(1, 1), (12, 1), (1, 9), (20, 6)])
def test_forward_and_reverse_mode_jacobians_agree_with_each_other_and_the_closed_form(n, m):
    costs = B.mode_costs(n, m, hidden=16, repeats=3, seed=n + m)
    assert (costs.jvps, costs.vjps) == (n, m) and costs.agree and costs.max_difference <= 1e-10
    _, x, (W1, b1, W2, _) = B.mlp(n, m, 16, seed=n + m)
    h = torch.tanh(W1 @ x + b1)
    closed = (W2 * (1 - h**2)) @ W1  # J = W₂ diag(1 − tanh²) W₁
    np.testing.assert_allclose(costs.jacobian, closed.numpy(), rtol=1e-12, atol=1e-14)
    f, _, _ = B.mlp(n, m, 16, seed=n + m)  # and torch's own forward and reverse modes
    np.testing.assert_allclose(costs.jacobian, torch.func.jacfwd(f)(x).numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(costs.jacobian, torch.func.jacrev(f)(x).numpy(), rtol=1e-12, atol=1e-14)
    assert costs.jacobian.shape == (m, n) and 0 < costs.forward_ms < 100 and 0 < costs.reverse_ms < 100
    with pytest.raises(ValueError):
        B.mode_costs(0, 1)


@pytest.mark.parametrize(("text", "point", "value", "says"), [
    ("log(x)", {"x": -1.0}, "nan", "not a real number"),
    ("log(x*y)", {"x": 0.0, "y": 2.0}, "-inf", "−∞"),
    ("1/x", {"x": 0.0}, "inf", "division by zero"),
    ("x/y", {"x": 0.0, "y": 0.0}, "nan", "division by zero"),
    ("sqrt(x) + y", {"x": -4.0, "y": 1.0}, "nan", "square root"),
    ("x^y", {"x": -1.0, "y": 0.5}, "nan", "non-integer power"),
    ("x^y", {"x": 0.0, "y": -1.0}, "inf", "negative power"),
    ("exp(exp(x))", {"x": 10.0}, "inf", "overflows"),
])
def test_undefined_points_give_nan_or_inf_and_say_why_without_raising(text, point, value, says):
    e = E.parse(text)
    point = {"x": 0.0, "y": 0.0, **point}
    g = B.graph(e)
    fwd = B.forward(g, point)
    assert not fwd.defined
    expected = float(value)
    assert (math.isnan(fwd.value) and math.isnan(expected)) or fwd.value == expected
    assert any(says in p for p in fwd.problems), fwd.problems
    back = B.backward_steps(g, fwd)  # no exception, a gradient of numbers, NaN or ±inf
    p = B.paths(g, "x", fwd)
    assert isinstance(back.gradient["x"], float) and isinstance(p.gradient, float)
    np.testing.assert_allclose([back.gradient[v] for v in e.variables], _torch_gradient(e, point), equal_nan=True)
    B.autograd_check(g, point)


def test_kinks_use_torchs_convention_and_say_so():
    e = E.parse("relu(x) + abs(y) + relu(x - y)")
    grad, fwd, _ = _stepper_gradient(e, {"x": 0.0, "y": 0.0})
    np.testing.assert_array_equal(grad, [0.0, 0.0])
    np.testing.assert_array_equal(grad, _torch_gradient(e, {"x": 0.0, "y": 0.0}))
    np.testing.assert_array_equal(grad, E.evaluate(E.gradient(e), {"x": 0.0, "y": 0.0}).ravel())
    assert sum("kink" in p for p in fwd.problems) == 3 and fwd.defined
    grad, fwd, _ = _stepper_gradient(E.parse("sqrt(x) + y"), {"x": 0.0, "y": 1.0})
    assert grad[0] == math.inf and any("derivative" in p for p in fwd.problems)
    grad, _, _ = _stepper_gradient(E.parse("x^y"), {"x": 0.0, "y": 2.0})  # 0·log 0 taken as its limit 0, as torch
    np.testing.assert_array_equal(grad, _torch_gradient(E.parse("x^y"), {"x": 0.0, "y": 2.0}))


# ------------------------------------------------------------------------------------------ figures


def _spec(template) -> dict:
    return template.build(*template.key).to_dict(validate=False)


def test_graph_chart_forward_backward_and_path_views_build_with_their_rows():
    from ui.figures import backprop as F

    e = E.parse("sin(x*y)*sin(x*y) + x")
    g = B.graph(e)
    fwd = B.forward(g, {"x": 0.5, "y": 1.5})
    back = B.backward_steps(g, fwd)
    n_edges = len(g.edges())
    plain, nodes = F.graph_chart(g, fwd)
    assert len(nodes) == len(g.nodes) and len(plain.data["edges"]) == n_edges
    assert plain.data["edge_labels"].empty and (nodes["value_text"] != "").all() and (nodes["grad_text"] == "").all()
    spec = _spec(plain)
    assert {layer["mark"]["type"] for layer in spec["layer"]} >= {"rule", "circle", "text"}

    mid, nodes = F.graph_chart(g, fwd, step=back[2])
    assert mid.key[0] == "backward" and (nodes["grad_text"] != "").sum() == 3  # three nodes final after 3 steps
    assert (nodes["state"] == "current").sum() == 1 and nodes.loc[nodes["state"] == "current", "id"].item() == \
        back[2].node
    used = mid.data["edges"]
    assert (used["state"] == "used").sum() == len(back[2].sent)
    assert len(mid.data["edge_labels"]) == len(back[2].sent)
    assert mid.key == F.graph_chart(g, fwd, step=back[3])[0].key  # stepping swaps data, not the structure

    fw, nodes = F.graph_chart(g, fwd, forward_step=2)
    assert fw.key[0] == "forward" and (nodes["value_text"] != "").sum() == 3
    assert (fw.data["edges"]["state"] == "used").sum() == len(g.nodes[2].inputs)

    p = B.paths(g, "x", fwd)
    chosen = p.listed[0]
    pth, nodes = F.graph_chart(g, fwd, step=back[-1], path=chosen)
    assert (pth.data["edges"]["state"] == "path").sum() == len(chosen.slots)
    assert nodes["on_path"].sum() == len(chosen.nodes)
    assert pth.fill["title"]

    net = B.network_graph(0)
    nfwd = B.forward(net.graph, net.point)
    _, nodes = F.graph_chart(net.graph, nfwd, step=B.backward_steps(net.graph, nfwd)[-1])
    assert len(nodes) == len(net.graph.nodes) and (nodes["grad_text"] != "").sum() == int(net.graph.active.sum())
    assert nodes.groupby("layer")["y"].nunique().eq(nodes.groupby("layer").size()).all()  # no two nodes overlap


def test_undefined_values_are_drawn_not_raised():
    from ui.figures import backprop as F

    g = B.graph(E.parse("log(x) + 1/y"))
    fwd = B.forward(g, {"x": -1.0, "y": 0.0})
    _, nodes = F.graph_chart(g, fwd, step=B.backward_steps(g, fwd)[-1])
    assert nodes["bad"].sum() >= 2 and {"NaN", "∞"} <= set(nodes["value_text"])


def test_paths_steps_and_mode_charts_build():
    from ui.figures import backprop as F

    g = B.graph(E.parse("x*x*x + x*y"))
    fwd = B.forward(g, {"x": 1.2, "y": -0.4})
    p = B.paths(g, "x", fwd)
    chart, df = F.paths_chart(g, p)
    assert len(df) == p.total == 4 and df["product"].sum() == pytest.approx(p.gradient)
    assert chart.to_dict(validate=False)
    back = B.backward_steps(g, fwd)
    table = F.steps_table(g, back)
    assert len(table) == len(back) and table["adjoint"].iloc[0] == 1.0
    costs = [B.mode_costs(n, 1, hidden=8, repeats=1) for n in (1, 8)]
    chart, df = F.mode_chart(costs)
    assert len(df) == 2 * len(costs) and set(df["mode"]) == set(F.MODES)
    assert df.loc[df["mode"] == F.MODES[0], "passes"].tolist() == [1, 8]
    assert chart.to_dict(validate=False)
