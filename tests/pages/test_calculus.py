"""Chapter 3's page (AppTest): the expression boxes refuse what the parser refuses, say why literally and draw
the example instead; undefined points, constants and folds get words, not tracebacks; examples fill the box;
the backprop stepper and its paths follow the controls; the numbers on the page are core's."""

from __future__ import annotations

import numpy as np
import pytest

from core import backprop as B
from core import calculus as C
from core import expr as E
from tests import helpers as h
from tests import hostile as x
from tests.hostile import raw_in

PAGE = "explorers/03_calculus.py"
pytestmark = pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated:DeprecationWarning")


def _open(**params):
    return h.open_page(PAGE, {k: str(v) for k, v in params.items()})


def _texts(at) -> list[str]:
    return [e.value for kind in ("markdown", "caption", "error", "warning", "info") for e in at.get(kind)]


@pytest.mark.parametrize("text", [
    "__import__('os').system('echo hi')", "x.__class__", "(lambda: 1)()", "[x for x in y]", "x**9**9",
    "open('/etc/passwd')", "x +", "*" * 3 + "x", "x" + " + x" * 150, "<b>x</b>", "**bold** [link](http://a.b)",
])
def test_refused_expressions_are_named_literally_and_the_example_is_drawn(text):
    at = _open(ca_tab="Gradient field", ca_f=text)
    h.assert_healthy(at, text)
    notes = [t for t in _texts(at) if t.startswith(":red[") or "Showing" in t]
    assert notes, f"no note for {text!r}: {_texts(at)[:5]}"
    for body in _texts(at):
        assert not raw_in(body, ("<b>", "**bold**", "[link]")), body[:200]
    assert h.charts(at) >= 2  # the example (sin x cos y) is drawn instead
    assert dict(h.metric_values(at))["f(x, y)"] == f"{np.sin(1.0) * np.cos(0.5):.5g}"


def test_an_example_fills_the_box_and_the_url():
    at = _open(ca_tab="Taylor")
    at.selectbox(key="ca_ex").set_value("Saddle").run()
    assert at.text_input(key="ca_f").value == E.EXAMPLES["Saddle"]
    at.text_input(key="ca_f").set_value("x^2 + 3*y^2").run()
    assert dict(h.metric_values(at))["uᵀHu"] == f"{C.unit(30) @ np.diag([2.0, 6.0]) @ C.unit(30):.4g}"


def test_a_critical_point_gets_its_verdict():
    at = _open(ca_tab="Taylor", ca_f="x^2 - y^2", ca_x=0, ca_y=0)
    h.assert_healthy(at, "saddle")
    shown = dict(h.metric_values(at))
    assert shown["Here"] == "saddle" and shown["Newton finds"] == "(0, 0)"


@pytest.mark.parametrize("tab", ["Gradient field", "Taylor", "Backprop graph", "Autograd vs differences"])
def test_an_undefined_point_is_said_not_thrown(tab):
    at = _open(ca_tab=tab, ca_f="log(x)", ca_x=-1, ca_y=0)
    h.assert_healthy(at, tab)
    assert any("undefined" in t or "not a real number" in t for t in _texts(at)), _texts(at)[:6]


def test_a_constant_function_draws():
    at = _open(ca_tab="Gradient field", ca_f="3")
    h.assert_healthy(at, "constant")
    assert dict(h.metric_values(at))["‖∇f‖"] == "0" and h.charts(at) >= 2


def test_the_fold_says_the_map_is_not_invertible():
    at = _open(ca_tab="Jacobian", ca_map="Fold", ca_x=1, ca_y=0)
    h.assert_healthy(at, "fold")
    assert dict(h.metric_values(at))["det J"] == "0"
    assert any("not invertible" in t for t in _texts(at))


def test_backprop_steps_paths_and_the_network():
    at = _open(ca_tab="Backprop graph", ca_f="x*y + sin(x)", ca_leaf="x", ca_step=1)
    h.assert_healthy(at, "backprop")
    shown = dict(h.metric_values(at))
    assert shown["∂f/∂x"] == f"{0.5 + np.cos(1.0):.4g}" and shown["∂f/∂y"] == "1"
    assert h.charts(at) >= 3  # the graph, the paths and forward vs reverse mode
    assert any("is final" in t or "sends" in t for t in _texts(at))
    net = _open(ca_tab="Backprop graph", ca_graph="a small network on one sample", ca_hidden=6, ca_act="relu")
    h.assert_healthy(net, "network")
    assert dict(h.metric_values(net))["torch.autograd differs by"] == "0.0e+00"
    assert net.slider(key="ca_step").max == len(B.replay_network(0, 6, "relu").backward.steps)


@pytest.mark.parametrize("payload", x.URL_PAYLOADS, ids=[p.id for p in x.URL_PAYLOADS])
def test_hostile_link_text_in_the_expression_boxes_is_refused_and_never_rendered(payload):
    """tests/pages/test_hostile_input.py sweeps the page's sliders and choices; the text boxes (f, u, v) get the
    same payloads here: refused by the parser, quoted (cut) in a literal note, the example drawn instead."""
    for tab, keys in (("Gradient field", ("ca_f",)), ("Jacobian", ("ca_u", "ca_v"))):
        at = _open(ca_tab=tab, **dict.fromkeys(keys, payload.value))
        h.assert_healthy(at, f"{tab} {payload.id}")
        bodies = _texts(at) + [m.label for m in at.metric]
        for body in bodies:
            assert not x.raw_in(body, payload.raw), f"{tab} {payload.id}: {body[:300]!r}"
        assert any("Showing" in b for b in bodies), f"{tab} {payload.id}: no note"
