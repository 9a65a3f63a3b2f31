"""Chapter 10, Harmonic analysis for CNNs: Fourier, aliasing, STFT and CWT, the DWT as torch conv layers (checked
against PyWavelets), denoising, compression, images, and from fixed wavelet filters to a CNN's learned ones."""

import math

import numpy as np
import streamlit as st

from core import harmonic as hm
from core.data import DataError
from ui import charts, compute, controls, layout, text
from ui.figures import harmonic as fig

TABS = ["Fourier", "Time and frequency", "Wavelet transform", "Denoise and compress", "Images", "Wavelets to CNNs"]
SOURCES = {**hm.SIGNALS, "upload": "Upload a signal"}


@st.cache_data(max_entries=8, show_spinner=False)
def _parse(raw: bytes, name: str) -> hm.Signal:
    return hm.read_signal(raw, name)


@st.cache_data(max_entries=24, show_spinner=False)
def _png(gray: np.ndarray) -> bytes:  # encoded once per picture, not on every rerun
    return fig.png(gray)


def signal_controls() -> hm.Signal:
    key = controls.selectbox("Signal", "ha_signal", list(SOURCES), index=list(SOURCES).index("doppler"),
                             format_func=SOURCES.get)
    n = 1024
    if key not in hm.REAL and key != "upload":
        n = controls.select_slider("Samples N", "ha_n", list(hm.SIZES), 1024,
                                   help="Up to 2¹⁶ = 65,536; charts draw each bucket's minimum and maximum.")
    noise = controls.slider("Noise (σ, in units of the signal's σ)", "ha_noise", 0.0, 1.0, 0.2, 0.01)
    seed = controls.seed("ha_seed") if noise > 0 else 0
    if key == "upload":
        file = st.file_uploader("One number per line, or columns (the last numeric one is the signal)",
                                ["csv", "txt", "tsv"], key="ha_upload")
        if file is not None:
            try:
                sig = _parse(file.getvalue(), file.name)
                text.notes(st, sig.notes)
                st.caption("Uploaded data stays in this browser session; a shared link cannot carry it.")
                return compute.call(hm.with_noise, sig, noise, seed)
            except DataError as exc:
                text.refused_upload(st, file.name, exc)
        st.caption("Until a usable file is uploaded the page shows the ECG.")
        key = "ecg"
    sig, _ = compute.run(f"{SOURCES[key]} signal", hm.make_signal, key, n, noise, seed, on="cpu")
    return sig


def wavelet_controls(level_max: int | None = None, n: int = 1024, levels: bool = True):
    w = controls.selectbox("Wavelet", "ha_wavelet", list(hm.FAMILIES), index=list(hm.FAMILIES).index("db4"),
                           format_func=hm.FAMILIES.get)
    mode = controls.selectbox("Boundary mode", "ha_mode", list(hm.MODES),
                              help="How the signal is extended past its ends before filtering: "
                                   + "; ".join(hm.MODES.values()) + ".")
    if not levels:
        return w, mode, 1
    top = level_max or max(1, min(12, int(math.log2(max(n, 2)))))
    level = controls.slider("Levels", "ha_level", 1, top, min(5, top),
                            help=f"Useful up to ⌊log₂(N/(L−1))⌋ = {hm.max_level(n, w)} for {w} on {n:,} samples.")
    return w, mode, level


def fourier_tab(ctrl, sig):
    nyq = sig.fs / 2
    with ctrl:
        kind = controls.radio("Ideal filter", "ha_filter", list(hm.FILTERS), format_func=hm.FILTERS.get,
                              horizontal=False)
        pct = {"format_func": lambda v: f"{v:g}", "help": "The spectrum's subtitle gives the band in "
               f"{sig.freq_unit}; small values are spaced finely, for long signals."}
        lo = controls.select_slider("Band from (% of fs/2)", "ha_flo", hm.BAND_PERCENTS, 5, **pct) \
            if kind != "lowpass" else 0
        hi = controls.select_slider("Band to (% of fs/2)", "ha_fhi", hm.BAND_PERCENTS, 15, **pct) \
            if kind != "highpass" else 100
        log = controls.toggle("Log amplitude", "ha_log", True)
    if lo > hi:
        st.caption(f":orange[The band runs from {hi:g} % to {lo:g} %: the two ends are swapped.]")
    f_lo, f_hi = min(lo, hi) / 100 * nyq, max(lo, hi) / 100 * nyq
    spec, t1 = compute.run("spectrum (rfft)", hm.spectrum, sig.noisy, sig.fs)
    filt, t2 = compute.run(f"{hm.FILTERS[kind].lower()} filter", hm.fourier_filter, sig.noisy, sig.fs, kind, f_lo, f_hi)
    out, _ = compute.run("spectrum (rfft)", hm.spectrum, filt.y, sig.fs)
    layout.compute_line(t1, t2)
    layout.metrics(("Σ x² (time)", f"{spec.energy_time:.6g}"), ("(1/N) Σ |X_k|² (frequency)", f"{spec.energy_freq:.6g}",
                   "Parseval: the two are equal."), ("Energy that passes", f"{filt.kept_energy:.1%}"))
    band = hm.passband(kind, f_lo, f_hi, nyq)
    charts.show(*fig.spectrum_chart(spec.freqs, {"signal": spec.amplitude, "filtered": out.amplitude}, sig.freq_unit,
                                    ("Amplitude spectrum", f"shaded: the {hm.FILTERS[kind].lower()} band, "
                                     f"{f_lo:.4g}–{f_hi:.4g} {sig.freq_unit}" if kind != "bandstop" else
                                     f"shaded: what the band-stop keeps (it removes {f_lo:.4g}–{f_hi:.4g} "
                                     f"{sig.freq_unit})"), band, log), "spectrum")
    charts.show(*fig.lines({"signal": (sig.t, sig.noisy), "filtered": (sig.t, filt.y)}, "Back in time: the "
                           "filtered signal", f"time ({sig.time_unit})"), "filtered")
    layout.notice(fig.TEXT["filters"])
    st.subheader("The convolution theorem")
    width = controls.slider("Gaussian kernel σ (samples)", "ha_width", 0.5, 50.0, 4.0, 0.5, container=st.columns(2)[0])
    conv, t3 = compute.run(f"circular convolution, σ = {width:g}", hm.convolution_theorem, sig.noisy, width)
    layout.compute_line(t3)
    st.markdown(f"Smoothing by a Gaussian of σ = {width:g} samples, twice: **convolution in time** (a conv layer "
                f"over the circularly padded signal) and **product in frequency** (irfft(rfft(x)·rfft(h))). Largest "
                f"difference: **{conv.max_diff:.2e}**, rounding error.")
    left, right = layout.side_by_side([2, 1])
    with left:
        charts.show(*fig.lines({"x": (sig.t, sig.noisy), "h ∗ x in time": (sig.t, conv.direct),
                                "irfft(X·H)": (sig.t, conv.via_fft)}, "Convolution in time = product in frequency",
                               f"time ({sig.time_unit})", widths=(1.0, 3.5, 1.2)), "convolution")
    with right:
        charts.show(*fig.spectrum_chart(spec.freqs, {"|H(f)|": conv.gain}, sig.freq_unit, "The kernel's gain",
                                        None, False, "gain |H(f)|"), "kernel gain")
    st.subheader("Aliasing")
    left, right = st.columns(2)
    f0 = controls.slider("Tone frequency f₀ (Hz)", "ha_tone", 1.0, 60.0, 7.0, 0.5, container=left)
    rate = controls.slider("Sampling rate fs (Hz)", "ha_rate", 2.0, 100.0, 50.0, 1.0, container=right)
    al, t4 = compute.run("sampling a tone", hm.aliasing, f0, rate, on="cpu")
    layout.compute_line(t4)
    seen = "as itself" if abs(al.f_alias - f0) < 1e-9 else f"as **{al.f_alias:g} Hz**: aliased"
    st.markdown(f"A {f0:g} Hz cosine sampled at {rate:g} Hz (Nyquist frequency {rate / 2:g} Hz) shows up {seen} "
                f"(the FFT of a long run of samples peaks at {al.f_peak:.3g} Hz).")
    charts.show(*fig.alias_chart(al, f"{f0:g} Hz sampled at {rate:g} Hz"), "aliasing")


def time_frequency_tab(ctrl, sig):
    with ctrl:
        win = controls.select_slider("STFT window (samples)", "ha_window", [2**k for k in range(3, 13)], 64)
        cw = controls.selectbox("CWT wavelet", "ha_cwt", list(hm.CWT_WAVELETS), index=1,
                                format_func=hm.CWT_WAVELETS.get)
        voices = controls.slider("Voices per octave", "ha_voices", 2, 24, 10)
    if win > sig.n:
        st.caption(f":orange[The window ({win}) is longer than the signal ({sig.n}): it is cut to {sig.n}.]")
    s, t1 = compute.run(f"STFT, window {win}", hm.stft, sig.noisy, sig.fs, win)
    sc, t2 = compute.run(f"CWT ({hm.CWT_NAMES[cw]}, PyWavelets)", hm.scalogram, sig.noisy, sig.fs, cw, voices,
                         2 * sig.fs / sig.n, on="cpu")
    layout.compute_line(t1, t2)
    unit = sig.freq_unit.replace("cycles per time unit", "cycles/unit")
    layout.metrics((f"Window ({sig.time_unit})", f"{s.dt:.4g}", f"W/fs: {s.window} samples; {s.frames:,} frames, "
                    f"{s.hop} samples apart."),
                   (f"Bin spacing ({unit})", f"{s.df:.4g}", "fs/W: how far apart the STFT's frequency bins are. "
                    "W/fs × fs/W = 1 by construction; it is not the resolution, which σ_f measures."),
                   ("σ_t · σ_f", f"{s.sigma_t * s.sigma_f:.4f}",
                    "The Hann window's effective widths (r.m.s. of |w|² in "
                    f"time and of |ŵ|² in frequency): σ_t = {s.sigma_t:.3g} {sig.time_unit}, σ_f = {s.sigma_f:.3g} "
                    f"{sig.freq_unit}. Gabor's uncertainty principle: σ_t·σ_f ≥ 1/(4π) = {1 / (4 * math.pi):.4f} for "
                    "every window, equality only for a Gaussian."))
    charts.show(*fig.lines({"signal": (sig.t, sig.noisy)}, "The signal", f"time ({sig.time_unit})", height=150),
                "signal")
    charts.show(*fig.heatmap(s.times + sig.t0, s.freqs, s.db, f"STFT spectrogram, Hann window of {s.window} samples",
                             sig.freq_unit, f"time ({sig.time_unit})", "dB", span=80), "spectrogram")
    charts.show(*fig.heatmap(sc.times + sig.t0, sc.freqs, np.log10(sc.power + 1e-12 * sc.power.max() + 1e-300),
                             f"CWT scalogram, {hm.CWT_NAMES[cw]}, {voices} voices per octave", sig.freq_unit,
                             f"time ({sig.time_unit})", "log₁₀ power", log_y=True, coi=sc.coi,
                             span=6), "scalogram")
    st.caption(fig.TEXT["cwt"])
    if sc.factor > 1:
        st.caption(f"The CWT ran on the signal averaged over blocks of {sc.factor} samples ({sig.n // sc.factor:,} "
                   f"points): frequencies above {sig.fs / sc.factor / 2:.4g} {sig.freq_unit} are not shown.")
    pick = np.unique(np.linspace(0, len(sc.freqs) - 1, 6).round().astype(int))
    st.markdown(f"**Choosing scales.** A wavelet of scale s oscillates at f = f_c / (s·Δt), with f_c = "
                f"{sc.centre:.4g} for the {hm.CWT_NAMES[cw]}. So pick the frequencies you care about (here from "
                f"fs/2 down to 2 cycles over the signal, {voices} per octave) and convert: s = f_c / (f·Δt).")
    st.dataframe(fig.scale_table(sc, pick, sig.freq_unit, sig.time_unit), hide_index=True)
    layout.notice(fig.TEXT["stft"])


def wavelet_tab(ctrl, sig):
    with ctrl:
        w, mode, level = wavelet_controls(n=sig.n)
    dec, t = compute.run(f"{level}-level DWT + inverse ({w}, conv1d)", hm.decompose, sig.noisy, w, mode, level)
    layout.compute_line(t)
    for note in hm.level_notes(sig.n, w, level):
        text.note(st, note, mark="")
    layout.metrics(("Coefficients", f"{sum(len(c) for c in dec.coeffs):,}", f"For {sig.n:,} samples."),
                   ("Max |x − x̂|", f"{dec.max_error:.1e}", "Perfect reconstruction: rounding error only."),
                   ("Σ c² / Σ x²", f"{dec.energies.sum() / (dec.energy_signal or 1):.6f}",
                    "Parseval: exactly 1 for an orthogonal wavelet with periodization."),
                   (f"Energy in cA{dec.level}", f"{dec.energies[0] / (dec.energy_signal or 1):.1%}",
                    "The approximation's share: Σ cA² / Σ x²."))
    orth = hm.filters(w)["orthogonal"] and mode == "periodization"
    st.caption("Orthogonal wavelet with periodization: Parseval holds." if orth else
               "Biorthogonal wavelet or a redundant mode: Σc² need not equal Σx².")
    charts.show(*fig.coefficients_chart(dec.coeffs, sig.n / sig.fs, sig.t0, f"time ({sig.time_unit})",
                                        f"{w} coefficients per level (mode {mode})"), "coefficients", width="content")
    left, right = layout.side_by_side([2, 1])
    with left:
        charts.show(*fig.lines({"signal": (sig.t, sig.noisy), "reconstruction": (sig.t, dec.reconstruction)},
                               "Signal and its reconstruction from every level", f"time ({sig.time_unit})",
                               widths=(3.0, 1.2)), "reconstruction")
    with right:
        charts.show(*fig.energy_chart(dec.energies, dec.energy_signal, "Energy per band"), "energy")
    layout.notice(fig.TEXT["dwt"])


def denoise_tab(ctrl, sig):
    with ctrl:
        w, mode, level = wavelet_controls(n=sig.n)
        rule = controls.radio("Thresholding", "ha_rule", ["soft", "hard"], index=1)
        scale = controls.slider("Threshold × universal λ", "ha_scale", 0.0, 3.0, 1.0, 0.05)
        keep = controls.slider("Compression: keep (% of N)", "ha_keep", 0.5, 60.0, 5.0, 0.5)
    den, t1 = compute.run(f"{rule} thresholding", hm.denoise, sig.noisy, sig.clean, w, mode, level, rule, scale)
    layout.compute_line(t1)
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("SNR noisy", fig.snr_text(den.snr_in))
    c2.metric("SNR denoised", fig.snr_text(den.snr_out),
              delta=None if not math.isfinite(den.snr_in) else f"{den.snr_out - den.snr_in:+.2f} dB")
    c3.metric("σ̂ = median|cD₁| / 0.6745", f"{den.sigma:.4g}")
    c4.metric("λ", f"{den.threshold:.4g}", help=f"{den.zeroed:.1%} of the detail coefficients set to 0.")
    if sig.noise == 0:
        st.caption("No noise added: the SNR of the signal is infinite, and thresholding can only remove detail.")
    layout.prose(fig.TEXT["soft"])
    charts.show(*fig.lines({"noisy": (sig.t, sig.noisy), "denoised": (sig.t, den.y), "clean": (sig.t, sig.clean)},
                           f"{rule.title()} thresholding at λ = {den.threshold:.3g}", f"time ({sig.time_unit})",
                           widths=(1.0, 2.4, 1.0), colours=("#bbbbbb", "#0072B2", "#000000")), "denoised")
    st.subheader("Compression: wavelets against Fourier")
    curve, t2 = compute.run(f"error curves ({len(hm.COMPRESSION_GRID)} shares, {hm.CURVE_BATCH} per waverec)",
                            hm.compression_curve, sig.clean, w, level)
    comp, t3 = compute.run(f"keeping the largest {keep:g} %", hm.compress, sig.clean, w, level, keep / 100)
    layout.compute_line(t2, t3)
    for col, label, err in zip(st.columns(2), ("Wavelet", "Fourier"), (comp.wavelet_error, comp.fourier_error),
                               strict=True):
        col.metric(f"{label} error at {keep:g} %", f"{err:.4f}")
    left, right = layout.side_by_side([1, 1.3])
    with left:
        charts.show(*fig.error_curves(curve.fractions, curve.wavelet_error, curve.fourier_error, keep / 100,
                                      "Error against the share kept"), "compression curve")
    with right:
        charts.show(*fig.lines({"signal": (sig.t, sig.clean), "wavelet": (sig.t, comp.wavelet_rec),
                                "Fourier": (sig.t, comp.fourier_rec)}, f"Keeping {keep:g} % of the numbers",
                               f"time ({sig.time_unit})", widths=(2.5, 1.2, 1.2)), "compressed")
    better = "wavelets" if comp.wavelet_error < comp.fourier_error else "Fourier"
    layout.notice(f"At {keep:g} % {better} win here. On piecewise-smooth signals (Blocks, Bumps, the ECG) a few "
                  "wavelet coefficients capture each jump; Fourier needs many sines for one edge. A pure sum of "
                  "sines is Fourier's home ground.")


def images_tab(ctrl):
    with ctrl:
        name = controls.selectbox("Image", "ha_image", list(hm.IMAGES), format_func=hm.IMAGES.get)
        img = hm.load_image(name)
        w, mode, level = wavelet_controls(8, min(img.shape))
        keep = controls.slider("Compression: keep (% of N)", "ha_keep", 0.5, 60.0, 5.0, 0.5)
    dwt, t1 = compute.run(f"{level}-level 2-D DWT of {img.shape[0]}×{img.shape[1]} (conv2d) + inverse",
                          hm.image_dwt, name, w, mode, level)
    res, t2 = compute.run(f"keeping the largest {keep:g} %", hm.image_compression, name, w, mode, level, keep / 100)
    layout.compute_line(t1, t2)
    layout.metrics(("PSNR, wavelet", f"{res.psnr_wavelet:.2f} dB"), ("PSNR, Fourier", f"{res.psnr_fourier:.2f} dB"),
                   ("Numbers kept", f"{res.kept:,}", f"of {res.total:,} wavelet coefficients"),
                   ("Max |x − x̂|", f"{dwt.max_error:.1e}", "Rebuilt from every coefficient (no compression), in "
                    "float32: 8-bit images need no more."))
    left, right = layout.side_by_side([1, 1])
    with left:
        st.image(_png(dwt.mosaic), caption=f"{level}-level {w} DWT: approximation top left; each level's cV (vertical "
                 "edges) right, cH (horizontal edges) below, cD diagonal; |c| scaled per band")
    with right:
        st.image(_png(dwt.original), caption=f"Original: {hm.IMAGES[name]} ({hm.IMAGE_SOURCES[name]}), "
                 f"{img.shape[0]}×{img.shape[1]}")
    left, right = layout.side_by_side([1, 1])
    with left:
        st.image(_png(res.wavelet_rec), caption=f"Wavelet, {keep:g} % kept: PSNR {res.psnr_wavelet:.2f} dB")
    with right:
        st.image(_png(res.fourier_rec), caption=f"Fourier, {keep:g} % kept: PSNR {res.psnr_fourier:.2f} dB")
    charts.show(*fig.energy_chart(dwt.band_energy, 1.0, "Energy per band", "approximation, then the details from "
                                  "coarse to fine"), "image energy")
    layout.notice(fig.TEXT["images"])


def cnn_tab(ctrl, sig):
    with ctrl:
        w, mode, _ = wavelet_controls(n=sig.n, levels=False)
        n_filters = controls.slider("CNN: first-layer filters", "ha_filters", 4, 16, 8, 4)
        kernel = controls.select_slider("CNN: filter size", "ha_kernel", [3, 5, 7], 5)
        epochs = controls.slider("CNN: epochs", "ha_epochs", 2, 15, 6)
        cseed = controls.seed("ha_cseed")
    chk, t1 = compute.run(f"DWT as nn.Conv1d ({w})", hm.layer_check, sig.noisy, w, mode)
    resp, _ = compute.run("frequency response", hm.frequency_response, w)
    layout.compute_line(t1)
    st.markdown(f"One level of the {w} DWT is this frozen layer, run on the signal extended by mode *{mode}*: "
                f"`{chk.layer}` with the reversed analysis filters as its two kernels. Its output against "
                f"`pywt.dwt`: largest difference **{chk.max_diff:.1e}**.")
    left, right = layout.side_by_side([1, 1])
    with left:
        charts.show(*fig.taps_chart(chk.weights[:, 0], ("approximation kernel", "detail kernel"),
                                    "The layer's weights"), "layer weights")
    with right:
        charts.show(*fig.response_chart(resp.omega, resp.low, resp.high, "The two filters' gains"),
                    "response")
    st.caption(f"max | |H₀|² + |H₁|² − 2 | = {resp.complementary:.1e}: " + ("power-complementary (orthogonal)."
               if resp.complementary < 1e-8 else "not power-complementary (biorthogonal: synthesis filters differ)."))
    st.subheader("A CNN's first layer, learned on the digits")
    res, t2 = compute.run_with_progress(f"CNN on the digits ({epochs} epochs)", hm.train_digits_cnn, n_filters,
                                        kernel, epochs, cseed)
    layout.compute_line(t2)
    layout.metrics(("Test accuracy", f"{res.accuracy:.1%}", "On the held-out 20 % of the digits (stratified)."),
                   ("Parameters", f"{res.params:,}"), ("Final loss", f"{res.losses[-1]:.3f}"))
    names = [f"filter {i + 1}" for i in range(len(res.filters))]
    wk, bands = hm.wavelet_filters_2d(w), ["LL (average)", "cH: horizontal edges", "cV: vertical edges", "cD: diagonal"]
    for arr, labels, title, signed, name in (
            (res.filters, names, f"Learned {kernel}×{kernel} filters (red +, blue −)", True, "cnn filters"),
            (res.spectra, names, "Their |2-D DFT| (zero frequency in the centre)", False, "cnn spectra"),
            (wk, bands, f"The four fixed {w} filters of one 2-D DWT level", True, "wavelet filters"),
            (hm.spectra_2d(wk), bands, "Their |2-D DFT|: one low-pass, three band-passes", False, "wavelet spectra")):
        charts.show(*fig.kernel_grid(arr, labels, title, signed), name, width="content")
    charts.show(*fig.loss_chart(res.losses), "loss")
    layout.notice(fig.TEXT["cnn"])


tabs, ctrl, main = layout.tabbed_page(10, TABS)
with ctrl:
    sig = signal_controls() if not tabs[4].open else None
    if sig is not None:
        st.caption(text.literal(sig.description, text.MESSAGE_LIMIT))  # an upload's: its file name
for name, tab, draw in zip(TABS, tabs, (fourier_tab, time_frequency_tab, wavelet_tab, denoise_tab, images_tab,
                                        cnn_tab), strict=True):
    if tab.open:
        with main, layout.guard(name):
            draw(ctrl) if draw is images_tab else draw(ctrl, sig)

with main:
    layout.try_this(fig.TRY_THIS)
    layout.math_file(__file__)
