"""lstmbook.prose.glue: rounded values, stored for myst-nb's glue roles."""

import numpy as np
import pytest

from lstmbook.prose import glue


def test_glue_rounds_floats_and_keeps_ints_and_strings():
    assert glue("a", 0.123456789012, digits=4) == 0.1235
    assert glue("b", np.float32(2.5e-6)) == 2.5e-06
    assert glue("c", 7) == 7 and glue("d", "text") == "text"


def test_glue_needs_a_name():
    with pytest.raises(TypeError, match="name"):
        glue("", 1.0)
