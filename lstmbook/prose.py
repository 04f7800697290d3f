"""Numbers in the prose come from the code: glue a computed value into the chapter's text.

A chapter's code cell calls ``glue("ch4-ratio-10", value)``; its markdown writes
``{glue:text}`ch4-ratio-10:.2f```, and the built page shows the number the code computed, so the
text cannot drift from the outputs (``tests/unit/test_prose_numbers.py`` fails on a typed one).
Floats are rounded to ``digits`` significant digits before they are stored, so the stored
output does not depend on the last bits of a BLAS kernel. myst-nb (which Jupyter Book uses)
does the gluing; where it is not installed (Colab), ``glue`` stores nothing and returns the
value, and the markdown shows the role's name instead of the number. A cell should not end with
a bare ``glue(...)``: Jupyter would show the returned value under it (write ``_ = glue(...)``;
a trailing ``;`` is not enough, since nbval runs cells without IPython's history).
A glued string (a verdict, "4 of 5") is put into the reader's language
(:func:`lstmbook.i18n.phrase`), so the Japanese edition's prose reads in Japanese.
"""

from __future__ import annotations

import numbers

import numpy as np

from lstmbook.i18n import phrase

__all__ = ["glue"]


def _rounded(value, digits: int):
    if isinstance(value, bool | numbers.Integral | str):
        return value
    if isinstance(value, numbers.Real | np.floating):
        return float(f"{float(value):.{digits}g}")
    return value


def glue(name: str, value, *, digits: int = 6):
    """Store ``value`` (rounded to ``digits`` significant digits when it is a float) under
    ``name`` for ``{glue:text}`` roles in the chapter's markdown; returns the stored value."""
    if not isinstance(name, str) or not name:
        raise TypeError(f"name must be a non-empty string, got {name!r}")
    stored = phrase(value) if isinstance(value, str) else _rounded(value, digits)
    try:
        from myst_nb.ext.glue import glue as _myst_glue
    except ImportError:  # no myst-nb (e.g. Colab): nothing to glue into
        return stored
    _myst_glue(name, stored, display=False)
    return stored
