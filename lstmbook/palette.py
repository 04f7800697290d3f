"""The book's colours, shared by the plots (:mod:`lstmbook.viz`) and the diagrams
(:mod:`lstmbook.diagrams`), so that one concept has one colour wherever it appears.

Okabe & Ito's colour-blind-safe palette. The roles follow the plots the book already had:
inputs orange, hidden states blue, outputs green (``viz.plot_io_pattern``); input gate orange,
forget gate blue, output gate green, candidate grey (``viz.plot_gate_schedule``).

Plain constants, no imports: anything may use this module without pulling in matplotlib.
"""

BLUE = "#0072B2"
ORANGE = "#E69F00"
GREEN = "#009E73"
VERMILION = "#D55E00"
SKY = "#56B4E9"
PURPLE = "#CC79A7"
YELLOW = "#F0E442"
GREY = "#BBBBBB"

#: "The page's text colour". Diagrams draw lines and labels in INK and their SVG writes it as
#: ``currentColor``, so an inline diagram takes the text colour of the page (dark on the light
#: theme, light on the dark theme). It must not be pure black: matplotlib omits a black fill from
#: the SVG, and the text would then stay black on a dark page.
INK = "#1a1a1a"
#: connections that are fixed, not trained: a mid grey readable on light and dark pages
MUTED = "#8a8a8a"

#: gate and candidate colours (LSTM i, f, g, o; GRU r, z, n)
GATE_COLORS = {"i": ORANGE, "f": BLUE, "g": GREY, "o": GREEN, "r": SKY, "z": PURPLE, "n": GREY}
#: what a box in a network diagram holds
ROLE_COLORS = {"input": ORANGE, "hidden": BLUE, "output": GREEN}
#: the error signal δ sent back in time (BPTT)
ERROR_COLOR = VERMILION
