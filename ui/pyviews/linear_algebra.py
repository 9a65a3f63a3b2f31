"""Chapter 2's tabs in Python (ui/pyview.py)."""

from __future__ import annotations

from typing import Any

from ui.pyview import Source, View

UPLOAD_NOTE = ("Your upload is not part of this script (it stays in your browser session): the script loads the "
               "bundled digits instead, so its numbers are the digits', not your file's.")


def _sources(v: dict[str, Any]) -> tuple[list[Source], str]:
    key = v.get("la_data", "digits")
    if key == "gaussian":
        args = (v["la_n"], v["la_dim"], v["la_stretch"], v["la_angle"], v.get("la_rho", 0.0), v["la_seed"])
        return [Source("ds", "core.data", "gaussian_cloud", args)], ""
    if key == "upload":
        return [Source("ds", "core.data", "load_dataset", ("digits",))], UPLOAD_NOTE
    return [Source("ds", "core.data", "load_dataset", (key,))], ""


VIEWS: dict[tuple[str, str], View] = {
    ("la", "PCA"): View(
        names={"pca": "pca"}, values=("la_k",), sources=_sources, upload_fallback="ds.X",
        prints='kept = float(pca.explained_variance_ratio[:k].sum())\n'
               'print(f"Variance kept by {k} of {ds.shape[1]} axes: {kept:.1%}")\n'
               'print(f"Rank of the centred data: {pca.rank}")\n'
               'print(f"Largest eigenvalue λ₁: {pca.explained_variance[0]:.4g}")'),
    ("la", "Reconstruction"): View(
        names={"pca": "pca"}, values=("la_k",), sources=_sources, upload_fallback="ds.X",
        prints='curve = pca.reconstruction_error_curve()\n'
               'print(f"Error with k = {k}, measured: {linalg.relative_reconstruction_error(pca, ds.X, k):.3%}")\n'
               'print(f"Discarded σ² over all σ² (Eckart–Young): {curve[min(k, len(curve) - 1)]:.3%}")'),
    ("la", "Image compression"): View(
        names={"load_photo": "img", "svd": "factors"}, values=("la_rank",),
        prints='low = linalg.truncate(img, factors, rank)\n'
               'print(f"Numbers stored: {low.storage_ratio:.1%}")\n'
               'print(f"Relative error: {low.relative_error:.2%}")\n'
               'print(f"‖A − Aᵣ‖²_F, measured: {low.squared_error:.6g}")\n'
               'print(f"Σ σᵢ² for i > r, predicted: {low.discarded_energy:.6g}")'),
    # The race's times are this machine's; its errors are the same everywhere (a seeded sketch).
    ("la", "Randomized SVD"): View(
        names={"svd_race_exact": "exact", "svd_race": "race"},
        prints='for (m, n), best, got in zip(race.sizes, race.optimal_error, race.randomized_error):\n'
               '    print(f"Rank-{race.rank} error at {m}×{n}, exact SVD (the optimum): {best:.4g}")\n'
               '    print(f"Rank-{race.rank} error at {m}×{n}, randomized SVD: {got:.4g}")\n'
               'extra = race.randomized_error[-1] / max(race.optimal_error[-1], 1e-300) - 1\n'
               'print(f"Randomized error above the optimum at {m}×{n}: {extra:.2%}")\n'
               'print(f"Speed-up at {m}×{n} (on this machine): {race.exact_seconds[-1] / '
               'max(race.randomized_seconds[-1], 1e-9):.1f}×")'),
}
