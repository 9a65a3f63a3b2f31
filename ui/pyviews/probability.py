"""Chapter 4's tabs in Python (ui/pyview.py): each prints the tab's metrics with the page's own labels and
formats."""

from __future__ import annotations

from ui.pyview import View

_M = 'def moment(m):\n    return f"{m.value:.4g}" if m.defined else "none"\n'

VIEWS: dict[tuple[str, str], View] = {
    ("pr", "Distributions"): View(
        names={"explore": "e"},
        prints=_M +
               'print(f"Mean: {moment(e.moments.mean)}")\n'
               'print(f"Sample mean: {e.sample_mean:.4g}")\n'
               'print(f"Variance: {moment(e.moments.variance)}")\n'
               'print(f"Sample variance: {e.sample_variance:.4g}")\n'
               'print(f"Skewness: {moment(e.moments.skewness)}")\n'
               'print(f"Sample skewness: {e.sample_skewness:.3g}")'),
    ("pr", "Law of large numbers"): View(
        names={"law_of_large_numbers": "lln"},
        prints='import numpy as np\n'
               'n = int(lln.steps[-1])\n'
               'print(f"The {lln.centre_kind}: {lln.centre:.4g}")\n'
               'print("σ: " + (f"{lln.sd:.4g}" if np.isfinite(lln.sd) else "none"))\n'
               'print(f"Outside ±{lln.eps:g} at n = {n:,}: {lln.outside[-1]:.1%}")\n'
               'print("Chebyshev\'s bound there: " + (f"{lln.chebyshev[-1]:.1%}" if np.isfinite(lln.chebyshev[-1]) '
               'else "none"))'),
    ("pr", "Central limit theorem"): View(
        names={"central_limit_at": "c", "ks_curve": "k"},
        prints='import numpy as np\n'
               'print(f"KS distance at this n: {c.ks:.4f}")\n'
               'print("Fitted slope: " + (f"{k.slope:.2f}" if np.isfinite(k.slope) else "—"))\n'
               'print(f"Noise floor: {k.floor:.4f}")'),
    ("pr", "Maximum likelihood"): View(
        names={"data_column": "x", "fit": "f", "wald_coverage": "cov"},
        prints='for name, value in zip(f.names, f.mle):\n'
               '    print(f"MLE {name}: {value:.4g}")\n'
               'print(f"log-likelihood: {f.loglik:.2f}")'),
    ("pr", "Bayesian updating"): View(
        names={"beta_bernoulli": "u", "normal_normal": "u"}, values=("pr_k",),
        prints='import numpy as np\n'
               'print(f"Posterior mean: {u.posterior_mean[k]:.4g}")\n'
               'print("MAP: " + (f"{u.map[k]:.4g}" if np.isfinite(u.map[k]) else "not unique"))\n'
               'print("MLE: " + (f"{u.mle[k]:.4g}" if np.isfinite(u.mle[k]) else "no data yet"))\n'
               'print(f"{u.level:.0%} credible interval: {u.lower[k]:.3g} to {u.upper[k]:.3g}")\n'
               'print(f"One at a time − all at once: {u.sequential_vs_batch:.1e}")'),
    ("pr", "Estimators"): View(
        names={"variance_estimators": "s", "uniform_maximum": "s", "mean_estimators": "s", "shrinkage": "s"},
        prints='for e in s.estimators:\n'
               '    print(f"MSE, {e.key}, n = {int(s.ns[0])}: {e.mse[0]:.3g}")'),
}
