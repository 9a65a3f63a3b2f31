"""Softmax temperature and calibration, on the logits of a small network trained on the digits.

At temperature T the predictive distribution is q_T(c|x) = softmax(z/T)_c = e^{z_c/T} / Σ_j e^{z_j/T}:
T → 0 puts all mass on the largest logit (entropy 0), T = 1 is the trained model, T → ∞ flattens it to
uniform (entropy log K). Dividing by T > 0 keeps the order of the logits, so the predicted class and the
accuracy never change; only the confidence does.

A network trained to a small training loss is usually *over-confident* on new data: among predictions made
with confidence ≈ 0.95, fewer than 95 % are right. A reliability diagram bins the held-out predictions by
confidence (the largest probability) and sets each bin's accuracy against its mean confidence; the
expected calibration error is their gap weighted by the bins' shares,

    ECE = Σ_b (n_b / n) |acc_b − conf_b|,  bin b = (b−1)/B < confidence ≤ b/B (the first bin includes 0).

**Temperature scaling** (Guo et al. 2017) fits one T on a validation split by minimising the negative
log-likelihood NLL(T) = −(1/n) Σ log softmax(zᵢ/T)_{yᵢ} (here: L-BFGS on log T in torch, checked against
``scipy.optimize.minimize_scalar``), then reports NLL and ECE on a separate test split before and after.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from core.data import DataError, load_dataset
from core.device import compute_dtype, single_thread
from core.information.likelihood import standardize
from core.threads import seeded

Progress = Callable[[float, str], None] | None
SPLITS = ("train", "validation", "test")
LN2 = math.log(2)
T_BOUNDS = (0.05, 20.0)  # where the fitted temperature is searched (and clamped)


def three_way_split(y: np.ndarray, fractions: tuple[float, float] = (0.3, 0.35), seed: int = 0) -> np.ndarray:
    """A seeded, stratified split into training (0), validation (1) and test (2) rows: in each class a shuffle,
    its first ``fractions[0]`` share for training, the next ``fractions[1]`` for validation, the rest test."""
    a, b = fractions
    if min(a, b) <= 0 or a + b >= 1:
        raise DataError("The training and validation shares must be positive and leave rows for testing.")
    rng = np.random.default_rng(seed)
    part = np.full(len(y), 2, dtype=np.int64)
    for c in np.unique(y):
        idx = rng.permutation(np.flatnonzero(y == c))
        n_train, n_val = round(a * len(idx)), round(b * len(idx))
        part[idx[:n_train]] = 0
        part[idx[n_train:n_train + n_val]] = 1
    return part


@dataclass(frozen=True)
class Classifier:
    """A small tanh network trained on the digits, reduced to what calibration needs: its logits."""

    hidden: int
    epochs: int
    seed: int
    logits: np.ndarray  # (n, 10) for every row
    y: np.ndarray  # (n,)
    part: np.ndarray  # (n,) 0 train, 1 validation, 2 test
    train_loss: np.ndarray  # (epochs + 1,) mean cross-entropy on the training rows, nats
    accuracy: tuple[float, float, float]  # train, validation, test

    def rows(self, which: str) -> tuple[np.ndarray, np.ndarray]:
        """(logits, labels) of the ``which`` split ("train", "validation" or "test")."""
        if which not in SPLITS:
            raise DataError(f"Unknown split {which!r}; choose one of {', '.join(SPLITS)}.")
        mask = self.part == SPLITS.index(which)
        return self.logits[mask], self.y[mask]


def train_classifier(hidden: int = 64, epochs: int = 250, lr: float = 0.02, seed: int = 0,
                     fractions: tuple[float, float] = (0.3, 0.35), progress: Progress = None,
                     device: torch.device | str = "cpu") -> Classifier:
    """A 64 → ``hidden`` (tanh) → 10 network on the digits (standardized by the training rows), trained with
    full-batch Adam on cross-entropy and no penalty for ``epochs`` steps on a small training split
    (``fractions`` = training and validation shares, the rest test; see :func:`three_way_split`), long
    enough to drive the training loss near 0 and to become over-confident on new digits: the kind of
    model temperature scaling is for. Initial weights are PyTorch's defaults drawn from ``seed``."""
    if not 1 <= hidden <= 512 or not 0 <= epochs <= 5000 or not (math.isfinite(lr) and lr > 0):
        raise DataError("Use 1 to 512 hidden units, 0 to 5000 epochs and a positive step size.")
    device = torch.device(device)
    dtype = compute_dtype(device)
    ds = load_dataset("digits")
    y = np.asarray(ds.y).copy()
    part = three_way_split(y, fractions, seed)
    X = torch.as_tensor(standardize(np.asarray(ds.X, dtype=np.float64), part == 0), dtype=dtype, device=device)
    yt = torch.as_tensor(y, device=device)
    with seeded(seed):
        net = torch.nn.Sequential(torch.nn.Linear(64, hidden), torch.nn.Tanh(), torch.nn.Linear(hidden, 10))
    net = net.to(device=device, dtype=dtype)
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    tr = torch.as_tensor(part == 0, device=device)
    Xtr, ytr = X[tr], yt[tr]
    losses = []
    with single_thread(device):
        for epoch in range(epochs):
            loss = torch.nn.functional.cross_entropy(net(Xtr), ytr)
            losses.append(loss.detach())
            opt.zero_grad()
            loss.backward()
            opt.step()
            if progress and (epoch + 1) % max(1, epochs // 20) == 0:
                progress((epoch + 1) / epochs, f"Training: epoch {epoch + 1} of {epochs}")
        with torch.no_grad():
            logits = net(X)
            losses.append(torch.nn.functional.cross_entropy(logits[tr], ytr))
    z = logits.to("cpu", torch.float64).numpy()
    hit = z.argmax(1) == y
    acc = tuple(float(hit[part == k].mean()) for k in range(3))
    return Classifier(int(hidden), int(epochs), int(seed), z, y, part,
                      torch.stack(losses).to("cpu", torch.float64).numpy(), acc)  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------------ temperature


def log_softmax_t(logits: torch.Tensor, T: float | torch.Tensor) -> torch.Tensor:
    """log softmax(z/T) over the last axis. T = 0 is the limit: log of an even split of the mass between the
    largest logits (0 for the arg max when it is unique) and −∞ elsewhere."""
    if isinstance(T, torch.Tensor) or T > 0:  # shifted so that a tiny T sends the others to −∞, never NaN
        return torch.log_softmax((logits - logits.max(-1, keepdim=True).values) / T, dim=-1)
    top = logits == logits.max(-1, keepdim=True).values
    return torch.where(top, -torch.log(top.sum(-1, keepdim=True).to(logits.dtype)), -math.inf)


def nll_t(logits: torch.Tensor, y: torch.Tensor, T: float | torch.Tensor) -> torch.Tensor:
    """NLL(T) = −(1/n) Σ log softmax(zᵢ/T)_{yᵢ}, nats."""
    return -log_softmax_t(logits, T).gather(-1, y[:, None]).mean()


def _check_T(T: float) -> float:
    T = float(T)
    if not (math.isfinite(T) and T >= 0):
        raise DataError("The temperature must be a finite number, 0 or more.")
    return T


@dataclass(frozen=True)
class Tempered:
    """The predictive distribution at temperature T: one example's probabilities and samples, and how
    the average entropy over the test rows moves with T."""

    T: float
    row: int  # index among the test rows
    label: int  # that row's true class
    probs: np.ndarray  # (10,) softmax(z/T) of that row
    entropy_bits: float  # its entropy
    samples: np.ndarray  # (n_samples,) classes drawn from it (seeded)
    counts: np.ndarray  # (10,) how often each class was drawn
    temperatures: np.ndarray  # (m,) a log-spaced sweep
    mean_entropy_bits: np.ndarray  # (m,) the test rows' mean predictive entropy at each
    max_entropy_bits: float  # log₂ 10: the uniform distribution's
    accuracy: float  # test accuracy: the same at every T > 0


def temper(clf: Classifier, T: float = 1.0, row: int = 0, n_samples: int = 200, seed: int = 0,
           sweep: tuple[float, float, int] = (0.01, 100.0, 61), device: torch.device | str = "cpu") -> Tempered:
    """softmax(z/T) for test row ``row``, ``n_samples`` classes drawn from it (``torch.multinomial`` with a
    generator seeded by ``seed``), and the mean entropy H(q_T) of the test rows over ``sweep`` = (lowest T,
    highest T, points), log-spaced. T = 0 is the arg max (see :func:`log_softmax_t`)."""
    T = _check_T(T)
    z, y = clf.rows("test")
    if not 0 <= row < len(y):
        raise DataError(f"Choose a test row from 0 to {len(y) - 1}.")
    if not 1 <= n_samples <= 100_000:
        raise DataError("Draw 1 to 100,000 samples.")
    lo, hi, m = sweep
    if not (0 < lo < hi and 2 <= m <= 1000):
        raise DataError("The sweep needs 0 < lowest T < highest T and 2 to 1,000 points.")
    device = torch.device(device)
    dtype = compute_dtype(device)
    Z = torch.as_tensor(z, dtype=dtype, device=device)
    Ts = torch.logspace(math.log10(lo), math.log10(hi), int(m), dtype=dtype, device=device)
    logq = torch.log_softmax(Z[None] / Ts[:, None, None], dim=-1)  # (m, n, 10)
    mean_h = -(torch.special.xlogy(logq.exp(), logq.exp())).sum(-1).mean(-1) / LN2
    lp = log_softmax_t(Z[row], T)
    p = lp.exp()
    gen = torch.Generator(device=device).manual_seed(int(seed))
    draws = torch.multinomial(p, int(n_samples), replacement=True, generator=gen)
    return Tempered(T, int(row), int(y[row]), p.to("cpu", torch.float64).numpy(),
                    float(-torch.special.xlogy(p, p).sum() / LN2) + 0.0, draws.cpu().numpy(),
                    np.bincount(draws.cpu().numpy(), minlength=10), Ts.to("cpu", torch.float64).numpy(),
                    mean_h.to("cpu", torch.float64).numpy(), math.log2(10), float((z.argmax(1) == y).mean()))


@dataclass(frozen=True)
class Reliability:
    """A reliability diagram's bins and the summary numbers of one set of predictions."""

    edges: np.ndarray  # (B + 1,) 0, 1/B, …, 1
    counts: np.ndarray  # (B,)
    accuracy: np.ndarray  # (B,) share right in each bin (NaN when empty)
    confidence: np.ndarray  # (B,) mean confidence in each bin (NaN when empty)
    ece: float  # Σ (n_b/n) |acc_b − conf_b|
    nll: float  # −(1/n) Σ log q(yᵢ|xᵢ), nats
    accuracy_all: float


def reliability_t(logp: torch.Tensor, y: torch.Tensor, bins: int = 10) -> Reliability:
    """Bin the predictions of log-probabilities ``logp`` (n, K) by confidence c = max_k q_k into ``bins``
    equal-width bins, bin b holding (b−1)/B < c ≤ b/B (the first also c = 0)."""
    if not 1 <= bins <= 100:
        raise DataError("Use 1 to 100 bins.")
    q = logp.exp()
    conf, pred = q.max(-1)
    hit = (pred == y).to(q.dtype)
    idx = (torch.ceil(conf * bins).long() - 1).clamp(0, bins - 1)
    counts = torch.bincount(idx, minlength=bins).to(q.dtype)
    acc_sum = torch.zeros(bins, dtype=q.dtype, device=q.device).index_add_(0, idx, hit)
    conf_sum = torch.zeros(bins, dtype=q.dtype, device=q.device).index_add_(0, idx, conf)
    n = len(y)
    ece = (acc_sum - conf_sum).abs().sum() / n  # Σ (n_b/n) |acc_b − conf_b| = Σ |Σ_b hit − Σ_b conf| / n
    nll = -logp.gather(-1, y[:, None]).mean()
    arr = lambda t: t.to("cpu", torch.float64).numpy()  # noqa: E731
    with np.errstate(invalid="ignore", divide="ignore"):
        return Reliability(np.linspace(0, 1, bins + 1), arr(counts).astype(np.int64), arr(acc_sum) / arr(counts),
                           arr(conf_sum) / arr(counts), float(ece), float(nll), float(hit.mean()))


@dataclass(frozen=True)
class Calibration:
    """Temperature scaling fitted on the validation rows and judged on the test rows."""

    T: float  # the fitted temperature (torch, L-BFGS on log T)
    T_scipy: float  # scipy.optimize.minimize_scalar's, on the same NLL (bounded search over T_BOUNDS)
    T_path: np.ndarray  # the temperatures L-BFGS visited, from T = 1
    temperatures: np.ndarray  # (m,) a sweep for drawing the validation NLL(T)
    validation_nll: np.ndarray  # (m,)
    before: Reliability  # test rows at T = 1
    after: Reliability  # test rows at the fitted T
    bins: int


def fit_temperature_t(z: torch.Tensor, y: torch.Tensor) -> tuple[float, list[float]]:
    """argmin_T NLL(T) by L-BFGS (strong-Wolfe line search) on u = log T from u = 0, clamped to T_BOUNDS."""
    u = torch.zeros((), dtype=z.dtype, device=z.device, requires_grad=True)
    opt = torch.optim.LBFGS([u], lr=1.0, max_iter=100, tolerance_grad=1e-12, tolerance_change=1e-14,
                            line_search_fn="strong_wolfe")
    path = [1.0]

    def closure() -> torch.Tensor:
        opt.zero_grad()
        loss = nll_t(z, y, torch.exp(u))
        loss.backward()
        path.append(float(torch.exp(u.detach())))
        return loss

    opt.step(closure)
    lo, hi = T_BOUNDS
    return min(max(float(torch.exp(u.detach())), lo), hi), path


def calibrate(clf: Classifier, bins: int = 10, device: torch.device | str = "cpu") -> Calibration:
    """Fit T on the validation rows (min NLL), then the test rows' reliability diagram, ECE and NLL at T = 1
    and at the fitted T. scipy's bounded scalar minimiser fits the same NLL (from numpy) as a check."""
    from scipy.optimize import minimize_scalar
    from scipy.special import log_softmax

    device = torch.device(device)
    dtype = compute_dtype(device)
    zv, yv = clf.rows("validation")
    zt, yt = clf.rows("test")
    Zv, Yv = torch.as_tensor(zv, dtype=dtype, device=device), torch.as_tensor(yv.copy(), device=device)
    Zt, Yt = torch.as_tensor(zt, dtype=dtype, device=device), torch.as_tensor(yt.copy(), device=device)
    with single_thread(device):
        T, path = fit_temperature_t(Zv, Yv)
        Ts = torch.logspace(math.log10(T_BOUNDS[0]), math.log10(T_BOUNDS[1]), 81, dtype=dtype, device=device)
        with torch.no_grad():
            curve = torch.stack([nll_t(Zv, Yv, t) for t in Ts])
            before = reliability_t(log_softmax_t(Zt, 1.0), Yt, bins)
            after = reliability_t(log_softmax_t(Zt, T), Yt, bins)
    ref = minimize_scalar(lambda t: -log_softmax(zv / t, axis=1)[np.arange(len(yv)), yv].mean(),
                          bounds=T_BOUNDS, method="bounded", options={"xatol": 1e-8})
    return Calibration(T, float(ref.x), np.array(path), Ts.to("cpu", torch.float64).numpy(),
                       curve.to("cpu", torch.float64).numpy(), before, after, int(bins))
