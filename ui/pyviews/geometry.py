"""Chapter 8's tabs in Python (ui/pyview.py): each prints the tab's metrics with the page's own labels and formats
(ui/figures/geometry.py's *_metrics)."""

from __future__ import annotations

from ui.pyview import View

_NUM = ('def num(v, digits=3):\n'
        '    out = f"{v:.{digits}f}"\n'
        '    return out.lstrip("-") if float(out) == 0 else out\n')

VIEWS: dict[tuple[str, str], View] = {
    ("dg", "Manifolds"): View(
        names={"explore_graph": "view", "embed": "emb", "k_sweep": "sweep"},
        prints='import math\n'
               'p, g = view.pair, view.graph\n'
               'print(f"Euclidean |AB|: {p.euclidean:.3f}")\n'
               'print("Along the graph: " + (f"{p.graph:.3f}" if math.isfinite(p.graph) else "no path"))\n'
               'print("True geodesic: " + (f"{p.intrinsic:.3f}" if math.isfinite(p.intrinsic) else "unknown"))\n'
               'print(f"Components: {len(g.component_sizes):,}")\n'
               'shorts = f"{len(view.short_circuits):,}" if view.edge_intrinsic is not None else "n/a"\n'
               'print(f"Short-circuits: {shorts}")\n'
               'if "emb" in globals():\n'
               '    print(f"Points unrolled: {len(emb.rows):,} of {len(view.data.X):,}")\n'
               '    if view.data.unrollable:\n'
               '        method = {"isomap": "Isomap", "spectral": "Spectral embedding", "tsne": "t-SNE"}[emb.method]\n'
               '        what = view.data.intrinsic_names[0].split(" (")[0]\n'
               '        print(f"{method} recovers {what}: {emb.recovery:.4f}")\n'
               '    hit = list(emb.trust_ks).index(10) if 10 in emb.trust_ks else None\n'
               '    trust = f"{emb.trustworthiness[hit]:.4f}" if hit is not None else "n/a"\n'
               '    print(f"Trustworthiness T(10): {trust}")'),
    ("dg", "Surfaces"): View(
        names={"curvature_grid": "grid", "geodesic_triangle": "tri"},
        prints='import math\n'
               'def rad(v):\n'
               '    return f"{v:.4f}" if math.isfinite(v) else "undefined"\n'
               'g = tri.sides[0]  # the side AB: the geodesic from A to B\n'
               'print(f"Geodesic AB: {g.length:.4f}")\n'
               'print(f"Chord |AB|: {g.chord:.4f}")\n'
               'if g.closed_form is not None:\n'
               '    print(f"Great circle: {g.closed_form:.4f}")\n'
               'else:\n'
               '    print(f"Straight in the chart: {g.start_length:.4f}")\n'
               'total = f"{math.degrees(tri.angle_sum):.2f}°" if math.isfinite(tri.angle_sum) else "undefined"\n'
               'print(f"Angle sum: {total}")\n'
               'print(f"Excess, sum − π: {rad(tri.excess)}")\n'
               'print(f"∫∫ K dA: {rad(tri.curvature_integral)}")\n'
               'if tri.closed_form_excess is not None:\n'
               '    print(f"Area / R²: {rad(tri.closed_form_excess)}")'),
    ("dg", "Loss curvature"): View(
        names={"hessian_spectrum": "spec", "top_eigenvalues": ("top", "top_lanczos"), "loss_slices": "sl",
               "edge_of_stability": "r"},
        prints='import numpy as np\n'
               'if "spec" in globals():\n'
               '    ev = spec.eigenvalues\n'
               '    print(f"Parameters: {spec.n_params:,}")\n'
               '    print(f"λ_max: {ev[-1]:.4g}")\n'
               '    print(f"λ_min: {ev[0]:.3g}")\n'
               '    print(f"Negative: {spec.negative:,}")\n'
               '    print(f"Near zero: {spec.near_zero:,}")\n'
               '    print(f"Training loss: {spec.loss:.4f}")\n'
               'elif "top" in globals():\n'
               '    print(f"Parameters: {top.n_params:,}")\n'
               '    print(f"λ₁ (ARPACK): {top.eigenvalues[0]:.4g}")\n'
               '    print(f"λ₂: {top.eigenvalues[1]:.4g}")\n'
               'if "sl" in globals():\n'
               '    i = len(sl.alphas) - 1\n'
               '    print(f"L(θ*): {sl.loss_at_minimum:.4f}")\n'
               '    print(f"λ₁, λ₂: {sl.top_eigenvalues[0]:.3g}, {sl.top_eigenvalues[1]:.3g}")\n'
               '    print(f"Rise along v₁ at α = {sl.alphas[i]:g}: {sl.eigen_1d[0, i] - sl.loss_at_minimum:.4f}")\n'
               '    print(f"Rise along d₁ at α = {sl.random_alphas[i]:g}: '
               '{sl.random_1d[0, i] - sl.loss_at_minimum:.4f}")\n'
               'if "r" in globals():\n'
               '    sharp = r.sharpness[np.isfinite(r.sharpness)]\n'
               '    print(f"2/η: {r.threshold:.4g}")\n'
               '    print(f"Max sharpness: {sharp.max():.4g}")\n'
               '    print(f"Last sharpness: {sharp[-1]:.4g}")\n'
               '    print(f"Final loss: {r.loss[-1]:.4g}")\n'
               '    ran = f"diverged at {r.diverged_at}" if r.diverged_at is not None else f"{len(r.steps) - 1}"\n'
               '    print(f"Steps: {ran}")'),
    ("dg", "Fisher and natural gradient"): View(
        names={"fisher_rao": "rao", "fisher_ellipses": "ell", "gaussian_fits": "f", "logistic_race": "r"},
        prints=_NUM +
               'import math\n'
               'import numpy as np\n'
               'if "rao" in globals():\n'
               '    print(f"Fisher–Rao d: {rao.distance:.4f}")\n'
               '    print(f"KL(p₁‖p₂): {rao.kl_forward:.4f}")\n'
               '    print(f"KL(p₂‖p₁): {rao.kl_reverse:.4f}")\n'
               '    print(f"d²/2: {rao.distance ** 2 / 2:.4f}")\n'
               '    print(f"Euclidean: {rao.euclidean:.4f}")\n'
               'if "f" in globals():\n'
               '    charts = {"sigma": "(μ, σ)", "log_sigma": "(μ, log σ)"}\n'
               '    print(f"MLE (x̄, s): ({num(f.mle[0])}, {f.mle[1]:.3f})")\n'
               '    for p in f.paths:\n'
               '        end = (f"stopped at step {p.stopped_at}" if p.stopped_at is not None\n'
               '               else f"({num(p.mu[-1])}, {p.sigma[-1]:.3f})")\n'
               '        print(f"{p.method.capitalize()}, {charts[p.chart]}: {end}")\n'
               '    a, b = f.path("natural", "sigma"), f.path("natural", "log_sigma")\n'
               '    if a.stopped_at is None and b.stopped_at is None:\n'
               '        m = min(len(a.mu), len(b.mu))\n'
               '        gap = np.max(np.hypot(a.mu[:m] - b.mu[:m], a.sigma[:m] - b.sigma[:m]))\n'
               '        print(f"Natural paths apart: {gap:.3g}")\n'
               '    else:\n'
               '        print("Natural paths apart: n/a")\n'
               'if "r" in globals():\n'
               '    hit = np.flatnonzero(r.natural_loss <= r.plain_loss[-1])\n'
               '    print(f"Plain GD, final loss: {r.plain_loss[-1]:.6f}")\n'
               '    print(f"Natural GD, final loss: {r.natural_loss[-1]:.6f}")\n'
               '    print("Natural reaches it: " + (f"iteration {hit[0]}" if len(hit) else "never"))\n'
               '    print(f"Plain accuracy: {r.plain_accuracy[-1]:.1%}")\n'
               '    print(f"Natural accuracy: {r.natural_accuracy[-1]:.1%}")'),
}
