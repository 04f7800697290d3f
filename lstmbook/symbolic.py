"""SymPy derivations the book shows: σ' and its maximum, tanh', the scalar LSTM cell gradients.

SymPy is imported here and nowhere else in the package, so ``import lstmbook`` stays fast.
Every function returns plain SymPy objects (chapters display them with ``sympy.latex`` or
``display``) together with ``lambdify``'d NumPy versions, so a chapter can put the symbolic
result next to the NumPy code and check that both give the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import sympy as sp

from .nn._checks import positive_int
from .nn.activations import sigmoid as _np_sigmoid
from .nn.lstm import GATES

__all__ = [
    "DerivativeFacts",
    "LSTMCellGradients",
    "RNNGradientProduct",
    "lstm_cell_gradients",
    "rnn_gradient_product",
    "sigma",
    "sigmoid_derivative",
    "tanh_derivative",
]

#: lambdify's translation of the symbolic σ below into lstmbook's overflow-safe NumPy sigmoid.
_NUMPY = [{"sigma": _np_sigmoid}, "numpy"]


class sigma(sp.Function):  # lower case, so it prints as σ(x)
    """The logistic sigmoid as a SymPy function, σ(z) = 1 / (1 + e^{-z}).

    SymPy differentiates it with σ' = σ(1 − σ) ({ref}`eq-sigmoid-grad`, proved by
    :func:`sigmoid_derivative`), so derivatives of a gate stay short and readable:
    ∂σ(w x + b)/∂w = x σ(w x + b)(1 − σ(w x + b)). ``expr.rewrite(sympy.exp)`` gives the
    explicit formula; ``lambdify`` maps it to :func:`lstmbook.nn.activations.sigmoid`.
    """

    @classmethod
    def eval(cls, z):
        if z.is_zero:
            return sp.Rational(1, 2)
        return None

    def fdiff(self, argindex=1):
        s = sigma(self.args[0])
        return s * (1 - s)

    def _eval_rewrite_as_exp(self, z, **kwargs):
        return 1 / (1 + sp.exp(-z))


# ---------------------------------------------------------------------------------------------
# σ' and tanh'
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DerivativeFacts:
    """What :func:`sigmoid_derivative` and :func:`tanh_derivative` return.

    Attributes
    ----------
    name, label : the function's name (``"sigmoid"``/``"tanh"``) and the book's equation label.
    x : the real SymPy symbol.
    f : the function's definition in exponentials, e.g. ``1/(1 + exp(-x))``.
    derivative : ``diff(f, x)`` as SymPy computes it from the definition.
    closed_form : the derivative written through f itself: σ(1 − σ) or 1 − tanh².
    difference : ``simplify(derivative - closed_form)``; it is ``0``, which proves the identity.
    second_derivative : ``diff(f, x, 2)``.
    critical_points : the real solutions of f'' = 0 (``[0]`` for both functions).
    argmax, maximum : where f' is largest and its value there (``0`` and 1/4 or 1), exact.
    limits : f' at −∞ and +∞ (both 0): with a single critical point in between and f' > 0,
        the critical point is the global maximum.
    f_numeric, derivative_numeric : NumPy versions of f and f' (``lambdify``).
    """

    name: str
    label: str
    x: sp.Symbol
    f: sp.Expr
    derivative: sp.Expr
    closed_form: sp.Expr
    difference: sp.Expr
    second_derivative: sp.Expr
    critical_points: list
    argmax: sp.Expr
    maximum: sp.Expr
    limits: tuple
    f_numeric: object = field(repr=False)
    derivative_numeric: object = field(repr=False)

    @property
    def identity_holds(self) -> bool:
        """True when the derivative simplifies to the closed form (difference is exactly 0)."""
        return self.difference == 0


def derivative_facts(name, label, x, f, closed_form) -> DerivativeFacts:
    """Derive everything the book says about an activation's slope with SymPy: f', its
    agreement with ``closed_form`` (written through f itself), f'', the critical point where f' is
    largest, that maximum, the limits at ±∞, and NumPy versions of f and f'. ``label`` is the
    book's equation label for the closed form."""
    d1 = sp.diff(f, x)
    d2 = sp.diff(f, x, 2)
    critical = sorted(sp.solve(sp.Eq(d2, 0), x), key=sp.default_sort_key)
    if len(critical) != 1:  # pragma: no cover - both functions have exactly one
        raise ArithmeticError(f"expected one critical point of {name}', found {critical}")
    argmax = critical[0]
    return DerivativeFacts(
        name=name,
        label=label,
        x=x,
        f=f,
        derivative=d1,
        closed_form=closed_form,
        difference=sp.simplify(d1 - closed_form),
        second_derivative=d2,
        critical_points=critical,
        argmax=argmax,
        maximum=sp.nsimplify(sp.simplify(d1.subs(x, argmax))),
        limits=(sp.limit(d1, x, -sp.oo), sp.limit(d1, x, sp.oo)),
        f_numeric=sp.lambdify(x, f, "numpy"),
        derivative_numeric=sp.lambdify(x, d1, "numpy"),
    )


def sigmoid_derivative() -> DerivativeFacts:
    """Derive σ'(x) for σ(x) = 1 / (1 + e^{-x}) and its maximum ({ref}`eq-sigmoid-grad`).

    Returns a :class:`DerivativeFacts` with ``derivative`` = e^{-x} / (1 + e^{-x})²,
    ``closed_form`` = σ(1 − σ), ``difference`` = 0 (the identity holds), ``critical_points``
    = [0] (solved from σ'' = 0), ``maximum`` = ``Rational(1, 4)`` at ``argmax`` = 0 and
    ``limits`` = (0, 0). A gradient passing through a sigmoid gate is therefore multiplied by
    at most 1/4.
    """
    x = sp.Symbol("x", real=True)
    s = 1 / (1 + sp.exp(-x))
    return derivative_facts("sigmoid", "eq-sigmoid-grad", x, s, s * (1 - s))


def tanh_derivative() -> DerivativeFacts:
    """Derive tanh'(x) for tanh(x) = (e^x − e^{-x}) / (e^x + e^{-x}) ({ref}`eq-tanh-grad`).

    Returns a :class:`DerivativeFacts` with ``closed_form`` = 1 − tanh², ``difference`` = 0,
    ``critical_points`` = [0], ``maximum`` = 1 at ``argmax`` = 0 and ``limits`` = (0, 0):
    tanh never amplifies a gradient, and shrinks it wherever the unit saturates.
    """
    x = sp.Symbol("x", real=True)
    t = (sp.exp(x) - sp.exp(-x)) / (sp.exp(x) + sp.exp(-x))
    return derivative_facts("tanh", "eq-tanh-grad", x, t, 1 - t**2)


# ---------------------------------------------------------------------------------------------
# The scalar LSTM cell
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LSTMCellGradients:
    """What :func:`lstm_cell_gradients` returns: one LSTM unit, symbolically and numerically.

    Attributes
    ----------
    peepholes : whether the cell has peephole weights p_i, p_f, p_o.
    names : argument names in order: ``x, h_prev, c_prev``, then ``w_k, u_k, b_k`` for each
        gate k in i, f, g, o, then ``p_i, p_f, p_o`` with peepholes. The numeric functions
        take the values in this order (or by keyword through :meth:`forward`/:meth:`gradients`).
    symbols : name -> SymPy symbol.
    gates : ``{"i", "f", "g", "o"}`` -> gate expression (the output gate's peephole sees c_t).
    c, h : the new cell state c_t and hidden state h_t as expressions of the inputs.
    dc, dh : name -> ∂c_t/∂name and ∂h_t/∂name (SymPy), for every input and parameter.
    """

    peepholes: bool
    names: tuple
    symbols: dict
    gates: dict
    c: sp.Expr
    h: sp.Expr
    dc: dict
    dh: dict
    _forward: object = field(repr=False)
    _gradients: object = field(repr=False)

    def _args(self, values: dict) -> list:
        missing = [n for n in self.names if n not in values]
        unknown = sorted(set(values) - set(self.names))
        if missing or unknown:
            raise ValueError(
                f"values must give exactly the cell's inputs and parameters {list(self.names)}; "
                f"missing {missing}, unknown {unknown}"
            )
        return [values[n] for n in self.names]

    def forward(self, **values):
        """Numeric (h_t, c_t) at the given values (floats or broadcastable arrays)."""
        h, c = self._forward(*self._args(values))
        return h, c

    def gradients(self, **values):
        """Numeric ``(dh, dc)``: two dicts name -> ∂h_t/∂name and ∂c_t/∂name at the values."""
        out = self._gradients(*self._args(values))
        n = len(self.names)
        return dict(zip(self.names, out[:n], strict=True)), dict(
            zip(self.names, out[n:], strict=True)
        )

    def random_point(self, rng: np.random.Generator, scale: float = 1.0) -> dict:
        """A dict name -> value drawn uniformly from [−scale, scale], for comparisons."""
        return {
            n: float(v)
            for n, v in zip(self.names, rng.uniform(-scale, scale, len(self.names)), strict=True)
        }

    def compact(self, expr: sp.Expr) -> sp.Expr:
        """Rewrite ``expr`` with the symbols i, f, g, o and c_t in place of the gate expressions.

        For display: without peepholes ``compact(dh["c_prev"])`` is o·f·(1 − tanh²(c_t)).
        """
        names = {k: sp.Symbol(k) for k in GATES}
        c_t = sp.Symbol("c_t")
        expr = expr.xreplace({self.gates["o"]: names["o"]})
        expr = expr.xreplace({self.c: c_t})
        return expr.xreplace({self.gates[k]: names[k] for k in ("i", "f", "g")})

    def to_arrays(self, values: dict) -> dict:
        """Lay scalar values (or derivatives) out like the NumPy LSTM with D = H = N = 1.

        Returns ``{"x", "h_prev", "c_prev"}`` as ``(1, 1)`` arrays, ``"W"`` and ``"U"`` as
        ``(4, 1)`` and ``"b"`` as ``(4,)`` with rows in gate order i, f, g, o, and with peepholes
        ``"p_i", "p_f", "p_o"`` as ``(1,)``. Applied to ``gradients(...)[0]`` it gives what
        ``lstm_step_backward`` returns for dh_t = 1, dc_t = 0 (and ``[1]`` for dh_t = 0, dc_t = 1).
        """
        v = dict(zip(self.names, self._args(values), strict=True))
        out = {k: np.array([[float(v[k])]]) for k in ("x", "h_prev", "c_prev")}
        out["W"] = np.array([[float(v[f"w_{k}"])] for k in GATES])
        out["U"] = np.array([[float(v[f"u_{k}"])] for k in GATES])
        out["b"] = np.array([float(v[f"b_{k}"]) for k in GATES])
        if self.peepholes:
            for k in ("i", "f", "o"):
                out[f"p_{k}"] = np.array([float(v[f"p_{k}"])])
        return out


def lstm_cell_gradients(peepholes: bool = False) -> LSTMCellGradients:
    """The scalar LSTM cell ({ref}`eq-lstm-cell`) and SymPy derivatives of h_t and c_t.

    One unit with one input::

        i = σ(w_i x + u_i h_prev + b_i [+ p_i c_prev])
        f = σ(w_f x + u_f h_prev + b_f [+ p_f c_prev])
        g = tanh(w_g x + u_g h_prev + b_g)
        c_t = f c_prev + i g
        o = σ(w_o x + u_o h_prev + b_o [+ p_o c_t])
        h_t = o tanh(c_t)

    The bracketed peephole terms are present when ``peepholes`` is true (input and forget
    gates look at c_prev, the output gate at c_t, as in Gers, Schraudolph & Schmidhuber 2002).

    Returns an :class:`LSTMCellGradients` holding the expressions, ``dh``/``dc`` (the derivative
    of h_t and of c_t with respect to each of the 15, or 18 with peepholes, inputs and
    parameters) and ``lambdify``'d NumPy functions reached through ``forward(**values)`` and
    ``gradients(**values)``.
    """
    if not isinstance(peepholes, bool | np.bool_):
        raise TypeError(f"peepholes must be True or False, got {type(peepholes).__name__}")
    names = ["x", "h_prev", "c_prev"]
    names += [f"{p}_{k}" for k in GATES for p in ("w", "u", "b")]
    if peepholes:
        names += ["p_i", "p_f", "p_o"]
    sym = {n: sp.Symbol(n, real=True) for n in names}
    x, h_prev, c_prev = sym["x"], sym["h_prev"], sym["c_prev"]

    def pre(k):  # pre-activation of gate k, without peephole
        return sym[f"w_{k}"] * x + sym[f"u_{k}"] * h_prev + sym[f"b_{k}"]

    peep_i = sym["p_i"] * c_prev if peepholes else 0
    peep_f = sym["p_f"] * c_prev if peepholes else 0
    i = sigma(pre("i") + peep_i)
    f = sigma(pre("f") + peep_f)
    g = sp.tanh(pre("g"))
    c = f * c_prev + i * g  # eq-lstm-cell
    o = sigma(pre("o") + (sym["p_o"] * c if peepholes else 0))
    h = o * sp.tanh(c)  # eq-lstm-hidden

    dh = {n: sp.diff(h, sym[n]) for n in names}
    dc = {n: sp.diff(c, sym[n]) for n in names}
    args = [sym[n] for n in names]
    return LSTMCellGradients(
        peepholes=bool(peepholes),
        names=tuple(names),
        symbols=sym,
        gates={"i": i, "f": f, "g": g, "o": o},
        c=c,
        h=h,
        dc=dc,
        dh=dh,
        _forward=sp.lambdify(args, [h, c], _NUMPY),
        _gradients=sp.lambdify(args, [dh[n] for n in names] + [dc[n] for n in names], _NUMPY),
    )


# ---------------------------------------------------------------------------------------------
# ∂h_T/∂h_0 in a scalar RNN as a product
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RNNGradientProduct:
    """What :func:`rnn_gradient_product` returns.

    Attributes
    ----------
    T : number of steps.
    symbols : name -> symbol (``h_0``, ``x_1`` … ``x_T``, ``w``, ``u``, ``b``).
    h : ``[h_1, …, h_T]``, each an expression of h_0 and the inputs.
    factors : ``[u (1 − h_k²) for k = 1 … T]``, the one-step derivatives ∂h_k/∂h_{k−1}.
    direct : ``diff(h_T, h_0)`` as SymPy computes it from the nested expression.
    product : the product of ``factors``.
    difference : ``simplify(direct - product)``; it is ``0``.
    """

    T: int
    symbols: dict
    h: list
    factors: list
    direct: sp.Expr
    product: sp.Expr
    difference: sp.Expr


def rnn_gradient_product(T: int = 3) -> RNNGradientProduct:
    """Show that ∂h_T/∂h_0 = Π_{k=1}^{T} u (1 − h_k²) in a scalar RNN.

    The RNN is h_k = tanh(w x_k + u h_{k−1} + b), one unit, unrolled for ``T`` steps from the
    symbol h_0.

    Each factor is at most |u| (tanh' ≤ 1, {ref}`eq-tanh-grad`), so the product vanishes
    when |u| < 1 and may explode when |u| > 1 and the units stay unsaturated.
    """
    T = positive_int(T, "T")
    w, u, b, h0 = sp.symbols("w u b h_0", real=True)
    xs = sp.symbols(f"x_1:{T + 1}", real=True)
    h, prev = [], h0
    for x_k in xs:
        prev = sp.tanh(w * x_k + u * prev + b)
        h.append(prev)
    factors = [u * (1 - h_k**2) for h_k in h]
    direct = sp.diff(h[-1], h0)
    product = sp.Mul(*factors)
    symbols = {"h_0": h0, "w": w, "u": u, "b": b} | {str(x_k): x_k for x_k in xs}
    return RNNGradientProduct(
        T=T,
        symbols=symbols,
        h=h,
        factors=factors,
        direct=direct,
        product=product,
        difference=sp.simplify(direct - product),
    )
