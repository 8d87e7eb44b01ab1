"""Console script `godwit`: the operator/user CLI (see godwit.cli)."""

from godwit.cli.main import main

__all__ = ["main"]
