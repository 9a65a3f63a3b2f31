"""Chapter 8, Differential geometry: the manifold hypothesis (distances along a k-NN graph against straight lines
and the true geodesic, unrollings, short-circuits and torn graphs), geodesics and Gaussian curvature on a sphere,
a torus and a saddle with Gauss–Bonnet, the curvature of a small network's loss (its exact Hessian, Lanczos,
slices, the edge of stability), and the Fisher metric with the natural gradient."""

import math

import streamlit as st

from core.data import DataError
from core.geometry import fisher as fi
from core.geometry import hessian as hs
from core.geometry import manifold as mf
from core.geometry import surfaces as sf
from ui import charts, compute, controls, layout, text
from ui.figures import geometry as fig

TABS = ["Manifolds", "Surfaces", "Loss curvature", "Fisher and natural gradient"]
DATA = {"swiss_roll": "Swiss roll", "s_curve": "S-curve", "sphere": "Sphere", "digits": "Digits"}
METHODS = {"isomap": "Isomap", "spectral": "Spectral", "tsne": "t-SNE"}
TSNE_MAX = 400  # points: t-SNE takes seconds past this
SURFACES = {"sphere": "Sphere", "torus": "Torus", "saddle": "Saddle"}
# per surface: each coordinate's (lo, hi, step) in the controls' units (degrees; the saddle's x, y), corners A, B, C
CORNERS = {"sphere": (((-89, 89, 1), (-180, 180, 1)), ((0, 0), (0, 70), (55, 35))),
           "torus": (((-180, 180, 1), (-180, 180, 1)), ((-60, 20), (60, 20), (0, 150))),
           "saddle": (((-1.0, 1.0, 0.05), (-1.0, 1.0, 0.05)), ((-0.6, -0.5), (0.6, -0.5), (0.0, 0.7)))}
SHOW = {"spectrum": "Spectrum", "slices": "Slices", "eos": "Edge of stability"}
NETS = {"iris": "Iris", "breast_cancer": "Breast cancer", "digits": "Digits"}
LOSSES = {"cross_entropy": "Cross-entropy", "mse": "MSE"}
DENSE_MAX = {"iris": 1100, "breast_cancer": 600, "digits": 700}  # parameters: the exact Hessian within ~1 s
# Networks of at most a few thousand parameters on at most 1,797 rows: every computation here runs on the CPU, in
# float64 (a GPU's kernel launches would cost more than these small products save)
LANCZOS_MAX, SLICES_MAX, EOS_MAX = 5000, 1300, 1300  # parameters for the iterative methods, slices, the run
FSHOW = {"distance": "Distance", "fits": "Fitting N(μ, σ²)", "logistic": "Logistic regression"}


def attempt(run, what, fn, *args, **kwargs):
    """``run`` (compute.run or run_with_progress); settings the core refuses give words instead: (None, None)."""
    try:
        return run(what, fn, *args, **kwargs)
    except DataError as exc:
        text.note(st, exc)
        return None, None


def show_metrics(rows):
    for row in rows:
        layout.metrics(*row)


def manifolds_tab(ctrl):
    with ctrl:
        name = controls.selectbox("Data", "dg_data", list(DATA), format_func=DATA.get)
        method = controls.radio("Unrolling", "dg_method", list(METHODS), format_func=METHODS.get)
        n = controls.select_slider("Points", "dg_n", [200, 400, 800, 1000], 800)
        if method == "tsne" and n > TSNE_MAX:
            text.note(st, f"t-SNE takes seconds past {TSNE_MAX} points: this view uses {TSNE_MAX}.")
            n = TSNE_MAX
        k = controls.slider("Neighbours k", "dg_k", 1, 60, 10)
        a = controls.slider("Point A", "dg_a", 0, n - 1, min(48, n - 1))
        b = controls.slider("Point B", "dg_b", 0, n - 1, min(642, n - 1))
        noise = controls.select_slider("Noise σ", "dg_noise", [0.0, 0.05, 0.1, 0.2, 0.5, 1.0], 0.0)
        seed = controls.seed("dg_seed")
        iso = controls.toggle("Sweep Isomap over k too (seconds)", "dg_sweep") if name in fig.UNROLLABLE else False
    view, t = compute.run(f"k-NN graph of {n} points, Dijkstra from A", mf.explore_graph, name, n, k, a, b, noise,
                          seed, on="cpu")
    emb = t2 = None
    if view.graph.component_sizes[0] < 30:
        text.note(st, f"The largest component has only {view.graph.component_sizes[0]} points: too few to unroll.")
    else:
        emb, t2 = attempt(compute.run_with_progress, f"{METHODS[method]} of the largest component", mf.embed, name,
                          n, k, method, noise, seed, fig.TRUST_KS, on="cpu")
    layout.compute_line(t, t2)
    if view.graph.note:
        text.note(st, view.graph.note)
    if view.pair.note:
        text.note(st, view.pair.note)
    show_metrics(fig.graph_metrics(view))
    left, right = layout.side_by_side([1, 1])
    with left:
        charts.show(*fig.graph_chart(view), "k-NN graph")
    if emb is not None:
        with right:
            charts.show(*fig.unrolled_chart(emb, view), "unrolling")
        show_metrics(fig.embed_metrics(emb, view))
    layout.formula(r"d_G(a,b)=\min_{\text{paths }a\to b}\ \sum_i\lVert x_{i+1}-x_i\rVert\ \ge\ \lVert a-b\rVert")
    left, right = layout.side_by_side([1, 1])
    if emb is not None and len(emb.trust_ks):
        with left:
            charts.show(*fig.trust_chart(emb), "trustworthiness")
    if name in fig.UNROLLABLE:
        ks = fig.SWEEP_ISOMAP_KS if iso else fig.SWEEP_KS
        sweep, t3 = compute.run_with_progress(f"the graph at {len(ks)} values of k" + (", Isomap at each" if iso else
                                              ""), mf.k_sweep, name, n, ks, noise, seed, isomap=iso, on="cpu")
        with right:
            charts.show(*fig.sweep_chart(sweep, k), "sweep over k")
            layout.compute_line(t3)
    layout.notice(fig.manifold_notice(view, emb))


def surfaces_tab(ctrl):
    with ctrl:
        name = controls.radio("Surface", "dg_surf", list(SURFACES), format_func=SURFACES.get)
        R, r = 1.0, 0.4
        if name == "sphere":
            R = controls.select_slider("Radius R", "dg_srad", [0.5, 1.0, 2.0], 1.0)
        elif name == "torus":
            r = controls.slider("Tube radius r (R = 1)", "dg_tube", 0.1, 0.9, 0.4, 0.05)
        ranges, defaults = CORNERS[name]
        coords = sf.PARAMETER_NAMES[name]
        pts = [tuple(controls.slider(f"{p}: {coords[i].split(' (')[0]}", f"dg_{name[:2]}{p.lower()}{i}",
                                     *ranges[i][:2], d[i], ranges[i][2]) for i in range(2))
               for p, d in zip("ABC", defaults, strict=True)]
        segments = controls.select_slider("Steps per side", "dg_seg", [12, 24, 48, 96], 48)
    scale = 1.0 if name == "saddle" else math.pi / 180
    pts = [(u * scale, v * scale) for u, v in pts]
    grid, t = compute.run("K and H on a 48² grid by autograd", sf.curvature_grid, name, 48, R, r, on="cpu")
    tri, t2 = compute.run("three geodesics by Newton's method, ∫∫K dA", sf.geodesic_triangle, name, *pts, segments,
                          R, r, 1.0, 120, on="cpu")
    layout.compute_line(t, t2)
    if tri.note:
        text.note(st, tri.note)
    lengths, triangle = fig.surface_metrics(tri)
    layout.metrics(*lengths)
    left, right = layout.side_by_side([1, 1])
    with left:
        charts.show(*fig.curvature_chart(grid, tri), "curvature")
    with right:
        charts.show(*fig.surface_chart(grid, tri), "surface")
    layout.metrics(*triangle)
    layout.formula(r"K=\frac{LN-M^2}{EG-F^2},\qquad \alpha+\beta+\gamma-\pi=\iint_T K\,dA")
    charts.show(*fig.angles_chart(tri), "angle sum")
    layout.notice(fig.surface_notice(tri))


def loss_tab(ctrl):
    with ctrl:
        show = controls.radio("Show", "dg_show", list(SHOW), format_func=SHOW.get, horizontal=False)
        data = controls.radio("Data", "dg_net", list(NETS), format_func=NETS.get)
        width = controls.select_slider("Hidden units", "dg_width", [2, 4, 8, 16, 32, 64, 128, 256], 16)
        if show == "eos":
            loss = controls.radio("Loss", "dg_eloss", ["mse", "cross_entropy"], format_func=LOSSES.get)
            lr = controls.select_slider("Step size η", "dg_lr", [0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0], 0.5)
            steps = controls.select_slider("Steps", "dg_steps", [100, 200, 300], 300)
        else:
            loss = controls.radio("Loss", "dg_loss", list(LOSSES), format_func=LOSSES.get)
            span = controls.select_slider("Slice half-width", "dg_span", [0.1, 0.3, 1.0, 3.0], 1.0) \
                if show == "slices" else 1.0
        seed = controls.seed("dg_nseed")
    cap, asked = {"spectrum": LANCZOS_MAX, "slices": SLICES_MAX, "eos": EOS_MAX}[show], width
    while width > 2 and fig.n_params(data, width) > cap:
        width //= 2
    if width != asked:
        text.note(st, f"This view stops at {cap:,} parameters here: using {width} hidden units "
                      f"({fig.n_params(data, width):,} parameters).")
    net = f"a {width}-unit network on {NETS[data]}"
    if show == "eos":
        r, t = compute.run_with_progress(f"{steps} steps of gradient descent, sharpness every 2nd",
                                         hs.edge_of_stability, data, width, "tanh", loss, lr, steps, seed, on="cpu")
        layout.compute_line(t)
        if r.note:
            text.note(st, r.note)
        show_metrics(fig.eos_metrics(r))
        charts.show(*fig.eos_chart(r), "sharpness")
        layout.formula(r"\theta\leftarrow\theta-\eta\nabla L(\theta),\qquad\lambda_{\max}(\nabla^2L)<\frac2\eta")
        charts.show(*fig.eos_loss_chart(r), "loss during descent")
        layout.notice(fig.eos_notice(r))
        return
    if show == "slices":
        sl, t = compute.run_with_progress(f"slices through θ* of {net}", hs.loss_slices, data, width, "tanh", loss,
                                          200, 0.05, seed, span, span, 17 if data == "digits" else 25, on="cpu")
        layout.compute_line(t)
        show_metrics(fig.slice_metrics(sl))
        charts.show(*fig.slices_chart(sl), "1-d slices")
        layout.formula(r"L(\theta^*+\alpha d)\approx L^*+\alpha\,\nabla L^{\top}d+\tfrac12\alpha^2\,d^{\top}Hd")
        for col, image, name in zip(layout.side_by_side([1, 1]), fig.slice_images(sl), ("eigen", "random"),
                                    strict=True):
            with col:
                charts.show(*image, f"2-d slice {name}", width="content")
        layout.notice(fig.slices_notice(sl))
        return
    spec = t = None
    if fig.n_params(data, width) <= DENSE_MAX[data]:
        spec, t = compute.run_with_progress(f"training {net}, then its exact Hessian", hs.hessian_spectrum, data,
                                            width, "tanh", loss, 200, 0.05, seed, on="cpu")
    else:
        text.note(st, f"{fig.n_params(data, width):,} parameters is past what an exact Hessian allows here "
                      f"({DENSE_MAX[data]:,} on {NETS[data]}): the top eigenvalues by Lanczos only.")
    tops = [compute.run_with_progress(f"top 5 by {m}", hs.top_eigenvalues, data, width, "tanh", loss, 200, 0.05,
                                      seed, 5, m, on="cpu") for m in ("scipy", "lanczos")]
    layout.compute_line(t, *(tm for _, tm in tops))
    tops = [top for top, _ in tops]
    rows = fig.spectrum_metrics(spec, tops[0])
    layout.metrics(*rows[0])
    left, right = layout.side_by_side([1.4, 1])
    with left:
        charts.show(*fig.spectrum_chart(spec, tops), "spectrum")
    if spec is not None and spec.hessian is not None:
        with right:
            charts.show(*fig.hessian_image(spec), "hessian", width="content")
    show_metrics(rows[1:])
    layout.formula(r"H=\nabla^2L(\theta^*)=\sum_i\lambda_i v_iv_i^{\top}")
    st.dataframe(fig.top_table(spec, tops), hide_index=True)
    layout.notice(fig.spectrum_notice(spec, tops))


def fisher_tab(ctrl):
    with ctrl:
        show = controls.radio("Show", "dg_fshow", list(FSHOW), format_func=FSHOW.get, horizontal=False)
        if show == "distance":
            m1, s1 = controls.slider("μ₁", "dg_mu1", -3.0, 3.0, -1.0, 0.1), controls.slider("σ₁", "dg_s1", 0.01, 3.0,
                                                                                        0.5, 0.01)
            m2, s2 = controls.slider("μ₂", "dg_mu2", -3.0, 3.0, 2.0, 0.1), controls.slider("σ₂", "dg_s2", 0.01, 3.0,
                                                                                       1.5, 0.01)
        elif show == "fits":
            lr = controls.select_slider("Step size η", "dg_flr", [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 1.5], 0.05)
            steps = controls.select_slider("Steps", "dg_fsteps", [25, 50, 100, 200, 400], 100)
            m0 = controls.slider("Start μ₀", "dg_mu0", -5.0, 5.0, -3.0, 0.5)
            s0 = controls.select_slider("Start σ₀", "dg_s0", [0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0], 2.0)
            n = controls.select_slider("Sample size", "dg_fn", [20, 200, 2000], 200)
            seed = controls.seed("dg_fseed")
        else:
            data = controls.radio("Data", "dg_ldata", list(fi.LOGISTIC_DATA), format_func=NETS.get)
            steps = controls.select_slider("Iterations", "dg_lsteps", [10, 25, 50, 100, 200], 50)
            lr_p = controls.select_slider("Plain η", "dg_lrp", [0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0], 1.0)
            lr_n = controls.select_slider("Natural η", "dg_lrn", [0.1, 0.3, 0.5, 1.0, 1.5, 2.0, 3.0], 1.0)
            l2 = controls.select_slider("Penalty λ", "dg_l2", [0.0, 1e-3, 1e-2, 1e-1], 1e-2)
    if show == "distance":
        rao = compute.call(fi.fisher_rao, m1, s1, m2, s2)
        box = ((min(m1, m2) - 1.0, max(m1, m2) + 1.0), (0.0, max(s1, s2) * 1.4))
        ell, t = compute.run("Fisher metric at 30 points by autograd", fi.fisher_ellipses, box[0],
                             (max(s1, s2) * 0.2, max(s1, s2) * 1.2), 6, 5, "sigma", 0.2, on="cpu")
        layout.compute_line(t)
        show_metrics(fig.rao_metrics(rao))
        left, right = layout.side_by_side([1.2, 1])
        with left:
            charts.show(*fig.rao_chart(rao, ell, box), "fisher-rao geodesic")
        with right:
            charts.show(*fig.densities_chart(rao), "distributions along the geodesic")
        layout.formula(r"ds^2=\frac{d\mu^2+2\,d\sigma^2}{\sigma^2},\qquad d=\sqrt2\,\operatorname{arccosh}\Big(1+"
                       r"\frac{\Delta\mu^2/2+\Delta\sigma^2}{2\sigma_1\sigma_2}\Big)")
        layout.notice(fig.rao_notice(rao))
    elif show == "fits":
        f, t = compute.run_with_progress(f"plain and natural gradient descent, {steps} steps in two charts",
                                         fi.gaussian_fits, None, n, 1.0, 2.0, seed, (m0, s0), lr, steps, on="cpu")
        (mu_lo, mu_hi), (s_lo, s_hi) = fig.fit_box(f)
        ell, t2 = compute.run("Fisher metric at 35 points", fi.fisher_ellipses, (mu_lo, mu_hi),
                              (s_lo * 1.2, s_hi * 0.8), 7, 5, "sigma", 0.15, on="cpu")
        layout.compute_line(t, t2)
        rows = fig.fit_metrics(f)
        layout.metrics(*rows[0])
        left, right = layout.side_by_side([1, 1])
        with left:
            charts.show(*fig.fits_chart(f, ell, False), "paths in mu, sigma")
        with right:
            charts.show(*fig.fits_chart(f, ell, True), "paths in mu, log sigma")
        show_metrics(rows[1:])
        layout.formula(r"\theta\leftarrow\theta-\eta\,F(\theta)^{-1}\nabla L(\theta),\qquad F_{(\mu,\sigma)}="
                       r"\begin{pmatrix}1/\sigma^2&0\\0&2/\sigma^2\end{pmatrix},\ F_{(\mu,\log\sigma)}="
                       r"\begin{pmatrix}1/\sigma^2&0\\0&2\end{pmatrix}")
        charts.show(*fig.fit_loss_chart(f), "distance from the best fit")
        layout.notice(fig.fits_notice(f))
    else:
        r, t = compute.run("plain and natural gradient descent", fi.logistic_race, data, steps, lr_p, lr_n, l2, 1e-4,
                           on="cpu")
        layout.compute_line(t)
        if r.note:
            text.note(st, r.note)
        show_metrics(fig.race_metrics(r))
        charts.show(*fig.race_chart(r), "logistic race")
        layout.formula(r"w\leftarrow w-\eta\,(F+\lambda P+\epsilon I)^{-1}\nabla L,\qquad F=\frac1n\sum_i p_i(1-p_i)"
                       r"\,x_ix_i^{\top}")
        layout.notice(fig.race_notice(r))


layout.explorer(8, TABS, (manifolds_tab, surfaces_tab, loss_tab, fisher_tab), fig.TRY_THIS, __file__)
