"""core.harmonic against independent references: PyWavelets (wavedec, waverec, wavedec2, waverec2, dwt,
threshold, cwt), numpy's FFT, scipy's convolution and the closed forms of Parseval, aliasing and SNR."""

from __future__ import annotations

import math

import numpy as np
import pytest
import pywt
import torch

from core import harmonic as hm
from core.data import DataError

CPU = torch.device("cpu")
FAMILIES = ["haar", "db2", "db4", "sym5", "coif2", "bior2.2", "bior4.4", "db8"]
MODES = ["periodization", "zero", "symmetric", "reflect", "periodic", "constant"]


def _x(n: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(n)


# ------------------------------------------------------------------------------------------ DWT


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("wavelet", FAMILIES)
@pytest.mark.parametrize("n", [64, 101, 1000])
def test_wavedec_equals_pywavelets(wavelet, mode, n):
    x = _x(n, n)
    level = max(1, pywt.dwt_max_level(n, pywt.Wavelet(wavelet).dec_len))
    ours = hm.wavedec_t(torch.tensor(x), wavelet, mode, level)
    ref = pywt.wavedec(x, wavelet, mode=mode, level=level)
    assert len(ours) == len(ref)
    for a, b in zip(ours, ref, strict=True):
        assert a.shape == b.shape
        np.testing.assert_allclose(a.numpy(), b, rtol=0, atol=1e-10)
    rec = hm.waverec_t(ours, wavelet, mode).numpy()
    ref_rec = pywt.waverec(ref, wavelet, mode=mode)
    np.testing.assert_allclose(rec, ref_rec, atol=1e-10)
    np.testing.assert_allclose(rec[:n], x, atol=1e-10)  # perfect reconstruction


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("n", [3, 5, 7, 9])
def test_signals_shorter_than_the_filter(mode, n):
    x = _x(n, 1)
    for wavelet in ("db4", "sym8"):  # 8 and 16 taps
        with pytest.warns(UserWarning):
            ref = pywt.wavedec(x, wavelet, mode=mode, level=2)
        ours = hm.wavedec_t(torch.tensor(x), wavelet, mode, 2)
        for a, b in zip(ours, ref, strict=True):
            np.testing.assert_allclose(a.numpy(), b, atol=1e-10)
        np.testing.assert_allclose(hm.waverec_t(ours, wavelet, mode).numpy()[:n], x, atol=1e-9)


def test_levels_beyond_the_useful_maximum_still_reconstruct():
    x = _x(1024)
    assert hm.max_level(1024, "db4") == pywt.dwt_max_level(1024, 8) == 7
    with pytest.warns(UserWarning):
        ref = pywt.wavedec(x, "db4", mode="symmetric", level=10)
    dec = hm.decompose(x, "db4", "symmetric", 10, device=CPU)
    assert [len(c) for c in dec.coeffs] == [len(c) for c in ref]
    assert dec.max_error < 1e-9 and dec.useful_level == 7
    assert hm.max_level(5, "db8") == 0


@pytest.mark.parametrize("wavelet", ["haar", "db4", "sym8", "coif2"])
def test_parseval_for_orthogonal_wavelets(wavelet):
    x = _x(2048, 3)
    dec = hm.decompose(x, wavelet, "periodization", 6, device=CPU)
    assert sum(len(c) for c in dec.coeffs) == len(x)
    assert math.isclose(dec.energies.sum(), float(np.sum(x**2)), rel_tol=1e-12)


def test_biorthogonal_wavelets_do_not_keep_energy_but_reconstruct():
    x = _x(2048, 4)
    dec = hm.decompose(x, "bior2.2", "periodization", 5, device=CPU)
    assert abs(dec.energies.sum() / np.sum(x**2) - 1) > 1e-3
    assert dec.max_error < 1e-10


def test_batched_signals_decompose_one_by_one():
    X = np.stack([_x(300, s) for s in range(4)])
    ours = hm.wavedec_t(torch.tensor(X), "db2", "symmetric", 3)
    for i in range(4):
        for a, b in zip(ours, pywt.wavedec(X[i], "db2", mode="symmetric", level=3), strict=True):
            np.testing.assert_allclose(a[i].numpy(), b, atol=1e-10)


@pytest.mark.parametrize("mode", ["periodization", "symmetric", "zero", "reflect"])
@pytest.mark.parametrize("wavelet", ["haar", "db2", "sym4", "bior2.2"])
@pytest.mark.parametrize("shape", [(64, 64), (37, 50), (427, 640)])
def test_wavedec2_equals_pywavelets(wavelet, mode, shape):
    img = np.random.default_rng(sum(shape)).random(shape)
    level = 3
    ours = hm.wavedec2_t(torch.tensor(img), wavelet, mode, level)
    ref = pywt.wavedec2(img, wavelet, mode=mode, level=level)
    np.testing.assert_allclose(ours[0].numpy(), ref[0], atol=1e-10)
    for ds, rs in zip(ours[1:], ref[1:], strict=True):
        for d, r in zip(ds, rs, strict=True):  # cH, cV, cD in PyWavelets' order
            assert d.shape == r.shape
            np.testing.assert_allclose(d.numpy(), r, atol=1e-10)
    rec = hm.waverec2_t(ours, wavelet, mode).numpy()
    np.testing.assert_allclose(rec, pywt.waverec2(ref, wavelet, mode=mode), atol=1e-10)
    np.testing.assert_allclose(rec[: shape[0], : shape[1]], img, atol=1e-10)


def test_image_compression_psnr_and_perfect_reconstruction():
    img = hm.load_image("camera")
    dwt = hm.image_dwt(img, "db2", "periodization", 4, device=CPU)
    assert dwt.max_error < 1e-5  # the page computes images in float32
    assert dwt.mosaic.shape == img.shape and dwt.mosaic.dtype == np.uint8
    coeffs = pywt.wavedec2(img, "db2", mode="periodization", level=4)
    energy = [np.sum(coeffs[0] ** 2)] + [sum(np.sum(d**2) for d in ds) for ds in coeffs[1:]]
    np.testing.assert_allclose(dwt.band_energy, np.array(energy) / np.sum(energy), rtol=1e-5)
    res = hm.image_compression(img, "db2", "periodization", 4, 0.05, device=CPU)
    # the same compression by PyWavelets: keep the 5 % largest coefficients
    arr, slices = pywt.coeffs_to_array(coeffs)
    k = round(0.05 * img.size)
    thr = np.sort(np.abs(arr).ravel())[::-1][k - 1]
    arr = np.where(np.abs(arr) >= thr, arr, 0)
    ref = pywt.waverec2(pywt.array_to_coeffs(arr, slices, output_format="wavedec2"), "db2", mode="periodization")
    assert math.isclose(res.psnr_wavelet, 10 * np.log10(1 / np.mean((ref - img) ** 2)), abs_tol=0.05)
    assert res.kept == k and res.total == img.size
    assert res.psnr_wavelet > res.psnr_fourier  # wavelets win on a photo
    odd = hm.image_compression(hm.load_image("china"), "db4", "symmetric", 3, 0.1, device=CPU)  # 427 rows: odd
    assert odd.wavelet_rec.shape == (427, 640) and odd.psnr_wavelet > 25


# ------------------------------------------------------------------------------- conv layer, filters


@pytest.mark.parametrize("mode", ["periodization", "zero", "symmetric"])
@pytest.mark.parametrize("wavelet", ["haar", "db4", "bior4.4"])
def test_the_conv_layer_is_one_dwt_level(wavelet, mode):
    x = pywt.data.ecg().astype(float)
    check = hm.layer_check(x, wavelet, mode, device=CPU)
    a, d = pywt.dwt(x, wavelet, mode)
    np.testing.assert_allclose(check.approx, a, atol=1e-9)
    np.testing.assert_allclose(check.detail, d, atol=1e-9)
    assert check.max_diff < 1e-9
    layer = hm.dwt_layer(wavelet)
    assert layer.stride == (2,) and layer.bias is None
    np.testing.assert_array_equal(layer.weight[0, 0].numpy(), pywt.Wavelet(wavelet).dec_lo[::-1])


def test_frequency_response_is_power_complementary_for_orthogonal_wavelets():
    for wavelet in ("haar", "db4", "sym8"):
        r = hm.frequency_response(wavelet, device=CPU)
        assert r.complementary < 1e-10
        assert math.isclose(r.low[0], math.sqrt(2), rel_tol=1e-12) and r.high[0] < 1e-10  # low-pass, high-pass
        h = np.array(pywt.Wavelet(wavelet).dec_lo)
        dtft = np.exp(-1j * np.outer(r.omega[::64], np.arange(len(h)))) @ h  # the DTFT written out
        np.testing.assert_allclose(r.low[::64], np.abs(dtft), atol=1e-12)
    assert hm.frequency_response("bior2.2", device=CPU).complementary > 1e-3


def test_wavelet_filters_2d_are_the_outer_products():
    k = hm.wavelet_filters_2d("haar")
    assert k.shape == (4, 2, 2)
    np.testing.assert_allclose(k[0], np.full((2, 2), 0.5))
    np.testing.assert_allclose(np.abs(k[3]), np.full((2, 2), 0.5))


# ------------------------------------------------------------------------------------------ Fourier


def test_spectrum_parseval_and_numpy():
    x = _x(1000, 5)
    s = hm.spectrum(x, 1000.0, device=CPU)
    np.testing.assert_allclose(s.amplitude, np.abs(np.fft.rfft(x)) / 1000, atol=1e-14)
    assert math.isclose(s.energy_time, s.energy_freq, rel_tol=1e-12)
    assert math.isclose(s.energy_freq, np.sum(np.abs(np.fft.fft(x)) ** 2) / 1000, rel_tol=1e-12)
    odd = hm.spectrum(_x(999), 1.0, device=CPU)
    assert math.isclose(odd.energy_time, odd.energy_freq, rel_tol=1e-12)


def test_convolution_theorem_against_scipy():
    from scipy.ndimage import convolve1d

    x = _x(512, 6)
    c = hm.convolution_theorem(x, 5.0, device=CPU)
    assert c.max_diff < 1e-12
    half = math.ceil(4 * 5.0)
    h = np.concatenate([c.kernel[-half:], c.kernel[: half + 1]])  # the kernel, centred
    np.testing.assert_allclose(c.direct, convolve1d(x, h, mode="wrap"), atol=1e-12)
    np.testing.assert_allclose(c.via_fft, convolve1d(x, h, mode="wrap"), atol=1e-12)


def test_ideal_filters_split_the_sum_of_sines():
    sig = hm.make_signal("sines", 1024)
    t = sig.t
    low = hm.fourier_filter(sig.clean, sig.fs, "lowpass", 0, 10, device=CPU)
    np.testing.assert_allclose(low.y, np.sin(2 * np.pi * 5 * t), atol=1e-10)
    band = hm.fourier_filter(sig.clean, sig.fs, "bandpass", 10, 30, device=CPU)
    np.testing.assert_allclose(band.y, 0.6 * np.sin(2 * np.pi * 20 * t), atol=1e-10)
    stop = hm.fourier_filter(sig.clean, sig.fs, "bandstop", 10, 30, device=CPU)
    np.testing.assert_allclose(stop.y + band.y, sig.clean, atol=1e-10)


@pytest.mark.parametrize(("f0", "fs", "expected"), [(3, 20, 3), (13, 20, 7), (21, 20, 1), (30, 20, 10),
                                                    (9.5, 10, 0.5)])
def test_aliasing_closed_form_and_fft_peak(f0, fs, expected):
    a = hm.aliasing(f0, fs, device=CPU)
    assert math.isclose(a.f_alias, expected, abs_tol=1e-12)
    assert abs(a.f_peak - expected) <= fs / 4096 * 1.01
    np.testing.assert_allclose(a.samples, np.cos(2 * np.pi * expected * a.t_samples), atol=1e-9)


def test_stft_columns_are_windowed_ffts():
    from scipy.signal import get_window

    x = _x(2000, 7)
    s = hm.stft(x, 1.0, 128, device=CPU, max_cols=10_000, max_rows=10_000)
    pad = np.pad(x, 64)
    w = get_window("hann", 128)
    for m in (0, 5, s.frames - 1):
        col = np.abs(np.fft.rfft(w * pad[m * 32: m * 32 + 128]))
        np.testing.assert_allclose(10 ** (s.db[:, m] / 20), col, rtol=1e-9, atol=1e-9)
    assert s.dt == 128 and s.df == 1 / 128  # the trade-off: Δt·Δf = 1 for every window length


def test_envelope_keeps_every_extreme():
    x = _x(2**16, 8)
    x[12345] = 50.0
    t = np.arange(len(x), dtype=float)
    te, xe = hm.envelope(t, x, 1000)
    assert len(xe) == 2000 and xe.max() == 50.0 and xe.min() == x.min()
    assert np.all(np.diff(te) >= 0)


# ------------------------------------------------------------------------ denoising, compression, CWT


def test_universal_threshold_denoising_against_pywavelets():
    sig = hm.make_signal("blocks", 2048, noise=0.4, seed=1)
    for rule in ("soft", "hard"):
        ours = hm.denoise(sig.noisy.copy(), sig.clean, "db4", "periodization", 5, rule, 1.0, device=CPU)
        coeffs = pywt.wavedec(sig.noisy.copy(), "db4", mode="periodization", level=5)
        sigma = np.median(np.abs(coeffs[-1])) / 0.6745
        lam = sigma * np.sqrt(2 * np.log(len(sig.noisy)))
        ref = pywt.waverec([coeffs[0]] + [pywt.threshold(c, lam, rule) for c in coeffs[1:]], "db4",
                           mode="periodization")
        np.testing.assert_allclose(ours.y, ref, atol=1e-10)
        assert math.isclose(ours.threshold, lam, rel_tol=1e-12)
        snr_in = 10 * np.log10(np.sum(sig.clean**2) / np.sum((sig.noisy - sig.clean) ** 2))
        assert math.isclose(ours.snr_in, snr_in, rel_tol=1e-12)
        assert ours.snr_out > ours.snr_in + 3  # denoising raises the SNR on a piecewise-smooth signal


def test_zero_noise_gives_infinite_snr():
    sig = hm.make_signal("doppler", 1024, noise=0.0)
    res = hm.denoise(sig.noisy, sig.clean, "db4", "periodization", 4, "soft", 1.0, device=CPU)
    assert res.snr_in == math.inf and math.isfinite(res.snr_out)
    assert math.isnan(hm.snr_db(np.zeros(8), np.ones(8)))


def test_wavelets_beat_fourier_on_a_piecewise_smooth_signal():
    sig = hm.make_signal("blocks", 4096)
    curve = hm.compression_curve(sig.clean, "db4", 8, device=CPU)
    assert np.all(curve.wavelet_error < curve.fourier_error)
    assert np.all((curve.wavelet_error < 0.5 * curve.fourier_error)[curve.fractions >= 0.03])
    c = hm.compress(sig.clean, "db4", 8, 0.02, device=CPU)
    # the wavelet error by Parseval: the energy of the coefficients dropped
    coeffs = np.concatenate(pywt.wavedec(sig.clean.copy(), "db4", mode="periodization", level=8))
    k = round(0.02 * 4096)
    dropped = np.sort(np.abs(coeffs))[::-1][k:]
    expected = np.sqrt(np.sum(dropped**2) / np.sum(sig.clean**2))
    assert math.isclose(np.linalg.norm(c.wavelet_rec - sig.clean) / np.linalg.norm(sig.clean), expected, rel_tol=1e-9)
    assert math.isclose(c.wavelet_error, expected, rel_tol=1e-9)
    X = np.fft.rfft(sig.clean)
    keep = np.argsort(-np.abs(X), kind="stable")[: round(0.02 * 4096 / 2)]
    Xk = np.zeros_like(X)
    Xk[keep] = X[keep]
    np.testing.assert_allclose(c.fourier_rec, np.fft.irfft(Xk, n=4096), atol=1e-10)
    sines = hm.make_signal("sines", 4096)
    assert hm.compress(sines.clean, "db4", 8, 0.01, device=CPU).fourier_error < 1e-9  # Fourier's home ground


def test_scalogram_scales_map_to_frequencies():
    sig = hm.make_signal("sines", 1024)
    sc = hm.scalogram(sig.clean, sig.fs, "cmor1.5-1.0", 8, 2.0, device=CPU)
    np.testing.assert_allclose(pywt.scale2frequency("cmor1.5-1.0", sc.scales) * sig.fs, sc.freqs, rtol=1e-9)
    ridge = sc.freqs[np.argmax(sc.power[:, sc.power.shape[1] // 2])]
    assert 4.5 < ridge < 5.5  # the 5 Hz component dominates the middle
    # |W|²/s at each sine's frequency is in proportion to its amplitude squared (1 : 0.6² : 0.35²)
    mean = sc.power[:, 50:-50].mean(1)
    peaks = np.array([mean[np.argmin(np.abs(sc.freqs - f))] for f in (5, 20, 60)])
    np.testing.assert_allclose(peaks / peaks[0], [1, 0.36, 0.1225], rtol=0.2)
    ref, _ = pywt.cwt(sig.clean - sig.clean.mean(), sc.scales, "cmor1.5-1.0", 1 / sig.fs, method="fft")
    k = 1024 // sc.power.shape[1]  # columns merged by their maximum for the browser
    np.testing.assert_allclose(sc.power[:, 0], (np.abs(ref) ** 2 / sc.scales[:, None])[:, :k].max(1), rtol=1e-9)
    big = hm.scalogram(np.sin(np.arange(2**16) / 50), 1.0, "morl", 4, 1e-4, device=CPU)
    assert big.factor == 16 and big.power.size <= 16_000 + 64 * len(big.freqs)


# -------------------------------------------------------------------------------------- data, uploads


def test_bundled_signals_and_images():
    ecg = hm.make_signal("ecg")
    np.testing.assert_array_equal(ecg.clean, pywt.data.ecg())
    nino = hm.make_signal("nino", noise=0.2, seed=3)
    assert nino.n == 264 and nino.fs == 4 and math.isclose(nino.t[-1], 2015.75)
    assert np.std(nino.noisy - nino.clean) > 0.1
    for name in hm.SIGNALS:
        assert np.isfinite(hm.make_signal(name, 512).clean).all()
    for name in hm.IMAGES:
        img = hm.load_image(name)
        assert img.min() >= 0 and img.max() <= 1 and img.ndim == 2
    with pytest.raises(DataError):
        hm.make_signal("nope")


def test_upload_with_nan_text_and_a_time_column():
    raw = b"time,value\n0,1\n0.5,2\n1.0,abc\n1.5,4\n2.0,\n2.5,6\n3.0,7\n3.5,8\n4.0,9\n4.5,NaN\n"
    sig = hm.read_signal(raw, "x.csv")
    np.testing.assert_allclose(sig.clean, [1, 2, 3, 4, 5, 6, 7, 8, 9])
    assert sig.fs == 2.0
    assert any("interpolation" in n for n in sig.notes) and any("ends" in n for n in sig.notes)
    one = hm.read_signal(b"\n".join(str(v).encode() for v in range(20)))
    assert one.n == 20 and one.fs == 1.0
    for bad in (b"", b"a,b\nx,y\n", b"\x00\x01\x02", b"1\n2\n3\n"):
        with pytest.raises(DataError):
            hm.read_signal(bad)


def test_the_cnn_trains_and_learns_the_digits():
    res = hm.train_digits_cnn(8, 5, 4, 0, device=CPU)
    assert res.filters.shape == (8, 5, 5) and res.spectra.shape == (8, 16, 16)
    assert res.accuracy > 0.8 and res.losses[-1] < res.losses[0]
    again = hm.train_digits_cnn(8, 5, 4, 0, device=CPU)
    np.testing.assert_array_equal(res.filters, again.filters)  # seeded: a shared link trains the same net


def test_level_notes_and_passbands():
    assert hm.level_notes(1024, "db4", 7) == []
    deep = hm.level_notes(1024, "db4", 8)
    assert len(deep) == 1 and "maximum useful level 7" in deep[0]
    short = hm.level_notes(10, "db8", 1)
    assert any("shorter than the db8 filter (16 taps)" in n for n in short)
    assert hm.passband("bandstop", 10, 20, 50) == [(0, 10), (20, 50)]


def test_the_digits_split_is_stratified_and_fixed():
    from core.data import load_dataset

    y = load_dataset("digits").y
    tr, te = hm.digits_split(y)
    assert len(np.intersect1d(tr, te)) == 0 and len(tr) + len(te) == len(y)
    for c in range(10):
        assert abs(np.mean(y[te] == c) - np.mean(y == c)) < 0.01
    np.testing.assert_array_equal(te, hm.digits_split(y)[1])


# ----------------------------------------------------------------------- what the page says (issue 13)


@pytest.mark.parametrize("n", hm.SIZES)
def test_a_low_pass_edge_between_5_and_20_hz_keeps_only_the_5_hz_sine(n):
    """The Fourier tab's "try this": for every N the page offers, one of the band edges it offers falls between
    the 5 Hz and the 20 Hz sine, and that low-pass keeps the 5 Hz sine alone: 1/(1 + 0.6² + 0.35²) of Σx²."""
    sig = hm.make_signal("sines", n)
    edges = [p for p in hm.BAND_PERCENTS if 5 <= p / 100 * sig.fs / 2 < 20]
    assert edges, f"N = {n}: no offered edge between 5 and 20 Hz"
    t = np.arange(n) / n
    share = 1 / sum(a**2 for _, a in hm.SINE_TONES)
    for p in edges:
        f = hm.fourier_filter(sig.clean, sig.fs, "lowpass", 0, p / 100 * sig.fs / 2, CPU)
        np.testing.assert_allclose(f.y, np.sin(2 * np.pi * 5 * t), atol=1e-9)
        assert math.isclose(f.kept_energy, share, rel_tol=1e-9)
    assert math.isclose(share, 0.6745, abs_tol=5e-5)


def test_the_old_four_percent_band_let_the_20_hz_sine_through_at_n_1024():
    sig = hm.make_signal("sines", 1024)
    f = hm.fourier_filter(sig.clean, sig.fs, "lowpass", 0, 0.04 * sig.fs / 2, CPU)  # 20.48 Hz
    assert math.isclose(f.kept_energy, (1 + 0.36) / (1 + 0.36 + 0.1225), rel_tol=1e-9)  # ≈ 92 %
    f = hm.fourier_filter(sig.clean, sig.fs, "lowpass", 0, 0.02 * sig.fs / 2, CPU)  # 10.24 Hz: the try-this
    assert math.isclose(f.kept_energy, 1 / 1.4825, rel_tol=1e-9)


@pytest.mark.parametrize("n", [256, 1024, 4096])
def test_the_spectrum_shows_a_sine_of_amplitude_a_as_a_over_2(n):
    spec = hm.spectrum(hm.make_signal("sines", n).clean, n, CPU)
    for f, a in hm.SINE_TONES:
        assert math.isclose(spec.amplitude[int(f)], a / 2, rel_tol=1e-9)
    ref = np.abs(np.fft.rfft(hm.make_signal("sines", n).clean)) / n
    np.testing.assert_allclose(spec.amplitude, ref, atol=1e-12)


def test_hann_window_widths_against_the_closed_form_and_gabor():
    """σ_t = T√(1/12 − 5/(8π²)) and σ_f = 1/(√3 T) for the continuous Hann window of duration T (quad for σ_t,
    ∫|w'|²/(4π²∫|w|²) for σ_f); the discrete windows of the page approach them and never beat 1/(4π)."""
    from scipy.integrate import quad

    w2 = lambda t: np.cos(np.pi * t) ** 4  # noqa: E731  (T = 1)
    st = math.sqrt(quad(lambda t: t * t * w2(t), -0.5, 0.5)[0] / quad(w2, -0.5, 0.5)[0])
    assert math.isclose(st, math.sqrt(1 / 12 - 5 / (8 * math.pi**2)), rel_tol=1e-9)
    assert math.isclose(st, 0.1414, abs_tol=5e-5) and math.isclose(1 / math.sqrt(3), 0.5774, abs_tol=5e-5)
    prod = st / math.sqrt(3)
    assert math.isclose(prod, 0.0817, abs_tol=5e-5) and math.isclose(prod * 4 * math.pi, 1.026, abs_tol=5e-4)
    fs = 1000.0
    s = hm.stft(_x(8192), fs, 4096, CPU)
    T = 4096 / fs
    assert math.isclose(s.sigma_t, st * T, rel_tol=1e-3) and math.isclose(s.sigma_f, 1 / (math.sqrt(3) * T),
                                                                          rel_tol=1e-3)
    for w in [2**k for k in range(3, 13)]:  # the page's windows
        s = hm.stft(_x(8192), fs, w, CPU)
        assert s.sigma_t * s.sigma_f >= 1 / (4 * math.pi)
        assert math.isclose(s.dt * s.df, 1.0)  # frame length × bin spacing: 1 by construction, for any window
    g = torch.exp(-0.5 * ((torch.arange(2048, dtype=torch.float64) - 1023.5) / 100) ** 2)
    assert math.isclose(np.prod(hm.window_spread(g, fs)), 1 / (4 * math.pi), rel_tol=1e-6)  # Gaussian: equality


def test_leakage_numbers_of_the_rectangular_and_hann_windows():
    """The math's "13 dB / 31 dB" first sidelobes, ±1 / ±2 bins to the first zeros, 1/k and 1/k³ decay (numpy)."""
    n, pad = 64, 256
    f = np.arange(n * pad // 2) / pad  # in bins

    def response(w):
        r = np.abs(np.fft.fft(w, n * pad))[: n * pad // 2]
        return r / r[0]

    for w, first_zero, sidelobe_db, power in ((np.ones(n), 1, -13.26, 1), (np.hanning(n + 2)[1:-1], 2, -31.5, 3)):
        r = response(w)
        zero = f[np.argmax(np.diff(r) > 0)]  # where the main lobe ends
        assert abs(zero - first_zero) < 0.1
        assert abs(20 * np.log10(r[f > zero].max()) - sidelobe_db) < 0.3
        near = r[(f > 4) & (f < 6)].max()
        far = r[(f > 16) & (f < 18)].max()
        assert 0.6 < (near / far) / (17 / 5) ** power < 1.6


@pytest.mark.parametrize("wavelet", list(hm.FAMILIES))
def test_vanishing_moments_make_details_of_polynomials_zero(wavelet):
    """Σ_j j^k g_j = 0 for k < p (PyWavelets' count p), so away from the ends the details of a polynomial of
    degree p − 1 vanish, and those of (n − c)^p all equal (−1)^p Σ_j j^p g_j (binomial expansion)."""
    w = pywt.Wavelet(wavelet)
    p = w.vanishing_moments_psi
    g = np.array(w.dec_hi)
    j = np.arange(len(g), dtype=float)
    for k in range(p):
        assert abs(np.sum(j**k * g)) < 1e-8 * np.sum(np.abs(j**k * g))
    t = np.arange(64) - 32.0
    L = len(g)
    low = hm.decompose(t ** (p - 1), wavelet, "zero", 1, CPU).coeffs[1][L:-L]
    assert np.abs(low).max() < 1e-12 * 32.0 ** (p - 1)
    top = hm.decompose(t**p, wavelet, "zero", 1, CPU).coeffs[1][L:-L]
    np.testing.assert_allclose(top, (-1) ** p * np.sum(j**p * g), rtol=1e-6)
    expected = {"haar": 1, "db2": 2, "db4": 4, "db8": 8, "sym4": 4, "sym8": 8, "coif2": 4, "bior2.2": 2,
                "bior4.4": 4}  # as the math lists them
    assert p == expected[wavelet]


def test_heavisine_details_are_sparse_with_db4_not_with_haar():
    """The wavelet tab's "try this": on the clean HeaviSine (5 levels, periodization) Haar leaves details above
    0.01 almost everywhere; db4 only within a few samples of the two jumps, in every band but the coarsest."""
    x = hm.make_signal("heavisine", 1024).clean
    jumps = np.flatnonzero(np.abs(np.diff(x)) > 0.5) / 1024
    assert len(jumps) == 2
    haar = hm.decompose(x, "haar", "periodization", 5, CPU).coeffs[1:]
    assert np.mean(np.abs(np.concatenate(haar)) > 0.01) > 0.8
    db4 = hm.decompose(x, "db4", "periodization", 5, CPU).coeffs[2:]  # cD4 … cD1
    for c in db4:
        where = (np.flatnonzero(np.abs(c) > 0.01) + 0.5) / len(c)
        assert len(where) and np.min(np.abs(where[:, None] - jumps[None, :]), axis=1).max() < 0.05


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("wavelet", ["haar", "db4", "bior2.2"])
def test_the_dwt_formula_of_the_math(wavelet, mode):
    """a_k = Σ_j h_j x̃_{2k+1−j} with x̃ the extended signal (periodization: index 2k + L/2 − j mod N), against
    pywt.dwt, written out with numpy: an independent check of the formula printed in the math."""
    x = _x(38, 4)
    N = len(x)
    w = pywt.Wavelet(wavelet)
    h, g = np.array(w.dec_lo), np.array(w.dec_hi)
    L = len(h)

    def ext(n):
        if 0 <= n < N:
            return x[n]
        if mode in ("periodic", "periodization"):
            return x[n % N]
        if mode == "zero":
            return 0.0
        if mode == "constant":
            return x[0] if n < 0 else x[-1]
        m = n % (2 * N) if mode == "symmetric" else n % (2 * N - 2)
        if mode == "symmetric":
            return x[m] if m < N else x[2 * N - 1 - m]
        return x[m] if m < N else x[2 * N - 2 - m]  # reflect

    ca, cd = pywt.dwt(x, wavelet, mode=mode)
    shift = L // 2 if mode == "periodization" else 1
    a = [sum(h[j] * ext(2 * k + shift - j) for j in range(L)) for k in range(len(ca))]
    d = [sum(g[j] * ext(2 * k + shift - j) for j in range(L)) for k in range(len(cd))]
    np.testing.assert_allclose(a, ca, atol=1e-12)
    np.testing.assert_allclose(d, cd, atol=1e-12)
    assert len(ca) == (N // 2 if mode == "periodization" else (N + L - 1) // 2)
