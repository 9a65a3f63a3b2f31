"""Chapter 6, Information theory: entropy and Huffman codes (presets, English letters of texts that ship with
Python), cross-entropy as entropy plus KL, a Gaussian fitted to a mixture under KL(p‖q), KL(q‖p) and the
α-divergence, cross-entropy as the likelihood of softmax regression, mutual-information estimators against the
Gaussian's closed form, and softmax temperature with temperature scaling."""

import math

import numpy as np
import streamlit as st

from core.information import calibration as cal
from core.information import discrete as dis
from core.information import kl_fit as klf
from core.information import kl_fit_2d as k2
from core.information import likelihood as lik
from core.information import mutual as mi
from ui import charts, compute, controls, layout, text
from ui.figures import information as fig

TABS = ["Entropy and codes", "Cross-entropy and KL", "Forward vs reverse KL", "Likelihood",
        "Mutual information", "Calibration"]
SOURCES = {"fair_die": "A fair die", "loaded_die": "A loaded die", "dyadic": "Powers of ½",
           "english_zen": "English letters: the Zen of Python",
           "english_reference": "English letters: Python's reference manual", "custom": "Your own (sliders)"}
CUSTOM = [0.4, 0.3, 0.2, 0.1, 0.05, 0.05, 0.05, 0.05]
TEXT_OF = {"english_zen": "zen", "english_reference": "python_reference"}  # a preset's text (dis.TEXTS)
UNITS = {"bits": "bits (log₂)", "nats": "nats (ln)"}
DICE = [str(i) for i in range(1, 7)]
DIRECTIONS = {"reverse": "KL(q‖p), reverse", "forward": "KL(p‖q), forward", "alpha": "the α-divergence"}
TEMPERATURES = [0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0]


def unit_control() -> str:
    return controls.radio("Units", "it_unit", list(UNITS), format_func=UNITS.get, horizontal=True)


def _value(v: float, unit: str = "") -> str:
    return f"{v:.4f}{' ' + unit if unit else ''}" if math.isfinite(v) else "infinite"


def entropy_tab(ctrl):
    with ctrl:
        source = controls.selectbox("Distribution", "it_src", list(SOURCES), 1, format_func=SOURCES.get)
        if source == "custom":
            k = controls.slider("Symbols", "it_k", 1, 8, 4)
            weights = [controls.slider(f"Weight of {chr(65 + i)}", f"it_w{i + 1}", 0.0, 1.0, CUSTOM[i], 0.05)
                       for i in range(k)]
        unit = unit_control()
    if source == "custom":
        if sum(weights) <= 0:
            text.note(st, "Every weight is 0: there is no distribution. Using A 0.4, B 0.3, C 0.2, D 0.1 instead.")
            weights = CUSTOM[:4]
        d = compute.call(dis.distribution, weights, [chr(65 + i) for i in range(len(weights))])
    else:
        d = compute.call(dis.preset, source)
    st.caption(dis.PRESETS.get(source, "Weights from the sliders, normalised to sum to 1."))
    if d.note:
        text.note(st, d.note)
    code, t = compute.run(f"Huffman code for {len(d.p)} symbols", dis.huffman, d.p, d.symbols, on="cpu")
    h, _ = compute.run("entropy", dis.entropy, d.p, unit, on="cpu")
    layout.compute_line(t)
    layout.metrics(("Entropy H(p)", _value(h, unit), "−Σ p log p: the average surprise"),
                   ("Huffman's average length", f"{code.average_length:.4f} bits", "Σ p ℓ; H ≤ L < H + 1 in bits"),
                   ("Kraft's sum", f"{code.kraft:.4g}", "Σ 2^−ℓ ≤ 1 for any prefix code; 1 for Huffman's"),
                   ("Symbols in use", f"{int((d.p > 0).sum())} of {len(d.p)}", "zero-probability symbols get no "
                                                                              "codeword"))
    if code.note:
        text.note(st, code.note)
    charts.show(*fig.code_chart(code), "code lengths")
    if source in TEXT_OF:
        tc, t2 = compute.run("letter and letter-pair counts", dis.text_code, TEXT_OF[source], on="cpu")
        layout.metrics(("Letters counted", f"{tc.letters:,}", tc.description),
                       ("A fixed 5-bit code", f"{tc.letters * tc.fixed_bits:,} bits", "⌈log₂ 26⌉ = 5 bits a letter"),
                       ("Huffman's code", f"{tc.huffman_total_bits:,} bits",
                        f"{1 - tc.huffman_total_bits / (tc.letters * tc.fixed_bits):.1%} fewer"),
                       ("H(letter | the one before)", f"{tc.bigram_conditional_entropy:.3f} bits",
                        "from adjacent pairs within words: context lowers the entropy"))
        layout.compute_line(t2)
    st.dataframe(fig.code_table(code), hide_index=True)
    layout.formula(r"H(p)=-\sum_x p(x)\log p(x),\qquad H(p)\le L=\sum_x p(x)\,\ell(x)<H(p)+1")
    layout.notice(fig.code_notice(code, unit, h))


def kl_tab(ctrl):
    with ctrl:
        pair = controls.radio("Compare", "it_pair", ["dice", "letters"], format_func={
            "dice": "two dice (weights from the sliders)", "letters": "letters of two texts"}.get, horizontal=False)
        if pair == "dice":
            st.caption("p: the die's true weights")
            p = [controls.slider(f"p: face {f}", f"it_p{f}", 0.0, 10.0, 5.0 if f == "6" else 1.0, 0.5) for f in DICE]
            st.caption("q: the model's weights")
            q = [controls.slider(f"q: face {f}", f"it_q{f}", 0.0, 10.0, 1.0, 0.5) for f in DICE]
        unit = unit_control()
    if pair == "dice":
        for name, w in (("p", p), ("q", q)):
            if sum(w) <= 0:
                text.note(st, f"Every weight of {name} is 0: using a fair die for it instead.")
                w[:] = [1.0] * 6
        symbols = DICE
        about = "Weights are normalised to sum to 1. Set a face of q to 0 while p keeps it possible."
    else:
        p = compute.call(dis.preset, "english_zen").p
        q = compute.call(dis.preset, "english_reference").p
        symbols = list(compute.call(dis.preset, "english_zen").symbols)
        about = ("p: letter frequencies in the Zen of Python; q: in Python's reference manual. H(p, q): the bits per "
                 "letter of the Zen written with a code built for the manual.")
    d, t = compute.run("entropies and divergences", dis.divergences, p, q, symbols, unit, on="cpu")
    layout.compute_line(t)
    layout.metrics(("H(p)", _value(d.entropy_p, unit)), ("H(p, q)", _value(d.cross_entropy, unit), "cross-entropy"),
                   ("KL(p‖q)", _value(d.kl_pq, unit), "H(p, q) − H(p)"), ("KL(q‖p)", _value(d.kl_qp, unit),
                                                                         "the other way round"),
                   ("Jensen–Shannon", _value(d.js, unit), "symmetric, finite"))
    text.notes(st, [n for n in d.notes if not n.startswith(("p:", "q:"))])
    left, right = layout.side_by_side([1, 1])
    with left:
        charts.show(*fig.pq_chart(d), "p and q")
    with right:
        charts.show(*fig.terms_chart(d), "kl terms")
    st.caption(about)
    if math.isfinite(d.cross_entropy):
        charts.show(*fig.stack_chart(d), "cross-entropy")
    layout.formula(r"H(p,q)=-\sum_x p(x)\log q(x)=H(p)+\mathrm{KL}(p\,\|\,q),\qquad "
                   r"\mathrm{KL}(p\,\|\,q)=\sum_x p(x)\log\frac{p(x)}{q(x)}\ge 0")
    layout.notice(fig.divergence_notice(d))


def fits_tab(ctrl):
    with ctrl:
        dim = controls.radio("Target", "it_dim", ["1d", "2d"], format_func={
            "1d": "a mixture on the line", "2d": "a mixture in the plane"}.get, horizontal=True)
        w = controls.slider("Weight of the left component", "it_w", 0.0, 1.0, 0.5, 0.05)
        if dim == "1d":
            sep = controls.slider("Distance between the modes", "it_sep", 0.5, 8.0, 4.0, 0.5)
            sd = controls.slider("Each component's σ", "it_sd", 0.2, 2.0, 0.6, 0.1)
            alpha = controls.select_slider("α of the α-divergence (1: forward, 0: reverse)", "it_alpha",
                                           [0.1, 0.25, 0.5, 0.75, 0.9], 0.5)
            direction = controls.radio("Landscape", "it_land", list(DIRECTIONS), format_func=DIRECTIONS.get,
                                       horizontal=False)
    if dim == "2d":
        f2, t = compute.run_with_progress("forward and reverse fits in the plane, 300 steps each", k2.fit_kl_2d,
                                          weights=(w, 1 - w), on="cpu")
        layout.compute_line(t)
        layout.metrics(("Forward fit's mean", f"({f2.forward.mu[-1][0]:.2f}, {f2.forward.mu[-1][1]:.2f})",
                        f"the mixture's mean ({f2.mixture.mean[0]:.2f}, {f2.mixture.mean[1]:.2f})"),
                       *[(f"Reverse fit {i + 1}'s mean", f"({r.mu[-1][0]:.2f}, {r.mu[-1][1]:.2f})",
                          f"nearest component {r.nearest_component + 1}") for i, r in enumerate(f2.reverse)])
        charts.show(*fig.fits_2d_chart(f2), "fits in the plane", width="content")
        layout.notice("In the plane too the forward fit matches the mixture's mean and covariance, an ellipse over "
                      "both modes, while each reverse fit shrinks onto one mode and takes its shape.")
        return
    means, sds, weights = (-sep / 2, sep / 2), (sd, sd), (w, 1 - w)
    f, t = compute.run_with_progress("forward, reverse and α fits, 300 Adam steps each", klf.fit_kl, means, sds,
                                     weights, None, alpha, on="cpu")
    land, t2 = compute.run(f"{direction} divergence on a 60 × 60 grid", klf.landscape, means, sds, weights, direction,
                           alpha, on="cpu")
    layout.compute_line(t, t2)
    if f.mixture.note:
        text.note(st, f.mixture.note)
    mean, spread = f.moment_match
    layout.metrics(("Forward fit μ, σ", f"{fig.num(f.forward.mu[-1])}, {f.forward.sd[-1]:.3f}",
                    f"moment matching, exact: {fig.num(mean)}, {spread:.3f}"),
                   *[(f"Reverse fit {i + 1} μ, σ", f"{fig.num(r.mu[-1])}, {r.sd[-1]:.3f}",
                      f"from ({r.mu[0]:.2f}, {r.sd[0]:.2f}); KL(q‖p) {r.kl_reverse:.4f} nats")
                     for i, r in enumerate(f.reverse)])
    left, right = layout.side_by_side([1.25, 1])
    with left:
        charts.show(*fig.fits_chart(f), "fits")
    with right:
        charts.show(*fig.landscape_chart(land, f), "landscape")
    st.dataframe(fig.fits_table(f), hide_index=True)
    layout.formula(r"\mathrm{KL}(p\,\|\,q)=\int p\log\frac{p}{q}\ \text{(mass-covering)},\qquad "
                   r"\mathrm{KL}(q\,\|\,p)=\int q\log\frac{q}{p}\ \text{(mode-seeking)}")
    layout.notice(fig.kl_notice(f))


def likelihood_tab(ctrl):
    with ctrl:
        data = controls.radio("Data", "it_data", list(lik.DATASETS), format_func=lambda k: k.capitalize(),
                              horizontal=True)
        epochs = controls.select_slider("Epochs (full-batch Adam)", "it_epochs", [10, 30, 100, 300], 100)
        wd = controls.select_slider("Weight decay λ", "it_wd", [0.0, 1e-4, 1e-3, 1e-2, 1e-1], 1e-3)
        seed = controls.seed("it_seed")
    r, t = compute.run_with_progress(f"softmax regression, {epochs} epochs", lik.train_softmax, data, epochs, 0.1, wd,
                                     0.7, seed, on="cpu")
    layout.compute_line(t)
    layout.metrics(("Training cross-entropy", f"{r.train_cross_entropy_bits:.4f} bits", "per sample"),
                   ("= −log-likelihood ÷ (n ln 2)", f"{-r.log_likelihood / (r.is_train.sum() * math.log(2)):.4f} bits",
                    f"log-likelihood {r.log_likelihood:.2f} nats over {int(r.is_train.sum())} rows"),
                   ("Held-out cross-entropy", f"{r.test_cross_entropy_bits:.4f} bits", "rows never trained on"),
                   ("H(Y)", f"{r.label_entropy_bits:.4f} bits", "the best a model ignoring x can do"),
                   ("Held-out accuracy", f"{r.test_acc[-1]:.1%}"))
    left, right = layout.side_by_side([1.2, 1])
    with left:
        charts.show(*fig.loss_chart(r), "loss in bits")
    with right:
        charts.show(*fig.surprisal_chart(r), "surprisal")
    st.caption(f"{lik.DATASETS[data]}: softmax regression on 70 % of the rows, the rest held out.")
    layout.formula(r"-\frac1n\sum_i\log_2 q(y_i\mid x_i)=\frac1n\sum_i\Big[\underbrace{H(e_{y_i})}_{=0}+"
                   r"\mathrm{KL}\big(e_{y_i}\,\|\,q(\cdot\mid x_i)\big)\Big]=-\frac{\log\text{-likelihood}}{n\ln 2}")
    layout.notice(fig.likelihood_notice(r))


def mutual_tab(ctrl):
    with ctrl:
        what = controls.radio("Show", "it_mi", ["gaussian", "pixels"], format_func={
            "gaussian": "a correlated Gaussian pair", "pixels": "digits pixels and the label"}.get, horizontal=False)
        if what == "gaussian":
            rho = controls.slider("Correlation ρ", "it_rho", -1.0, 1.0, 0.8, 0.05)
            bins = controls.select_slider("Histogram bins a side (plug-in)", "it_bins", [4, 8, 12, 20, 40], 12)
            repeats = controls.select_slider("Samples per size", "it_repeats", [1, 3, 5], 3)
            seed = controls.seed("it_seed")
        else:
            knn = controls.toggle("Also scikit-learn's k-NN estimate (about a second)", "it_knn")
        unit = unit_control()
    if what == "pixels":
        px, t = compute.run_with_progress("mutual information of 64 pixels with the label", mi.pixel_mi, knn,
                                          unit=unit, on="cpu")
        layout.compute_line(t)
        best = np.unravel_index(int(np.argmax(px.plugin)), px.plugin.shape)
        layout.metrics(("H(label)", f"{px.label_entropy:.4f} {unit}", "no pixel can tell more"),
                       ("Most informative pixel", f"row {best[0]}, column {best[1]}",
                        f"{px.plugin.max():.3f} {unit} (plug-in)"),
                       ("Constant pixels", f"{px.constant_pixels}", "always 0: they tell nothing"))
        left, right = layout.side_by_side([1, 1])
        top = float(max(px.plugin.max(), px.knn.max() if px.knn is not None else 0.0))
        with left:
            charts.show(*fig.pixel_chart(px.plugin, "Plug-in, on the 17 pixel values", top), "pixels plug-in",
                        width="content")
        if px.knn is not None:
            with right:
                charts.show(*fig.pixel_chart(px.knn, "k-NN (scikit-learn)", top), "pixels knn", width="content")
        layout.notice("The pixels in the middle of the 8×8 image say most about the digit; the border never changes "
                      f"and says nothing. No pixel alone tells more than {px.label_entropy:.3f} {unit}, the label's "
                      "own entropy, and together they tell less than the sum: neighbouring pixels repeat each other.")
        return
    c, t = compute.run_with_progress(f"plug-in and k-NN estimates, {repeats} samples at {len(mi.MI_SIZES)} sizes",
                                     mi.mi_convergence, rho, mi.MI_SIZES, repeats, bins, 3, unit, seed, on="cpu")
    layout.compute_line(t)
    if c.exact.note:
        text.note(st, c.exact.note)
    layout.metrics(("Exact I(X; Y)", _value(c.exact.value, unit), "−½ log(1 − ρ²)"),
                   (f"Plug-in at n = {int(c.sizes[-1]):,}", f"{c.plugin[:, -1].mean():.4f} {unit}",
                    f"{bins} × {bins} histogram"),
                   (f"k-NN at n = {int(c.sizes[-1]):,}", f"{c.knn[:, -1].mean():.4f} {unit}", "Kraskov et al., k = 3"),
                   (f"Plug-in at n = {int(c.sizes[0])}", f"{c.plugin[:, 0].mean():.4f} {unit}",
                    "small samples: biased"))
    charts.show(*fig.mi_chart(c), "mi estimates")
    layout.formula(r"I(X;Y)=\mathrm{KL}\big(p(x,y)\,\|\,p(x)p(y)\big)=-\tfrac12\log(1-\rho^2)"
                   r"\ \text{for a Gaussian pair}")
    layout.notice(fig.mi_notice(c))


def calibration_tab(ctrl):
    with ctrl:
        hidden = controls.select_slider("Hidden units", "it_hidden", [16, 64, 256], 64)
        epochs = controls.select_slider("Training epochs", "it_cepochs", [50, 250, 1000], 250)
        T = controls.select_slider("Temperature T", "it_T", TEMPERATURES, 1.0)
        row = controls.slider("Test image", "it_row", 0, 99, 0)
        seed = controls.seed("it_seed")
    clf, t = compute.run_with_progress(f"a 64–{hidden}–10 network on the digits, {epochs} epochs",
                                       cal.train_classifier, hidden, epochs, 0.02, seed, on="cpu")
    c, t2 = compute.run("temperature scaling on the validation rows", cal.calibrate, clf, on="cpu")
    tm, t3 = compute.run(f"softmax at T = {T:g}", cal.temper, clf, T, row, 200, seed, on="cpu")
    layout.compute_line(t, t2, t3)
    layout.metrics(("Fitted temperature", f"{c.T:.3f}", f"scipy's bounded search: {c.T_scipy:.3f}"),
                   ("Test ECE, scaled", f"{c.after.ece:.4f}", f"at T = 1: {c.before.ece:.4f}"),
                   ("Test NLL, scaled", f"{c.after.nll:.4f}", f"nats per image; at T = 1: {c.before.nll:.4f}"),
                   ("Test accuracy", f"{tm.accuracy:.1%}", "the same at every T"),
                   (f"Entropy at T = {T:g}", f"{tm.entropy_bits:.3f} bits", f"of test image {row}"))
    left, right = layout.side_by_side([1, 1])
    with left:
        charts.show(*fig.tempered_chart(tm), "tempered softmax")
    with right:
        charts.show(*fig.entropy_t_chart(tm), "entropy against t")
    left, right = layout.side_by_side([1, 1])
    with left:
        charts.show(*fig.reliability_chart(c.before, "Before: T = 1"), "reliability before")
    with right:
        charts.show(*fig.reliability_chart(c.after, f"After: T = {c.T:.2f}"), "reliability after")
    charts.show(*fig.nll_t_chart(c), "nll against t")
    layout.formula(r"q_T(c\mid x)=\frac{e^{z_c/T}}{\sum_k e^{z_k/T}},\qquad \mathrm{ECE}=\sum_b\frac{n_b}{n}\,"
                   r"\big|\mathrm{acc}_b-\mathrm{conf}_b\big|")
    layout.notice(fig.calibration_notice(tm, c))


layout.explorer(6, TABS, (entropy_tab, kl_tab, fits_tab, likelihood_tab, mutual_tab, calibration_tab),
                fig.TRY_THIS, __file__)
