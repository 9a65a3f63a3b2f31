"""Chapter 6's tabs in Python (ui/pyview.py): each prints the tab's metrics with the page's own labels and
formats."""

from __future__ import annotations

from ui.pyview import View

_NUM = ('def num(v):\n'
        '    text = f"{v:.3f}"\n'
        '    return "0.000" if text == "-0.000" else text\n')

VIEWS: dict[tuple[str, str], View] = {
    ("it", "Entropy and codes"): View(
        names={"preset": "d", "distribution": "d", "huffman": "code", "entropy": "h", "text_code": "tc"},
        values=("it_unit",),
        prints='print(f"Entropy H(p): {h:.4f} {unit}")\n'
               'print(f"Huffman\'s average length: {code.average_length:.4f} bits")\n'
               'print(f"Kraft\'s sum: {code.kraft:.4g}")\n'
               'print(f"Symbols in use: {int((d.p > 0).sum())} of {len(d.p)}")\n'
               'if "tc" in globals():\n'
               '    print(f"Letters counted: {tc.letters:,}")\n'
               '    print(f"A fixed 5-bit code: {tc.letters * tc.fixed_bits:,} bits")\n'
               '    print(f"Huffman\'s code: {tc.huffman_total_bits:,} bits")\n'
               '    print(f"H(letter | the one before): {tc.bigram_conditional_entropy:.3f} bits")'),
    ("it", "Cross-entropy and KL"): View(
        names={"preset": ("zen", "manual", "zen"), "divergences": "d"},
        prints='import math\n'
               'def value(v):\n'
               '    return f"{v:.4f} {d.unit}" if math.isfinite(v) else "infinite"\n'
               'print(f"H(p): {value(d.entropy_p)}")\n'
               'print(f"H(p, q): {value(d.cross_entropy)}")\n'
               'print(f"KL(p‖q): {value(d.kl_pq)}")\n'
               'print(f"KL(q‖p): {value(d.kl_qp)}")\n'
               'print(f"Jensen–Shannon: {value(d.js)}")'),
    ("it", "Forward vs reverse KL"): View(
        names={"fit_kl": "f", "landscape": "land", "fit_kl_2d": "f"},
        prints=_NUM +
               'if hasattr(f, "q_forward"):  # on the line\n'
               '    print(f"Forward fit μ, σ: {num(f.forward.mu[-1])}, {f.forward.sd[-1]:.3f}")\n'
               '    for i, r in enumerate(f.reverse):\n'
               '        print(f"Reverse fit {i + 1} μ, σ: {num(r.mu[-1])}, {r.sd[-1]:.3f}")\n'
               'else:  # in the plane\n'
               '    print(f"Forward fit\'s mean: ({f.forward.mu[-1][0]:.2f}, {f.forward.mu[-1][1]:.2f})")\n'
               '    for i, r in enumerate(f.reverse):\n'
               '        print(f"Reverse fit {i + 1}\'s mean: ({r.mu[-1][0]:.2f}, {r.mu[-1][1]:.2f})")'),
    ("it", "Likelihood"): View(
        names={"train_softmax": "r"},
        prints='import math\n'
               'n = int(r.is_train.sum())\n'
               'print(f"Training cross-entropy: {r.train_cross_entropy_bits:.4f} bits")\n'
               'print(f"= −log-likelihood ÷ (n ln 2): {-r.log_likelihood / (n * math.log(2)):.4f} bits")\n'
               'print(f"Held-out cross-entropy: {r.test_cross_entropy_bits:.4f} bits")\n'
               'print(f"H(Y): {r.label_entropy_bits:.4f} bits")\n'
               'print(f"Held-out accuracy: {r.test_acc[-1]:.1%}")'),
    ("it", "Mutual information"): View(
        names={"mi_convergence": "c", "pixel_mi": "px"}, values=("it_unit",),
        prints='import math\n'
               'import numpy as np\n'
               'if "c" in globals():\n'
               '    exact = f"{c.exact.value:.4f} {unit}" if math.isfinite(c.exact.value) else "infinite"\n'
               '    print(f"Exact I(X; Y): {exact}")\n'
               '    print(f"Plug-in at n = {int(c.sizes[-1]):,}: {c.plugin[:, -1].mean():.4f} {unit}")\n'
               '    print(f"k-NN at n = {int(c.sizes[-1]):,}: {c.knn[:, -1].mean():.4f} {unit}")\n'
               '    print(f"Plug-in at n = {int(c.sizes[0])}: {c.plugin[:, 0].mean():.4f} {unit}")\n'
               'else:\n'
               '    best = np.unravel_index(int(np.argmax(px.plugin)), px.plugin.shape)\n'
               '    print(f"H(label): {px.label_entropy:.4f} {unit}")\n'
               '    print(f"Most informative pixel: row {best[0]}, column {best[1]}")\n'
               '    print(f"Constant pixels: {px.constant_pixels}")'),
    ("it", "Calibration"): View(
        names={"train_classifier": "clf", "calibrate": "c", "temper": "tm"}, values=("it_T", "it_row"),
        prints='print(f"Fitted temperature: {c.T:.3f}")\n'
               'print(f"Test ECE, scaled: {c.after.ece:.4f}")\n'
               'print(f"Test NLL, scaled: {c.after.nll:.4f}")\n'
               'print(f"Test accuracy: {tm.accuracy:.1%}")\n'
               'print(f"Entropy at T = {T:g}: {tm.entropy_bits:.3f} bits")'),
}
