"""The Examples sections of the public docstrings run and print what they show."""
import doctest

import pytest

import fastreg._path
import fastreg._stats
import fastreg.linear_model


@pytest.mark.parametrize("module", [fastreg._path, fastreg._stats, fastreg.linear_model],
                         ids=lambda m: m.__name__)
def test_docstring_examples(module):
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0
