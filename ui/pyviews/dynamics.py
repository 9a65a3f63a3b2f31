"""Chapter 11's tabs in Python (ui/pyview.py): each prints the tab's metrics with the page's own labels and
formats."""

from __future__ import annotations

from ui.pyview import View

VIEWS: dict[tuple[str, str], View] = {
    ("ds", "Two-neuron map"): View(
        names={"rnn2": "net", "portrait": "por", "nullclines": "nc", "fixed_points": "fp", "trajectories": "tr",
               "gain_sweep": "sw"},
        prints='kinds = [k.split(" ")[0] if k.startswith(("stable", "unstable")) else k for k in fp.kinds]\n'
               'print(f"Fixed points: {fp.count}")\n'
               'print(f"Stable: {kinds.count(\'stable\')}")\n'
               'print(f"Saddles: {kinds.count(\'saddle\')}")\n'
               'print(f"Orbits that settle: {int((tr.period > 0).sum())} of {len(tr.period)}")'),
    ("ds", "Gradients through time"): View(
        names={"gradient_norms": "g", "lyapunov_sweep": "sw", "clipping": "c"},
        prints='import math\n'
               'import numpy as np\n'
               'def big(v):\n'
               '    return f"{v:.3g}" if math.isfinite(v) else "overflow"\n'
               'last = int(g.t[-1])\n'
               'print(f"‖∂h_t/∂h₀‖ at t = {last}: {big(g.norm[-1])}")\n'
               'print(f"ρᵗ at t = {last}: {big(g.rho_power[-1])}")\n'
               'print(f"Growth rate: {g.growth_rate:+.4f}")\n'
               'print(f"ln ρ: {g.log_rho:+.4f}")\n'
               'lam = sw.exponent[int(np.abs(sw.rho - ${gradient_norms.rho}).argmin())]  # the sweep at this ρ\n'
               'print(f"λ₁ at this ρ: {lam:+.4f}")\n'
               'print(f"λ₁ = 0 near ρ =: {sw.crossing:.3f}" if sw.crossing is not None else '
               '"λ₁ = 0 near ρ =: no crossing")\n'
               'print(f"Saturated units: {g.saturation[-1]:.0%}")'),
    ("ds", "Trained RNN"): View(
        names={"train_flipflop": "net", "evaluate": "ev", "fixed_points": "fp"},
        prints='if net.diverged:\n'
               '    print(net.note)\n'
               'else:\n'
               '    saddles = int(((fp.unstable > 0) & ~fp.slow & (fp.unstable < net.hidden)).sum())\n'
               '    print(f"Held-out accuracy: {ev.accuracy:.1%}")\n'
               '    print(f"Attractors: {fp.stable_count}")\n'
               '    print(f"Bit patterns stored: {fp.patterns} of 8")\n'
               '    print(f"Saddles: {saddles}")\n'
               '    print(f"Slow points: {int(fp.slow.sum())}")'),
    ("ds", "Neural ODEs"): View(
        names={"builtin": "fld", "train_ode": "tr", "integrate": ("euler", "rk4", "adaptive"),
               "residual_net": "resnet", "convergence": "conv", "vector_field": ("vf", "learned", "truth")},
        prints='import numpy as np\n'
               'ref = conv.reference if "conv" in globals() else None\n'
               'def error(sol):\n'
               '    if ref is None or not np.isfinite(sol.y[:, -1]).all():\n'
               '        return "n/a"\n'
               '    return f"{np.abs(sol.y[:, -1] - ref).max():.2e}"\n'
               'print(f"Euler\'s error at T: {error(euler)}")\n'
               'print(f"RK4\'s error at T: {error(rk4)}")\n'
               'print(f"dopri5\'s error at T: {error(adaptive)}")\n'
               'with np.errstate(invalid="ignore"):\n'
               '    gap = np.abs(resnet - euler.y)\n'
               'same = np.array_equal(resnet, euler.y, equal_nan=True)\n'
               'print(f"ResNet − Euler: {0.0 if same else np.nanmax(gap):.1e}")'),
}
