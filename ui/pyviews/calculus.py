"""Chapter 3's tabs in Python (ui/pyview.py): each prints the tab's metrics with the page's own labels and
formats."""

from __future__ import annotations

from ui.pyview import View

_F = {"parse": "f", "gradient": "grad", "hessian": "H"}

VIEWS: dict[tuple[str, str], View] = {
    ("ca", "Gradient field"): View(
        names={**_F, "field": "fld", "point": "pt"}, values=("ca_angle",),
        prints='import numpy as np\n'
               'g = pt.grad_exact\n'
               'u = calculus.unit(angle)\n'
               'print(f"f(x, y): {pt.value:.5g}")\n'
               'print(f"∂f/∂x: {g[0]:.4g}")\n'
               'print(f"∂f/∂y: {g[1]:.4g}")\n'
               'print(f"‖∇f‖: {np.linalg.norm(g):.4g}")\n'
               'print(f"∇f·u: {g @ u:.4g}")'),
    ("ca", "Taylor"): View(
        names={**_F, "point": "pt", "taylor_errors": "te", "nearest_critical": "crit"}, values=("ca_angle",),
        prints='u = calculus.unit(angle)\n'
               'print(f"∇f·u: {pt.grad_exact @ u:.4g}")\n'
               'print(f"uᵀHu: {u @ pt.hessian_exact @ u:.4g}")\n'
               'print("Here: " + (pt.verdict if pt.critical else "∇f ≠ 0"))\n'
               'print("Newton finds: " + (f"({crit.x:.3g}, {crit.y:.3g})" if crit else "nothing"))\n'
               'print(f"Taylor error slopes: {te.slope_first:.2f} and {te.slope_second:.2f}")'),
    ("ca", "Jacobian"): View(
        names={"parse": ("u", "v"), "local_map": "m", "determinant_field": "det"},
        prints='import numpy as np\n'
               'def shoelace(p):  # the area of a closed polygon\n'
               '    return 0.5 * abs(np.dot(p[:, 0], np.roll(p[:, 1], -1)) - np.dot(p[:, 1], np.roll(p[:, 0], -1)))\n'
               'area = shoelace(m.image) / shoelace(m.circle)  # the true image over the circle\n'
               'print(f"det J: {m.det:.4g}")\n'
               'print(f"σ₁, σ₂: {m.singular_values[0]:.4g}, {m.singular_values[1]:.4g}")\n'
               'print(f"Image area ÷ circle area: {area:.4g}")'),
    ("ca", "Backprop graph"): View(
        names={**_F, "replay_expression": "rp", "replay_network": "rp", "mode_costs": ("costs", "costs_back")},
        prints='who = "f" if rp.network is None else "L"\n'
               'grads = rp.backward.gradient\n'
               'shown = list(grads)[:2] if who == "f" else ["w11", "c"]\n'
               'print(("f" if who == "f" else "loss L") + f": {rp.forward.value:.4g}")\n'
               'for k in shown:\n'
               '    print(f"∂{who}/∂{k}: " + (f"{grads[k]:.4g}" if rp.forward.defined else "—"))\n'
               'print(f"torch.autograd differs by: {rp.largest_difference:.1e}")'),
    ("ca", "Autograd vs differences"): View(
        names={**_F, "differences": "d", "point": "pt", "gradcheck": "check"}, values=("ca_var",),
        prints='import numpy as np\n'
               'axis = 0 if var == "x" else 1\n'
               'print(f"exact ∂f/∂{var}: {d.exact:.6g}")\n'
               'print(f"autograd: {pt.grad_autograd[axis]:.6g}")\n'
               'print(f"best forward: {np.nanmin(d.errors[(\'forward\', \'float64\')]):.1e}")\n'
               'print(f"best central: {np.nanmin(d.errors[(\'central\', \'float64\')]):.1e}")\n'
               'print("gradcheck: " + ("passed" if check[0] else "failed"))'),
}
