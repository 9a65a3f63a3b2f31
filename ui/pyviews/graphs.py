"""Chapter 7's tabs in Python (ui/pyview.py)."""

from __future__ import annotations

from typing import Any

from ui.pyview import Source, View

UPLOAD_NOTE = ("Your edge list is not part of this script (it stays in your browser session): the script loads "
               "the karate club instead, so its numbers are the karate club's, not your graph's.")


def _sources(v: dict[str, Any]) -> tuple[list[Source], str]:
    from core import graphs

    key = v.get("gr_graph", "karate")
    if key == "upload":
        return [Source("graph", "core.graphs", "make_graph", ("karate",))], UPLOAD_NOTE
    return ([Source("graph", "core.graphs", "make_graph", (key,))] if key in graphs.REAL else []), ""


def _view(names: dict[str, str], prints: str, values: tuple[str, ...] = ()) -> View:
    """Every tab starts from the graph, its layout and a spectrum."""
    return View(names={"make_graph": "graph", "layout": "xy", "largest_component": "graph, keep", "spectrum": "spec",
                       "random_walk": "tv", **names}, prints=prints,
                values=values, sources=_sources, upload_fallback="graph")


VIEWS: dict[tuple[str, str], View] = {
    ("gr", "Spectrum"): _view(
        {}, 'print(f"Nodes: {graph.n:,}")\n'
            'print(f"Edges: {graph.m:,}")\n'
            'print(f"Connected components: {graphs.components(graph)}")\n'
            'zeros = spec.zero_count() if spec.kind != "adjacency" else "—"\n'
            'print(f"Eigenvalue 0, times: {zeros}")'),
    ("gr", "Clustering"): _view(
        {"fiedler_split": "res", "spectral_clustering": "res"},
        'import numpy as np\n'
        'print(f"Clusters found: {len(np.unique(res.labels))}")\n'
        'print("Accuracy vs the truth: " + ("—" if res.accuracy is None else f"{res.accuracy:.1%}"))\n'
        'print("Adjusted Rand index: " + ("—" if res.ari is None else f"{res.ari:.3f}"))'),
    ("gr", "Signals and GCNs"): _view(
        {"signal": "x", "heat_filter": "filt", "polynomial_filter": "filt", "gcn_propagation": "gcn"},
        'name = f"e^(−{t:g}L)" if filter == "heat" else f"(I − L/λ_max)^{order}"\n'
        'print(f"Roughness of x: {filt.smoothness_in:.4f}")\n'
        'print(f"… after {name}: {filt.smoothness_out:.4f}")\n'
        'print(f"… after {layers} GCN layers: {gcn.energy[-1]:.4f}")', ("gr_filter", "gr_t", "gr_order", "gr_layers")),
    ("gr", "Cheeger and random walks"): _view(
        {}, 'c = graphs.cheeger(graph, spec)\n'
            'print(f"λ₂ of L_sym: {c.lambda2:.5f}")\n'
            'print(f"Sweep-cut conductance: {c.sweep_conductance:.5f}")\n'
            'print(f"Walk\'s spectral gap: {c.gap:.5f}")\n'
            'print(f"Lazy walk\'s gap λ₂/2: {c.lazy_gap:.5f}")'),
}
