"""Chapter 9's tabs in Python (ui/pyview.py)."""

from __future__ import annotations

from typing import Any

from ui.pyview import Source, View

UPLOAD_NOTE = ("Your points are not part of this script (they stay in your browser session): the script uses "
               "the noisy circle instead, so its numbers are the circle's, not your cloud's.")


def _sources(v: dict[str, Any]) -> tuple[list[Source], str]:
    return [], UPLOAD_NOTE if v.get("tp_cloud") == "upload" else ""


def _cloud(names: dict[str, str], prints: str, values: tuple[str, ...] = ()) -> View:
    """The first two tabs take the point cloud of the sidebar; an upload's stands in for the noisy circle."""
    return View(names=names, prints=prints, values=values, sources=_sources,
                upload_fallback="('generated', 'circle', 120, 0.1, 0)")


VIEWS: dict[tuple[str, str], View] = {
    ("tp", "Rips filtration"): _cloud(
        {"persistence": "pers"},
        'rips = topology.rips_at(pers.D, eps)\n'
        'print(f"Points: {pers.cloud.n:,}")\n'
        'for dim, bars in enumerate(pers.dgms):\n'
        '    print(f"β{\'₀₁₂\'[dim]}(ε): {topology.betti_at(bars, eps)}")\n'
        'print(f"Edges at ε: {rips.n_edges:,}")\n'
        'print(f"Triangles at ε: {rips.n_triangles:,}")', ("tp_eps",)),
    ("tp", "Stability"): _cloud(
        {"stability": "res"},
        'import numpy as np\n'
        's = res.at(sigma)  # the row of σ\n'
        'worst = float(np.max(res.bottleneck.max(axis=2) / np.maximum(2 * res.displacement, 1e-300)))\n'
        'print(f"d_B(H1) at σ = {sigma:g}: {res.bottleneck[s, 0, 1]:.4f}")\n'
        'print(f"2 · max displacement: {2 * res.displacement[s, 0]:.4f}")\n'
        'print(f"Largest d_B / bound seen: {worst:.3f}")', ("tp_sigma",)),
    ("tp", "Topological loss"): View(
        names={"topological_descent": "res"}, values=("tp_step",),
        prints='print(f"Largest H1 persistence: {res.top[step]:.3f}")\n'
               'print(f"Total H1 persistence: {res.total[step]:.3f}")\n'
               'print(f"Loss: {res.loss[step]:.3f}")'),
    ("tp", "Inside a network"): View(
        names={"network_topology": "res"}, values=("tp_frac", "tp_layer"),
        prints='print(f"Training accuracy: {res.accuracy:.1%}")\n'
               'for c in (0, 1):  # H1 bars longer than frac × the diameter of class c\'s cloud at the layer\n'
               '    loops = topology.prominent(res.dgms[layer][c][1], frac, res.scales[layer][c])\n'
               '    print(f"β₁ of class {c} at {res.layers[layer]}: {loops}")'),
}
