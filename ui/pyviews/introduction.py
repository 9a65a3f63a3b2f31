"""Chapter 1's tabs in Python (ui/pyview.py): each prints the tab's metrics with the page's own labels and
formats."""

from __future__ import annotations

from typing import Any

from ui.pyview import Source, View


def _sources(v: dict[str, Any]) -> tuple[list[Source], str]:
    from core import clustering

    key = v.get("in_data", "iris")
    if key in clustering.SHAPES:
        return [Source("ds", "core.clustering", "shape", (key, v.get("in_n", 300), v.get("in_seed", 0)))], ""
    if key == "upload":
        return [Source("ds", "core.data", "load_dataset", ("digits",))], \
            "Your upload is not part of this script (it stays in your browser session): the script loads the " \
            "bundled digits instead, so its numbers are the digits', not your file's."
    return [Source("ds", "core.data", "load_dataset", (key,))], ""


_FIG_1_1 = {"prepare": "prep", "pca": "pca", "kmeans": "km", "pairwise": "pw", "scaling_effect": "eff",
            "restarts": "rs", "sweep_k": "sweep"}

VIEWS: dict[tuple[str, str], View] = {
    ("in", "Distances"): View(
        names=_FIG_1_1, sources=_sources, upload_fallback="ds.X",
        prints='import numpy as np\n'
               'finite = pw.cosine[np.isfinite(pw.cosine)]\n'
               'print(f"Points: {len(prep.X):,}")\n'
               'print(f"Largest distance: {pw.euclidean.max():.4g}")\n'
               'print("Cosine range: " + (f"{finite.min():.3f} to {finite.max():.3f}" if finite.size else '
               '"undefined"))\n'
               'print(f"Scaling each sample changes the Euclidean distances by up to {eff.euclidean_change:.0%} '
               'of the largest, the cosines by at most {eff.cosine_change:.1e}")'),
    ("in", "k-means"): View(
        names=_FIG_1_1, sources=_sources, upload_fallback="ds.X",
        prints='import numpy as np\n'
               'sil = clustering.silhouette(prep.X, km.final_labels, seed)\n'
               'print(f"Steps to converge: {km.steps}" + ("" if km.converged else "+"))\n'
               'print(f"Inertia: {km.inertia:.6g}")\n'
               'print(f"Best of the restarts: {rs.inertia.min():.6g}")\n'
               'print("ARI with the classes: " + (f"{clustering.ari(ds.y, km.final_labels):.3f}" if ds.y is not '
               'None else "no classes"))\n'
               'print("Silhouette: " + (f"{sil:.3f}" if np.isfinite(sil) else "undefined"))',
        values=("in_seed",)),
    ("in", "Network"): View(
        names={"train_mlp": "res"}, values=("in_epoch", "in_layer", "in_unit", "in_sample"),
        prints='e = int(res.snapshot_epochs[res.snapshot(globals().get("epoch", res.epochs_run))])\n'
               'print(f"Train accuracy, epoch {e}: {res.train_acc[e]:.1%}")\n'
               'print(f"Test accuracy: {res.test_acc[e]:.1%}")\n'
               'print(f"Train loss: {res.train_loss[e]:.4f}")\n'
               'print(f"Test loss: {res.test_loss[e]:.4f}")\n'
               'nr = networks.neuron(res, layer, globals().get("unit", 0), sample, res.snapshot(e))\n'
               'print(f"Microscope: z = w·x + b = {nr.z:.4f}, σ(z) = {nr.a:.4f}")'),
    ("in", "Vanishing gradients"): View(
        names={"vanishing_gradients": "van"}, values=("in_vstep",),
        prints='for a, act in enumerate(van.activations):\n'
               '    ratio = van.grad_norm[a, vstep, 0] / van.grad_norm[a, vstep, -1]\n'
               '    print(f"{act}: first ÷ last layer: " + (f"{ratio:.2e}" if ratio == ratio else "undefined (0/0)"))'),
    ("in", "Bias–variance"): View(
        names={"bias_variance": "bv", "l1_vs_l2": "pen"}, values=("in_degree",),
        prints='i = degree\n'
               'print(f"Bias²: {bv.bias2[i]:.4f}")\n'
               'print(f"Variance: {bv.variance[i]:.4f}")\n'
               'print(f"Noise σ²: {bv.noise[i]:.4f}")\n'
               'print(f"Sum: {bv.bias2[i] + bv.variance[i] + bv.noise[i]:.4f}")\n'
               'print(f"Measured test error: {bv.expected_error[i]:.4f}")\n'
               'print(f"Weights exactly 0, none / L1 / L2: {pen.zeros[0]} / {pen.zeros[1]} / {pen.zeros[2]}")'),
}
