"""Leieboermedvirkning survey analysis (Leieboerforeningen / VID Specialized University).

Codebook, loaders, validation, scoring, statistics, plots, and the pipeline that runs the
parameterised notebooks and builds the findings report. Command line: ``python -m analysis``.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("analysis")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
