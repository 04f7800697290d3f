"""Show the package's own code in a chapter, so the book never holds a second copy of it."""

from __future__ import annotations

import inspect


def source(obj) -> str:
    """The source text of a function, class or method of lstmbook."""
    return inspect.getsource(obj)


def show(obj):
    """Display ``obj``'s source with syntax highlighting in a notebook (plain text elsewhere).

    The notebook's stored output is that text, so nbval fails when the package's code changes
    and the chapter was not re-run: the page always shows the code that runs.
    """
    from IPython.display import Code

    return Code(source(obj), language="python")
