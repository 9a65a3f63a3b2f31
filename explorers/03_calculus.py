"""Chapter 3, Multivariate calculus: gradients, directional derivatives, Taylor models and the Hessian's
verdict, the Jacobian as a local linear map, backpropagation on a computational graph, and autograd against
finite differences, on functions the reader types (parsed by core.expr, never run as Python)."""

import numpy as np
import streamlit as st

from core import backprop as B
from core import calculus as C
from core import expr as E
from ui import charts, compute, controls, layout, text
from ui.figures import backprop as bfig
from ui.figures import calculus as fig

TABS = ["Gradient field", "Taylor", "Jacobian", "Backprop graph", "Autograd vs differences"]
GRAPHS = {"f": "f(x, y) at the point", "net": "a small network on one sample"}
PASSES = {"forward": "forward: values", "backward": "backward: gradients"}
SIZES = [1, 4, 16, 64, 256]
SPANS = [1.0, 2.0, 3.0, 5.0]
DEFAULT = "Egg crate"
DEFAULT_MAP = "Polar coordinates (r, θ) ↦ (r cos θ, r sin θ)"


def _fill(choice_key: str, targets: tuple[str, ...]) -> None:
    """On a new example: write its text into the text boxes (before they are drawn in the rerun it starts)."""
    table = E.EXAMPLES if choice_key == "ca_ex" else E.MAPS
    choice = st.session_state.get(choice_key)
    if choice in table:
        values = table[choice] if isinstance(table[choice], tuple) else (table[choice],)
        for key, value in zip(targets, values, strict=True):
            st.session_state[key] = value


def _parsed(raw: str, fallback: str, what: str) -> E.Expr:
    """The reader's expression, or the fallback with the parser's message shown literally (it quotes their text)."""
    try:
        E.parse(raw)
    except E.ExprError as err:
        text.note(st, f"{what}: {err} Showing {fallback} instead.", "red", "⚠")
        raw = fallback
    return compute.call(E.parse, raw)  # parsing is cached; recorded for “This view in Python”


def function_controls(ctrl):
    """The function, the window and the point (shared by the tabs on f)."""
    with ctrl:
        example = controls.selectbox("Start from an example", "ca_ex", list(E.EXAMPLES),
                                     list(E.EXAMPLES).index(DEFAULT), on_change=lambda: _fill("ca_ex", ("ca_f",)))
        raw = controls.text_input("f(x, y) =", "ca_f", E.EXAMPLES[example],
                                  help="+ − × / ^, brackets, sin cos tan exp log sqrt abs tanh sigmoid relu, pi, e. "
                                       "Parsed by an allow-list, never run as Python.")
    span, x, y = point_controls(ctrl)
    f = _parsed(raw, E.EXAMPLES[example], "f")
    return f, span, x, y


def point_controls(ctrl) -> tuple[float, float, float]:
    """The window (x and y from −s to s) and the point in it: every tab's."""
    with ctrl:
        span = controls.select_slider("Window: x and y from −s to s", "ca_span", SPANS, 3.0)
        x = controls.slider("Point x", "ca_x", -span, span, min(1.0, span), 0.05)
        y = controls.slider("Point y", "ca_y", -span, span, min(0.5, span), 0.05)
    return span, float(x), float(y)


def _formula(f: E.Expr) -> None:
    grad = compute.call(E.gradient, f)
    layout.formula(rf"f(x,y)={E.latex(E.to_sympy(f))},\quad \nabla f^\top={E.latex(grad.T)}")


def _undefined(pt: C.Point, f: E.Expr | None = None, span: float = 1.0) -> bool:
    """Says so where f is undefined at the point; with ``f``, draws f along x through it (blank where undefined)."""
    if not pt.defined:
        st.caption(f":orange[f is undefined at ({pt.x:g}, {pt.y:g}) (a log or square root of a negative number, "
                   "or a division by zero): the map leaves such points blank. Move the point.]")
        if f is not None:
            charts.show(*fig.slice_chart(C.slice_through(f, pt, 0.0, span), ("f",), "f along x through the point",
                                         "blank where f is undefined"), "slice")
    return not pt.defined


def gradient_tab(ctrl, f, span, x, y):
    with ctrl:
        angle = controls.slider("Direction u (degrees)", "ca_angle", 0, 355, 30, 5,
                                help="u = (cos θ, sin θ): the directional derivative is ∇f·u.")
    fld, t1 = compute.run("f and ∇f on a 64×64 grid (autograd)", C.field, f, (-span, span, -span, span), 64)
    pt, t2 = compute.run("∇f at the point (sympy, autograd, differences)", C.point, f, x, y, False, on="cpu")
    layout.compute_line(t1, t2)
    _formula(f)
    if fld.defined < 1:
        st.caption(f"f is undefined on {1 - fld.defined:.0%} of this window (left blank).")
    u = C.unit(angle)
    g = pt.grad_exact
    slope = float(g @ u)
    norm = float(np.linalg.norm(g))
    cos = slope / norm if norm > 0 else float("nan")
    layout.metrics(("f(x, y)", f"{pt.value:.5g}"),
                   ("∂f/∂x", f"{g[0]:.4g}", "exact (sympy); the table below has autograd and differences"),
                   ("∂f/∂y", f"{g[1]:.4g}", "exact (sympy)"),
                   ("‖∇f‖", f"{norm:.4g}", "the largest slope of any direction"),
                   ("∇f·u", f"{slope:.4g}", "the slope along u: ‖∇f‖ cos(angle between u and ∇f)" +
                    (f", here cos {np.degrees(np.arccos(np.clip(cos, -1, 1))):.0f}°" if np.isfinite(cos) else "")))
    left, right = layout.side_by_side([1.5, 1])
    with left:
        charts.show(*fig.field_map(fld, pt, angle, f"f = {f.text}"[:70], "bands between 12 level curves "
                                   "(hover one for its level); arrows: ∇f's direction"), "gradient field",
                    width="content")
    with right:
        sl = C.slice_through(f, pt, angle, 0.4 * span)
        charts.show(*fig.slice_chart(sl, ("f", "first"), "The slice through the point along u",
                                     f"tangent slope ∇f·u = {slope:.4g}"), "slice")
    if _undefined(pt):
        return
    st.dataframe(fig.gradient_table(pt), hide_index=True)
    layout.notice(fig.gradient_notice(pt, angle))


def taylor_tab(ctrl, f, span, x, y):
    with ctrl:
        angle = controls.slider("Direction u (degrees)", "ca_angle", 0, 355, 30, 5)
        reach = controls.select_slider("Slice half-width", "ca_reach", [0.25, 0.5, 1.0, 2.0], 1.0)
    pt, t1 = compute.run("derivatives at the point", C.point, f, x, y, on="cpu")
    te, t2 = compute.run("Taylor errors at 25 distances", C.taylor_errors, f, pt, angle, on="cpu")
    crit, t3 = compute.run("Newton's method on ∇f = 0 from the point", C.nearest_critical, f, x, y,
                           (-span, span, -span, span), on="cpu")
    layout.compute_line(t1, t2, t3)
    if _undefined(pt, f, span):
        return
    layout.formula(rf"f(p+t\,u)\approx f(p)+t\,\nabla f\cdot u+\tfrac12 t^2\,u^\top H u,\quad "
                   rf"H={E.latex(compute.call(E.hessian, f))}")
    u = C.unit(angle)
    layout.metrics(("∇f·u", f"{pt.grad_exact @ u:.4g}", "the slope along u"),
                   ("uᵀHu", f"{u @ pt.hessian_exact @ u:.4g}", "the curvature along u"),
                   ("Here", pt.verdict if pt.critical else "∇f ≠ 0",
                    "the second-derivative test applies only where ∇f = 0"),
                   ("Newton finds", f"({crit.x:.3g}, {crit.y:.3g})" if crit else "nothing",
                    "Newton's method on ∇f = 0 from the point (inside the window): "
                    + (f"a {crit.verdict}, Hessian eigenvalues {crit.eigenvalues[0]:.3g} and "
                       f"{crit.eigenvalues[1]:.3g}" if crit else "it left the window or met a singular Hessian")))
    left, right = layout.side_by_side([1, 1])
    with left:
        sl = C.slice_through(f, pt, angle, reach)
        charts.show(*fig.slice_chart(sl, ("f", "first", "second"), "f and its Taylor models along u",
                                     f"through ({x:g}, {y:g}), θ = {angle}°"), "taylor models")
    with right:
        charts.show(*fig.taylor_error_chart(te), "taylor errors")
    st.dataframe(fig.hessian_table(pt), hide_index=True)
    layout.notice(fig.taylor_notice(pt, te, crit))


def jacobian_tab(ctrl, x, y, span):
    with ctrl:
        example = controls.selectbox("Map", "ca_map", list(E.MAPS), list(E.MAPS).index(DEFAULT_MAP),
                                     on_change=lambda: _fill("ca_map", ("ca_u", "ca_v")))
        raw_u = controls.text_input("u(x, y) =", "ca_u", E.MAPS[example][0])
        raw_v = controls.text_input("v(x, y) =", "ca_v", E.MAPS[example][1])
        radius = controls.select_slider("Circle radius r", "ca_r", [0.05, 0.1, 0.2, 0.5, 1.0], 0.2)
    u = _parsed(raw_u, E.MAPS[example][0], "u")
    v = _parsed(raw_v, E.MAPS[example][1], "v")
    m, t1 = compute.run("the map near the point and its Jacobian", C.local_map, u, v, x, y, radius, on="cpu")
    det, t2 = compute.run("det J on a 64×64 grid", C.determinant_field, u, v, (-span, span, -span, span), 64)
    layout.compute_line(t1, t2)
    layout.formula(rf"J=\begin{{pmatrix}}\partial u/\partial x&\partial u/\partial y\\ \partial v/\partial x&"
                   rf"\partial v/\partial y\end{{pmatrix}}={E.latex(E.jacobian((u, v)))}")
    if not np.isfinite(m.J).all():
        st.caption(f":orange[The map is undefined at ({x:g}, {y:g}). Move the point.]")
        return
    # polygon over polygon: the 120-sided circle's own shortfall from πr² (4.6e-4) cancels
    area = fig.polygon_area(m.image) / fig.polygon_area(m.circle)
    layout.metrics(("det J", f"{m.det:.4g}", "the ellipse's area ÷ the circle's (negative: flipped)"),
                   ("σ₁, σ₂", f"{m.singular_values[0]:.4g}, {m.singular_values[1]:.4g}",
                    "the ellipse's semi-axes ÷ r"),
                   ("Image area ÷ circle area", f"{area:.4g}" if np.isfinite(area) else "—",
                    "of the true image: → |det J| as r → 0"))
    image_of = fig.mapper(u, v)
    plane, image, export = fig.map_planes(m, image_of, x, y, radius, (u.text[:30], v.text[:30]))
    left, right = layout.side_by_side([1, 1])
    with left:
        charts.show(plane, export, "domain", width="content")
    with right:
        charts.show(image, export, "image", width="content")
    charts.show(*fig.det_map(det, x, y), "det J", width="content")
    layout.notice(fig.jacobian_notice(m, radius, area))


def backprop_tab(ctrl, f, x, y):
    with ctrl:
        what = controls.radio("Graph of", "ca_graph", list(GRAPHS), format_func=GRAPHS.get, horizontal=False)
        if what == "net":
            hidden = controls.slider("Hidden units", "ca_hidden", 1, B.MAX_HIDDEN, 3)
            act = controls.radio("Activation", "ca_act", list(B.ACTIVATIONS))
            seed = controls.seed("ca_seed")
        way = controls.radio("Pass", "ca_pass", list(PASSES), 1, format_func=PASSES.get, horizontal=False)
    if what == "net":
        rp, t1 = compute.run(f"a {hidden}-unit {act} network's graph and both passes", B.replay_network, seed,
                             hidden, act, on="cpu")
    else:
        rp, t1 = compute.run("the graph of f and both passes", B.replay_expression, f, x, y, on="cpu")
    g, fwd = rp.graph, rp.forward
    count = len(rp.forward_steps) if way == "forward" else len(rp.backward.steps)
    with ctrl:
        step = controls.slider("Step", "ca_step", 1, max(1, count), max(1, count),
                               help="Replay the pass one node at a time.") - 1 if count else 0
        leaves = [name for name in g.leaves if name in rp.backward.gradient]
        leaf = controls.selectbox("Sum over paths to", "ca_leaf", ["none", *leaves])
    layout.compute_line(t1)
    if not fwd.defined:
        text.notes(st, fwd.problems)
    grads = rp.backward.gradient
    shown = list(grads.items())[:2] if what == "f" else [(k, grads[k]) for k in ("w11", "c")]
    layout.metrics(("f" if what == "f" else "loss L", f"{fwd.value:.4g}"),
                   *[(f"∂{'f' if what == 'f' else 'L'}/∂{k}", f"{v:.4g}" if fwd.defined else "—") for k, v in shown],
                   ("torch.autograd differs by", f"{rp.largest_difference:.1e}", "the largest gap over every leaf"))
    chosen = B.paths(g, leaf, fwd) if leaf != "none" else None
    listed = len(chosen.listed) if chosen else 0
    with ctrl:
        k = controls.slider("Path", "ca_path", 1, listed, 1, help="Which path to draw (the bars below list them).") \
            if listed > 1 else 1
    path = chosen.listed[k - 1] if listed else None
    back = rp.backward.steps[step] if way == "backward" and rp.backward.steps else None
    charts.show(*bfig.graph_chart(g, fwd, step=back, forward_step=step if way == "forward" else None, path=path),
                "computational graph", width="content")
    if back is not None:
        st.markdown(text.literal(B.backward_text(g, back), text.MESSAGE_LIMIT))
    elif way == "forward" and rp.forward_steps:
        st.markdown(text.literal(rp.forward_steps[step].text, text.MESSAGE_LIMIT))
    if chosen is not None:
        charts.show(*bfig.paths_chart(g, chosen), "paths")
    with st.expander("Every leaf's gradient, beside torch.autograd's"):
        st.dataframe(fig.leaf_table(rp), hide_index=True)
    with st.expander("Every backward step"):
        st.dataframe(bfig.steps_table(g, rp.backward), hide_index=True)
    st.subheader("Forward or reverse mode: who pays for the whole Jacobian?")
    left, right = st.columns(2)
    n = controls.select_slider("Inputs n", "ca_n", SIZES, 64, container=left)
    m = controls.select_slider("Outputs m", "ca_m", SIZES, 1, container=right)
    shapes = [(n, m), (m, n)] if n != m else [(n, m)]
    costs = [compute.run(f"Jacobian of a tanh MLP {a} → {b}, pass by pass", B.mode_costs, a, b)[0]
             for a, b in shapes]
    charts.show(*bfig.mode_chart(costs), "forward vs reverse mode")
    layout.notice(fig.backprop_notice(rp, what, costs))


def differences_tab(ctrl, f, x, y):
    with ctrl:
        var = controls.radio("Derivative", "ca_var", ["x", "y"], format_func=lambda v: f"∂f/∂{v}")
    axis = 0 if var == "x" else 1
    d, t1 = compute.run("57 steps × 3 methods × 2 precisions", C.differences, f, x, y, axis, on="cpu")
    pt, t2 = compute.run("∇f at the point", C.point, f, x, y, False, on="cpu")
    ok, why = compute.call(C.gradcheck, f, x, y)
    layout.compute_line(t1, t2)
    if _undefined(pt, f, 1.0):
        return
    best = {m: d.errors[(m, "float64")] for m in C.METHODS}
    layout.metrics((f"exact ∂f/∂{var}", f"{d.exact:.6g}", f"sympy, in float64: {d.exact!r}"),
                   ("autograd", f"{pt.grad_autograd[axis]:.6g}",
                    f"differs by {abs(pt.grad_autograd[axis] - d.exact):.1e}"),
                   ("best forward", f"{np.nanmin(best['forward']):.1e}",
                    f"at h = {d.best[('forward', 'float64')]:.0e}"),
                   ("best central", f"{np.nanmin(best['central']):.1e}",
                    f"at h = {d.best[('central', 'float64')]:.0e}"),
                   ("gradcheck", "passed" if ok else "failed", "torch.autograd.gradcheck in float64"))
    charts.show(*fig.differences_chart(d, var), "difference errors")
    if not ok:
        text.note(st, f"gradcheck: {why}", "orange", "ℹ")
    if not C.analytic(f):
        st.caption("No complex step here: abs and relu are not complex-differentiable.")
    layout.notice(fig.differences_notice(d, var))


tabs, ctrl, main = layout.tabbed_page(3, TABS)
with main, layout.guard("this tab"):
    if tabs[2].open:
        span, x, y = point_controls(ctrl)
        jacobian_tab(ctrl, x, y, span)
    else:
        f, span, x, y = function_controls(ctrl)
        if tabs[0].open:
            gradient_tab(ctrl, f, span, x, y)
        elif tabs[1].open:
            taylor_tab(ctrl, f, span, x, y)
        elif tabs[3].open:
            backprop_tab(ctrl, f, x, y)
        elif tabs[4].open:
            differences_tab(ctrl, f, x, y)

with main:
    layout.try_this(fig.TRY_THIS)
    layout.math_file(__file__)
