"""Chapter 1, Introduction, from data to meaning: the book's Figure 1.1 (PCA, Euclidean distances, cosine
similarities and k-means on one data set, linked) and Figure 1.2 (a small network that learns, one neuron's
arithmetic, vanishing gradients, bias and variance, L1 against L2)."""

import numpy as np
import streamlit as st

from core import clustering as cl
from core import data, linalg
from core import networks as nw
from ui import charts, compute, controls, layout, text
from ui.figures import intro as fig

TABS = ["Distances", "k-means", "Network", "Vanishing gradients", "Bias–variance"]
# The label is what the URL carries (in_data=Two+moons), so labels stay short.
SOURCES = {"iris": "Iris", "wine": "Wine", "breast_cancer": "Breast cancer", "digits": "Digits",
           "moons": "Two moons", "aniso": "Anisotropic blobs", "unequal": "Unequal-size blobs", "upload": "Upload CSV"}
ORDERS = {"loaded": "as loaded", "class": "by class", "cluster": "by cluster"}
RATES = [0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0]
PENALTIES = [0.0, 0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1]


def data_controls():
    source = controls.selectbox("Data", "in_data", list(SOURCES), format_func=SOURCES.get)
    seed = controls.seed("in_seed")
    if source in cl.SHAPES:
        n = controls.slider("Points", "in_n", 50, 5000, 300, 50, help="Up to 5,000: the heatmaps then show a "
                            "seeded sample, and the scatter at most 2,000 points.")
        return cl.shape(source, n, seed), seed
    if source == "upload":
        uploaded = controls.csv_upload("CSV file", "in_upload")
        if uploaded is not None:
            return uploaded, seed
    return data.load_dataset(source if source != "upload" else "digits"), seed


def figure_1_1(ctrl):
    """The shared steps of the two Figure 1.1 tabs: the data as prepared, its PCA plane and one k-means run."""
    with ctrl:
        ds, seed = data_controls()
        n, d = ds.shape
        standardize = controls.toggle("Standardize columns", "in_std", False,
                                      help="Centre each column and divide it by its standard deviation (n − 1), "
                                           "so that no feature dominates the distances by its units.")
        scale = controls.toggle("Scale each sample by a factor", "in_scale", False,
                                help="Multiply each row by its own factor between ¼ and 4 (log-uniform, from the "
                                     "seed): its length changes, its direction does not.")
        k = controls.slider("Clusters k", "in_k", 1, min(cl.MAX_K, n), min(3, n))
        init = controls.radio("Initialisation", "in_init", list(cl.INITS), format_func=cl.INITS.get,
                              horizontal=False)
        st.caption(text.literal(ds.description, text.MESSAGE_LIMIT))  # an upload's: its file name
    prep, t1 = compute.run("standardize and scale", cl.prepare, ds.X, standardize, scale, seed, on="cpu")
    pca, t2 = compute.run(f"PCA (SVD of {n:,}×{d})", linalg.pca, prep.X, k=2)
    # Lloyd steps on the CPU in float64 on any server: the same steps as scikit-learn (float32 on a GPU can take
    # one more on a tie), and small data, where an H100 was slower (iris: 1.0 ms CPU, 3.2 ms CUDA)
    km, t3 = compute.run(f"k-means, k = {k}", cl.kmeans, prep.X, k, init, seed, on="cpu")
    if standardize and prep.constant_columns:
        st.caption(f":orange[{prep.constant_columns} constant column(s) have no spread to divide by: they are "
                   "centred (all 0) and left unscaled.]")
    if km.empty:
        st.caption(f":orange[{km.empty} cluster(s) were left empty at some step (there are fewer distinct points "
                   "than k, or a centroid lost all its points): such a centroid stays where it was.]")
    Z, axes = fig.plane(prep.X, pca)
    shown = cl.subsample(n, fig.DRAW_POINTS, seed)
    if len(shown) < n:
        st.caption(f"The scatter draws a seeded sample of {len(shown):,} of the {n:,} points.")
    return ds, prep, pca, km, Z, axes, shown, (seed, standardize, scale, k, init), (t1, t2, t3)


def distances_tab(ctrl, ds, prep, km, Z, axes, shown, settings, timings):
    seed, standardize, scale, k, _ = settings
    n = len(prep.X)
    with ctrl:
        how = controls.radio("Heatmap order", "in_order", list(ORDERS), format_func=ORDERS.get)
        limit = controls.select_slider("Points in the heatmaps", "in_points", list(cl.HEATMAP_POINTS), 150,
                                       help="A heatmap of n points has n² cells: larger sets are sampled (seeded).")
        names = list(ds.target_names) if ds.y is not None else []
        picks = ["nothing", *[f"cluster {c + 1}" for c in range(k)], *[f"class {c}" for c in names], "one point"]
        pick = controls.selectbox("Pick out", "in_pick", picks)
        row = controls.number_input("Point (row)", "in_row", 0, n - 1, 0, 1) if pick == "one point" else None
    pw, t4 = compute.run(f"{min(n, limit)}×{min(n, limit)} distances and cosines", cl.pairwise, prep.X, limit, seed)
    eff, t5 = compute.run("the same with each sample scaled", cl.scaling_effect, ds.X, standardize, seed, limit)
    layout.compute_line(*timings, t4, t5)
    picked = fig.picked(pick, row, km.final_labels, ds.y, names, n)
    m = len(pw.index)
    groups = {"loaded": None, "class": None if ds.y is None else ds.y[pw.index],
              "cluster": km.final_labels[pw.index]}[how]
    if how == "class" and ds.y is None:
        st.caption(":orange[This data set has no classes: the heatmaps are drawn as loaded.]")
    order = cl.order(groups, m)
    if m < n:
        st.caption(f"The heatmaps show a seeded sample of {m} of the {n:,} points (their rows and values are in "
                   "each heatmap's CSV download).")
    if pw.zero_rows.size:
        st.caption(f":orange[{pw.zero_rows.size} sample(s) are the zero vector (row "
                   f"{', '.join(map(str, pw.index[pw.zero_rows][:5]))}): their cosine with anything is 0/0, "
                   "undefined, so their rows and columns are left blank.]")
    if row is not None and not picked[pw.index].any():
        st.caption(f"Row {row} is not in the heatmaps' sample; it is picked out in the scatter only.")
    finite = pw.cosine[np.isfinite(pw.cosine)]
    layout.metrics(("Points", f"{n:,}", f"{m} of them in the heatmaps"),
                   ("Largest distance", f"{pw.euclidean.max():.4g}"),
                   ("Cosine range", f"{finite.min():.3f} to {finite.max():.3f}" if finite.size else "undefined"))
    charts.show(*fig.scatter(Z, axes, ds.labels(), km.final_labels, picked, f"The data in its plane (k = {k})",
                             shown), "scatter")
    sub = f"ordered {ORDERS[how] if groups is not None or how == 'loaded' else 'as loaded'}"
    left, right = layout.side_by_side([1, 1])
    with left:
        charts.show(*fig.heatmap(pw.euclidean, pw.index, order, groups, picked[pw.index], "Euclidean distance",
                                 f"‖xᵢ − xⱼ‖, {sub}; dark: near", fig.span(pw.euclidean.ravel()),
                                 "distance"), "euclidean heatmap",
                    width="content")
    with right:
        charts.show(*fig.heatmap(pw.cosine, pw.index, order, groups, picked[pw.index], "Cosine similarity",
                                 f"xᵢ·xⱼ / (‖xᵢ‖‖xⱼ‖), {sub}; bright: same direction",
                                 fig.span(finite), "cosine"), "cosine heatmap", width="content")
    st.markdown(fig.scaling_caption(eff, scale))
    layout.notice(fig.TEXT["distances"])


def kmeans_tab(ctrl, ds, prep, pca, km, Z, axes, shown, settings, timings):
    seed, _, _, k, init = settings
    last = 2 * km.steps
    with ctrl:
        step = controls.slider("Step (half-steps: assign, update)", "in_step", 0, last, last,
                               help="0: the initial centroids; then each assignment and each update in turn.")
        runs = controls.slider("Restarts", "in_runs", 10, 100, 50, 10)
        k_max = controls.slider("Elbow: k up to", "in_kmax", 2, min(cl.MAX_K, len(prep.X)), min(8, len(prep.X)))
    allowed = cl.restarts_allowed(len(prep.X), k, runs)
    if allowed < runs:
        st.caption(f"{allowed} of the {runs} restarts are run: {runs} on {len(prep.X):,} points with k = {k} would "
                   "take seconds a move. Fewer points or a smaller k run them all.")
    with st.spinner(f"{allowed} restarts, and k-means for k = 1…{k_max}…"):  # seconds on 5,000 points, cached
        rs, t4 = compute.run(f"{allowed} restarts", cl.restarts, prep.X, k, init, allowed, seed)
        sw, t5 = compute.run(f"elbow and silhouette, k = 1…{k_max}", cl.sweep_k, prep.X, k_max, "k-means++", seed,
                             on="cpu")
    layout.compute_line(*timings, t4, t5)
    agree = cl.ari(ds.y, km.final_labels) if ds.y is not None else None
    sil = cl.silhouette(prep.X, km.final_labels, seed)
    layout.metrics(("Steps to converge", f"{km.steps}" + ("" if km.converged else "+"),
                    "Assignments until one repeated"),
                   ("Inertia", f"{km.inertia:.6g}", "Σ ‖x − c(x)‖² over all points"),
                   ("Best of the restarts", f"{rs.inertia.min():.6g}", f"seed {rs.best_seed}"),
                   ("ARI with the classes", f"{agree:.3f}" if agree is not None else "no classes",
                    "Adjusted Rand index: 1 = the classes exactly, 0 = chance"),
                   ("Silhouette", f"{sil:.3f}" if np.isfinite(sil) else "undefined",
                    "Mean silhouette; undefined for k = 1"))
    paths = fig.plane(km.centroids.reshape(-1, prep.X.shape[1]), pca)[0].reshape(km.steps + 1, k, 2)
    charts.show(*fig.kmeans_step(Z, axes, km, step, paths, shown), "kmeans steps")
    left, right = layout.side_by_side([1, 1])
    with left:
        charts.show(*fig.inertia_chart(km, step), "inertia per step")
    with right:
        charts.show(*fig.restarts_chart(rs.inertia, km.inertia), "restarts")
    charts.show(*fig.sweep_chart(sw, k), "elbow and silhouette")
    st.caption(fig.restarts_caption(rs, km.inertia))
    layout.notice(fig.TEXT["kmeans"])


def network_tab(ctrl):
    with ctrl:
        name = controls.selectbox("Data", "in_net", list(nw.NETWORK_DATA), format_func=nw.NETWORK_DATA.get)
        layers = controls.slider("Hidden layers", "in_layers", 1, 4, 2)
        hidden = (controls.slider("Units per hidden layer", "in_width", 1, 16, 8),) * layers
        act = controls.radio("Activation", "in_act", list(nw.ACTIVATIONS), index=1)
        lr = controls.select_slider("Learning rate", "in_lr", RATES, 0.3)
        epochs = controls.slider("Epochs", "in_epochs", 0, 1000, 300, 50)
        l1 = controls.select_slider("L1 penalty λ₁", "in_l1", PENALTIES, 0.0)
        l2 = controls.select_slider("L2 penalty λ₂", "in_l2", PENALTIES, 0.0)
        frac = controls.slider("Training fraction", "in_train", 0.1, 0.9, 0.7, 0.1)
        seed = controls.seed("in_seed")
    # Trainings run on the CPU even beside a GPU: hundreds of steps on tensors of a few hundred numbers are
    # kernel-launch bound there (an H100: 0.44 s for the default training, its 16 CPU cores 0.19 s)
    res, t = compute.run_with_progress(f"training {'–'.join(map(str, hidden))} {act} MLP, {epochs} epochs",
                                       nw.train_mlp, name, hidden, act, lr, epochs, l1, l2, frac, seed, on="cpu")
    layout.compute_line(t)
    stops = [int(e) for e in res.snapshot_epochs]
    with ctrl:
        epoch = controls.select_slider("Replay: epoch", "in_epoch", stops, stops[-1], help="Weights kept at "
                                       f"{len(stops)} epochs: the replay redraws, it does not re-train.") \
            if len(stops) > 1 else 0
        layer = controls.slider("Microscope: layer", "in_layer", 1, len(hidden) + 1, 1)
        width = res.sizes[layer]
        unit = controls.slider("Microscope: unit", "in_unit", 0, width - 1, 0) if width > 1 else 0
        row = controls.number_input("Microscope: sample (row)", "in_sample", 0, len(res.X) - 1, 0, 1)
    s = res.snapshot(epoch)
    if res.diverged_at is not None:
        st.warning(f"The loss blew up at epoch {res.diverged_at} (learning rate {lr:g}): training stopped there, and "
                   f"the replay ends at epoch {res.epochs_run}. Lower the learning rate.", icon=":material/warning:")
    if epochs == 0:
        st.caption("Zero epochs: the network as initialised, before any training.")
    layout.metrics((f"Train accuracy, epoch {stops[s]}", f"{res.train_acc[stops[s]]:.1%}"),
                   ("Test accuracy", f"{res.test_acc[stops[s]]:.1%}" if frac < 1 else "no test rows"),
                   ("Train loss", f"{res.train_loss[stops[s]]:.4f}"), ("Test loss", f"{res.test_loss[stops[s]]:.4f}"))
    left, right = layout.side_by_side([1, 1])
    with left:
        charts.show(*fig.architecture(res, s, res.feature_names, res.class_names, (layer, unit)), "architecture")
    with right:
        if res.X.shape[1] == 2 and res.sizes[-1] == 2:
            charts.show(*fig.surface_chart(nw.decision_surface(res, s), res.X, res.y, res.is_train,
                                           res.class_names), "decision surface")
        else:
            st.markdown(f"**Confusion matrix, test rows, epoch {stops[s]}** (row: true class, column: predicted)")
            st.dataframe(fig.confusion_frame(nw.confusion(res, s), res.class_names))
    left, right = layout.side_by_side([1, 1])
    with left:
        charts.show(*fig.history_chart(res, stops[s], "loss"), "loss")
    with right:
        charts.show(*fig.history_chart(res, stops[s], "accuracy"), "accuracy")
    nr = nw.neuron(res, layer, unit, row, s)
    st.subheader("One neuron, under the microscope")
    st.markdown(fig.neuron_text(nr))
    left, right = layout.side_by_side([1, 1])
    with left:
        st.dataframe(fig.neuron_table(nr, list(res.feature_names) if layer == 1 else []), hide_index=True,
                     height=min(250, 35 * (len(nr.x) + 1) + 3))
    with right:
        z = np.linspace(min(-6.0, nr.z - 1), max(6.0, nr.z + 1), 241)
        charts.show(*fig.activation_chart(nr, z, fig.activate(nr.activation, z, nr)), "activation")
    layout.notice(fig.TEXT["network"])


def vanishing_tab(ctrl):
    with ctrl:
        depth = controls.slider("Hidden layers", "in_depth", 2, 12, 8)
        width = controls.slider("Units per layer", "in_vwidth", 4, 32, 16, 4)
        step = controls.slider("Training step", "in_vstep", 0, 20, 0)
        seed = controls.seed("in_seed")
    van, t = compute.run_with_progress(f"gradients of three {depth}-layer networks", nw.vanishing_gradients, depth,
                                       width, nw.ACTIVATIONS, 20, 0.1, "moons", 200, seed, on="cpu")
    layout.compute_line(t)
    with np.errstate(divide="ignore", invalid="ignore"):  # a network whose gradients all vanished: 0/0
        ratio = van.grad_norm[:, step, 0] / van.grad_norm[:, step, -1]
    layout.metrics(*[(f"{a}: first ÷ last layer", fig.ratio_text(r), "‖∂L/∂W₁‖ / ‖∂L/∂W_out‖ at this step")
                     for a, r in zip(van.activations, ratio, strict=True)])
    left, right = layout.side_by_side([1.3, 1])
    with left:
        charts.show(*fig.grad_chart(van, step), "gradient norms")
    with right:
        charts.show(*fig.derivative_chart(van), "derivatives")
    layout.notice(fig.vanishing_notice(van, ratio))


def bias_variance_tab(ctrl):
    with ctrl:
        truth = controls.radio("Truth", "in_truth", list(nw.TRUTHS), format_func=nw.TRUTHS.get)
        noise = controls.slider("Noise σ", "in_noise", 0.05, 1.0, 0.3, 0.05)
        n_train = controls.slider("Training points", "in_ntrain", 15, 100, 30, 5)
        degree = controls.slider("Polynomial degree", "in_degree", 0, 12, 3)
        seed = controls.seed("in_seed")
    bv, t1 = compute.run("bias–variance, 200 training sets × 13 degrees", nw.bias_variance, tuple(range(13)),
                         n_train, 200, noise, truth, seed=seed)
    layout.compute_line(t1)
    i = degree
    layout.metrics(("Bias²", f"{bv.bias2[i]:.4f}"), ("Variance", f"{bv.variance[i]:.4f}"),
                   ("Noise σ²", f"{bv.noise[i]:.4f}"),
                   ("Sum", f"{bv.bias2[i] + bv.variance[i] + bv.noise[i]:.4f}"),
                   ("Measured test error", f"{bv.expected_error[i]:.4f}", f"± {bv.std_error[i]:.4f} (standard error)"))
    left, right = layout.side_by_side([1, 1])
    with left:
        charts.show(*fig.fits_chart(bv, i), "fits")
    with right:
        charts.show(*fig.decomposition_chart(bv, degree), "decomposition")
    st.subheader("L1 against L2: the same network, three ways")
    left, right = st.columns(2)
    l1 = controls.select_slider("L1 penalty λ₁", "in_pl1", PENALTIES[1:], 0.003, container=left)
    l2 = controls.select_slider("L2 penalty λ₂", "in_pl2", PENALTIES[1:], 0.01, container=right)
    pen, t2 = compute.run_with_progress("three trainings on the breast-cancer data", nw.l1_vs_l2, "breast_cancer",
                                        (16,), "tanh", 0.3, 300, l1, l2, 0.3, seed, on="cpu")
    layout.compute_line(t2)
    st.dataframe(fig.penalty_frame(pen), hide_index=True)
    charts.show(*fig.penalty_chart(pen), "weight histograms")
    layout.notice(fig.penalty_notice(pen))


tabs, ctrl, main = layout.tabbed_page(1, TABS)
if tabs[0].open or tabs[1].open:
    with main, layout.guard("Figure 1.1"):
        ds, prep, pca, km, Z, axes, shown, settings, timings = figure_1_1(ctrl)
        if tabs[0].open:
            distances_tab(ctrl, ds, prep, km, Z, axes, shown, settings, timings)
        else:
            kmeans_tab(ctrl, ds, prep, pca, km, Z, axes, shown, settings, timings)
for name, tab, draw in zip(TABS[2:], tabs[2:], (network_tab, vanishing_tab, bias_variance_tab), strict=True):
    if tab.open:
        with main, layout.guard(name):
            draw(ctrl)

with main:
    layout.try_this(fig.TRY_THIS)
    layout.math_file(__file__)
