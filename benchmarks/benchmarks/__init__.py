"""asv benchmarks for fastreg (run from benchmarks/: ``asv run --quick --python=same``)."""
