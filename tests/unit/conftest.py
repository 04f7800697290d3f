"""Set once for every unit test: matplotlib draws on the Agg backend (no display, no GUI
toolkit), chosen before any test module imports pyplot."""

try:
    import matplotlib
except ImportError:  # the library's own tests (tests/unit/nn) run without it
    pass
else:
    matplotlib.use("Agg")
