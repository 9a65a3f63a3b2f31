"""Chapter 6's page (AppTest) at the edges a stranger's link or a slider reaches: weights that do not sum to 1 or
are all 0, a single symbol, a q that calls a possible outcome impossible, a mixture component of weight 0, ρ = ±1,
temperatures at both ends. Each gets words and a picture, never a traceback; the numbers shown are core's,
checked here against scipy."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.special import rel_entr
from scipy.stats import entropy

from tests import helpers as h

PAGE = "explorers/06_information.py"
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _open(**params):
    return h.open_page(PAGE, {k: str(v) for k, v in params.items()})


def _texts(at) -> list[str]:
    return [e.value for kind in ("markdown", "caption", "error", "warning", "info") for e in at.get(kind)]


def test_the_default_entropy_is_scipys():
    at = _open()
    h.assert_healthy(at, "default")
    shown = dict(h.metric_values(at))
    assert shown["Entropy H(p)"] == f"{entropy([0.1] * 5 + [0.5], base=2):.4f} bits"
    assert shown["Huffman's average length"] == "2.2000 bits" and shown["Kraft's sum"] == "1"


def test_custom_weights_are_normalised_and_all_zero_falls_back_with_words():
    at = _open(it_src="Your own (sliders)", it_k=3, it_w1=0.2, it_w2=0.2, it_w3=0.4, it_unit="nats (ln)")
    h.assert_healthy(at, "custom")
    assert any("normalised" in t for t in _texts(at))
    assert dict(h.metric_values(at))["Entropy H(p)"] == f"{entropy([1, 1, 2]):.4f} nats"
    at = _open(it_src="Your own (sliders)", it_k=2, it_w1=0.0, it_w2=0.0)
    h.assert_healthy(at, "all zero")
    assert any("Every weight is 0" in t for t in _texts(at))


def test_one_symbol_has_no_entropy_and_needs_no_bits():
    at = _open(it_src="Your own (sliders)", it_k=1, it_w1=0.7)
    h.assert_healthy(at, "one symbol")
    shown = dict(h.metric_values(at))
    assert shown["Entropy H(p)"] == "0.0000 bits" and shown["Huffman's average length"] == "0.0000 bits"


def test_the_english_letters_show_the_text_numbers():
    at = _open(it_src="English letters: the Zen of Python")
    h.assert_healthy(at, "zen letters")
    shown = dict(h.metric_values(at))
    assert shown["A fixed 5-bit code"].endswith(" bits") and "H(letter | the one before)" in shown


def test_divergences_equal_scipys_and_a_zero_in_q_is_infinite_in_words():
    p, q = np.array([1, 1, 1, 1, 1, 5.0]), np.array([1, 2, 1, 1, 1, 3.0])
    params = {f"it_p{i + 1}": v for i, v in enumerate(p)} | {f"it_q{i + 1}": v for i, v in enumerate(q)}
    at = _open(it_tab="Cross-entropy and KL", **params)
    h.assert_healthy(at, "dice")
    shown = dict(h.metric_values(at))
    p, q = p / p.sum(), q / q.sum()
    assert shown["KL(p‖q)"] == f"{rel_entr(p, q).sum() / math.log(2):.4f} bits"
    assert shown["KL(q‖p)"] == f"{rel_entr(q, p).sum() / math.log(2):.4f} bits"
    assert shown["H(p, q)"] == f"{entropy(p, base=2) + rel_entr(p, q).sum() / math.log(2):.4f} bits"
    at = _open(it_tab="Cross-entropy and KL", it_q6=0.0)
    h.assert_healthy(at, "q6 = 0")
    shown = dict(h.metric_values(at))
    assert shown["KL(p‖q)"] == "infinite" and shown["H(p, q)"] == "infinite" and shown["KL(q‖p)"] == "1.0000 bits"
    assert any("infinite" in t and "“6”" in t for t in _texts(at))
    assert not any(v.startswith("inf") and v != "infinite" for v in shown.values())


def test_letters_of_two_texts():
    at = _open(it_tab="Cross-entropy and KL", it_pair="letters of two texts")
    h.assert_healthy(at, "letters")
    assert dict(h.metric_values(at))["KL(q‖p)"] == "infinite"


@pytest.mark.parametrize("params", [{"it_w": 0.0}, {"it_w": 1.0}, {"it_sep": 0.5, "it_sd": 2.0},
                                    {"it_dim": "a mixture in the plane", "it_w": 0.0}])
def test_the_fits_at_the_edges(params):
    at = _open(it_tab="Forward vs reverse KL", **params)
    h.assert_healthy(at, str(params))
    assert h.charts(at) >= 1


def test_the_forward_fit_matches_the_moments():
    at = _open(it_tab="Forward vs reverse KL", it_w=0.8)
    shown = dict(h.metric_values(at))
    mean, var = 0.8 * -2 + 0.2 * 2, 0.6**2 + 0.8 * 4 + 0.2 * 4 - (0.8 * -2 + 0.2 * 2) ** 2
    assert shown["Forward fit μ, σ"] == f"{mean:.3f}, {math.sqrt(var):.3f}"


@pytest.mark.parametrize("rho", [1.0, -1.0, 0.0])
def test_mutual_information_at_the_edges(rho):
    at = _open(it_tab="Mutual information", it_rho=rho)
    h.assert_healthy(at, f"rho {rho}")
    shown = dict(h.metric_values(at))
    if abs(rho) == 1:
        assert shown["Exact I(X; Y)"] == "infinite" and any("infinite" in t for t in _texts(at))
    else:
        assert shown["Exact I(X; Y)"] == "0.0000 bits"


def test_the_pixel_map():
    at = _open(it_tab="Mutual information", it_mi="digits pixels and the label")
    h.assert_healthy(at, "pixels")
    assert dict(h.metric_values(at))["Constant pixels"].isdigit()


@pytest.mark.parametrize("T", [0.05, 20.0])
def test_temperature_at_both_ends_keeps_accuracy(T):
    at = _open(it_tab="Calibration", it_T=T)
    h.assert_healthy(at, f"T {T}")
    shown = dict(h.metric_values(at))
    assert shown["Test accuracy"] == dict(h.metric_values(_open(it_tab="Calibration")))[
        "Test accuracy"]
    bits = float(shown[f"Entropy at T = {T:g}"].split()[0])
    assert (bits < 0.01) if T < 1 else (bits > 3.0)
