"""Chapter 12, Quantum computing: a qubit on the Bloch sphere, entanglement, a variational classifier
trained live with PennyLane, gradients by parameter shift and backprop, barren plateaus, and data
re-uploading followed on the Bloch sphere. PennyLane is imported only when a tab needs it."""

import math

import numpy as np
import pandas as pd
import streamlit as st

from core import quantum as q
from ui import charts, compute, controls, layout, text
from ui.figures import quantum as fig

TABS = ["One qubit", "Two qubits", "Classifier", "Gradients", "Barren plateaus", "Re-uploading"]
PI = round(math.pi, 2)
SHOTS = [1, 10, 100, 1000, 10000]
RATES = [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0]


def view_controls() -> tuple[float, float]:
    with st.expander("Bloch sphere view", icon=":material/3d_rotation:"):
        az = controls.slider("Azimuth (degrees)", "qc_az", -180, 180, 35, 5)
        el = controls.slider("Elevation (degrees)", "qc_el", -60, 60, 20, 5)
    return az, el


def pennylane() -> None:
    """PennyLane's import, paid once per server process and timed apart from the computation."""
    with st.spinner("Loading PennyLane (once per server)…"):
        version, t = compute.run("import pennylane", q.load_pennylane, on="cpu")
    if t.seconds > 0.5:
        st.caption(f":material/timer: PennyLane {version} imported in {t.seconds:.1f} s (once per server).")


def amplitudes_latex(state: np.ndarray, basis: tuple[str, ...], lhs: str = r"|\psi\rangle") -> str:
    def c(z: complex) -> str:
        re, im = round(z.real, 3) + 0.0, round(z.imag, 3) + 0.0
        if im == 0:
            return f"{re:.3f}"
        return f"({re:.3f} {'+' if im >= 0 else '-'} {abs(im):.3f}i)" if re else f"{im:.3f}i"
    terms = [f"{c(z)}\\,|{b.strip('|⟩')}\\rangle" for z, b in zip(state, basis, strict=True) if abs(z) > 5e-4]
    return f"{lhs} = " + " + ".join(terms).replace("+ -", "- ")


def one_qubit_tab(ctrl, main):
    with ctrl:
        rx = controls.slider("RX angle θx (radians)", "qc_rx", -PI, PI, 0.5, 0.01)
        ry = controls.slider("RY angle θy (radians)", "qc_ry", -PI, PI, 1.0, 0.01)
        rz = controls.slider("RZ angle θz (radians)", "qc_rz", -PI, PI, 0.8, 0.01)
        shots = controls.select_slider("Shots (measurements in Z)", "qc_shots", SHOTS, 100)
        seed = controls.seed("qc_seed")
        az, el = view_controls()
    r, t = compute.run("one qubit (2×2 matrices)", q.one_qubit, rx, ry, rz, shots, seed, on="cpu")
    layout.compute_line(t)
    layout.formula(amplitudes_latex(r.state, ("|0⟩", "|1⟩"))
                   + r"\quad = RZ(\theta_z)\,RY(\theta_y)\,RX(\theta_x)|0\rangle")
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("⟨X⟩", f"{r.bloch[0]:.4f}")
    c2.metric("⟨Y⟩", f"{r.bloch[1]:.4f}")
    c3.metric("⟨Z⟩", f"{r.bloch[2]:.4f}", help="Equals cos θx · cos θy: RZ turns the state about the z axis and "
              "leaves ⟨Z⟩ alone.")
    c4.metric("P(1), exact", f"{r.probs[1]:.4f}", delta=f"{r.counts[1] / shots - r.probs[1]:+.3f} sampled",
              delta_color="off", help=f"The delta: the frequency of 1 in the {shots:,} shots minus the exact "
                                      "probability.")
    left, right = layout.side_by_side([1, 1])
    paths = [(g, r.path[r.path_gate == g]) for g in dict.fromkeys(r.path_gate)]
    with left:
        charts.show(*fig.bloch_sphere("The state on the Bloch sphere", az, el, [("the state", r.bloch, "state")],
                                      paths), "bloch sphere", width="content")
        st.caption("Each gate turns the state about its own axis: the coloured arcs show RX, then RY, then RZ "
                   "acting. Dashed: the far side of the sphere.")
    with right:
        charts.show(*fig.probability_bars(("0", "1"), r.probs, r.counts, "Measuring in Z",
                                          f"exact vs {shots:,} shot{'s' if shots > 1 else ''}"), "measurement")
        charts.show(*fig.running_estimate(r.outcomes, float(r.probs[1]), "The estimate settles"), "shots")
    layout.notice("The z coordinate is the measurement: P(0) = (1 + ⟨Z⟩)/2. RZ spins the state around the z axis, "
                  "so it changes the phase but never the probabilities; sampled frequencies wander within "
                  "about 1/√shots of the exact ones.")


def two_qubits_tab(ctrl, main):
    with ctrl:
        theta = controls.slider("Entangling angle θ (RY on qubit 0, then CNOT)", "qc_theta", 0.0, 6.28, 1.57, 0.01)
        phi = controls.slider("Local rotation φ (RY on qubit 1 afterwards)", "qc_phi", -PI, PI, 0.0, 0.01)
        shots = controls.select_slider("Shots", "qc_shots", SHOTS, 100)
        seed = controls.seed("qc_seed")
        az, el = view_controls()
    r, t = compute.run("two qubits (4×4 matrices)", q.two_qubits, theta, phi, shots, seed, on="cpu")
    layout.compute_line(t)
    layout.formula(amplitudes_latex(r.state, q.BASIS))
    c1, c2, c3 = st.columns(3)
    c1.metric("Entropy of qubit 0", f"{r.entropy:.4f} bits", help="Von Neumann entropy of the reduced state: "
              "0 for a product state, 1 bit for a Bell state.")
    c2.metric("Length of qubit 0's Bloch vector", f"{np.linalg.norm(r.reduced_bloch):.4f}",
              help="1: a pure state; 0: maximally mixed (qubit 0 alone carries no information).")
    c3.metric("⟨Z⊗Z⟩", f"{r.zz:.4f}", help="+1: the two measurements always agree; −1: always differ.")
    left, right = layout.side_by_side([1, 1])
    with left:
        charts.show(*fig.probability_bars(q.BASIS, r.probs, r.counts, "Measuring both qubits",
                                          f"exact vs {shots:,} shot{'s' if shots > 1 else ''}"),
                    "two qubit measurement")
        charts.show(*fig.entropy_curve(r.curve_theta, r.curve_entropy, theta, r.entropy), "entropy")
    with right:
        charts.show(*fig.bloch_sphere("Qubit 0 alone (reduced state)", az, el,
                                      [("qubit 0's reduced state", r.reduced_bloch, "state")]),
                    "reduced bloch", width="content")
        st.caption("An entangled qubit on its own is in a mixed state: its Bloch vector shrinks inside the sphere, "
                   "to the centre for a Bell state (θ = π/2 ≈ 1.57).")
    layout.notice("φ acts on qubit 1 alone: it changes the outcome probabilities but not the entropy. No local "
                  "operation can create or destroy entanglement; only the CNOT after RY(θ) does.")


def classifier_tab(ctrl, main):
    with ctrl:
        data = controls.selectbox("Data set", "qc_data", list(q.DATASETS), format_func=q.DATASETS.get)
        enc = controls.selectbox("Encoding", "qc_enc", list(q.ENCODINGS), format_func=q.ENCODINGS.get,
                                 help="Angle: RY(π·x₁) on qubits 0, 2, 4, … and RY(π·x₂) on qubits 1, 3, … (qubit q "
                                      "gets x of index q mod 2), before the first layer. Re-upload: the same before "
                                      "every layer. Amplitude: (x₁, x₂, 1), normalized, as the state's amplitudes.")
        ansatz = controls.radio("Ansatz", "qc_ansatz", list(q.ANSATZE), format_func=q.ANSATZE.get, horizontal=False)
        qubits = controls.slider("Qubits", "qc_qubits", 1, 8, 4)
        layers = controls.slider("Layers L", "qc_layers", 1, 8, 3)
        lr = controls.select_slider("Learning rate (Adam)", "qc_lr", RATES, 0.1, format_func=lambda v: f"{v:g}")
        epochs = controls.slider("Epochs", "qc_epochs", 5, 150, 30, 5)
        points = 100 if data == "iris" else controls.slider("Points", "qc_points", 50, 400, 200, 50)
        seed = controls.seed("qc_seed")
    pennylane()
    tr, t = compute.run_with_progress(f"training a {qubits}-qubit, {layers}-layer circuit", q.train_classifier,
                                      data, enc, ansatz, qubits, layers, lr, epochs, points, seed,
                                      on=None if qubits >= q.GPU_FROM_QUBITS else "cpu")
    layout.compute_line(t)
    st.caption(f"Ran on {tr.simulator}; the training points go through the circuit as one broadcast batch per "
               f"step (below {q.GPU_FROM_QUBITS} qubits always on the CPU, where a GPU's kernel launches cost more "
               f"than the gates). {tr.split.description}.")
    text.notes(st, tr.notes)
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("Parameters", f"{tr.parameters} / {tr.baseline_parameters}",
              help=f"Circuit / MLP. Circuit: {tr.parameters - 2} angles + 2 classical (a·⟨Z₀⟩ + b). Baseline MLP: a "
                   f"2 → {tr.baseline_hidden} → 1 tanh network, {tr.baseline_parameters} parameters.")
    c2.metric("Test accuracy, circuit", f"{tr.test_acc[-1]:.1%}" if len(tr.test_acc) else "—")
    c3.metric("Test accuracy, MLP", f"{tr.baseline_test_acc[-1]:.1%}" if len(tr.baseline_test_acc) else "—")
    c4.metric("Final training loss", f"{tr.loss[-1]:.4f}" if len(tr.loss) else "—")
    with ctrl:
        pct = controls.slider("Show training at (% of the epochs)", "qc_snap", 0, 100, 100, 10,
                              help="The decision map is recorded every tenth of the training; replay it here.")
    target = round(pct / 100 * tr.epochs_run)
    i = int(np.searchsorted(tr.snap_epochs, target, side="right") - 1)
    left, right = layout.side_by_side([1, 1])
    with left:
        charts.show(*fig.decision_map(tr.grid, tr.snaps[i], tr.split, f"Circuit after {tr.snap_epochs[i]} epochs"),
                    "decision map", width="content")
    with right:
        charts.show(*fig.decision_map(tr.grid, tr.baseline_map, tr.split,
                                      f"Classical MLP after {len(tr.baseline_loss)} epochs"), "baseline map",
                    width="content")
    charts.show(*fig.training_curves(tr, int(tr.snap_epochs[i])), "training curves", width="content")
    with st.expander(f"The circuit (qml.draw): {tr.parameters - 2} angles"):
        st.code(tr.drawing, language=None)
    layout.notice("With angle encoding the circuit sees x only through rotation angles RY(πx), so its output is a "
                  "sum of sines and cosines of πx with frequencies up to the number of gates that encode each "
                  "feature: re-uploading x before every layer adds higher frequencies, as more layers of a network "
                  "add more bends. (Amplitude encoding differs: the output is a ratio of quadratic forms in x.)")


def gradients_tab(ctrl, main):
    with ctrl:
        qubits = controls.slider("Qubits", "qc_gqubits", 1, 8, 4)
        layers = controls.slider("Layers", "qc_glayers", 1, 5, 2)
        h = controls.select_slider("Finite-difference step h", "qc_h", [1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7],
                                   1e-4, format_func=lambda v: f"{v:.0e}")
        n_params = layers * qubits * 3
        index = controls.slider("Parameter to sweep", "qc_gindex", 0, n_params - 1, 0)
        seed = controls.seed("qc_seed")
    pennylane()
    with st.spinner("Differentiating the circuit five ways…"):
        g, t = compute.run(f"gradients of {n_params} parameters, 5 methods", q.gradients, qubits, layers, seed, h,
                           3 if n_params <= 36 else 1, on="cpu")
        sweep, t2 = compute.run(f"sweep of w{index}", q.shift_sweep, qubits, layers, seed, index, on="cpu")
    layout.compute_line(t, t2)
    left, right = layout.side_by_side([1.3, 1])
    with left:
        charts.show(*fig.shift_chart(sweep), "parameter shift")
    with right:
        charts.show(*fig.method_costs(g.rows), "gradient cost")
    table = pd.DataFrame({"method": [r.method for r in g.rows], "simulator": [r.simulator for r in g.rows],
                          "circuit executions": [r.executions for r in g.rows],
                          "time (ms)": [r.seconds * 1e3 for r in g.rows],
                          "max |g − g_backprop|": [r.max_diff for r in g.rows],
                          f"∂C/∂w{index}": [r.gradient[index] for r in g.rows]})
    st.dataframe(table, hide_index=True, column_config={
        "time (ms)": st.column_config.NumberColumn(format="%.1f"),
        "max |g − g_backprop|": st.column_config.NumberColumn(format="%.1e"),
        f"∂C/∂w{index}": st.column_config.NumberColumn(format="%.8f")})
    zero = int((np.abs(g.rows[0].gradient) < 1e-12).sum())
    per = 3 * qubits
    shifted = (g.rows[1].executions - 1) // 2
    st.caption(f"C = ⟨Z₀⟩ of the classifier's circuit (angle encoding of x = {q.GRAD_X}, {layers} strongly entangling "
               f"layer(s), random angles from the seed): {g.parameters} parameters, {zero} of whose derivatives are "
               f"exactly 0. Parameter shift runs the forward circuit and two shifted ones per parameter, skipping "
               f"those PennyLane can tell cannot reach Z₀: {shifted} of {g.parameters} shifted here. "
               + " ".join(f"{r.method}: {r.how}." for r in g.rows[1:]) + " Times: median of the runs on this CPU. "
               f"Parameters are numbered layer by layer, qubit by qubit, then the angles φ, θ, ω of each Rot: w_k "
               f"belongs to layer ⌊k/{per}⌋, qubit ⌊(k mod {per})/3⌋ and angle k mod 3 (counting from 0).")
    layout.notice("Parameter shift is exact, not an approximation: the cost along one angle is a sinusoid, and two "
                  "evaluations a quarter-period away give its slope. It is what real hardware can do; backprop and "
                  "adjoint need the simulated state, but cost about one circuit whatever the parameter count.")


def plateau_tab(ctrl, main):
    with ctrl:
        top = controls.slider("Up to qubits", "qc_bmax", 3, 10, 8)
        samples = controls.select_slider("Random circuits per qubit count", "qc_bsamples", [50, 100, 200, 500, 1000],
                                         200)
        layers = controls.slider("Layers", "qc_blayers", 1, 10, 1)
        seed = controls.seed("qc_seed")
    pennylane()
    p, t = compute.run_with_progress(f"{samples} random circuits × {top - 1} sizes", q.barren_plateau, top, samples,
                                     layers, seed, on="cpu")
    layout.compute_line(t)
    text.notes(st, p.notes)
    c1, c2 = st.columns(2)
    c1.metric("Global cost: variance ratio per added qubit", f"{math.exp(p.fit_global[1]):.3f}",
              help="e^b of the fit log Var = a + b·n: each added qubit multiplies the variance by about this. One "
                   "layer: exactly 3/8 = 0.375.")
    c2.metric("Local cost: variance ratio per added qubit", f"{math.exp(p.fit_local[1]):.3f}",
              help="The same fit for the local cost. For one layer its variance falls like 1/n², not exponentially: "
                   "the true ratio n²/(n + 1)² creeps towards 1, and a single fitted ratio only summarizes it.")
    closed = q.plateau_closed_form(p.qubits) if layers == 1 else None
    charts.show(*fig.plateau_chart(p, closed), "barren plateau")
    st.caption("Ansatz: layers of RY(θ) on every qubit followed by a chain of CZ; θ uniform in [0, 2π). "
               "∂C/∂θ₁ (first layer, qubit 0) by the parameter-shift rule with exact expectations (PennyLane "
               "default.qubit, the random circuits broadcast). Global cost C = 1 − P(0…0); local cost "
               "C = 1 − (1/n) Σⱼ P(qubit j = 0).")
    layout.notice("With the global cost, the gradient of a random circuit is exponentially small in the number of "
                  "qubits: a training run starting there sees a flat landscape. The local cost, which asks each "
                  "qubit separately, keeps its gradients while the circuit is shallow.")


def reupload_tab(ctrl, main):
    with ctrl:
        data = controls.selectbox("Data set", "qc_rdata", ["circles", "moons", "xor", "iris"],
                                  format_func=q.DATASETS.get)
        layers = controls.slider("Layers (uploads of x)", "qc_rlayers", 1, 6, 3)
        seed = controls.seed("qc_seed")
    with st.spinner("Training the one-qubit classifier…"):
        r, t = compute.run(f"one-qubit re-uploading classifier, {layers} layers", q.train_reuploader, data, layers,
                           seed=seed, on="cpu")
    with ctrl:
        point = controls.slider("Follow data point #", "qc_rpoint", 0, len(r.paths) - 1, 0)
        az, el = view_controls()
    layout.compute_line(t)
    X = np.vstack([r.split.X_train, r.split.X_test])
    y = np.r_[r.split.y_train, r.split.y_test]
    c1, c2, c3 = st.columns(3)
    c1.metric("Train accuracy", f"{r.train_acc:.1%}")
    c2.metric("Test accuracy", f"{r.test_acc:.1%}")
    c3.metric(f"Point #{point} (class {y[point]}): P(1)", f"{(1 - r.paths[point, -1, 2]) / 2:.3f}")
    left, right = layout.side_by_side([1, 1])
    with left:
        steps = [("after each layer", r.paths[point, k], "step") for k in range(1, layers)]
        charts.show(*fig.bloch_sphere(f"Point #{point}, layer by layer", az, el,
                                      [*steps, ("final state", r.paths[point, -1], "state")],
                                      [("its path through the gates", r.arcs[point])], cloud=(r.paths[:, -1], y),
                                      palette=("#333333", "#009E73", "#CC79A7")), "reuploading path",
                    width="content")
        st.caption("Faint dots: every point's final state, by class. Measuring |1⟩ means class 1: training "
                   "pushes class 0 towards the north pole and class 1 towards the south.")
    with right:
        charts.show(*fig.decision_map(r.grid, r.grid_p, r.split, "P(measuring 1) over the plane", chosen=X[point]),
                    "reuploading map", width="content")
    layout.notice("One qubit, one measurement, yet a curved boundary: each layer rotates the state by angles that "
                  "depend on x again, so the final state is a nested trigonometric function of x — more layers, "
                  "more frequencies (a Fourier series, Schuld et al. 2021).")


tabs, ctrl, main = layout.tabbed_page(12, TABS)
for name, tab, draw in zip(TABS, tabs, (one_qubit_tab, two_qubits_tab, classifier_tab, gradients_tab, plateau_tab,
                                        reupload_tab), strict=True):
    if tab.open:  # only the open tab computes
        with main, layout.guard(name):
            draw(ctrl, main)

with main:
    layout.try_this([
        "One qubit: set θx = θy = 0 and move θz. Nothing measurable changes: |0⟩ is on the z axis. Now set θy = 1.57 "
        "and move θz again.",
        "One qubit: 1 shot, then 10, then 10,000. How far from the exact P(1) is each?",
        "Two qubits: θ = 1.57 is a Bell state; the reduced Bloch vector vanishes. Move φ: the bars change, the "
        "entropy does not.",
        "Classifier on circles: angle encoding with 1 layer, then data re-uploading with 3. Compare the boundaries.",
        "Classifier: raise the learning rate to 3. Does the loss still fall?",
        "Gradients: finite-difference step h = 1e-1, then 1e-7. Parameter shift needs no step at all.",
        "Barren plateaus: 1 layer matches the closed forms; now 6 layers: the local cost's variance falls below "
        "1/(8n²) too, to about half of it at 8 qubits. Depth flattens the local cost as well.",
        "Re-uploading on circles: 1 layer cannot separate the rings; 3 layers can. Why: with one layer x₁ enters only "
        "through the first RZ, which acts on |0⟩ as a phase, so P(1) depends on x₂ alone (look at the map's "
        "stripes). Follow a point near the boundary with 3.",
    ])
    layout.math_file(__file__)
