"""The ``mimamori`` command line (console script ``backend.cli:main``)."""

from backend.cli.root import main

__all__ = ["main"]
