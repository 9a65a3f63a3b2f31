"""The Harmonic Analysis page (AppTest) at its extremes: a 2^16-sample signal reaches the browser as a few
thousand points per chart, zero noise shows an infinite SNR in words, levels past the useful maximum and signals
shorter than the filter are explained, and the numbers on screen match PyWavelets."""

from __future__ import annotations

import re

import numpy as np
import pyarrow as pa
import pytest
import pywt

from tests import helpers as h
from ui.chapters import live

HA = next((c for c in live() if c.prefix == "ha"), None)
pytestmark = pytest.mark.skipif(HA is None, reason="the Harmonic Analysis explorer is not live")


def _rows_per_chart(at) -> list[int]:
    return [sum(pa.ipc.open_stream(d.data.data).read_all().num_rows for d in el.proto.datasets)
            for el in at.get("vega_lite_chart")]


def _metric(at, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


@pytest.mark.parametrize("tab", ["Fourier", "Wavelet transform", "Denoise and compress", "Time and frequency"])
def test_a_long_signal_is_sent_as_a_few_thousand_points(tab):
    at = h.open_page(HA.page, {"ha_tab": tab, "ha_n": "65536"})
    h.assert_healthy(at, tab)
    rows = _rows_per_chart(at)
    assert rows and max(rows) <= 16_500, rows  # three series of 2 × 2,000 envelope points; a heatmap of 16,000


def test_zero_noise_gives_an_infinite_snr_in_words():
    at = h.open_page(HA.page, {"ha_tab": "Denoise and compress", "ha_noise": "0"})
    h.assert_healthy(at, "ha_noise=0")
    assert _metric(at, "SNR noisy") == "∞ dB"
    assert any("No noise added: the SNR of the signal is infinite" in c.value for c in at.caption)
    assert re.fullmatch(r"-?\d+\.\d\d dB", _metric(at, "SNR denoised"))


def test_levels_past_the_useful_maximum_are_explained():
    at = h.open_page(HA.page, {"ha_tab": "Wavelet transform", "ha_signal": "El Niño temperatures", "ha_level": "8",
                               "ha_wavelet": "Daubechies 8 (16 taps)"})
    h.assert_healthy(at, "nino, db8, level 8")
    assert not h.notes(at), h.notes(at)
    text = "\n".join(c.value for c in at.caption)
    useful = pywt.dwt_max_level(264, 16)
    assert f"maximum useful level {useful}" in text, text
    assert float(_metric(at, "Max |x − x̂|")) < 1e-9  # still a perfect reconstruction


def test_parseval_and_the_conv_layer_on_screen():
    at = h.open_page(HA.page, {"ha_tab": "Wavelet transform", "ha_signal": "ECG (PyWavelets)",
                               "ha_noise": "0", "ha_level": "4"})
    h.assert_healthy(at, "ECG")
    coeffs = pywt.wavedec(pywt.data.ecg().astype(float), "db4", mode="periodization", level=4)
    energy = sum(float(np.sum(c**2)) for c in coeffs) / float(np.sum(pywt.data.ecg().astype(float) ** 2))
    assert _metric(at, "Σ c² / Σ x²") == f"{energy:.6f}" == "1.000000"
    share = np.sum(coeffs[0] ** 2) / np.sum(np.concatenate(coeffs) ** 2)
    assert _metric(at, "Energy in cA4") == f"{share:.1%}"
    cnn = h.open_page(HA.page, {"ha_tab": "Wavelets to CNNs", "ha_epochs": "2"})
    h.assert_healthy(cnn, "Wavelets to CNNs")
    said = "\n".join(m.value for m in cnn.markdown)
    diff = float(re.search(r"largest difference \*\*([0-9.e+-]+)\*\*", said).group(1))
    assert diff < 1e-12


@pytest.mark.parametrize(("n", "edge"), [("256", "5"), ("1024", "2"), ("65536", "0.05")])
def test_the_low_pass_try_this_works_at_every_length(n, edge):
    """A low-pass edge between 5 and 20 Hz can be chosen at any N and keeps the 5 Hz sine: 67.5 % of Σx²."""
    at = h.open_page(HA.page, {"ha_signal": "Sum of sines", "ha_n": n, "ha_noise": "0", "ha_fhi": edge})
    h.assert_healthy(at, f"N = {n}, edge {edge} %")
    assert not h.notes(at), h.notes(at)
    assert _metric(at, "Energy that passes") == "67.5%"
