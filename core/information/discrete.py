"""Discrete distributions: entropy, Huffman codes, cross-entropy, KL and Jensen–Shannon divergences.

For a distribution p on symbols x₁…x_k (weights normalised to sum 1, zeros allowed):

    H(p) = −Σ p(x) log p(x)                       (0 log 0 = 0; bits with log₂, nats with ln)
    H(p, q) = −Σ p(x) log q(x) = H(p) + KL(p‖q)   (cross-entropy)
    KL(p‖q) = Σ p(x) log (p(x)/q(x)) ≥ 0          (+∞ when some q(x) = 0 < p(x))
    JS(p, q) = ½ KL(p‖m) + ½ KL(q‖m), m = ½(p + q)  (finite, ≤ 1 bit)

A Huffman code (repeatedly merge the two least probable nodes) is an optimal prefix code: its codeword
lengths ℓ(x) satisfy Kraft's equality Σ 2^−ℓ(x) = 1 and its average length L = Σ p ℓ lies in [H, H + 1),
with L = H exactly when every p(x) is a power of ½ (then ℓ(x) = −log₂ p(x)).

The sums are computed in torch on ``device`` (float64 on the CPU); the code's tree is built on the CPU
with :mod:`heapq` (it is a sequence of k − 1 merges, nothing to vectorise).
"""

from __future__ import annotations

import codecs
import contextlib
import functools
import heapq
import io
import math
import string
from dataclasses import dataclass

import numpy as np
import torch

from core.data import DataError
from core.device import compute_dtype

UNITS = {"bits": 2.0, "nats": math.e}
TEXTS = {
    "zen": "The Zen of Python (PEP 20): `this.s` decoded from ROT13, shipped with every Python",
    "python_reference": "Python's reference manual topics (`pydoc_data.topics`, shipped with CPython; PSF licence)",
}
PRESETS = {
    "fair_die": "A fair die: six faces, 1/6 each",
    "loaded_die": "A loaded die: a six half of the time, the other faces 1/10 each",
    "dyadic": "Four symbols with probabilities 1/2, 1/4, 1/8, 1/8 (a Huffman code meets the entropy exactly)",
    "english_zen": "English letter frequencies in " + TEXTS["zen"],
    "english_reference": "English letter frequencies in " + TEXTS["python_reference"],
}
MAX_SYMBOLS = 256


def _log(unit: str) -> float:
    if unit not in UNITS:
        raise DataError(f"Unknown unit {unit!r}; choose one of {', '.join(UNITS)}.")
    return math.log(UNITS[unit])


# ------------------------------------------------------------------------------------------ distributions


@dataclass(frozen=True)
class Distribution:
    """A probability vector with its symbols, and what was done to the weights given."""

    symbols: tuple[str, ...]
    p: np.ndarray  # (k,) sums to 1, zeros allowed
    total: float  # the sum of the weights as given
    normalised: bool  # True when the weights were divided by their sum (it was not 1)
    note: str  # one sentence for the reader ("" when nothing was done)


def distribution(weights, symbols: tuple[str, ...] | list[str] | None = None) -> Distribution:
    """Validate ``weights`` (finite, not negative, not all zero; 1 to :data:`MAX_SYMBOLS` of them) and divide
    them by their sum. ``symbols`` default to "1", "2", …"""
    w = np.asarray(weights, dtype=np.float64).ravel()
    if w.size == 0:
        raise DataError("A distribution needs at least one symbol.")
    if w.size > MAX_SYMBOLS:
        raise DataError(f"At most {MAX_SYMBOLS} symbols, got {w.size}.")
    if not np.isfinite(w).all():
        raise DataError("The weights must be finite numbers.")
    if (w < 0).any():
        raise DataError("Probabilities cannot be negative.")
    total = float(w.sum())
    if total <= 0:
        raise DataError("At least one weight must be positive.")
    names = tuple(str(s) for s in symbols) if symbols is not None else tuple(str(i + 1) for i in range(w.size))
    if len(names) != w.size:
        raise DataError(f"{len(names)} symbol names for {w.size} weights.")
    normalised = not math.isclose(total, 1.0, rel_tol=0, abs_tol=1e-12)
    note = f"The weights summed to {total:.6g}; each was divided by that sum." if normalised else ""
    return Distribution(names, w / total, total, normalised, note)


@functools.lru_cache(maxsize=4)
def text(name: str) -> str:
    """The raw text of :data:`TEXTS` ``name``: both ship with Python itself, so nothing is downloaded."""
    if name == "zen":
        with contextlib.redirect_stdout(io.StringIO()):  # importing `this` prints the poem
            import this
        return codecs.decode(this.s, "rot13")
    if name == "python_reference":
        from pydoc_data.topics import topics

        return "\n".join(topics[k] for k in sorted(topics))
    raise DataError(f"Unknown text {name!r}; choose one of {', '.join(TEXTS)}.")


def _letters(s: str) -> np.ndarray:
    """``s`` case folded as letter indices 0–25, and −1 for every other character (non-ASCII included)."""
    b = np.frombuffer(s.lower().encode("ascii", "replace"), dtype=np.uint8).astype(np.int64) - ord("a")
    return np.where((b >= 0) & (b < 26), b, -1)


def letter_counts(s: str) -> np.ndarray:
    """Counts of the 26 letters a–z in ``s``, case folded (everything else ignored)."""
    i = _letters(s)
    return np.bincount(i[i >= 0], minlength=26).astype(np.float64)


def bigram_counts(s: str) -> np.ndarray:
    """(26, 26) counts of adjacent letter pairs (row: the first letter) in ``s``, case folded; a pair with
    anything else between (a space, a digit, punctuation) does not count."""
    i = _letters(s)
    both = (i[:-1] >= 0) & (i[1:] >= 0)
    return np.bincount(26 * i[:-1][both] + i[1:][both], minlength=676).reshape(26, 26).astype(np.float64)


@functools.lru_cache(maxsize=4)
def _text_stats(name: str) -> tuple[np.ndarray, np.ndarray]:
    s = text(name)
    counts, pairs = letter_counts(s), bigram_counts(s)
    counts.setflags(write=False)
    pairs.setflags(write=False)
    return counts, pairs


def preset(name: str) -> Distribution:
    """One of :data:`PRESETS`: the dice, a dyadic example, or letter frequencies measured from a text."""
    if name == "fair_die":
        return distribution(np.ones(6))
    if name == "loaded_die":
        return distribution([1, 1, 1, 1, 1, 5])
    if name == "dyadic":
        return distribution([0.5, 0.25, 0.125, 0.125], ("a", "b", "c", "d"))
    if name in ("english_zen", "english_reference"):
        counts = _text_stats("zen" if name == "english_zen" else "python_reference")[0]
        return distribution(counts, tuple(string.ascii_lowercase))
    raise DataError(f"Unknown preset {name!r}; choose one of {', '.join(PRESETS)}.")


# ------------------------------------------------------------------------------------------ entropy


def _vec(p: np.ndarray, device: torch.device | str) -> torch.Tensor:
    device = torch.device(device)
    return torch.as_tensor(np.asarray(p, dtype=np.float64), dtype=compute_dtype(device), device=device)


def surprisal_t(p: torch.Tensor, unit: str = "bits") -> torch.Tensor:
    """−log p(x) per symbol (+∞ where p = 0)."""
    return -torch.log(p) / _log(unit) + 0.0


def entropy_t(p: torch.Tensor, unit: str = "bits") -> torch.Tensor:
    """H(p) = −Σ p log p along the last axis, with 0 log 0 = 0 (``torch.special.xlogy``; + 0 turns −0 into 0)."""
    return -torch.special.xlogy(p, p).sum(-1) / _log(unit) + 0.0


def entropy(weights, unit: str = "bits", device: torch.device | str = "cpu") -> float:
    """H(p) of ``weights`` (normalised first) in ``unit``; one symbol (or one nonzero weight) gives 0."""
    return float(entropy_t(_vec(distribution(weights).p, device), unit))


@dataclass(frozen=True)
class Code:
    """A Huffman code for a distribution, beside the information content of each symbol."""

    symbols: tuple[str, ...]
    p: np.ndarray  # (k,)
    codewords: tuple[str, ...]  # "" for a symbol of probability 0 (never sent) and for a lone symbol
    lengths: np.ndarray  # (k,) ℓ(x), int; 0 where there is no codeword
    surprisal: np.ndarray  # (k,) −log₂ p(x), +∞ where p = 0
    entropy: float  # H(p) in bits
    average_length: float  # L = Σ p ℓ, bits per symbol; H ≤ L < H + 1
    kraft: float  # Σ 2^−ℓ over the coded symbols: 1 for a Huffman code (a full binary tree)
    note: str  # zero-probability symbols left out, a lone symbol, normalisation

    @property
    def redundancy(self) -> float:
        """L − H ≥ 0 bits per symbol: what the integer lengths cost over the entropy."""
        return self.average_length - self.entropy


def huffman_lengths_and_codes(p: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Huffman's algorithm on the positive entries of ``p``: pop the two least probable nodes, merge them
    under a new node (the first popped gets bit 0), until one node remains. Ties are broken by creation
    order, so the code is deterministic. Returns lengths (0 for p = 0) and codewords ("" for p = 0)."""
    k = len(p)
    codes = [""] * k
    live = [i for i in range(k) if p[i] > 0]
    if len(live) <= 1:
        return np.zeros(k, dtype=np.int64), codes
    heap: list[tuple[float, int, list[int]]] = [(float(p[i]), n, [i]) for n, i in enumerate(live)]
    heapq.heapify(heap)
    counter = len(heap)
    while len(heap) > 1:
        p0, _, left = heapq.heappop(heap)
        p1, _, right = heapq.heappop(heap)
        for i in left:
            codes[i] = "0" + codes[i]
        for i in right:
            codes[i] = "1" + codes[i]
        heapq.heappush(heap, (p0 + p1, counter, left + right))
        counter += 1
    return np.array([len(c) for c in codes], dtype=np.int64), codes


def huffman(weights, symbols: tuple[str, ...] | list[str] | None = None,
            device: torch.device | str = "cpu") -> Code:
    """A Huffman code for ``weights`` (normalised first): each codeword and its length ℓ(x) next to the
    surprisal −log₂ p(x), the entropy H, the average length L ∈ [H, H + 1) and Kraft's sum Σ 2^−ℓ = 1.
    A distribution with one possible symbol needs no bits at all: ℓ = 0, L = H = 0, Kraft's sum 2⁰ = 1."""
    d = distribution(weights, symbols)
    lengths, codes = huffman_lengths_and_codes(d.p)
    pt = _vec(d.p, device)
    lt = torch.as_tensor(lengths, dtype=pt.dtype, device=pt.device)
    coded = pt > 0
    notes = [d.note] if d.note else []
    zero = [s for s, q in zip(d.symbols, d.p, strict=True) if q == 0]
    if zero:
        notes.append(f"{_names(zero)} {'has' if len(zero) == 1 else 'have'} probability 0 and no codeword.")
    if int(coded.sum()) == 1:
        notes.append("Only one symbol can occur: nothing needs to be sent, so its codeword is empty (0 bits).")
    return Code(d.symbols, d.p, tuple(codes), lengths, surprisal_t(pt).cpu().numpy().astype(np.float64),
                float(entropy_t(pt)), float((pt * lt).sum()), float(torch.exp2(-lt[coded]).sum()), " ".join(notes))


def _names(symbols: list[str], limit: int = 8) -> str:
    quoted = [f"“{s}”" for s in symbols[:limit]]
    more = f" and {len(symbols) - limit} more" if len(symbols) > limit else ""
    if len(quoted) == 1:
        return quoted[0]
    return ", ".join(quoted[:-1]) + (f", {quoted[-1]}{more}" if more else f" and {quoted[-1]}")


@dataclass(frozen=True)
class TextCode:
    """A text's letters as a source: their entropy, a Huffman code for them, and what encoding costs."""

    name: str
    description: str
    letters: int  # a–z occurrences counted (case folded)
    code: Code  # Huffman code of the letter frequencies
    uniform_bits: float  # log₂ 26: the entropy if every letter were equally likely
    fixed_bits: int  # ⌈log₂ 26⌉ = 5: a fixed-length code
    huffman_total_bits: int  # Σ count(x) ℓ(x): the letters encoded with the Huffman code
    bigram_conditional_entropy: float  # H(Xₙ | Xₙ₋₁) in bits, from adjacent letter pairs within words


def text_code(name: str, device: torch.device | str = "cpu") -> TextCode:
    """The empirical entropy of a text's letters, H = −Σ f(x) log₂ f(x) with f the letter frequencies, its
    Huffman code and the bits that code spends on the whole text (= letters × L), against log₂ 26 (letters
    equally likely) and a 5-bit fixed-length code; and the conditional entropy of a letter given the one
    before it (pairs within words), H(Xₙ | Xₙ₋₁) = H(Xₙ₋₁, Xₙ) − H(Xₙ₋₁) ≤ H: context lowers surprise."""
    if name not in TEXTS:
        raise DataError(f"Unknown text {name!r}; choose one of {', '.join(TEXTS)}.")
    counts, pairs = _text_stats(name)
    code = huffman(counts, tuple(string.ascii_lowercase), device=device)
    cond = 0.0
    if pairs.sum():
        joint = _vec(pairs.ravel() / pairs.sum(), device)
        first = _vec(pairs.sum(1) / pairs.sum(), device)
        cond = float(entropy_t(joint) - entropy_t(first))
    return TextCode(name, TEXTS[name], int(counts.sum()), code, math.log2(26), 5,
                    int((counts * code.lengths).sum()), cond)


# ------------------------------------------------------------------------------------------ divergences


@dataclass(frozen=True)
class Divergences:
    """Cross-entropy, both KL directions and Jensen–Shannon between two distributions on the same symbols,
    with each symbol's contribution to the sums (so that H(p, q) = H(p) + KL(p‖q) can be drawn term by term)."""

    symbols: tuple[str, ...]
    p: np.ndarray
    q: np.ndarray
    unit: str
    entropy_p: float
    entropy_q: float
    cross_entropy: float  # H(p, q); +∞ when q(x) = 0 < p(x) somewhere
    kl_pq: float  # KL(p‖q)
    kl_qp: float  # KL(q‖p)
    js: float  # Jensen–Shannon divergence (not its square root)
    entropy_terms: np.ndarray  # −p log p
    cross_terms: np.ndarray  # −p log q (0 where p = 0, +∞ where q = 0 < p)
    kl_pq_terms: np.ndarray  # p log(p/q): can be negative per symbol, the sum cannot
    kl_qp_terms: np.ndarray  # q log(q/p)
    notes: tuple[str, ...]  # normalisation, and why a divergence is infinite (naming the symbols)


def kl_terms_t(p: torch.Tensor, q: torch.Tensor) -> torch.Tensor:
    """p log(p/q) elementwise: 0 where p = 0, +∞ where q = 0 < p (``scipy.special.rel_entr``'s convention)."""
    return torch.where(p > 0, torch.special.xlogy(p, p) - torch.special.xlogy(p, q), torch.zeros_like(p))


def divergences(p, q, symbols: tuple[str, ...] | list[str] | None = None, unit: str = "bits",
                device: torch.device | str = "cpu") -> Divergences:
    """H(p), H(q), H(p, q) = H(p) + KL(p‖q), KL(p‖q), KL(q‖p) and JS(p, q) in ``unit`` (each weight
    vector normalised first). Where q(x) = 0 < p(x), H(p, q) and KL(p‖q) are +∞: q calls a possible
    outcome impossible, and coding with q would have no codeword for it. A note names those symbols."""
    dp, dq = distribution(p, symbols), distribution(q, symbols)
    if len(dp.p) != len(dq.p):
        raise DataError(f"p has {len(dp.p)} symbols and q has {len(dq.p)}; they must match.")
    c = _log(unit)
    pt, qt = _vec(dp.p, device), _vec(dq.p, device)
    h_terms = -torch.special.xlogy(pt, pt) / c + 0.0
    x_terms = -torch.special.xlogy(pt, qt) / c + 0.0
    kpq, kqp = kl_terms_t(pt, qt) / c, kl_terms_t(qt, pt) / c
    m = (pt + qt) / 2
    js = (kl_terms_t(pt, m).sum() + kl_terms_t(qt, m).sum()) / (2 * c)
    notes = [f"{name}: {d.note}" for name, d in (("p", dp), ("q", dq)) if d.note]
    only_p = [s for s, a, b in zip(dp.symbols, dp.p, dq.p, strict=True) if a > 0 and b == 0]
    only_q = [s for s, a, b in zip(dp.symbols, dp.p, dq.p, strict=True) if b > 0 and a == 0]
    if only_p:
        notes.append(f"KL(p‖q) and H(p, q) are infinite: q gives probability 0 to {_names(only_p)}, "
                     "which p says can happen.")
    if only_q:
        notes.append(f"KL(q‖p) is infinite: p gives probability 0 to {_names(only_q)}, which q says can happen.")
    arr = lambda t: t.cpu().numpy().astype(np.float64)  # noqa: E731
    return Divergences(dp.symbols, dp.p, dq.p, unit, float(h_terms.sum()), float(entropy_t(qt, unit)),
                       float(x_terms.sum()), float(kpq.sum()), float(kqp.sum()), float(js), arr(h_terms),
                       arr(x_terms), arr(kpq), arr(kqp), tuple(notes))
