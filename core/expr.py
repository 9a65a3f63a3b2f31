"""Chapter 3, Multivariate calculus: a small, safe expression language for functions f(x, y) and maps
(u(x, y), v(x, y)) that a reader types, with exact derivatives (sympy) and autograd ones (torch).

The language: numbers (``2``, ``0.5``, ``1e-3``), the variables (``x`` and ``y`` unless told otherwise),
the constants ``pi`` and ``e``, ``+ - * /``, ``^`` (or ``**``) for powers, unary minus, brackets, and the
functions in :data:`FUNCTIONS`, each with one argument. The typographic signs − × · ÷ are read as - * * /.

**User text is never evaluated as Python.** :func:`parse` lets Python's own parser (``ast.parse``) read the
text, then walks the tree with an explicit allow-list of node types and builds a tree of its own (plain
tuples); anything else (attributes, subscripts, calls of other names, keywords, strings, comparisons,
lambdas, comprehensions …) is refused with an :class:`ExprError` that names what was refused. Caps on the
length, the nesting depth, the number of nodes, constant exponents, the size of exact numbers and the
estimated size of the second derivatives keep every later step (sympy's exact arithmetic included) small
and quick: ``9^9^9`` is refused, never computed, and the Hessians of accepted expressions took sympy at
most about a second on thousands of random ones at the caps. sympy's own tanh, Abs, Max and Heaviside are
replaced by plain real functions (:class:`Tanh`, :class:`Abs`, :class:`Relu`, …): theirs ask for the
imaginary part of their argument, which can take minutes on a derivative.

From that tree :func:`to_sympy` builds the exact expression (derivatives: :func:`gradient`,
:func:`hessian`, :func:`jacobian`; numbers: :func:`evaluate`, a numpy walk over sympy's tree, since
``lambdify`` and ``sympify`` both run ``eval``; LaTeX: :func:`latex`, which steers round a slow path of
sympy's printer), and :func:`to_torch` a torch function of tensors that
``torch.func.grad``/``hessian``/``jacrev`` and ``torch.autograd`` differentiate. Where f is undefined
(log or sqrt of a negative number, division by zero) the torch function gives NaN or ±inf, as torch
does; :func:`defined` is the mask of finite values.

Everything is cached per expression (``functools.lru_cache``, safe across Streamlit's session threads);
trees, Expr objects and sympy results (immutable matrices) are immutable, so sharing them is safe.
"""

from __future__ import annotations

import ast
import functools
import itertools
import keyword
import math
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np
import sympy as sp
import torch
from mpmath.libmp import prec_to_dps

from core.data import DataError

FUNCTIONS = ("sin", "cos", "tan", "exp", "log", "sqrt", "abs", "tanh", "sigmoid", "relu")
CONSTANTS = {"pi": math.pi, "e": math.e}
VARIABLES = ("x", "y")

MAX_LENGTH = 200  # characters of text (after trimming spaces at both ends)
MAX_DEPTH = 40  # nesting levels; a chain a + b - c + … (or a * b / c …) counts as one level
MAX_NODES = 100  # numbers, names, operators and calls
MAX_EXPONENT = 64  # |p| for a constant exponent p
MAX_BITS = 1024  # a bound on the size of the exact rationals sympy may build (see _Meta.bits)
MAX_WORK = 5000  # a bound on the estimated size of one second derivative (see _work): about a second of sympy

ALLOWED = ("Allowed: numbers (2, 0.5, 1e-3), the variables {variables}, the constants pi and e, + - * / and "
           "^ (or **), brackets ( ), and the functions " + ", ".join(FUNCTIONS) + ", each with one argument, "
           "like sin(x).")

# Typographic signs a reader may paste from the book, read as their ASCII operators, and tabs as spaces.
_SIGNS = {"\u2212": "-", "\u00d7": "*", "\u00b7": "*", "\u22c5": "*", "\u00f7": "/", "\t": " ", "\u00a0": " "}
_REFUSED_CHARS = {"'": "quotes (text)", '"': "quotes (text)", "\\": "a backslash", "#": "comments ('#')"}
_DECIMAL = re.compile(r"(?:\d[\d_]*(?:\.[\d_]*)?|\.\d[\d_]*)(?:[eE][+-]?\d[\d_]*)?")
_TOKEN = re.compile(r"\s*(?:(?P<num>(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)|(?P<name>[A-Za-z_]\w*)|(?P<op>\S))")
_BINARY = {ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.Div: "div", ast.Pow: "pow"}
_SYMBOL = {"add": "+", "sub": "-", "mul": "*", "div": "/", "pow": "^"}
_CHAIN = {"add": "sum", "sub": "sum", "mul": "product", "div": "product"}
_REFUSED_NODES = {
    ast.Attribute: "attribute access ('.')", ast.Subscript: "indexing with [ ]", ast.Slice: "slices",
    ast.List: "lists", ast.Tuple: "tuples (a comma outside a function call)", ast.Set: "sets",
    ast.Dict: "dictionaries", ast.Lambda: "lambda", ast.ListComp: "comprehensions", ast.SetComp: "comprehensions",
    ast.DictComp: "comprehensions", ast.GeneratorExp: "comprehensions", ast.IfExp: "if/else",
    ast.Compare: "comparisons (<, >, ==, …)", ast.BoolOp: "and/or", ast.NamedExpr: "assignments (:=)",
    ast.Starred: "starred arguments (*)", ast.JoinedStr: "f-strings", ast.FormattedValue: "f-strings",
    ast.Await: "await", ast.Yield: "yield", ast.YieldFrom: "yield",
}
_REFUSED_OPS = {ast.Mod: "%", ast.FloorDiv: "//", ast.MatMult: "@", ast.LShift: "<<", ast.RShift: ">>",
                ast.BitAnd: "&", ast.BitOr: "|", ast.BitXor: "^", ast.Not: "not", ast.Invert: "~"}

Tree = tuple  # ("num", int | float) | ("var", name) | ("const", name) | ("neg", t) | (op, t, t) | ("call", f, t)


class ExprError(DataError):
    """An expression the dashboard refuses; the message names what was refused and what is allowed."""


@dataclass(frozen=True)
class Expr:
    """A parsed expression: its normalised text (re-parses to the same tree), its variables in argument
    order, and its tree of plain tuples. Two Exprs are equal when their text and variables are."""

    text: str
    variables: tuple[str, ...]
    tree: Tree = field(compare=False, repr=False)

    def __str__(self) -> str:
        return self.text


# ------------------------------------------------------------------------------------------ parsing


def parse(text: str, variables: Sequence[str] = VARIABLES) -> Expr:
    """Read ``text`` as an expression in ``variables`` (default x, y), or raise :class:`ExprError`.

    ``^`` means power (as ``**``). Nothing in the text is run: Python's parser builds a syntax tree, and
    only the node types of the language are copied into the returned tree."""
    if not isinstance(text, str):
        raise ExprError(f"An expression is text, not {type(text).__name__}.")
    return _parse(text, _check_variables(variables))


def _check_variables(variables: Sequence[str]) -> tuple[str, ...]:
    names = (variables,) if isinstance(variables, str) else tuple(variables)
    for name in names:
        if (not isinstance(name, str) or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name) or keyword.iskeyword(name)
                or name in FUNCTIONS or name in CONSTANTS):
            raise ValueError(f"{name!r} cannot name a variable")
    if not names or len(set(names)) != len(names):
        raise ValueError(f"need one or more distinct variable names, got {names!r}")
    return names


@functools.lru_cache(maxsize=512)
def _parse(text: str, variables: tuple[str, ...]) -> Expr:
    allowed = ALLOWED.format(variables=" and ".join(variables) if len(variables) < 3 else ", ".join(variables))
    if len(text) > 20 * MAX_LENGTH:  # don't even trim a huge paste
        raise ExprError(f"The expression is {len(text):,} characters long; the limit is {MAX_LENGTH}.")
    lead = len(text) - len(text.lstrip())
    body = text.strip()
    if not body:
        example = " + ".join(f"{v}^2" for v in variables)
        raise ExprError(f"Type an expression in {', '.join(variables)}, for example {example}. {allowed}")
    if len(body) > MAX_LENGTH:
        raise ExprError(f"The expression is {len(body):,} characters long; the limit is {MAX_LENGTH}.")
    body = "".join(_SIGNS.get(ch, ch) for ch in body)
    for i, ch in enumerate(body):
        if ch in _REFUSED_CHARS or not (" " <= ch <= "~"):
            what = _REFUSED_CHARS.get(ch) or _describe_char(ch)
            raise ExprError(f"Not allowed: {what} at column {lead + i + 1}. {allowed}")
    # '^' → '**'; source[k] came from the user's column columns[k] (1-based), for error messages.
    pieces, columns = [], []
    for i, ch in enumerate(body):
        pieces.append("**" if ch == "^" else ch)
        columns.extend([lead + i + 1] * len(pieces[-1]))
    source = "".join(pieces)
    columns.append(lead + len(body) + 1)
    try:
        root = ast.parse(source, mode="eval")
    except SyntaxError as exc:
        raise ExprError(_syntax_message(text, body, lead, columns, exc)) from None
    except (RecursionError, MemoryError, ValueError, OverflowError):
        raise ExprError(f"The expression is nested too deeply to read (at most {MAX_DEPTH} levels).") from None
    tree = _Builder(source, columns, variables, allowed).build(root.body)
    work = _work(tree)[2]
    if work > MAX_WORK:
        raise ExprError(f"This expression is too large for exact second derivatives (an estimated {work:,} terms "
                        f"in one entry of the Hessian; the limit is {MAX_WORK:,}): use fewer factors or less nesting.")
    return Expr(text=_unparse(tree), variables=variables, tree=tree)


def _describe_char(ch: str) -> str:
    name = unicodedata.name(ch, "")
    if not name:
        name = ", a control character" if unicodedata.category(ch).startswith("C") else ""
    shown = f"{ch!r} " if ch.isprintable() else ""
    return f"the character {shown}(U+{ord(ch):04X}{' ' + name if name and name[0] != ',' else name})"


def _syntax_message(text: str, body: str, lead: int, columns: list[int], exc: SyntaxError) -> str:
    """Where Python's parser stopped, as a column of the text as typed, and why."""
    offset = exc.offset if isinstance(exc.offset, int) and exc.offset >= 1 else len(columns)
    column = columns[min(offset, len(columns)) - 1]
    hint = _missing_operator(body, lead)
    if hint:
        return hint
    reason = (exc.msg or "invalid syntax").rstrip(".")
    reason = {"invalid decimal literal": "a number runs into letters"}.get(reason, reason)
    shown = text.rstrip() if len(text.rstrip()) <= 60 else text.rstrip()[:57] + "…"
    where = "at the end" if column > lead + len(body) else f"at column {column}"
    return f"Could not read {shown!r} {where}: {reason}."


def _missing_operator(body: str, lead: int) -> str | None:
    """A friendlier message for the commonest slip, two operands side by side: ``2x``, ``x y``, ``sin x``."""
    tokens, pos = [], 0
    while pos < len(body):
        m = _TOKEN.match(body, pos)
        if not m or m.end() == pos:
            break
        kind = m.lastgroup
        tokens.append((kind, m.group(kind), lead + m.start(kind) + 1))
        pos = m.end()
    for (k1, t1, _), (k2, t2, c2) in itertools.pairwise(tokens):
        if k1 == "name" and t1 in FUNCTIONS and t2 != "(":
            return f"A function needs brackets around its argument: write {t1}({t2}), not {t1} {t2} (column {c2})."
        left = k1 in ("num", "name") or t1 == ")"
        right = k2 in ("num", "name") or t2 == "("
        if left and right and not (k1 == "name" and t2 == "(") and not (k1 == k2 == "num"):
            return (f"A multiplication sign is missing at column {c2}, between {t1!r} and {t2!r}: write {t1}*{t2}. "
                    f"(A product is always written with *, like 2*x or x*y.)")
    return None


class _Builder:
    """Copies an ``ast`` tree into the language's tuples, iteratively (deep text cannot exhaust Python's
    stack), refusing every node type off the allow-list and checking the caps as it goes."""

    def __init__(self, source: str, columns: list[int], variables: tuple[str, ...], allowed: str) -> None:
        self.source, self.columns, self.variables, self.allowed = source, columns, variables, allowed

    def refuse(self, node: ast.AST, what: str, allow: bool = True) -> ExprError:
        col = getattr(node, "col_offset", None)
        end = getattr(node, "end_col_offset", None)
        where = ""
        if isinstance(col, int):
            snippet = self.source[col:end] if isinstance(end, int) else ""
            snippet = snippet if len(snippet) <= 40 else snippet[:37] + "…"
            where = f" ({snippet.replace('**', '^')!r} at column {self.columns[min(col, len(self.columns) - 1)]})"
        return ExprError(f"{what}{where}." + (f" {self.allowed}" if allow else ""))

    def build(self, root: ast.AST) -> Tree:
        # Post-order walk: (node, number of children, or -1 before they are built) on `todo`;
        # built parts (tree, meta) on `done`.
        todo: list[tuple[ast.AST, int]] = [(root, -1)]
        done: list[tuple[Tree, _Meta]] = []
        count = 0
        while todo:
            node, n = todo.pop()
            if n < 0:
                count += 1
                if count > MAX_NODES:
                    raise self.refuse(root, f"The expression has more than {MAX_NODES} numbers, names and "
                                            "operators; the limit keeps the exact derivatives small", allow=False)
                children = self.children(node)
                todo.append((node, len(children)))
                todo.extend((child, -1) for child in reversed(children))
                continue
            args = done[len(done) - n:] if n else []
            del done[len(done) - n:]
            done.append(self.combine(node, args))
        ((tree, _),) = done
        return tree

    def children(self, node: ast.AST) -> list[ast.AST]:
        """The node's operands, after checking that the node itself is on the allow-list."""
        if isinstance(node, ast.BinOp):
            if type(node.op) not in _BINARY:
                raise self.refuse(node, f"Not allowed: the operator {_REFUSED_OPS.get(type(node.op), '?')!r}")
            return [node.left, node.right]
        if isinstance(node, ast.UnaryOp):
            if not isinstance(node.op, ast.USub | ast.UAdd):
                raise self.refuse(node, f"Not allowed: the operator {_REFUSED_OPS.get(type(node.op), '?')!r}")
            return [node.operand]
        if isinstance(node, ast.Call):
            func = node.func
            if not isinstance(func, ast.Name):
                if isinstance(func, ast.Constant | ast.BinOp | ast.UnaryOp | ast.Call):
                    left = self.source[func.col_offset:func.end_col_offset].replace("**", "^")
                    raise self.refuse(node, f"A multiplication sign is missing before a bracket: write {left}*(…)")
                raise self.refuse(node, "Only the listed functions can be called")
            if func.id in self.variables or func.id in CONSTANTS:
                raise self.refuse(node, f"{func.id} is not a function; to multiply, write {func.id}*(…)")
            if func.id not in FUNCTIONS:
                raise self.refuse(node, f"Unknown function {func.id!r}")
            if node.keywords or len(node.args) != 1 or isinstance(node.args[0], ast.Starred):
                raise self.refuse(node, f"{func.id} takes exactly one argument without a name, like {func.id}(x)")
            return [node.args[0]]
        if isinstance(node, ast.Name):
            if node.id in FUNCTIONS:
                raise self.refuse(node, f"{node.id} is a function: give it an argument in brackets, like {node.id}(x)")
            if node.id not in self.variables and node.id not in CONSTANTS:
                raise self.refuse(node, f"Unknown name {node.id!r}")
            return []
        if isinstance(node, ast.Constant):
            value = node.value
            if isinstance(value, bool) or not isinstance(value, int | float):
                kind = {bool: "True/False", complex: "complex numbers", str: "text", bytes: "bytes"}.get(
                    type(value), repr(value))
                raise self.refuse(node, f"Only real numbers are allowed, not {kind}")
            literal = self.source[node.col_offset:node.end_col_offset]
            if not _DECIMAL.fullmatch(literal):
                raise self.refuse(node, "Write numbers in decimal, like 3, 0.5 or 1e-3")
            try:
                finite = math.isfinite(float(value))
            except OverflowError:
                finite = False
            if not finite:
                raise self.refuse(node, "The number is too large", allow=False)
            return []
        raise self.refuse(node, f"Not allowed: {_REFUSED_NODES.get(type(node), type(node).__name__ + ' expressions')}")

    def combine(self, node: ast.AST, args: list[tuple[Tree, _Meta]]) -> tuple[Tree, _Meta]:
        """This node's tuple from its operands', with its constant value, exact size and depth checked."""
        if isinstance(node, ast.Constant):
            value = node.value
            exact = Fraction(value) if isinstance(value, int) else Fraction(repr(value))
            bits = max(exact.numerator.bit_length(), exact.denominator.bit_length(), 1)
            return ("num", value), _Meta(float(value), bits, 1)
        if isinstance(node, ast.Name):
            if node.id in CONSTANTS:
                return ("const", node.id), _Meta(CONSTANTS[node.id], 1, 1)
            return ("var", node.id), _Meta(None, 1, 1)
        if isinstance(node, ast.UnaryOp):
            ((tree, meta),) = args
            if isinstance(node.op, ast.UAdd):
                return tree, meta
            value = None if meta.value is None else -meta.value
            return ("neg", tree), self.checked(node, value, meta.bits, meta.depth + 1)
        if isinstance(node, ast.Call):
            ((tree, meta),) = args
            name = node.func.id
            value = None if meta.value is None else self.constant(node, name, meta.value)
            return ("call", name, tree), self.checked(node, value, meta.bits, meta.depth + 1)
        (left, lm), (right, rm) = args
        op = _BINARY[type(node.op)]
        # A left-leaning chain of + and − (or * and /) is one level: x + x + … + x is not "deep".
        chain = _CHAIN.get(op)
        same_chain = chain is not None and _CHAIN.get(left[0]) == chain
        depth = max(lm.depth + (0 if same_chain else 1), rm.depth + 1)
        if op == "pow" and rm.value is not None:
            if abs(rm.value) > MAX_EXPONENT:
                raise self.refuse(node, f"Exponents are limited to ±{MAX_EXPONENT} (the exponent here is about "
                                        f"{_short(rm.value)})", allow=False)
            bits = math.ceil(abs(rm.value)) * lm.bits + rm.bits
        else:
            bits = lm.bits + rm.bits
        value = None
        if lm.value is not None and rm.value is not None:
            value = self.constant(node, op, lm.value, rm.value)
        return (op, left, right), self.checked(node, value, bits, depth)

    def checked(self, node: ast.AST, value: float | None, bits: int, depth: int) -> _Meta:
        if depth > MAX_DEPTH:
            raise self.refuse(node, f"The expression is nested more than {MAX_DEPTH} levels deep", allow=False)
        if bits > MAX_BITS:
            raise self.refuse(node, "The exact numbers in this expression would grow too large (about "
                                    f"{bits:,} bits, the limit is {MAX_BITS:,}); use smaller exponents or fewer "
                                    "nested powers", allow=False)
        return _Meta(value, bits, depth)

    def constant(self, node: ast.AST, op: str, a: float, b: float | None = None) -> float:
        """The float value of a part without variables, which must be a finite real number (``1/0``,
        ``log(-1)`` or ``exp(1000)`` are refused here, with a reason, rather than turning into NaN later)."""
        try:
            value = _FLOAT_OPS[op](a) if b is None else _FLOAT_OPS[op](a, b)
        except ZeroDivisionError:
            raise self.refuse(node, "This constant divides by zero", allow=False) from None
        except OverflowError:
            value = math.inf
        except ValueError:
            value = math.nan
        if math.isinf(value):
            raise self.refuse(node, "This constant is too large for a floating-point number", allow=False)
        if math.isnan(value):
            raise self.refuse(node, "This constant is not a real number", allow=False)
        return value


@dataclass(frozen=True)
class _Meta:
    value: float | None  # the float value of a part without variables, else None
    bits: int  # a bound on the bits of the exact rationals sympy may build for it (see MAX_BITS)
    depth: int


# (c1, c2): the size of f'(a) and f''(a) in units of the size of a, as sympy writes them.
_GROWTH = {"sin": (1, 1), "cos": (1, 1), "exp": (1, 1), "log": (1, 1), "sqrt": (1, 1), "tan": (1, 2), "tanh": (1, 2),
           "abs": (1, 1), "relu": (1, 1), "sigmoid": (2, 3)}


def _work(tree: Tree) -> tuple[int, int, int]:
    """Estimated sizes (numbers of nodes) of the expression and of its first and second derivative in one
    variable, written out by the sum, product, quotient and chain rules without simplification.

    sympy's time for a Hessian grows with that last size (about 30–600 µs a node, measured on products,
    quotients, nested functions and power towers), and it grows fast: cubically in the nesting of
    functions or the number of factors, so :data:`MAX_WORK` rather than the length of the text is what
    keeps the exact derivatives under about a second. A part without variables has derivatives of size 0.
    Recursion is bounded by :data:`MAX_NODES`."""
    kind = tree[0]
    if kind in ("num", "const"):
        return 1, 0, 0
    if kind == "var":
        return 1, 1, 1
    if kind == "neg":
        s, d, h = _work(tree[1])
        return (s + 1, d + 1, h + 1) if d else (s + 1, 0, 0)
    if kind == "call":
        s, d, h = _work(tree[2])
        c1, c2 = _GROWTH[tree[1]]
        if not d:
            return s + 1, 0, 0
        return s + 1, c1 * s + d + 2, (c1 + c2) * s + 2 * d + h + 4  # f''(a)·a'² + f'(a)·a''
    (sa, da, ha), (sb, db, hb) = _work(tree[1]), _work(tree[2])
    s = sa + sb + 1
    if not da and not db:
        return s, 0, 0
    if kind in ("add", "sub"):
        return s, da + db + 1, ha + hb + 1
    if kind == "mul":  # a'b + ab', then a''b + 2a'b' + ab''
        return s, da + db + sa + sb + 3, ha + hb + 2 * (da + db) + sa + sb + 5
    if kind == "div":  # (a'b − ab')/b², then the quotient rule on that
        d = da + db + sa + 2 * sb + 5
        return s, d, ha + hb + 2 * (da + db) + sa + sb + 5 + d + 5 * sb + db + 8
    if not db:  # a constant exponent p: p·a^(p−1)·a'
        return s, sa + sb + da + 4, 2 * sa + 2 * da + ha + 2 * sb + 9
    d = 3 * sa + 2 * sb + da + db + 7  # a^b·(b'·log a + b·a'/a)
    factor, dfactor = db + 2 * sa + sb + da + 4, hb + 2 * sa + 2 * da + 2 * db + sb + ha + 6
    return s, d, d + factor + s + dfactor + 3


def _float_pow(a: float, b: float) -> float:
    if a == 0 and b < 0:
        raise ZeroDivisionError
    if a < 0 and b != int(b):
        raise ValueError("a negative number to a fractional power")
    return math.pow(a, b)


def _float_log(a: float) -> float:
    if a <= 0:
        raise ValueError("log of a number ≤ 0")
    return math.log(a)


def _float_sigmoid(a: float) -> float:
    return 1.0 / (1.0 + math.exp(-a)) if a >= 0 else math.exp(a) / (1.0 + math.exp(a))


_FLOAT_OPS: dict[str, Callable[..., float]] = {
    "neg": lambda a: -a, "add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b, "pow": _float_pow, "sin": math.sin, "cos": math.cos, "tan": math.tan,
    "exp": math.exp, "log": _float_log, "sqrt": math.sqrt, "abs": abs, "tanh": math.tanh,
    "sigmoid": _float_sigmoid, "relu": lambda a: max(a, 0.0),
}


def _short(value: float) -> str:
    return f"{value:.3g}"


# Printing: precedence levels 1 (+ -), 2 (* /), 3 (unary minus), 4 (^), 5 (atoms and calls). The text
# re-parses to the very same tree, so it can serve as the cache key.
_LEVEL = {"add": 1, "sub": 1, "mul": 2, "div": 2, "neg": 3, "pow": 4}


def _unparse(tree: Tree) -> str:
    return _print(tree)[0]


def _print(tree: Tree) -> tuple[str, int]:
    kind = tree[0]
    if kind == "num":
        return repr(tree[1]), 5
    if kind in ("var", "const"):
        return tree[1], 5
    if kind == "call":
        return f"{tree[1]}({_print(tree[2])[0]})", 5
    if kind == "neg":
        return "-" + _wrap(tree[1], 3), 3
    level = _LEVEL[kind]
    if kind == "pow":
        return f"{_wrap(tree[1], 5)}^{_wrap(tree[2], 3)}", 4
    sep = f" {_SYMBOL[kind]} " if level == 1 else _SYMBOL[kind]
    return f"{_wrap(tree[1], level)}{sep}{_wrap(tree[2], level + 1)}", level


def _wrap(tree: Tree, least: int) -> str:
    text, level = _print(tree)
    return text if level >= least else f"({text})"


# ------------------------------------------------------------------------------------------ sympy


class _RealFunction(sp.Function):
    """A function of one real argument with a plain derivative and nothing else.

    sympy's own tanh, Abs, sign, Max, Heaviside and DiracDelta ask, whenever they or an expression around
    them is built, whether their argument is real, by taking its imaginary part or reducing it modulo π.
    On the derivatives of typed expressions (tanh(sqrt(cos(…)^3)), relu(x·sigmoid(…)/cos(…))) that takes
    a polynomial gcd or a complex expansion whose cost explodes: a minute for one gradient. These classes
    only evaluate at numbers and use the symmetry f(−z) = ±f(z); :meth:`rewrite` gives sympy's own form."""

    nargs = 1
    parity = 0  # +1: f(−z) = f(z), −1: f(−z) = −f(z), 0: neither
    latex_name = ""
    sympy_form: Callable[[sp.Expr], sp.Expr]  # the same function in sympy's own terms
    sympy_class: type  # ``.rewrite(sympy_class)`` gives sympy_form

    @classmethod
    def eval(cls, z: sp.Expr) -> sp.Expr | None:
        if z.is_Number:
            return cls.sympy_form(z)
        if cls.parity and z.could_extract_minus_sign():
            return cls(-z) if cls.parity > 0 else -cls(-z)
        return None

    def _eval_is_extended_real(self) -> bool | None:
        return True if self.args[0].is_extended_real else None

    def _eval_evalf(self, prec: int) -> sp.Expr | None:
        z = self.args[0].evalf(prec_to_dps(prec))
        return type(self).sympy_form(z).evalf(prec_to_dps(prec)) if z.is_Number else None

    def _eval_rewrite(self, rule: Any, args: tuple, **hints: Any) -> sp.Expr | None:
        return type(self).sympy_form(*args) if rule is self.sympy_class else None

    def _latex(self, printer: Any, exp: str | None = None) -> str:
        name = self.latex_name + (f"^{{{exp}}}" if exp else "")
        return name + r"{\left(" + printer._print(self.args[0]) + r" \right)}"

    def _sympystr(self, printer: Any) -> str:
        return f"{type(self).__name__.lower()}({printer._print(self.args[0])})"


class Tanh(_RealFunction):
    """tanh z, with d tanh z/dz = 1 − tanh² z."""

    parity, latex_name, sympy_form, sympy_class = -1, r"\tanh", staticmethod(sp.tanh), sp.tanh

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return 1 - Tanh(self.args[0]) ** 2


class Sigmoid(_RealFunction):
    """σ(z) = 1/(1 + e^(−z)), with σ' = σ(1 − σ): derivatives as the book writes them, and small. (As
    1/(1 + exp(−z)), nested sigmoids' Hessians grow fast, and sympy's LaTeX printer, which simplifies every
    negative power it meets, takes minutes over them.) ``.rewrite(sympy.exp)`` gives 1/(1 + exp(−z))."""

    latex_name, sympy_form, sympy_class = r"\sigma", staticmethod(lambda z: 1 / (1 + sp.exp(-z))), sp.exp

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        s = Sigmoid(self.args[0])
        return s * (1 - s)


class Abs(_RealFunction):
    """|z| for real z, with d|z|/dz = sign z."""

    parity, sympy_form, sympy_class = 1, staticmethod(sp.Abs), sp.Abs

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return Sign(self.args[0])

    def _latex(self, printer: Any, exp: str | None = None) -> str:
        tex = r"\left|" + printer._print(self.args[0]) + r"\right|"
        return f"{tex}^{{{exp}}}" if exp else tex


class Sign(_RealFunction):
    """sign z (−1, 0 or 1), with derivative 2δ(z): zero away from 0. sign 0 = 0, torch's gradient of |z| at 0."""

    parity, latex_name, sympy_form, sympy_class = -1, r"\operatorname{sign}", staticmethod(sp.sign), sp.sign

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return 2 * Delta(self.args[0])


class Relu(_RealFunction):
    """relu z = max(0, z), with derivative step(z)."""

    latex_name, sympy_form, sympy_class = r"\operatorname{relu}", staticmethod(lambda z: sp.Max(0, z)), sp.Max

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return Step(self.args[0])


class Step(_RealFunction):
    """The unit step: 1 for z > 0, 0 for z ≤ 0 (torch's gradient of relu at 0 is 0), derivative δ(z)."""

    latex_name, sympy_form, sympy_class = r"\theta", staticmethod(lambda z: sp.Heaviside(z, 0)), sp.Heaviside

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return Delta(self.args[0])


class Delta(_RealFunction):
    """Dirac's δ(z): 0 away from z = 0, undefined (NaN in :func:`evaluate`) at 0. Only second derivatives
    of abs and relu contain it, so it is never differentiated."""

    parity, latex_name, sympy_form, sympy_class = 1, r"\delta", staticmethod(sp.DiracDelta), sp.DiracDelta

    def _eval_evalf(self, prec: int) -> sp.Expr | None:
        z = self.args[0].evalf(prec_to_dps(prec))
        return (sp.S.NaN if z.is_zero else sp.Float(0)) if z.is_Number else None


_SYMPY_CALLS: dict[str, Callable[[sp.Expr], sp.Expr]] = {
    "sin": sp.sin, "cos": sp.cos, "tan": sp.tan, "exp": sp.exp, "log": sp.log, "sqrt": sp.sqrt,
    "abs": Abs, "tanh": Tanh, "sigmoid": Sigmoid, "relu": Relu,
}
_SYMPY_OPS: dict[str, Callable[[sp.Expr, sp.Expr], sp.Expr]] = {
    "add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b, "div": lambda a, b: a / b,
    "pow": lambda a, b: a**b,
}


def symbols(expr: Expr) -> tuple[sp.Symbol, ...]:
    """The expression's variables as real sympy symbols, in argument order."""
    return tuple(sp.Symbol(name, real=True) for name in expr.variables)


@functools.lru_cache(maxsize=256)
def to_sympy(expr: Expr) -> sp.Expr:
    """The exact expression: integers and decimals become exact rationals (0.1 → 1/10), pi and e sympy's
    π and E; sigmoid, relu, abs and tanh are the real functions :class:`Sigmoid`, :class:`Relu`, :class:`Abs`
    and :class:`Tanh` (``.rewrite(sympy.exp)``, ``.rewrite(sympy.Max)`` … give 1/(1 + exp(−z)), Max(0, z) …).
    Built from the parsed tree, never from text.

    sympy simplifies as it builds, so a part that cancels can leave no real value: ``log(x - x)`` is
    log 0, ``sqrt(x - x - 1)`` is i. Such expressions are refused here with an :class:`ExprError`."""
    names = dict(zip(expr.variables, symbols(expr), strict=True))
    return _real(lambda: _sympy(expr.tree, names), expr)


_NOT_REAL = (sp.S.ImaginaryUnit, sp.S.ComplexInfinity, sp.S.NaN, sp.S.Infinity, sp.S.NegativeInfinity)


def _real(build: Callable[[], sp.Basic], expr: Expr) -> sp.Basic:
    """What ``build`` makes, unless sympy's simplification leaves i, ∞ or NaN in it, or sympy refuses a
    value on the way."""
    try:
        value = build()
    except (ValueError, TypeError, ArithmeticError, RecursionError):
        value = sp.S.NaN
    if value.has(*_NOT_REAL):
        raise ExprError(f"{expr.text} is undefined or not a real number once simplified (a part such as "
                        "x - x cancels to 0 inside a log, a division or a square root, or a square root of "
                        "a negative constant is multiplied in).")
    return value


def _sympy(tree: Tree, names: dict[str, sp.Symbol]) -> sp.Expr:
    kind = tree[0]
    if kind == "num":
        value = tree[1]
        return sp.Integer(value) if isinstance(value, int) else sp.Rational(Fraction(repr(value)))
    if kind == "var":
        return names[tree[1]]
    if kind == "const":
        return sp.pi if tree[1] == "pi" else sp.E
    if kind == "neg":
        return -_sympy(tree[1], names)
    if kind == "call":
        return _SYMPY_CALLS[tree[1]](_sympy(tree[2], names))
    return _SYMPY_OPS[kind](_sympy(tree[1], names), _sympy(tree[2], names))


@functools.lru_cache(maxsize=256)
def gradient(expr: Expr) -> sp.ImmutableMatrix:
    """∇f as an exact column (n × 1), one row per variable in argument order."""
    f = to_sympy(expr)
    return _real(lambda: sp.ImmutableMatrix([[f.diff(v)] for v in symbols(expr)]), expr)


@functools.lru_cache(maxsize=256)
def hessian(expr: Expr) -> sp.ImmutableMatrix:
    """The exact Hessian (n × n), H[i, j] = ∂²f/∂v_i∂v_j, differentiating the cached gradient once more."""
    g, vs = gradient(expr), symbols(expr)
    return _real(lambda: sp.ImmutableMatrix([[g[i, 0].diff(v) for v in vs] for i in range(len(vs))]), expr)


def jacobian(exprs: Sequence[Expr]) -> sp.ImmutableMatrix:
    """The exact Jacobian (m × n) of the map (f_1, …, f_m), J[i, j] = ∂f_i/∂v_j; all f_i must share their
    variables. Row i is f_i's cached gradient, transposed."""
    exprs = tuple(exprs)
    if not exprs or any(e.variables != exprs[0].variables for e in exprs):
        raise ValueError("a Jacobian needs one or more expressions in the same variables")
    return _jacobian(exprs)


@functools.lru_cache(maxsize=128)
def _jacobian(exprs: tuple[Expr, ...]) -> sp.ImmutableMatrix:
    return sp.ImmutableMatrix([list(gradient(e)) for e in exprs])


def latex(value: sp.Basic) -> str:
    """sympy's LaTeX for an expression or matrix from this module, in time proportional to its size.

    sympy's printer splits each product into numerator and denominator, and for a power with a negative
    symbolic exponent, like exp(−exp(−x)), first asks whether the exponent is constant by *simplifying*
    it: ten seconds for the Hessian of exp(−exp(−exp(−exp(−x y − 1) − 1) − 1) − 1). Such a power stays in
    the numerator anyway, so each one is handed to the printer wrapped (:class:`_AsIs`), which it prints
    as it is, without asking."""
    memo: dict[sp.Basic, sp.Basic] = {}

    def tame(node: sp.Basic) -> sp.Basic:  # bottom-up, each shared part once; depth ≈ the expression's
        if node not in memo:
            args = tuple(tame(a) for a in node.args)
            # evaluate=False as an argument, not sympy.evaluate(False): that switch is per thread, but the
            # cache of built expressions it fills is shared by every thread.
            result = node.func(*args, evaluate=False) if args != node.args else node
            if isinstance(node, sp.exp | sp.Pow):
                power = node.as_base_exp()[1]
                if power.free_symbols and power.is_negative:
                    result = _AsIs(result, evaluate=False)
            memo[node] = result
        return memo[node]

    if isinstance(value, sp.MatrixBase):
        value = sp.ImmutableMatrix(value.shape[0], value.shape[1], [tame(v) for v in value])
    else:
        value = tame(value)
    return sp.latex(value)


class _AsIs(sp.Function):
    """Prints as its argument: keeps a power out of the printer's numerator/denominator split."""

    nargs = 1

    def _latex(self, printer: Any, exp: str | None = None) -> str:
        tex = printer._print(self.args[0])
        return rf"\left({tex}\right)^{{{exp}}}" if exp else tex


def evaluate(value: sp.Expr | sp.MatrixBase, point: Mapping[str, Any]) -> np.ndarray:
    """A sympy expression or matrix (from this module) in float64 at ``point`` (variable name → number or
    array; arrays broadcast). A matrix gives shape ``(*grid, rows, cols)``, ready for ``np.linalg``.

    A numpy walk over sympy's tree, not ``lambdify`` (which runs ``eval``) or ``evalf`` (which can take
    unbounded time on exp(exp(exp(x)))). Undefined values are NaN or ±inf; so are complex ones (log of a
    negative number). At a kink the conventions are torch's: sign(0) = 0 and step(0) = 0 (the first
    derivatives of abs and relu there); δ(z), in their second derivatives, is 0 away from z = 0 and NaN at 0."""
    values = {name: np.asarray(v, dtype=np.float64) for name, v in point.items()}
    shape = np.broadcast_shapes(*(v.shape for v in values.values())) if values else ()
    memo: dict[sp.Basic, Any] = {}
    with np.errstate(all="ignore"):
        if isinstance(value, sp.MatrixBase):
            out = np.empty((*shape, *value.shape))
            for i in range(value.shape[0]):
                for j in range(value.shape[1]):
                    out[..., i, j] = _numeric(value[i, j], values, memo)
            return out
        if not isinstance(value, sp.Basic):  # never sympify: on text it runs eval
            raise TypeError(f"expected a sympy expression or matrix, got {type(value).__name__}")
        return np.array(np.broadcast_to(_numeric(value, values, memo), shape), dtype=np.float64)


def _numeric(e: sp.Basic, values: dict[str, np.ndarray], memo: dict[sp.Basic, Any]) -> Any:
    if e in memo:
        return memo[e]
    if isinstance(e, sp.Symbol):
        if e.name not in values:
            raise ValueError(f"no value given for {e.name}")
        result = values[e.name]
    elif e is sp.S.ImaginaryUnit or e is sp.S.NaN or e is sp.S.ComplexInfinity:
        result = np.float64(np.nan)
    elif e.is_Number or isinstance(e, sp.NumberSymbol):
        result = np.float64(float(e))
    elif type(e) not in _NUMPY_CALLS and not isinstance(e, sp.Add | sp.Mul | sp.Pow) and not e.free_symbols:
        result = _constant(e)  # a constant sympy kept exact, like tanh(1) or DiracDelta(0)
    else:
        args = [_numeric(a, values, memo) for a in e.args]
        if isinstance(e, sp.Add):
            result = functools.reduce(np.add, args)
        elif isinstance(e, sp.Mul):
            result = functools.reduce(np.multiply, args)
        elif isinstance(e, sp.Pow):
            result = np.power(*args)
        elif type(e) in _NUMPY_CALLS:
            result = _NUMPY_CALLS[type(e)](args[0])
        else:
            raise ExprError(f"Cannot evaluate {type(e).__name__} numerically.")
    memo[e] = result
    return result


def _constant(e: sp.Basic) -> np.float64:
    """A constant's float value (its parts are small: parse refuses constants beyond float64), NaN if none."""
    try:
        c = complex(e.evalf(17))
    except (TypeError, ValueError, ArithmeticError):
        return np.float64(np.nan)
    return np.float64(c.real if abs(c.imag) <= 1e-12 * max(1.0, abs(c.real)) else np.nan)


_NUMPY_CALLS: dict[type, Callable[[Any], Any]] = {
    sp.sin: np.sin, sp.cos: np.cos, sp.tan: np.tan, sp.exp: np.exp, sp.log: np.log, Tanh: np.tanh, Abs: np.abs,
    Sign: np.sign, Sigmoid: lambda z: 1 / (1 + np.exp(-z)), Relu: lambda z: np.maximum(z, 0.0),
    Step: lambda z: np.heaviside(z, 0.0), Delta: lambda z: np.where(np.isfinite(z) & (z != 0), 0.0, np.nan),
}


# ------------------------------------------------------------------------------------------ torch

_TORCH_CALLS: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    "neg": torch.neg, "sin": torch.sin, "cos": torch.cos, "tan": torch.tan, "exp": torch.exp, "log": torch.log,
    "sqrt": torch.sqrt, "abs": torch.abs, "tanh": torch.tanh, "sigmoid": torch.sigmoid, "relu": torch.relu,
}
_TORCH_OPS: dict[str, Callable[[torch.Tensor, torch.Tensor], torch.Tensor]] = {
    "add": torch.add, "sub": torch.sub, "mul": torch.mul, "div": torch.div, "pow": torch.pow,
}


@functools.lru_cache(maxsize=256)
def to_torch(expr: Expr) -> Callable[..., torch.Tensor]:
    """A torch function of one tensor per variable (``f(x, y)`` by default) that applies the expression
    elementwise: any shape (the arguments broadcast), float32 or float64 (integers become the default
    float dtype), any device (that of the first argument). It is made of differentiable torch ops, so
    ``torch.autograd``, ``torch.func.grad``, ``hessian``, ``jacrev`` and ``vmap`` all work through it.

    The result is a new tensor of the broadcast shape. Where f is undefined it holds NaN or ±inf, as
    torch gives them (log(−1) = NaN, 1/0 = inf): mask with :func:`defined` of the *values*. Gradients
    there need not be NaN (torch's derivative of log x is 1/x, finite at x = −1), so mask them with the
    values too."""
    program = _program(expr.tree, expr.variables)
    n = len(expr.variables)

    def f(*args: torch.Tensor) -> torch.Tensor:
        if len(args) != n:
            raise TypeError(f"expected {n} tensors ({', '.join(expr.variables)}), got {len(args)}")
        inputs = [a if isinstance(a, torch.Tensor) else torch.as_tensor(a) for a in args]
        dtype = functools.reduce(torch.promote_types, (a.dtype for a in inputs))
        if not dtype.is_floating_point:
            dtype = torch.get_default_dtype()
        device = inputs[0].device
        inputs = [a.to(dtype=dtype, device=device) for a in inputs]
        shape = torch.broadcast_shapes(*(a.shape for a in inputs))
        stack: list[torch.Tensor] = []
        for op, arg in program:
            if op == "var":
                stack.append(inputs[arg])
            elif op == "num":
                stack.append(torch.tensor(arg, dtype=dtype, device=device))
            elif op in _TORCH_OPS:
                b = stack.pop()
                stack.append(_TORCH_OPS[op](stack.pop(), b))
            else:
                stack.append(_TORCH_CALLS[op](stack.pop()))
        (result,) = stack
        if result.shape != shape:  # a constant, or a part that ignores a variable
            return result + torch.zeros(shape, dtype=dtype, device=device)
        return result.clone() if any(result is a for a in inputs) else result

    f.__doc__ = f"f({', '.join(expr.variables)}) = {expr.text}, elementwise on tensors."
    return f


def _program(tree: Tree, variables: tuple[str, ...]) -> tuple[tuple[str, Any], ...]:
    """The tree in postfix order, for a loop with a stack (no recursion at call time): ("var", index),
    ("num", float), or an operator or function name with None."""
    index = {name: i for i, name in enumerate(variables)}
    out: list[tuple[str, Any]] = []

    def emit(t: Tree) -> None:  # recursion bounded by MAX_NODES
        kind = t[0]
        if kind == "num":
            out.append(("num", float(t[1])))
        elif kind == "const":
            out.append(("num", CONSTANTS[t[1]]))
        elif kind == "var":
            out.append(("var", index[t[1]]))
        elif kind == "neg":
            emit(t[1])
            out.append(("neg", None))
        elif kind == "call":
            emit(t[2])
            out.append((t[1], None))
        else:
            emit(t[1])
            emit(t[2])
            out.append((kind, None))

    emit(tree)
    return tuple(out)


def defined(values: torch.Tensor) -> torch.Tensor:
    """Where a torch function's values are defined: a boolean mask of the finite entries (log, sqrt of a
    negative number and 0/0 give NaN, 1/0 and log(0) give ±inf; overflow also gives inf). Use it for the
    gradients and Hessians at those points too: autograd may give finite numbers where f is undefined."""
    return torch.isfinite(values)


# ------------------------------------------------------------------------------------------ examples

EXAMPLES: dict[str, str] = {
    "Bowl": "x^2 + y^2",
    "Saddle": "x^2 - y^2",
    "Rosenbrock's banana": "(1 - x)^2 + 100*(y - x^2)^2",
    "Himmelblau (four minima)": "(x^2 + y - 11)^2 + (x + y^2 - 7)^2",
    "Egg crate": "sin(x)*cos(y)",
    "Monkey saddle": "x^3 - 3*x*y^2",
    "Flat bottom (degenerate minimum)": "x^4 + y^4",
    "Log bowl": "log(1 + x^2 + y^2)",
    "Sigmoid of a product": "sigmoid(x*y)",
}

MAPS: dict[str, tuple[str, str]] = {
    "Polar coordinates (r, θ) ↦ (r cos θ, r sin θ)": ("x*cos(y)", "x*sin(y)"),
    "Shear": ("x + y/2", "y"),
    "Fold": ("x", "y^2"),
    "Complex square z ↦ z²": ("x^2 - y^2", "2*x*y"),
}

