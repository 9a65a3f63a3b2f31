"""Chapter 12's tabs in Python (ui/pyview.py). Importing PennyLane is a call of the page's that makes no number:
the scripts leave it out (core.quantum imports it when a circuit needs it)."""

from __future__ import annotations

from ui.pyview import View


def _view(names: dict[str, str], prints: str, values: tuple[str, ...] = ()) -> View:
    return View(names=names, prints=prints, values=values, skip=("load_pennylane",))


VIEWS: dict[tuple[str, str], View] = {
    ("qc", "One qubit"): _view(
        {"one_qubit": "r"},
        'print(f"⟨X⟩: {r.bloch[0]:.4f}")\n'
        'print(f"⟨Y⟩: {r.bloch[1]:.4f}")\n'
        'print(f"⟨Z⟩: {r.bloch[2]:.4f}")\n'
        'print(f"P(1), exact: {r.probs[1]:.4f}")\n'
        'print(f"Sampled frequency of 1: {r.counts[1] / r.counts.sum():.3f}")'),
    ("qc", "Two qubits"): _view(
        {"two_qubits": "r"},
        'import numpy as np\n'
        'print(f"Entropy of qubit 0: {r.entropy:.4f} bits")\n'
        'print(f"Length of qubit 0\'s Bloch vector: {np.linalg.norm(r.reduced_bloch):.4f}")\n'
        'print(f"⟨Z⊗Z⟩: {r.zz:.4f}")'),
    ("qc", "Classifier"): _view(
        {"train_classifier": "tr"},
        'print(f"Parameters: {tr.parameters} / {tr.baseline_parameters}")\n'
        'print("Test accuracy, circuit: " + (f"{tr.test_acc[-1]:.1%}" if len(tr.test_acc) else "—"))\n'
        'print("Test accuracy, MLP: " + (f"{tr.baseline_test_acc[-1]:.1%}" if len(tr.baseline_test_acc) else "—"))\n'
        'print("Final training loss: " + (f"{tr.loss[-1]:.4f}" if len(tr.loss) else "—"))'),
    # The table's times are this machine's; the gradients and the counts of executions are the same everywhere.
    ("qc", "Gradients"): _view(
        {"gradients": "g", "shift_sweep": "sweep"},
        'for row in g.rows:\n'
        '    print(f"{row.method}: {row.executions} circuit executions, "\n'
        '          f"max |g − g_backprop| {row.max_diff:.1e}, ∂C/∂w{gindex} {row.gradient[gindex]:.8f}")',
        ("qc_gindex",)),
    ("qc", "Barren plateaus"): _view(
        {"barren_plateau": "p"},
        'import math\n'
        'print(f"Global cost: variance ratio per added qubit: {math.exp(p.fit_global[1]):.3f}")\n'
        'print(f"Local cost: variance ratio per added qubit: {math.exp(p.fit_local[1]):.3f}")'),
    ("qc", "Re-uploading"): _view(
        {"train_reuploader": "r"},
        'import numpy as np\n'
        'y = np.r_[r.split.y_train, r.split.y_test]  # the points in the order the page numbers them\n'
        'print(f"Train accuracy: {r.train_acc:.1%}")\n'
        'print(f"Test accuracy: {r.test_acc:.1%}")\n'
        'print(f"Point #{rpoint} (class {y[rpoint]}): P(1): {(1 - r.paths[rpoint, -1, 2]) / 2:.3f}")',
        ("qc_rpoint",)),
}
