"""Chapter 4's page (AppTest) at the edges a stranger's link or a slider reaches: parameters at the ends of their
support, distributions without a mean or a variance, a model that does not suit the data, one observation. Each
gets words and a picture, never a traceback; the numbers shown are core's."""

from __future__ import annotations

import numpy as np
import pytest

from core import probability as P
from tests import helpers as h

PAGE = "explorers/04_probability.py"
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _open(**params):
    return h.open_page(PAGE, {k: str(v) for k, v in params.items()})


def _texts(at) -> list[str]:
    return [e.value for kind in ("markdown", "caption", "error", "warning", "info") for e in at.get(kind)]


@pytest.mark.parametrize("params", [
    {"pr_fam": "Beta", "pr_beta_a": 0.01, "pr_beta_b": 0.01},
    {"pr_fam": "Normal", "pr_normal_sigma": 0.05},
    {"pr_fam": "Bernoulli", "pr_bernoulli_p": 0.0},
    {"pr_fam": "Bernoulli", "pr_bernoulli_p": 1.0},
    {"pr_fam": "Two-Gaussian mixture", "pr_mixture_weight": 0.0},
    {"pr_fam": "Student-t", "pr_student_t_df": 0.5},
])
@pytest.mark.parametrize("tab", ["Distributions", "Law of large numbers", "Central limit theorem"])
def test_parameters_at_the_edges_of_their_support(tab, params):
    at = _open(pr_tab=tab, **params)
    h.assert_healthy(at, f"{tab} {params}")


def test_a_distribution_without_moments_says_so():
    at = _open(pr_tab="Distributions", pr_fam="Cauchy")
    h.assert_healthy(at, "cauchy")
    shown = dict(h.metric_values(at))
    assert shown["Mean"] == "none" and shown["Variance"] == "none"
    assert not any("inf" in v for v in shown.values())
    assert any("no mean" in t for t in _texts(at))


def test_a_count_model_on_measurements_is_refused_with_words_and_the_data_drawn():
    at = _open(pr_tab="Maximum likelihood", pr_data="Wine: alcohol", pr_model="Poisson")
    h.assert_healthy(at, "poisson on wine")
    assert any("counts" in t for t in _texts(at)) and h.charts(at) >= 1


def test_the_mle_equals_the_closed_form():
    at = _open(pr_tab="Maximum likelihood")
    x = P.data_column("wine_alcohol")
    shown = dict(h.metric_values(at))
    assert shown["MLE μ"] == f"{x.mean():.4g}" and shown["MLE σ"] == f"{x.std(ddof=0):.4g}"


def test_bayes_before_any_data_and_with_every_observation():
    at = _open(pr_tab="Bayesian updating", pr_k=0)
    h.assert_healthy(at, "k = 0")
    assert dict(h.metric_values(at))["MLE"] == "no data yet"
    at = _open(pr_tab="Bayesian updating", pr_bayes="a mean: normal prior, normal data", pr_nobs=1000, pr_k=1000)
    h.assert_healthy(at, "k = 1000")
    u = P.normal_normal(None, 1.0, 1.0, 1000, 0, 0.0, 1.0)
    assert dict(h.metric_values(at))["Posterior mean"] == f"{u.posterior_mean[1000]:.4g}"
    assert np.isclose(u.posterior_mean[1000], (u.data.sum()) / (1000 + 1))  # τ₀ = σ = 1: (0 + Σx)/(1 + n)
