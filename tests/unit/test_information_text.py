"""The numbers chapter 6's try-this sentences state, recomputed from the page's own functions at the settings
they name (the page's defaults otherwise: seed 0, 300 fit steps, 12 bins, 3 samples per size, 64 hidden units
trained for 250 epochs)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from core.information import calibration as cal
from core.information import discrete as dis
from core.information import kl_fit as klf
from core.information import likelihood as lik
from core.information import mutual as mi
from ui.figures.information import TRY_THIS, num

SAID = " ".join(TRY_THIS)
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def test_codes_and_letters():
    for name, (h, length) in {"dyadic": ("1.75", "1.75"), "loaded_die": ("2.161", "2.2"),
                              "fair_die": ("2.585", "2.667")}.items():
        d = dis.preset(name)
        c = dis.huffman(d.p, d.symbols)
        assert (f"{c.entropy:.4g}", f"{c.average_length:.4g}") == (h, length) and h in SAID and length in SAID
    t = dis.text_code("python_reference")
    assert (f"a fixed 5-bit code spends {t.letters * t.fixed_bits:,} bits on its {t.letters:,} letters, Huffman's "
            f"{t.huffman_total_bits:,}") in SAID
    assert f"from {t.code.entropy:.3f} to {t.bigram_conditional_entropy:.3f} bits" in SAID


def test_divergences():
    d = dis.divergences([1, 1, 1, 1, 1, 5], [1, 1, 1, 1, 1, 0], list("123456"), "bits")
    assert math.isinf(d.kl_pq) and d.kl_qp == pytest.approx(1.0) and "exactly 1 bit" in SAID
    zen = dis.preset("english_zen")
    d = dis.divergences(zen.p, dis.preset("english_reference").p, list(zen.symbols), "bits")
    assert f"KL(p‖q) is {d.kl_pq:.4f} bits, KL(q‖p) is infinite" in SAID and math.isinf(d.kl_qp)
    assert "p gives probability 0 to “j” and “q”, which" in " ".join(d.notes) and "“j” and “q” occur" in SAID


def test_forward_and_reverse_at_weight_point_eight():
    f = klf.fit_kl((-2.0, 2.0), (0.6, 0.6), (0.8, 0.2), None, 0.5)
    fwd = f"μ = {num(f.forward.mu[-1]).replace('-', '−')}, σ = {f.forward.sd[-1]:.3f}"
    assert fwd in SAID
    middle = [r for r in f.reverse if r.mu[0] == pytest.approx(f.mixture.mean)]
    assert len(middle) == 1 and f"at μ = {num(middle[0].mu[-1]).replace('-', '−')}" in SAID
    assert middle[0].nearest_component == 0  # the heavier, left mode


def test_overfitting_in_bits():
    r0 = lik.train_softmax("digits", 300, 0.1, 0.0, 0.7, 0)
    r1 = lik.train_softmax("digits", 300, 0.1, 1e-3, 0.7, 0)
    assert f"falls to {r0.train_cross_entropy_bits:.4f} bits" in SAID
    assert f"held-out loss is {r0.test_cross_entropy_bits:.3f}" in SAID
    assert f"0.001: {r1.train_cross_entropy_bits:.3f} and {r1.test_cross_entropy_bits:.3f}" in SAID


def test_plugin_bias_at_rho_zero():
    c = mi.mi_convergence(0.0, mi.MI_SIZES, 3, 40, 3, "bits", 0)
    assert c.exact.value == 0 and int(c.sizes[0]) == 50
    assert f"at n = 50 averages {c.plugin[:, 0].mean():.2f} bits" in SAID
    assert f"The k-NN estimate is {c.knn[:, 0].mean():.3f}" in SAID


def test_temperature_extremes():
    clf = cal.train_classifier(64, 250, 0.02, 0)
    cold, hot = cal.temper(clf, 0.05, 0, 200, 0), cal.temper(clf, 20.0, 0, 200, 0)
    assert cold.accuracy == hot.accuracy and f"Accuracy stays at {cold.accuracy:.1%}".replace("%", " %") in SAID
    assert f"goes from {cold.entropy_bits:.3f} to {hot.entropy_bits:.3f} bits" in SAID
    assert f"uniform's {np.log2(10):.3f}" in SAID
