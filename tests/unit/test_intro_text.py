"""The Introduction page's words about Figure 1.2 (ui.figures.intro.TRY_THIS) hold: checked with core.networks at
the settings they name (the page's defaults otherwise)."""

from __future__ import annotations

from core import networks as nw
from ui.figures.intro import TRY_THIS

SAID = " ".join(TRY_THIS)


def test_vanishing_gradient_ratios():
    van = nw.vanishing_gradients(8, 16, nw.ACTIVATIONS, 20, 0.1, "moons", 200, 0)
    smaller = dict(zip(van.activations, van.grad_norm[:, 0, -1] / van.grad_norm[:, 0, 0], strict=True))
    assert "about 240,000 times smaller" in SAID and round(smaller["sigmoid"], -4) == 240_000
    assert "with tanh and ReLU about 3 times" in SAID and all(2.5 < smaller[a] < 3.5 for a in ("tanh", "relu"))


def test_a_learning_rate_of_30_blows_up_at_epoch_5():
    assert "The loss blows up at epoch 5" in SAID
    assert nw.train_mlp("moons", (8, 8), "tanh", 30.0, 300, 0.0, 0.0, 0.7, 0).diverged_at == 5
    at_10 = nw.train_mlp("moons", (8, 8), "tanh", 10.0, 300, 0.0, 0.0, 0.7, 0)
    at_03 = nw.train_mlp("moons", (8, 8), "tanh", 0.3, 300, 0.0, 0.0, 0.7, 0)
    assert at_10.diverged_at is None and at_10.train_loss[-1] > 3 * at_03.train_loss[-1]
