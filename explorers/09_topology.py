"""Chapter 9, Topology in deep learning: Vietoris–Rips persistent homology of point clouds (barcodes,
diagrams, Betti curves, representative cycles), its stability under noise, a topological loss that moves
points, and the homology of a network's hidden layers."""

import numpy as np
import streamlit as st

from core import topology
from core.data import DataError
from ui import charts, compute, controls, layout, text
from ui.figures import topology as fig

TABS = ["Rips filtration", "Stability", "Topological loss", "Inside a network"]
SOURCES = {**topology.CLOUDS, "upload": "Upload a CSV (x, y[, z])"}
DIMS = {"H0": "H0 (components)", "H1": "H0 and H1 (loops)", "H2": "H0, H1 and H2 (voids)"}


@st.cache_data(max_entries=8, show_spinner=False)
def _parse(raw: bytes, name: str) -> topology.Cloud:
    return topology.read_cloud(raw, name)


def cloud_controls() -> tuple:
    """The point cloud every tab but the last two uses, as a hashable source for the cache."""
    kind = controls.selectbox("Point cloud", "tp_cloud", list(SOURCES), format_func=SOURCES.get)
    if kind == "upload":
        file = st.file_uploader("Points: 2 or 3 numeric columns, a header row", ["csv", "txt", "tsv"],
                                key="tp_upload")
        if file is not None:
            try:
                _parse(file.getvalue(), file.name)
                st.caption("Uploaded points stay in this browser session; a shared link cannot carry them.")
                return ("upload", file.getvalue(), file.name)
            except DataError as exc:
                text.refused_upload(st, file.name, exc, "Showing the noisy circle instead.")
        else:
            st.caption("No file yet: until one is uploaded the page shows the noisy circle.")
        kind = "circle"
    n = controls.slider("Points n", "tp_n", 10, topology.MAX_POINTS[1], 120, 10,
                        help=f"H2 uses at most {topology.MAX_POINTS[2]} points (a random subsample above that, "
                             "with a note).")
    noise = controls.slider("Noise σ", "tp_noise", 0.0, 0.5, 0.1 if kind not in ("sphere", "torus") else 0.05,
                            0.01, help="Gaussian noise added to every coordinate.")
    seed = controls.seed("tp_seed")
    return ("generated", kind, int(n), float(noise), int(seed))


def short_count(n: int) -> str:
    """A count that fits a metric in six columns: 12,345 → 12k, 2,345,678 → 2.3M."""
    return f"{n:,}" if n < 10_000 else f"{n / 1e3:.0f}k" if n < 999_500 else f"{n / 1e6:.3g}M"


def notes_of(cloud) -> None:
    text.notes(st, cloud.notes)


def persistence_for(source, maxdim):
    label = "uploaded points" if source[0] == "upload" else f"{source[2]} points"
    with st.spinner(f"Rips persistence up to H{maxdim} ({label})…"):  # shown only after 0.5 s
        return compute.run(f"Rips persistence up to H{maxdim} ({label}; distances in torch, ripser)",
                           topology.persistence, source, maxdim)


def rips_tab(ctrl, main, source):
    with ctrl:
        maxdim = int(controls.radio("Homology", "tp_dim", list(DIMS), index=1, format_func=DIMS.get,
                                    horizontal=False)[1])
    pers, t = persistence_for(source, maxdim)
    cloud, dgms = pers.cloud, pers.dgms
    top = pers.eps_max()
    flat = cloud.X.shape[1] == 2
    with ctrl:
        eps = controls.slider("Filtration value ε", "tp_eps", 0.0, top, round(top / 4, 6), top / 100,
                              format="%.3f", help="An edge joins two points at most ε apart (balls of radius ε/2 "
                                                  "touch); a triangle fills in when its three edges are there.")
        balls = controls.toggle("Draw the ε/2-balls", "tp_balls", True, disabled=not flat)
        n1 = len(dgms[1]) if maxdim >= 1 else 0
        pick = controls.slider("Highlight H1 bar (rank by length; 0 = none)", "tp_bar", 0, min(n1, 10),
                               min(1, n1)) if n1 else 0
    notes_of(cloud)
    layout.compute_line(t)
    rips = topology.rips_at(pers.D, eps)
    alive = [topology.betti_at(d, eps) for d in dgms]
    cols = st.columns(3 + len(dgms))
    cols[0].metric("Points", f"{cloud.n:,}")
    for k, b in enumerate(alive):
        cols[k + 1].metric(f"β{'₀₁₂'[k]}(ε)", b, help=f"H{k} bars alive at ε: birth ≤ ε < death.")
    cols[-2].metric("Edges at ε", short_count(rips.n_edges), help=f"{rips.n_edges:,} edges of length ≤ ε.")
    cols[-1].metric("Triangles at ε", short_count(rips.n_triangles),
                    help=f"{rips.n_triangles:,} triangles whose three edges are there.")
    if eps >= pers.largest_death:
        st.caption(f":blue[ℹ ε = {eps:.3f} is past the last finite death ({pers.largest_death:.3f}): the filtration "
                   "has nothing left to change; only the component that never dies remains.]")
    elif eps == 0:
        st.caption(":blue[ℹ At ε = 0 the complex is the points alone: one component per point.]")
    cycle = None
    if pick:
        order = np.argsort(-(dgms[1][:, 1] - dgms[1][:, 0]), kind="stable")
        i = order[pick - 1]
        u, v = pers.h1_edges[i]
        cycle = topology.representative_cycle(pers.D, (u, v))
    left, right = layout.side_by_side([1, 1])
    with left:
        X2 = cloud.X[:, :2]
        dom = fig.square_domain(X2, top / 8 if flat else 0.05)
        charts.show(*fig.complex_map(X2, rips, dom, balls and flat, cycle, "The Rips complex at ε"), "complex",
                    width="content")
        shown = [f"{len(rips.edges):,} of {rips.n_edges:,} edges" if len(rips.edges) < rips.n_edges else "",
                 f"{len(rips.triangles):,} of {rips.n_triangles:,} triangles"
                 if len(rips.triangles) < rips.n_triangles else ""]
        if any(shown):
            st.caption("Drawn: the shortest " + " and ".join(s for s in shown if s) + " (the browser would stall).")
        if not flat:
            st.caption("A 3-D cloud, drawn from above (x and y); persistence uses all three coordinates.")
    with right:
        chart, _, hidden = fig.barcode(dgms, eps, top, pick or None)
        charts.show(chart, _, "barcode")
        if hidden:
            st.caption(f"The {fig.MAX_BARS} longest bars per dimension are drawn; {hidden:,} shorter ones are not.")
    if pick:
        b, d = dgms[1][order[pick - 1]]
        st.caption(f"Red: H1 bar #{pick}, born at ε = {b:.3f} when edge {u}–{v} enters, dead at {d:.3f}. The loop "
                   "drawn is one representative: that edge plus the shortest path between its ends through "
                   "shorter edges. Representatives are not unique: adding the boundary of any triangle, or a loop "
                   "born earlier, gives another that is just as valid.")
    left, right = layout.side_by_side([1, 1.2])
    with left:
        charts.show(*fig.diagram(dgms, eps, top, pick or None), "persistence diagram", width="content")
    with right:
        charts.show(*fig.betti_curves(dgms, eps, top), "betti curves", width="content")
    layout.notice("Short bars near the diagonal are noise; a bar that outlives everything around it is a hole the "
                  "data really has. Slide ε through the yellow region: each dot inside it is one β you count.")


def stability_tab(ctrl, main, source):
    with ctrl:
        trials = controls.slider("Perturbations per σ", "tp_trials", 1, 5, 3)
        shown = controls.select_slider("Show the perturbation at σ", "tp_sigma", list(topology.SIGMAS), 0.1)
    with st.spinner(f"Perturbing the cloud {len(topology.SIGMAS) * trials} times…"):  # shown only after 0.5 s
        res, t = compute.run(f"stability sweep ({len(topology.SIGMAS)} σ × {trials} perturbations)",
                             topology.stability, source, trials, on="cpu")
    layout.compute_line(t)
    text.notes(st, res.notes)  # an uploaded cloud's notes name its columns
    worst = float(np.max(res.bottleneck.max(axis=2) / np.maximum(2 * res.displacement, 1e-300)))
    s = res.at(shown)
    c1, c2, c3 = st.columns(3)
    c1.metric(f"d_B(H1) at σ = {shown:g}", f"{res.bottleneck[s, 0, 1]:.4f}")
    c2.metric("2 · max displacement", f"{2 * res.displacement[s, 0]:.4f}")
    c3.metric("Largest d_B / bound seen", f"{worst:.3f}", help="Never above 1: the stability theorem.")
    charts.show(*fig.stability_chart(res, shown), "stability")
    left, right = layout.side_by_side([1, 1])
    with left:
        charts.show(*fig.overlay_diagrams(res.clean, res.noisy[s], shown), "diagrams clean and noisy",
                    width="content")
    with right:
        charts.show(*fig.displacement_map(res.X[:, :2], res.noisy_X[s][:, :2], shown), "displacement",
                    width="content")
    layout.notice("Move every point by at most δ and no pairwise distance changes by more than 2δ, so the "
                  "bottleneck distance between the two diagrams is at most 2δ: the dots can be paired so that no "
                  "birth or death moves by more than 2δ, where a dot may also be paired with the diagonal (a bar "
                  "shorter than 4δ can appear or vanish). Every bar longer than 4δ keeps a partner: the diagram is a "
                  "stable summary, the reason persistent homology can be trusted on noisy data. The small bars "
                  "come and go; the big one stays.")


def loss_tab(ctrl, main, source):
    with ctrl:
        goal = controls.radio("Goal", "tp_goal", list(topology.TOPO_GOALS), format_func=topology.TOPO_GOALS.get,
                              horizontal=False)
        n = controls.slider("Points", "tp_lpoints", 20, 120, 60, 5)
        steps = controls.slider("Gradient steps", "tp_steps", 10, 200, 100, 10)
        lr = controls.select_slider("Learning rate", "tp_lr", [0.005, 0.01, 0.02, 0.05, 0.1], 0.05)
        seed = controls.seed("tp_lseed")
    res, t = compute.run_with_progress(f"{steps} steps of topological gradient descent ({n} points)",
                                       topology.topological_descent, goal, n, steps, lr, seed, on="cpu")
    with ctrl:
        step = controls.slider("Show step", "tp_step", 0, steps, steps, help="Step through the descent.")
    layout.compute_line(t)
    c1, c2, c3 = st.columns(3)
    c1.metric("Largest H1 persistence", f"{res.top[step]:.3f}", f"{res.top[step] - res.top[0]:+.3f}",
              help="The delta: the change since step 0.")
    c2.metric("Total H1 persistence", f"{res.total[step]:.3f}", f"{res.total[step] - res.total[0]:+.3f}")
    c3.metric("Loss", f"{res.loss[step]:.3f}")
    left, right = layout.side_by_side([1, 1.2])
    with left:
        dom = fig.square_domain(res.frames.reshape(-1, 2), 0.05)
        charts.show(*fig.descent_map(res.frames[step], res.targets[step], dom, goal), "descent", width="content")
    with right:
        charts.show(*fig.descent_curves(res, step), "descent curves")
    top = max(float(np.max([d.max() if len(d) else 0.0 for d in res.dgms])) * 1.1, 1e-3)
    h1 = res.dgms[step]
    charts.show(*fig.diagram((h1,), 0.0, top, None, f"H1 diagram at step {step}", first_dim=1), "loss diagram",
                width="content")
    layout.notice("A persistence is a difference of two edge lengths, |x_c − x_d| − |x_a − x_b|, for the edges "
                  "that created and killed the loop: with those edges fixed it is differentiable, and gradient "
                  "descent moves just their endpoints. The pairing changes as the points move, so the edges it "
                  "pulls on jump from step to step. (Minimizing the persistence itself would close a loop the lazy "
                  "way, by stretching its birth edge; pulling the death edges in fills the hole.)")


def network_tab(ctrl, main, source):
    with ctrl:
        depth = controls.slider("Hidden layers", "tp_depth", 1, 6, 4)
        width = controls.select_slider("Units per layer", "tp_width", [4, 8, 12, 16, 32], 12)
        epochs = controls.select_slider("Epochs (Adam)", "tp_epochs", [50, 100, 200, 400, 800], 400)
        seed = controls.seed("tp_nseed")
    res, t = compute.run_with_progress(f"train a {depth}×{width} ReLU network, then persistence per layer",
                                       topology.network_topology, 400, width, depth, epochs, seed)
    with ctrl:
        frac = controls.slider("Count a bar longer than (share of the cloud's diameter)", "tp_frac", 0.05, 0.5, 0.2,
                               0.05)
        layer = controls.slider("Look at layer", "tp_layer", 0, len(res.layers) - 1, 0,
                                help="0 is the input; the last is the output's logits.")
    layout.compute_line(t)
    betti = np.array([[[topology.prominent(res.dgms[li][c][k], frac, res.scales[li][c]) for c in (0, 1)]
                       for li in range(len(res.layers))] for k in (0, 1)])
    c1, c2, c3 = st.columns(3)
    c1.metric("Training accuracy", f"{res.accuracy:.1%}")
    c2.metric(f"β₁ of class 0 at {res.layers[layer]}", int(betti[1, layer, 0]))
    c3.metric(f"β₁ of class 1 at {res.layers[layer]}", int(betti[1, layer, 1]))
    left, right = layout.side_by_side([1, 1])
    with left:
        charts.show(*fig.layer_betti_chart(res.layers, betti[1], "Loops β₁ per layer", 1),
                    "betti 1 per layer")
    with right:
        charts.show(*fig.layer_betti_chart(res.layers, betti[0], "Components β₀ per layer", 0),
                    "betti 0 per layer")
    left, right = layout.side_by_side([1, 1.3])
    with left:
        charts.show(*fig.layer_view(res.views[layer], res.y, f"{res.layers[layer]}: PCs 1 and 2"), "layer view",
                    width="content")
    with right:
        charts.show(*fig.class_barcode(res.dgms[layer], res.scales[layer], frac, f"Bars at {res.layers[layer]}"),
                    "layer barcode", width="content")
    st.caption("Left: the layer's activations projected on their first two principal components (PC 1 has the "
               "largest variance). Right, each class: 100 of its points; bars in units of that class cloud's "
               "diameter at this layer, faded below the threshold. The Betti numbers depend on that threshold: "
               "move it and see which stay.")
    layout.notice("The two rings are linked: no plane separates them, and each has a loop. Layer by layer the "
                  "ReLU network folds and squashes them until the output is two blobs, one per class: each class's "
                  "β₁ falls from 1 to 0, while its β₀ is 1 throughout: each ring is one piece from the start, and a "
                  "continuous map cannot tear it. A network that separates classes simplifies their topology "
                  "(Naitzat et al., 2020).")


tabs, ctrl, main = layout.tabbed_page(9, TABS)
source = None
with ctrl:
    if tabs[0].open or tabs[1].open:
        source = cloud_controls()
with main, layout.guard("The point cloud"):
    for name, tab, draw in zip(TABS, tabs, (rips_tab, stability_tab, loss_tab, network_tab), strict=True):
        if tab.open:
            with layout.guard(name):
                draw(ctrl, main, source)

with main:
    layout.try_this([
        "Noisy circle: raise the noise until the H1 bar is no longer clearly longer than the rest.",
        "Figure-eight: two long H1 bars. Highlight each and see which loop it is.",
        "Two circles: β₀ drops from 2 to 1 exactly at the H0 bar's death: the gap between the circles.",
        "Sphere with H2: one long green bar, the void; its loops (H1) are all short.",
        "Stability: any cloud, any σ: every dot stays under the solid line, d_B ≤ 2 · max displacement.",
        "Topological loss, 'Open a loop', learning rate 0.1: watch a blob become a ring.",
        "Inside a network: one hidden layer of 4 units vs six of 32: where do the loops vanish?",
    ])
    layout.math_file(__file__)
