"""Chapter 4, Probability theory and statistics: the numbers behind the distributions-and-estimation explorer.

One module per tab: :mod:`~core.probability.families` (a registry of ``torch.distributions`` families with
their sliders, densities, cdfs, exact moments and seeded samples), :mod:`~core.probability.limits` (the law of
large numbers and the central limit theorem), :mod:`~core.probability.likelihood` (maximum likelihood by
gradient ascent, observed information, Wald coverage), :mod:`~core.probability.bayes` (conjugate updating
against a grid) and :mod:`~core.probability.estimators` (bias, variance and MSE by simulation against closed
forms). Every random draw comes from a private ``torch.Generator`` seeded by the caller: no global random
state is read or changed, so a shared link reproduces the picture whichever session ran first.

Every function takes plain arguments and ``device`` and returns frozen dataclasses of CPU numpy arrays;
impossible parameters raise :class:`core.data.DataError` with a message for the user.
"""

from core.probability.bayes import BETA_PRIORS, NORMAL_PRIORS, Updating, beta_bernoulli, normal_normal
from core.probability.estimators import (
    Estimator,
    Study,
    mean_estimators,
    shrinkage,
    uniform_maximum,
    variance_estimators,
)
from core.probability.families import (
    FAMILIES,
    Explored,
    Family,
    Histogram,
    Moment,
    Moments,
    Param,
    check_params,
    distribution,
    explore,
    moments,
    sample,
    window,
)
from core.probability.likelihood import DATA, MODELS, Coverage, Fit, data_column, fit, mle_closed, wald_coverage
from core.probability.limits import (
    KS_NS,
    CentralLimit,
    KSCurve,
    LawOfLargeNumbers,
    central_limit,
    central_limit_at,
    ks_curve,
    law_of_large_numbers,
)

__all__ = [
    "BETA_PRIORS",
    "DATA",
    "FAMILIES",
    "KS_NS",
    "MODELS",
    "NORMAL_PRIORS",
    "CentralLimit",
    "Coverage",
    "Estimator",
    "Explored",
    "Family",
    "Fit",
    "Histogram",
    "KSCurve",
    "LawOfLargeNumbers",
    "Moment",
    "Moments",
    "Param",
    "Study",
    "Updating",
    "beta_bernoulli",
    "central_limit",
    "central_limit_at",
    "check_params",
    "data_column",
    "distribution",
    "explore",
    "fit",
    "ks_curve",
    "law_of_large_numbers",
    "mean_estimators",
    "mle_closed",
    "moments",
    "normal_normal",
    "sample",
    "shrinkage",
    "uniform_maximum",
    "variance_estimators",
    "wald_coverage",
    "window",
]
