"""Chapter 2, Linear Algebra: PCA and the SVD — principal axes, explained variance, reconstruction,
low-rank compression (Eckart–Young) and exact vs randomized SVD."""

import numpy as np
import pandas as pd
import streamlit as st

from core import data, linalg
from ui import charts, compute, controls, layout, text
from ui.figures import linear_algebra as fig

# The label is what the URL carries (la_data=Breast+cancer), so labels stay short.
SOURCES = {"digits": "Digits", "iris": "Iris", "wine": "Wine", "breast_cancer": "Breast cancer",
           "gaussian": "Gaussian", "upload": "Upload CSV"}
TABS = ["PCA", "Reconstruction", "Image compression", "Randomized SVD"]


def data_controls():
    """The data set and its shape controls; returns the Dataset and, for the Gaussian, its truth."""
    source = controls.selectbox("Data", "la_data", list(SOURCES), format_func=SOURCES.get)
    if source == "gaussian":
        dim = controls.radio("Dimensions", "la_dim", [2, 3])
        n = controls.slider("Points", "la_n", 10, 5000, 500, 10)
        stretch = controls.slider("Stretch σ₁/σ₂", "la_stretch", 1.0, 10.0, 3.0, 0.1)
        angle = controls.slider("Rotation θ (°)", "la_angle", -90, 90, 30)
        rho = controls.slider("Correlation of z with the major axis", "la_rho", -0.99, 0.99, 0.0, 0.01) \
            if dim == 3 else 0.0
        seed = controls.seed("la_seed")
        truth = {"angle": float(angle), "cov": data.gaussian_covariance(dim, stretch, angle, rho)}
        return data.gaussian_cloud(n, dim, stretch, angle, rho, seed), truth
    if source == "upload":
        uploaded = controls.csv_upload("CSV file", "la_upload")
        if uploaded is not None:
            return uploaded, None
    return data.load_dataset(source if source != "upload" else "digits"), None


def pca_view(ds, res, k, truth):
    kept = float(res.explained_variance_ratio[:k].sum())
    c1, c2, c3 = st.columns(3)
    c1.metric(f"Variance kept by {k} of {ds.shape[1]} axes", f"{kept:.1%}")
    c2.metric("Rank of the centred data", res.rank)
    c3.metric("Largest eigenvalue λ₁", f"{res.explained_variance[0]:.4g}")
    charts.show(*fig.scree(res, k), "scree plot")
    left, right = st.columns(2)
    with left:
        charts.show(*fig.projection(res.scores, ds.labels(), res.explained_variance_ratio), "projection")
    with right:
        if truth:
            charts.show(*fig.axes_over_cloud(ds.X, res, truth["angle"]), "principal axes", width="content")
        elif ds.image_shape:
            shown = min(8, len(res.components))
            imgs = [res.components[i].reshape(ds.image_shape) for i in range(shown)]
            names = [f"PC{i + 1}" + (" ✓" if i < k else "") for i in range(shown)]
            charts.show(*fig.image_grid(imgs, names, cell=64, symmetric=True, columns=4,
                                        title="Principal axes as images (✓ kept)"), "eigen-digits", width="content")
        else:
            charts.show(*fig.loadings(res, ds.feature_names, k), "loadings")
    layout.notice("The first axis points where the cloud is longest; each next one is the longest direction at "
                  "right angles to those before. The scree plot's bars are their eigenvalues as shares of the "
                  "total variance, λᵢ / Σλⱼ; the line adds them up. Eigenvalues are numbered from the largest: "
                  "λ₁ ≥ λ₂ ≥ … (PCA's convention; chapter 7's Laplacians count from the smallest).")
    if truth:
        est = res.covariance() * np.outer(res.scale, res.scale)
        names = ds.feature_names
        st.markdown("The true covariance Σ beside the sample covariance S, rebuilt from PCA's eigenpairs as "
                    + ("S = D (V Λ Vᵀ) D, where V Λ Vᵀ is the correlation matrix and D = diag(sⱼ) holds the "
                       "columns' standard deviations:" if np.any(res.scale != 1) else "S = V Λ Vᵀ:"))
        st.dataframe(pd.DataFrame(np.hstack([truth["cov"], est]), index=names,
                                  columns=[f"Σ {c}" for c in names] + [f"S {c}" for c in names]).style.format("{:.3f}"))


def reconstruction_view(ds, res, k):
    curve = res.reconstruction_error_curve()
    measured = linalg.relative_reconstruction_error(res, ds.X, k)
    c1, c2 = st.columns(2)
    c1.metric(f"Error with k = {k}, measured", f"{measured:.3%}",
              help="‖Z − Ẑₖ‖²_F / ‖Z‖²_F on the centred (and, if standardized, scaled) data Z")
    c2.metric("Discarded σ² over all σ² (Eckart–Young)", f"{curve[min(k, len(curve) - 1)]:.3%}")
    rows = ds.X[: min(8, ds.shape[0])]
    approx = linalg.reconstruct(res, rows, k)
    if ds.image_shape:
        imgs = [r.reshape(ds.image_shape) for r in rows] + [a.reshape(ds.image_shape) for a in approx]
        sets = ["original"] * len(rows) + [f"rank {k}"] * len(rows)
        charts.show(*fig.image_grid(imgs, [f"#{i}" for i in range(len(rows))] * 2, sets, cell=64,
                                    title=f"Digits rebuilt from {k} component{'s' if k > 1 else ''}"),
                    "digit reconstructions", width="content")
    else:
        shown = min(3, len(rows))
        st.markdown(f"The first rows of the data, and the same rows rebuilt from {k} components:")
        index = [f"row {i}" for i in range(shown)] + [f"row {i}, rank {k}" for i in range(shown)]
        table = pd.DataFrame(np.vstack([rows[:shown], approx[:shown]]), columns=ds.feature_names, index=index)
        # an upload's column names head the table, and its toolbar downloads it as CSV: no formulas
        st.dataframe(charts.spreadsheet_safe(table).style.format("{:.3g}"))
    charts.show(*fig.error_curve(curve, k, measured), "reconstruction error")
    layout.notice("The measured error of the rank-k reconstruction lands exactly on the curve of discarded "
                  "eigenvalues: no rank-k projection can do better (Eckart–Young).")


def compression_view(ctrl):
    with ctrl:
        photo = controls.selectbox("Photo", "la_photo", list(data.PHOTOS), format_func=str.capitalize)
    img = compute.call(data.load_photo, photo)
    factors, t_svd = compute.run(f"SVD of the {img.shape[0]}×{img.shape[1]} photo", linalg.svd, img)
    with ctrl:
        rank = controls.slider("Rank r", "la_rank", 1, len(factors.S), 20)
        st.caption(data.PHOTOS[photo][1])
    low = linalg.truncate(img, factors, rank)
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("Numbers stored", f"{low.storage_ratio:.1%}", help="r(m+n+1) / (m·n)")
    c2.metric("Relative error", f"{low.relative_error:.2%}", help="‖A − A_r‖_F / ‖A‖_F")
    # Plain-text labels: KaTeX in a narrow metric label breaks into a column of symbols when presenting
    c3.metric("‖A − Aᵣ‖²_F, measured", f"{low.squared_error:.6g}", help="The squared Frobenius norm of the error.")
    c4.metric("Σ σᵢ² for i > r, predicted", f"{low.discarded_energy:.6g}",
              help=f"Difference: {low.squared_error - low.discarded_energy:.2e} (rounding only).")
    layout.compute_line(t_svd)
    left, right = st.columns(2)
    left.image(img, caption=f"Original: {img.shape[0]}×{img.shape[1]} = {img.size:,} numbers", clamp=True)
    right.image(np.clip(low.approx, 0, 1), caption=f"Rank {rank}: {rank * (sum(img.shape) + 1):,} numbers")
    charts.show(*fig.spectrum(factors.S, rank), "singular values")
    layout.notice("A photo's singular values fall fast: a few dozen rank-one layers hold most of it. The squared "
                  "error is exactly the energy of the σ's you threw away.")


def race_view(ctrl):
    with ctrl:
        largest = controls.select_slider("Largest matrix (rows)", "la_size", [400, 800, 1200, 1600, 2000], 800)
        target = controls.slider("Target rank k", "la_target", 1, 100, 20)
        over = controls.slider("Oversampling p", "la_over", 0, 30, 10)
        niter = controls.slider("Power iterations q", "la_niter", 0, 4, 2)
        seed = controls.seed("la_rseed")
    sizes = sorted({int(s) for s in np.linspace(200, largest, 5)})
    # The exact SVDs depend only on the sizes and the seed: the rank and sketch sliders reuse them.
    with st.spinner("Timing the exact SVDs of five growing matrices…"):
        exact, t_exact = compute.run(f"Exact SVDs up to {largest}×{round(0.75 * largest)}", linalg.svd_race_exact,
                                     sizes, seed=seed)
    with st.spinner("Sketching the same matrices…"):
        race, t_race = compute.run("randomized SVDs (with the errors of both)", linalg.svd_race, sizes,
                                   rank=target, oversample=over, niter=niter, seed=seed, exact=exact)
    layout.compute_line(t_exact, t_race)
    times, errors, df = fig.race(race, charts.height(300))
    left, right = layout.side_by_side([1, 1])
    with left:
        charts.show(times, df, "svd race time")
    with right:
        charts.show(errors, df, "svd race error")
    speed = race.exact_seconds[-1] / max(race.randomized_seconds[-1], 1e-9)
    extra = race.randomized_error[-1] / max(race.optimal_error[-1], 1e-300) - 1
    layout.notice(f"At {race.sizes[-1][0]}×{race.sizes[-1][1]} the randomized SVD took {speed:.1f}× less time "
                  f"than the exact one, and its rank-{target} error is {extra:.2%} above the optimum. "
                  "(Both in float32, as on a GPU; the matrices' singular values fall roughly like e^(−i/10).)")


tabs, ctrl, main = layout.tabbed_page(2, TABS)
if tabs[0].open or tabs[1].open:
    with ctrl:
        ds, truth = data_controls()
        n, d = ds.shape
        standardize = controls.toggle("Standardize columns", "la_std", False,
                                      help="Divide each centred column by its sample standard deviation (n − 1): "
                                           "PCA of the correlation matrix instead of the covariance matrix; the "
                                           "eigenvalues then sum to the number of columns.")
        k = controls.slider("Components k", "la_k", 1, min(n, d), min(2, d, n), help="How many axes to keep.")
        st.caption(text.literal(ds.description, text.MESSAGE_LIMIT))  # an upload's: its file name
    with main, layout.guard("PCA"):
        # All components at once: a k move is then a cache hit, and k only slices the result.
        res, t_pca = compute.run(f"PCA (SVD of {n:,}×{d})", linalg.pca, ds.X, k=min(n, d), standardize=standardize)
        if k > res.rank:
            st.caption(f":orange[k = {k} exceeds the data's rank {res.rank}: the axes beyond it carry no variance "
                       "(their eigenvalues are 0).]")
        if standardize and res.constant_columns:
            st.caption(f":orange[{res.constant_columns} constant column(s) have no spread to divide by; they are "
                       "left unscaled and contribute nothing.]")
        layout.compute_line(t_pca)
        pca_view(ds, res, k, truth) if tabs[0].open else reconstruction_view(ds, res, k)
elif tabs[2].open:
    with main, layout.guard("Image compression"):
        compression_view(ctrl)
else:
    with main, layout.guard("The SVD race"):
        race_view(ctrl)

with main:
    layout.try_this([
        "Gaussian: set the stretch to 1. The cloud is round, every direction is as good as another, and the "
        "axes wander with the seed. Stretch it again and they lock on.",
        "3-D Gaussian: push the correlation to 0.99. The third eigenvalue collapses: the cloud is nearly a plane.",
        "Wine: toggle *Standardize*. Unscaled, proline (in the hundreds) swamps every other feature in PC1.",
        "Digits, Reconstruction: how many components until you can read every digit? Compare with the scree plot.",
        "Image compression: find the rank where the photo looks right. What fraction of the numbers is that?",
        "Randomized SVD: set power iterations to 0 and oversampling to 0, then raise each. Which buys more accuracy?",
    ])
    layout.math(r"""
**Covariance.** For data $X\in\mathbb{R}^{n\times d}$ with column means $\bar x$, centre $X_c = X-\mathbf 1\bar x^\top$;
the sample covariance is $C = \frac{1}{n-1}X_c^\top X_c$, symmetric and positive semi-definite.

**Eigendecomposition.** $C = V\Lambda V^\top$ with orthonormal eigenvectors $v_i$ (the principal axes) and
eigenvalues $\lambda_1\ge\dots\ge\lambda_d\ge 0$: $\lambda_i$ is the variance of the data along $v_i$, and the
share of variance explained by the first $k$ axes is $\sum_{i\le k}\lambda_i / \sum_i\lambda_i$.

**The SVD relation.** Write $X_c = U\Sigma V^\top$. Then $X_c^\top X_c = V\Sigma^2V^\top$, so the right singular
vectors are the principal axes and $\lambda_i = \sigma_i^2/(n-1)$. The scores (coordinates on the axes) are
$X_cV_k = U_k\Sigma_k$; the rank-$k$ reconstruction is $\hat X = \mathbf 1\bar x^\top + X_cV_kV_k^\top$.
This page computes PCA this way, with `torch.linalg.svd`, never forming $C$ (squaring the condition number).

**Standardizing** divides each centred column by its sample standard deviation $s_j$ (with the same $n-1$):
$C$ of the scaled columns is then the correlation matrix $R_{jl}=C_{jl}/(s_js_l)$, so the eigenvalues are $R$'s and
sum to $d$. (scikit-learn's `StandardScaler` divides by the $1/n$ deviation; its eigenvalues are $\frac{n}{n-1}$
times these.)

**Eckart–Young–Mirsky.** For any matrix $A$ with singular values $\sigma_i$, the truncated SVD
$A_r=\sum_{i\le r}\sigma_i u_i v_i^\top$ is the best rank-$r$ approximation, and
$\|A-A_r\|_F^2=\sum_{i>r}\sigma_i^2$. Storing $A_r$ takes $r(m+n+1)$ numbers instead of $mn$.

**Randomized SVD** (Halko, Martinsson & Tropp, 2011). Multiply $A$ by a random $n\times(k+p)$ Gaussian matrix,
orthonormalize the result to $Q$ (optionally after $q$ power iterations with $AA^\top$), and take the SVD of the
small matrix $Q^\top A$. With $p\ge2$ and $q=0$:
$\;\mathbb E\,\|A-QQ^\top A\|_F\le\sqrt{1+\tfrac{k}{p-1}}\,\big(\sum_{j>k}\sigma_j^2\big)^{1/2}$.

That bound is for $QQ^\top A$, of rank $k+p$. The race scores the rank-$k$ truncation
$\hat A_k=Q\,[Q^\top A]_k$ (the first $k$ singular triplets of the small SVD). Its error splits into two
orthogonal parts, $A-\hat A_k=(I-QQ^\top)A+Q\,(Q^\top A-[Q^\top A]_k)$, and $\sigma_j(Q^\top A)\le\sigma_j(A)$, so
$\;\|A-\hat A_k\|_2\le\sigma_{k+1}+\|(I-QQ^\top)A\|_2\;$ and
$\;\|A-\hat A_k\|_F^2\le\|(I-QQ^\top)A\|_F^2+\sum_{j>k}\sigma_j^2$; with $q=0$,
$\;\mathbb E\,\|A-\hat A_k\|_F\le\sqrt{2+\tfrac{k}{p-1}}\,\big(\sum_{j>k}\sigma_j^2\big)^{1/2}$. Power
iterations ($q>0$) sketch $(AA^\top)^qA$ instead, whose singular values $\sigma_j^{2q+1}$ fall faster, and the same
bounds tighten accordingly (Halko et al., §10.4).
""")
