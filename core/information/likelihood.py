"""Cross-entropy is maximum likelihood: softmax regression on a bundled data set, its loss read three ways.

A model q(y | x) = softmax(Wx + b)_y is trained by minimising the average cross-entropy between each
training label's one-hot distribution e_y and the model's prediction,

    H(e_y, q(·|x)) = −Σ_c e_y(c) log q(c|x) = −log q(y|x) = H(e_y) + KL(e_y ‖ q(·|x)),  with H(e_y) = 0,

so the training loss (1/n) Σᵢ −log₂ q(yᵢ|xᵢ) (bits per sample) *is* the average KL from the one-hot labels
to the model, and it is −1/(n ln 2) times the model's log-likelihood Σᵢ ln q(yᵢ|xᵢ): minimising
cross-entropy and maximising likelihood are the same optimisation. (The entropy of the labels given x in
the population is unknown; a model that ignores x can do no better than H(Y), the labels' own entropy.)

Training is full-batch Adam in torch with an L2 penalty λ‖W‖² on the weights, from W = 0 (the loss is
convex, so no random start is needed: the seed only draws the stratified train/test split).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from core.data import DataError, load_dataset
from core.device import compute_dtype, single_thread
from core.networks import split  # the seeded, stratified train/test mask chapter 1 uses

Progress = Callable[[float, str], None] | None
DATASETS = {"iris": "Iris: 150 flowers, 4 measurements, 3 species",
            "digits": "Digits: 1,797 images of 8×8 pixels, 10 classes"}
LN2 = math.log(2)


def standardize(X: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """(X − mean)/sd with the statistics of ``rows`` (columns with no spread are only centred)."""
    mu, sd = X[rows].mean(axis=0), X[rows].std(axis=0)
    return (X - mu) / np.where(sd > 0, sd, 1.0)


@dataclass(frozen=True)
class LikelihoodResult:
    """A trained softmax regression, its curves (index = epoch, 0 = untrained: log₂ K bits) and the
    per-sample surprisals that make up its loss."""

    data: str
    classes: tuple[str, ...]
    epochs: int
    lr: float
    weight_decay: float
    seed: int
    y: np.ndarray  # (n,)
    is_train: np.ndarray  # (n,) bool
    train_bits: np.ndarray  # (epochs + 1,) mean −log₂ q(y|x) on the training rows
    test_bits: np.ndarray  # (epochs + 1,) on the held-out rows (NaN when none)
    train_acc: np.ndarray  # (epochs + 1,)
    test_acc: np.ndarray  # (epochs + 1,)
    proba: np.ndarray  # (n, K) q(c|x) at the end
    surprisal_bits: np.ndarray  # (n,) −log₂ q(yᵢ|xᵢ) at the end = KL(e_yᵢ ‖ q(·|xᵢ)) since H(e_y) = 0
    log_likelihood: float  # Σ over training rows of ln q(yᵢ|xᵢ), nats (torch.distributions.Categorical)
    train_cross_entropy_bits: float  # = −log_likelihood / (n_train ln 2)
    test_cross_entropy_bits: float
    label_entropy_bits: float  # H(Y) of the training labels: the best loss of a model that ignores x
    uniform_bits: float  # log₂ K: the untrained model's loss


def train_softmax(data: str = "digits", epochs: int = 100, lr: float = 0.1, weight_decay: float = 1e-3,
                  train_fraction: float = 0.7, seed: int = 0, progress: Progress = None,
                  device: torch.device | str = "cpu") -> LikelihoodResult:
    """Softmax regression on ``data`` (standardized with the training rows' statistics): ``epochs`` full-batch
    Adam steps (step size ``lr``) on mean cross-entropy (nats) + ``weight_decay`` ‖W‖², from W = 0, b = 0.
    Records the training and held-out cross-entropy in bits per sample and the accuracies after every step."""
    if not 0 < train_fraction <= 1:
        raise DataError("The training fraction must lie in (0, 1].")
    if data not in DATASETS:
        raise DataError(f"Unknown data set {data!r}; choose one of {', '.join(DATASETS)}.")
    if not 0 <= epochs <= 5000 or not (math.isfinite(lr) and lr > 0) or not weight_decay >= 0:
        raise DataError("Use 0 to 5000 epochs, a positive step size and a penalty that is not negative.")
    device = torch.device(device)
    dtype = compute_dtype(device)
    ds = load_dataset(data)
    y = np.asarray(ds.y)
    is_train = split(y, train_fraction, seed)
    order = np.r_[np.flatnonzero(is_train), np.flatnonzero(~is_train)]  # training rows first: slices, not masks
    m = int(is_train.sum())
    Xs = standardize(np.asarray(ds.X, dtype=np.float64), is_train)[order]
    X = torch.as_tensor(Xs, dtype=dtype, device=device)
    yt = torch.as_tensor(y[order].copy(), device=device)
    K = len(ds.target_names)
    W = torch.zeros(X.shape[1], K, dtype=dtype, device=device, requires_grad=True)
    b = torch.zeros(K, dtype=dtype, device=device, requires_grad=True)
    opt = torch.optim.Adam([W, b], lr=lr)
    has_test = m < len(y)
    nan = torch.full((), math.nan, dtype=dtype, device=device)
    rows = []
    ce = torch.nn.functional.cross_entropy

    def record(logits: torch.Tensor) -> None:
        each = ce(logits, yt, reduction="none") / LN2
        hit = (logits.argmax(1) == yt).to(dtype)
        rows.append(torch.stack([each[:m].mean(), each[m:].mean() if has_test else nan,
                                 hit[:m].mean(), hit[m:].mean() if has_test else nan]))

    with single_thread(device):
        for epoch in range(epochs + 1):
            logits = X @ W + b
            with torch.no_grad():
                record(logits)
            if epoch == epochs:
                break
            loss = ce(logits[:m], yt[:m]) + weight_decay * (W * W).sum()
            opt.zero_grad()
            loss.backward()
            opt.step()
            if progress and ((epoch + 1) % max(1, epochs // 20) == 0):
                progress((epoch + 1) / epochs, f"Training: epoch {epoch + 1} of {epochs}")
        with torch.no_grad():
            logits = torch.empty_like(logits).index_copy_(0, torch.as_tensor(order, device=device), X @ W + b)
            yt = torch.as_tensor(y.copy(), device=device)
            tr = torch.as_tensor(is_train, device=device)
            proba = torch.softmax(logits, 1)
            surprisal = ce(logits, yt, reduction="none") / LN2
            loglik = torch.distributions.Categorical(logits=logits[tr]).log_prob(yt[tr]).sum()
    hist = torch.stack(rows).to("cpu", torch.float64).numpy().T
    s = surprisal.to("cpu", torch.float64).numpy()
    freq = np.bincount(y[is_train], minlength=K) / is_train.sum()
    h_y = float(-(freq[freq > 0] * np.log2(freq[freq > 0])).sum())
    return LikelihoodResult(data, tuple(ds.target_names), int(epochs), float(lr), float(weight_decay), int(seed),
                            y, is_train, *hist, proba.to("cpu", torch.float64).numpy(), s, float(loglik),
                            float(s[is_train].mean()), float(s[~is_train].mean()) if has_test else math.nan,
                            h_y, math.log2(K))
