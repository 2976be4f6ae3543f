"""The Examples sections of the public docstrings run and print what they show."""
import doctest

import pytest

import fastreg._cv
import fastreg._path
import fastreg._ridge
import fastreg._stats
import fastreg.linear_model
import fastreg.plot


@pytest.mark.parametrize("module", [fastreg._cv, fastreg._path, fastreg._ridge, fastreg._stats, fastreg.linear_model,
                                    fastreg.plot],
                         ids=lambda m: m.__name__)
def test_docstring_examples(module):
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0


def test_readme_python_examples_run(tmp_path):
    """Every ```python block of README.md runs, in order, in one namespace."""
    from pathlib import Path

    readme = Path(__file__).resolve().parents[1] / "README.md"
    blocks, current = [], None
    for line in readme.read_text().splitlines():
        if line.strip() == "```python":
            current = []
        elif line.strip() == "```" and current is not None:
            blocks.append("\n".join(current))
            current = None
        elif current is not None:
            current.append(line)
    assert len(blocks) >= 2
    namespace = {}
    for block in blocks:
        exec(compile(block, str(readme), "exec"), namespace)
    assert namespace["path"].solver == "cd-gram"
