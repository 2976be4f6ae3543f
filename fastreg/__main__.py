"""``python -m fastreg``: the command line (see fastreg.cli)."""
from .cli import main

raise SystemExit(main())
