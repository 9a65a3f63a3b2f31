"""Chapter 7, Graph theory: spectra of graph matrices, spectral clustering, graph signals and GCN
propagation as low-pass filters, Cheeger's inequality and random-walk mixing."""

import contextlib

import numpy as np
import streamlit as st

from core import graphs
from core.data import DataError
from ui import charts, compute, controls, layout, text
from ui.figures import graphs as fig

TABS = ["Spectrum", "Clustering", "Signals and GCNs", "Cheeger and random walks"]
SOURCES = {**graphs.GRAPHS, "upload": "Upload an edge list"}
FILTERS = {"heat": "Heat kernel e^(−tL)", "poly": "Polynomial (I − L/λ_max)^K"}
SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


@st.cache_data(max_entries=8, show_spinner=False)
def _parse(raw: bytes, name: str) -> graphs.Graph:
    return graphs.read_edge_list(raw, name)


def graph_controls() -> graphs.Graph:
    key = controls.selectbox("Graph", "gr_graph", list(SOURCES), format_func=SOURCES.get)
    if key == "upload":
        file = st.file_uploader("Edge list (CSV or text: two node ids per line, optional weight)", ["csv", "txt",
                                "tsv", "edges"], key="gr_upload")
        if file is None:
            st.caption("No file yet: until one is uploaded the page shows the karate club.")
            return graphs.make_graph("karate")
        try:
            graph = _parse(file.getvalue(), file.name)
        except DataError as exc:
            text.refused_upload(st, file.name, exc)
            return graphs.make_graph("karate")
        text.notes(st, graph.notes)
        return graph
    if key in graphs.REAL:
        return graphs.make_graph(key)
    kw = {}
    if key == "sbm":
        kw = dict(blocks=controls.slider("Blocks", "gr_blocks", 1, 8, 2),
                  p_in=controls.slider("p_in (inside a block)", "gr_pin", 0.0, 1.0, 0.3, 0.01),
                  p_out=controls.slider("p_out (between blocks)", "gr_pout", 0.0, 1.0, 0.02, 0.01))
    elif key in ("er", "ws", "geometric"):
        label = {"er": "Edge probability p", "ws": "Rewiring probability p", "geometric": "Radius r"}[key]
        kw = dict(p=controls.slider(label, "gr_p", 0.0, 1.0, 0.1 if key != "geometric" else 0.2, 0.01))
    if key in ("ws", "knn"):
        kw["k"] = controls.slider("Neighbours k", "gr_k", 1, 20, 4 if key == "ws" else 6)
    top = graphs.max_nodes(key, **kw)
    n = controls.slider("Nodes n", "gr_n", 3, top, min(60, top),
                        help=f"Up to {top:,} here (an expected {graphs.MAX_EDGES:,} edges at most). Above "
                             f"{graphs.DENSE_LIMIT:,} nodes the lowest eigenpairs come from a sparse solver.")
    seed = controls.seed("gr_seed") if key in ("sbm", "er", "ws", "geometric", "knn") else 0
    graph, _ = compute.run(f"{SOURCES[key]} ({n} nodes)", graphs.make_graph, key, n, seed=seed, on="cpu", **kw)
    return graph


def cannot(graph, xy, why: str) -> None:
    """A tab that cannot apply to this graph says why and still draws the graph (by degree)."""
    st.info(why)
    charts.show(*fig.graph_map(graph, xy, graph.degrees(), "node degree", "The graph, coloured by degree"), "graph",
                width="content")


def spectrum_of(graph, kind):
    with st.spinner(f"Lowest eigenpairs of a {graph.n:,}-node graph (sparse solver)…") if graph.n > \
            graphs.DENSE_LIMIT else contextlib.nullcontext():
        return compute.run(f"spectrum of {graphs.SYMBOLS[kind]} ({graph.n:,} nodes)",
                           graphs.spectrum, graph, kind, 12)


def facts(graph, spec):
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("Nodes", f"{graph.n:,}")
    c2.metric("Edges", f"{graph.m:,}")
    comps = graphs.components(graph)
    c3.metric("Connected components", comps)
    zeros = spec.zero_count() if spec.kind != "adjacency" else None
    c4.metric("Eigenvalue 0, times", "—" if zeros is None else zeros,
              help="For L, L_sym and L_rw the multiplicity of the eigenvalue 0 is the number of components.")
    if zeros is not None:
        if not spec.complete and zeros == len(spec.values):
            st.caption(f"Every one of the {zeros} eigenvalues computed (the lowest) is 0: the eigenvalue 0 appears at "
                       f"least {zeros} times, consistent with the {comps} connected components.")
        else:
            same = "equals" if zeros == comps else "differs from"
            st.caption(f"The eigenvalue 0 appears {zeros} time(s); the graph has {comps} connected component(s): "
                       f"the multiplicity {same} the component count"
                       + ("" if spec.complete else f" (the lowest {len(spec.values)} eigenvalues are computed)") + ".")
    return comps


def spectrum_tab(ctrl, main, graph, xy):
    with ctrl:
        kind = controls.radio("Matrix", "gr_mat", list(graphs.MATRICES), format_func=graphs.MATRICES.get,
                              horizontal=False)
    spec, t = spectrum_of(graph, kind)
    layout.compute_line(t)
    facts(graph, spec)
    if len(spec.values) < 2:
        st.info("A graph of one node: its only eigenvalue is 0.")
        charts.show(*fig.spectrum_chart(spec, None, 1, "Spectrum"), "spectrum")
        return
    with ctrl:
        i = controls.slider("Colour the nodes by eigenvector", "gr_eig", 1, len(spec.values), min(2, len(spec.values)),
                            help="1 is the smallest eigenvalue's. For L, 2 is the Fiedler vector; for L_sym and "
                                 "L_rw, their own (normalized) second eigenvector.")
    sym = graphs.SYMBOLS[kind]
    st.caption(f"Eigenvalues in ascending order, here and on this whole page: λ₁ ≤ λ₂ ≤ … of {sym} (λ₁ = 0 for "
               "the Laplacians; for A, λ₁ is the most negative). Chapter 2's PCA counts from the largest.")
    left, right = layout.side_by_side([1.1, 1])
    with left:
        charts.show(*fig.graph_map(graph, xy, spec.vectors[:, i - 1], "entry",
                                   f"Eigenvector {i} of {sym} (λ = {spec.values[i - 1]:.4g})"), "eigenvector",
                    width="content")
    with right:
        charts.show(*fig.spectrum_chart(spec, i - 1, spec.zero_count() if kind != "adjacency" else 0,
                                        f"Spectrum of {graphs.MATRICES[kind].split(' =')[0]}"), "spectrum")
    if graph.n <= 150:
        M = graphs.matrix(graph, kind).numpy()
        charts.show(*fig.matrix_heatmap(M, graph.labels, graphs.MATRICES[kind]), "matrix", width="content")
    else:
        st.caption(f"The {graph.n:,}×{graph.n:,} matrix is not drawn (over 150 nodes).")
    if kind in ("sym", "rw") and spec.complete:
        bip = graphs.bipartite_components(graph)
        st.caption(f"Largest eigenvalue of {sym}: {spec.values[-1]:.6f}. It is never above 2, and equals 2 exactly "
                   "when a component (with an edge) is bipartite: "
                   + (f"here {bip} is (2-colourable), so 2 is reached." if bip else
                      "none is here (each has an odd cycle), so it stays below 2."))
    if kind == "adjacency":
        layout.notice("For A the order is reversed: its largest eigenvalues belong to the smooth eigenvectors (on "
                      "a d-regular graph A = dI − L: A's eigenvalue d − λ has L's eigenvector of λ), its most "
                      "negative ones to the roughest.")
    else:
        layout.notice("Small Laplacian eigenvalues belong to smooth eigenvectors: neighbours get similar values. "
                      f"The second eigenvector of {sym} changes sign where the graph is easiest to cut"
                      + (" (it is the Fiedler vector, of L)." if kind == "laplacian" else
                         "; L's own Fiedler vector can differ (the normalized one weighs nodes by degree)."))


def clustering_tab(ctrl, main, graph, xy):
    with ctrl:
        method = controls.radio("Method", "gr_cmethod", ["fiedler", "kmeans"], horizontal=False,
                                format_func={"fiedler": "Fiedler bisection (sign of u₂ of L_sym)",
                                             "kmeans": "Spectral clustering (k eigenvectors of L_sym + k-means)"}.get)
        k = controls.slider("Clusters k", "gr_ck", 2, 10, 2) if method == "kmeans" else 2
        seed = controls.seed("gr_cseed") if method == "kmeans" else 0
    spec, t = spectrum_of(graph, "sym")
    if spec.vectors.shape[1] < 3:
        return cannot(graph, xy, "Clustering needs at least three nodes.")
    if method == "fiedler":
        res, t2 = compute.run("Fiedler bisection", graphs.fiedler_split, graph, spec, on="cpu")
    else:
        res, t2 = compute.run(f"k-means on {k} eigenvectors", graphs.spectral_clustering, graph, spec, k, seed,
                              on="cpu")
    layout.compute_line(t, t2)
    c1, c2, c3 = st.columns(3)
    c1.metric("Clusters found", len(np.unique(res.labels)))
    c2.metric("Accuracy vs the truth", "—" if res.accuracy is None else f"{res.accuracy:.1%}",
              help=f"Share of nodes in the right group after the best matching of labels; truth: "
                   f"{graph.truth_name or 'none known for this graph'}.")
    c3.metric("Adjusted Rand index", "—" if res.ari is None else f"{res.ari:.3f}", help="1: the same partition; "
              "0: no better than chance.")
    best_k, gaps = graphs.eigengap(spec.values)
    st.caption(f"Both methods use L_sym's eigenvectors (λ₂ of L_sym = {spec.values[1]:.4g}): the normalized cut's "
               "relaxation. The sign of its u₂ is that of L_rw's (D^−½ > 0), not always that of L's Fiedler vector. "
               f"Eigengap heuristic: among λ₁ … λ{str(len(gaps) + 1).translate(SUB)} of L_sym the largest jump, "
               f"{gaps.max():.3g}, comes after λ{str(best_k).translate(SUB)}: k = {best_k} is its guess. It means "
               "something only when the groups are "
               "well separated (k eigenvalues near 0, then a clear jump); on a path or a grid it does not.")
    left, right = layout.side_by_side([1.1, 1])
    with left:
        charts.show(*fig.graph_map(graph, xy, res.labels, "cluster", "The clusters found", nominal=True),
                    "clusters", width="content")
        st.caption(f"Method: {res.method}.")
    with right:
        charts.show(*fig.embedding_chart(spec.vectors, res.labels, graph.labels,
                                         "Embedding: u₂, u₃ of L_sym"), "embedding")
    if graph.truth is not None:
        charts.show(*fig.graph_map(graph, xy, graph.truth, "group", f"The truth: {graph.truth_name}", nominal=True,
                                   size=260), "truth", width="content")
    layout.notice("In the eigenvectors' coordinates the groups fall apart into separate clouds: k-means finds "
                  "them there, though it could not in the original graph.")


def signals_tab(ctrl, main, graph, xy):
    if graph.n < 3:
        return cannot(graph, xy, "Graph signals need at least three nodes.")
    with ctrl:
        kind = controls.selectbox("Signal on the nodes", "gr_signal", list(graphs.SIGNALS),
                                  format_func=graphs.SIGNALS.get)
        noise = controls.slider("Noise", "gr_noise", 0.0, 2.0, 0.5, 0.05) if kind == "noisy" else 0.0
        node = controls.slider("Delta at node", "gr_node", 0, graph.n - 1, 0) if kind == "delta" else 0
        filt_kind = controls.radio("Low-pass filter", "gr_filter", ["heat", "poly"], horizontal=False,
                                   format_func=FILTERS.get)
        if filt_kind == "heat":
            heat_t = controls.select_slider("Heat kernel time t", "gr_t", [0.0, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0], 1.0)
        else:
            order = controls.slider("Polynomial order K", "gr_order", 0, 30, 3)
        depth = controls.slider("GCN layers", "gr_layers", 0, 50, 4)
    if graph.n > graphs.DENSE_LIMIT:
        return cannot(graph, xy, f"Filtering needs the whole spectrum: choose a graph of at most "
                                 f"{graphs.DENSE_LIMIT:,} nodes.")
    spec, t = spectrum_of(graph, "laplacian")
    try:
        x = compute.call(graphs.signal, graph, spec, kind, noise, node, seed=0)
    except DataError as exc:
        text.note(st, f"{exc} Showing the smooth signal.", mark="⚠")
        x = compute.call(graphs.signal, graph, spec, "smooth")
    if filt_kind == "heat":
        filt, t2 = compute.run("heat filter", graphs.heat_filter, graph, spec, x, float(heat_t), on="cpu")
        filt_name, filt_gain = f"e^(−{heat_t:g}L)", f"e^(−{heat_t:g}λ)"
    else:
        filt, t2 = compute.run(f"order-{order} polynomial filter", graphs.polynomial_filter, graph, spec, x, order)
        filt_name, filt_gain = f"(I − L/λ_max)^{order}", f"(1 − λ/λ_max)^{order}"
    gcn, t3 = compute.run(f"{depth} GCN layers", graphs.gcn_propagation, graph, x, depth)
    layout.compute_line(t, t2, t3)
    c1, c2, c3 = st.columns(3)
    c1.metric("Roughness of x", f"{filt.smoothness_in:.4f}", help="xᵀLx / xᵀx: 0 for a constant signal.")
    c2.metric(f"… after {filt_name}", f"{filt.smoothness_out:.4f}")
    c3.metric(f"… after {depth} GCN layers", f"{gcn.energy[-1]:.4f}",
              help=f"Tends to {gcn.limit_energy:.4f}, the roughness of x's projection on √(d + 1) per component "
                   "(where the layers take it), not to 0: that is 0 only if every node has the same degree.")
    a, b, c = layout.side_by_side([1, 1, 1])
    with a:
        charts.show(*fig.graph_map(graph, xy, x, "x", "The signal x", size=220), "signal", width="content")
    with b:
        charts.show(*fig.graph_map(graph, xy, filt.output, "x", f"Filtered by {filt_name}", size=220),
                    "filtered", width="content")
    with c:
        charts.show(*fig.graph_map(graph, xy, gcn.layers[-1], "x", f"After {depth} GCN layers", size=220),
                    "gcn", width="content")
    left, right = st.columns(2)
    with left:
        charts.show(*fig.frequency_chart(spec, filt, filt_gain), "graph fourier")
    with right:
        charts.show(*fig.smoothing_chart(gcn), "over smoothing")
    layout.notice("A GCN layer is a low-pass filter too, but in its own frequencies: it multiplies each by 1 − λ̃, "
                  "where λ̃ are the eigenvalues of L̃ = I − D̃^−½(A + I)D̃^−½, the normalized Laplacian with "
                  "self-loops (not the eigenvalues of L on the chart at the left). Stack enough layers and, within "
                  "each component, every node carries the same value times √(degree + 1): over-smoothing. The "
                  f"roughness then tends to that of √(d + 1), here {gcn.limit_energy:.4f}, not to 0.")


def cheeger_tab(ctrl, main, graph, xy):
    if graph.n < 2 or graph.m == 0:
        return cannot(graph, xy, "Cheeger's inequality and random walks need a graph with at least one edge.")
    comps = graphs.components(graph)
    part, keep = compute.call(graphs.largest_component, graph) if comps > 1 else (graph, np.arange(graph.n))
    with ctrl:
        start = controls.slider("Random walk starts at node", "gr_start", 0, max(part.n - 1, 1), 0,
                                help="Counted within the component analysed.")
        steps = controls.slider("Walk steps", "gr_steps", 10, 2000, 200, 10)
    if comps > 1:
        st.caption(f":blue[ℹ The graph has {comps} components (so λ₂ = 0 and h(G) = 0). Cheeger's inequality and "
                   f"the walk below are for its largest component: {part.n:,} of {graph.n:,} nodes.]")
    spec, t = spectrum_of(part, "sym")
    c = graphs.cheeger(part, spec)
    layout.compute_line(t)
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("λ₂ of L_sym", f"{c.lambda2:.5f}")
    c2.metric("Sweep-cut conductance", f"{c.sweep_conductance:.5f}")
    c3.metric("Walk's spectral gap", f"{c.gap:.5f}", help="1 − max(|μ₂|, |μₙ|), μ = 1 − λ(L_sym); 0 on a "
              "bipartite graph, where the plain walk oscillates.")
    c4.metric("Lazy walk's gap λ₂/2", f"{c.lazy_gap:.5f}")
    charts.show(*fig.cheeger_chart(c, charts.height(150)), "cheeger")
    left, right = layout.side_by_side([1.1, 1])
    with left:
        side = np.full(graph.n, "other components", dtype=object)
        side[keep] = np.where(c.sweep_set, "S", "the rest")
        charts.show(*fig.graph_map(graph, xy, side, "side", f"Sweep cut: φ = {c.sweep_conductance:.4f}",
                                   nominal=True), "sweep cut", width="content")
    with right:
        tv, t2 = compute.run(f"lazy random walk, {steps} steps", graphs.random_walk, part, min(start, part.n - 1),
                             steps, on="cpu")
        bound = graphs.mixing_bound(part, min(start, part.n - 1), c.lazy_gap, steps)
        charts.show(*fig.mixing_chart(tv, bound, charts.height(300)), "mixing")
        layout.compute_line(t2)
    layout.notice("Everything here is L_sym's: its λ₂ and its u₂. A cheap cut forces a small λ₂ (the lower bound, "
                  "λ₂/2 ≤ h); a small λ₂ guarantees a cheap cut, and the sweep over D^−½u₂ finds one within √(2λ₂) "
                  "(the upper bound). The same λ₂ sets how slowly a random walk forgets its start.")


tabs, ctrl, main = layout.tabbed_page(7, TABS)
with ctrl:
    graph = graph_controls()
    st.caption(text.literal(graph.description, text.MESSAGE_LIMIT))  # an upload's: its file name
with main, layout.guard("The graph"):
    xy, _ = compute.run("layout", graphs.layout, graph, on="cpu")
    if graph.m > fig.MAX_DRAWN_EDGES:
        st.caption(f"{graph.m:,} edges: the drawings show the nodes only (edges above {fig.MAX_DRAWN_EDGES:,} "
                   "would stall the browser).")
    for name, tab, draw in zip(TABS, tabs, (spectrum_tab, clustering_tab, signals_tab, cheeger_tab), strict=True):
        if tab.open:
            with layout.guard(name):
                draw(ctrl, main, graph, xy)

with main:
    layout.try_this([
        "Stochastic block model: lower p_in towards p_out. When does spectral clustering stop finding the blocks?",
        "Random geometric graph with a small radius: count the zero eigenvalues and the components.",
        "Karate club, Clustering: the sign of L_sym's u₂ recovers the club's split, all but one member (L's Fiedler "
        "vector splits it the same way).",
        "Barbell: λ₂ is tiny, the sweep cut goes through the middle of the connecting path, and the random walk "
        "takes ages to cross it.",
        "Stochastic block model with 4 blocks, Clustering, k-means: read the eigengap caption, then lower p_in. "
        "When does the largest gap stop coming after λ₄?",
        "Spectrum of L_sym: the largest eigenvalue is 2 on the Davis graph (women and events: bipartite), on a "
        "path, a grid and an even cycle; below 2 on the karate club and an odd cycle.",
        "Signals: a delta at one node, then stack GCN layers: it spreads until every node holds one number times "
        "√(degree + 1), the hubs brightest; on a cycle (all degrees equal) it ends flat.",
        "Cycle vs path: their spectra are 2 − 2cos(2πk/n) and 2 − 2cos(πk/n). Compare the Fiedler vectors.",
    ])
    layout.math_file(__file__)
