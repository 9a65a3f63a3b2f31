"""Chapter 10's tabs in Python (ui/pyview.py)."""

from __future__ import annotations

from typing import Any

from ui.pyview import Source, View

UPLOAD_NOTE = ("Your signal is not part of this script (it stays in your browser session): the script uses the "
               "bundled ECG instead, so its numbers are the ECG's, not your file's.")


def _sources(v: dict[str, Any]) -> tuple[list[Source], str]:
    return [], UPLOAD_NOTE if v.get("ha_signal") == "upload" else ""


def _view(names: dict[str, Any], prints: str, values: tuple[str, ...] = ()) -> View:
    """Every tab but Images starts from the signal of the sidebar (an upload's: the ECG stands in)."""
    return View(names={"make_signal": "sig", "with_noise": "sig", **names}, prints=prints, values=values,
                sources=_sources, upload_fallback="harmonic.make_signal('ecg')")


VIEWS: dict[tuple[str, str], View] = {
    ("ha", "Fourier"): _view(
        {"spectrum": ("spec", "out"), "fourier_filter": "filt", "convolution_theorem": "conv", "aliasing": "al"},
        'print(f"Σ x² (time): {spec.energy_time:.6g}")\n'
        'print(f"(1/N) Σ |X_k|² (frequency): {spec.energy_freq:.6g}")\n'
        'print(f"Energy that passes: {filt.kept_energy:.1%}")\n'
        'print(f"Convolution in time vs product in frequency, largest difference: {conv.max_diff:.2e}")\n'
        'print(f"The tone shows up at: {al.f_alias:g} Hz")'),
    ("ha", "Time and frequency"): _view(
        {"stft": "s", "scalogram": "sc"},
        'unit = sig.freq_unit.replace("cycles per time unit", "cycles/unit")\n'
        'print(f"Window ({sig.time_unit}): {s.dt:.4g}")\n'
        'print(f"Bin spacing ({unit}): {s.df:.4g}")\n'
        'print(f"σ_t · σ_f: {s.sigma_t * s.sigma_f:.4f}")'),
    ("ha", "Wavelet transform"): _view(
        {"decompose": "dec"},
        'energy = dec.energy_signal or 1\n'
        'print(f"Coefficients: {sum(len(c) for c in dec.coeffs):,}")\n'
        'print(f"Max |x − x̂|: {dec.max_error:.1e}")\n'
        'print(f"Σ c² / Σ x²: {dec.energies.sum() / energy:.6f}")\n'
        'print(f"Energy in cA{dec.level}: {dec.energies[0] / energy:.1%}")'),
    ("ha", "Denoise and compress"): _view(
        {"denoise": "den", "compression_curve": "curve", "compress": "comp"},
        'import math\n'
        'for label, snr in (("SNR noisy", den.snr_in), ("SNR denoised", den.snr_out)):  # ∞: no noise; —: no signal\n'
        '    print(f"{label}: " + ("∞ dB" if snr == math.inf else "—" if math.isnan(snr) else f"{snr:.2f} dB"))\n'
        'print(f"σ̂ = median|cD₁| / 0.6745: {den.sigma:.4g}")\n'
        'print(f"λ: {den.threshold:.4g}")\n'
        'print(f"Wavelet error at {keep:g} %: {comp.wavelet_error:.4f}")\n'
        'print(f"Fourier error at {keep:g} %: {comp.fourier_error:.4f}")', ("ha_keep",)),
    ("ha", "Images"): View(
        names={"image_dwt": "dwt", "image_compression": "res"},
        prints='print(f"PSNR, wavelet: {res.psnr_wavelet:.2f} dB")\n'
               'print(f"PSNR, Fourier: {res.psnr_fourier:.2f} dB")\n'
               'print(f"Numbers kept: {res.kept:,}")\n'
               'print(f"Max |x − x̂|: {dwt.max_error:.1e}")'),
    ("ha", "Wavelets to CNNs"): _view(
        {"layer_check": "chk", "frequency_response": "resp", "train_digits_cnn": "res"},
        'print(f"The DWT layer against pywt.dwt, largest difference: {chk.max_diff:.1e}")\n'
        'print(f"Test accuracy: {res.accuracy:.1%}")\n'
        'print(f"Parameters: {res.params:,}")\n'
        'print(f"Final loss: {res.losses[-1]:.3f}")'),
}
