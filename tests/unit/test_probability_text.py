"""The numbers chapter 4's try-this sentences state, recomputed from the page's own functions at the settings
they name (the page's defaults otherwise: seed 0, 200 paths of 1,000 draws, ε = 0.1, 5,000 means)."""

from __future__ import annotations

from pathlib import Path

import pytest

from core import probability as P
from ui.figures.probability import TRY_THIS

SAID = " ".join(TRY_THIS)
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def test_cauchy_sample_and_law_of_large_numbers():
    e = P.explore("cauchy", None, 100_000, 0)
    clipped = e.histogram.clipped_below + e.histogram.clipped_above
    assert f"{clipped:,} draws fall outside the drawn window, which holds {e.window_mass:.1%}".replace("%", " %") \
        in SAID and not e.moments.mean.defined
    lln = P.law_of_large_numbers("cauchy", None, 200, 1000, 0.1, 0)
    assert f"{lln.outside[0]:.0%} at n = 1, {lln.outside[-1]:.1%} at n = 1,000".replace("%", " %") in SAID
    assert lln.centre_kind == "median" and lln.outside[-1] >= lln.outside[0]


def test_clt_distances_and_floor():
    curve = P.ks_curve("exponential", None, replicates=5_000, seed=0)  # the page's KS_REPLICATES
    ks = [P.central_limit_at(curve, n).ks for n in (1, 5, 30)]
    assert ks[0] > ks[1] > ks[2]
    assert f"falls from {ks[0]:.3f} to {ks[1]:.3f} to {ks[2]:.3f}" in SAID
    assert f"noise floor ({curve.floor:.3f})" in SAID and P.central_limit_at(curve, 300).ks < curve.floor


def test_bayes_and_estimators():
    u = P.beta_bernoulli(None, 0.3, 50, 0, 2.0, 50.0)
    assert f"(mean {u.posterior_mean[0]:.3f})" in SAID
    assert f"posterior mean is only {u.posterior_mean[50]:.3f} while the MLE is {u.mle[50]:.2f}" in SAID
    s = P.variance_estimators(seed=0)
    biased, unbiased = s.get("biased"), s.get("unbiased")
    assert (biased.exact_mse[0], unbiased.exact_mse[0]) == (pytest.approx(0.75), pytest.approx(2.0))
    assert abs(biased.mse[0] / 0.75 - 1) < 0.05 and abs(unbiased.mse[0] / 2.0 - 1) < 0.05


def test_the_fitted_slopes_the_clt_metric_quotes():
    """The "Fitted slope" metric's help quotes the exponential's slope at seeds 0 and 1 (the page's 5,000 paths)."""
    page = (Path(__file__).resolve().parents[2] / "explorers" / "04_probability.py").read_text(encoding="utf-8")
    s0, s1 = (P.ks_curve("exponential", None, replicates=5_000, seed=s).slope for s in (0, 1))
    assert f"for the exponential it was {s0:.2f} and {s1:.2f} at seeds 0 and 1".replace("-", "−") in page
