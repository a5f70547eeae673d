"""Leieboermedvirkning survey analysis (Leieboerforeningen / VID Specialized University).

The package is layered by concern, and only the ``questionnaire`` layer knows the survey's items:

- :mod:`analysis.instrument`: the questionnaire as data (versions, change files, comparability);
- :mod:`analysis.io`: export loaders, the wave manifest, the municipality frame;
- :mod:`analysis.clean`: ingest, validation from the instrument's rules, privacy (redaction);
- :mod:`analysis.stats`: scores, reliability, design-based estimates, weighting, models, checkbox
  shares and ranks, wave comparison, disclosure control;
- :mod:`analysis.render`: tables and figures, report texts, the findings report;
- :mod:`analysis.pipeline`: running the parameterised notebooks;
- :mod:`analysis.questionnaire`: this survey's instrument versions, report narrative and demo.

The public functions are importable from the top, as in pingouin (``analysis.group_means``); they
are loaded on first use, so ``python -m analysis --help`` stays fast. Command line:
``python -m analysis``.

Examples
--------
>>> import analysis
>>> analysis.load_codebook(1).question("hold").type
'matrix'
"""

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("analysis")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0+unknown"

#: Public name -> module that defines it.
_API: dict[str, str] = {
    # the questionnaire as data
    "load_codebook": "analysis.instrument.codebook",
    "Codebook": "analysis.instrument.codebook",
    "codebook_markdown": "analysis.instrument.docs",
    "item_comparability": "analysis.instrument.compare",
    "score_comparability": "analysis.instrument.compare",
    # reading and cleaning
    "read_export": "analysis.io.loaders",
    "load_frame": "analysis.io.frame",
    "ingest_wave": "analysis.clean.ingest",
    "load_processed": "analysis.clean.ingest",
    "load_quality": "analysis.clean.ingest",
    "load_quarantine": "analysis.clean.ingest",
    "load_manifest": "analysis.clean.ingest",
    "redact": "analysis.clean.privacy",
    "redact_series": "analysis.clean.privacy",
    "read_notes": "analysis.clean.notes",
    "load_segments": "analysis.clean.segments",
    # statistics
    "score_responses": "analysis.stats.scoring",
    "add_scores": "analysis.stats.scoring",
    "reliability": "analysis.stats.reliability",
    "scale_reliability": "analysis.stats.reliability",
    "item_statistics": "analysis.stats.reliability",
    "estimate_design": "analysis.stats.estimates",
    "group_means": "analysis.stats.estimates",
    "group_proportions": "analysis.stats.estimates",
    "wilson_interval": "analysis.stats.estimates",
    "rake_weights": "analysis.stats.weighting",
    "score_regression": "analysis.stats.models",
    "ordinal_regression": "analysis.stats.models",
    "pairwise_comparisons": "analysis.stats.models",
    "mean_difference": "analysis.stats.models",
    "group_differences": "analysis.stats.models",
    "hedges_g": "analysis.stats.models",
    "checkbox_shares": "analysis.stats.themes",
    "theme_shares": "analysis.stats.themes",
    "theme_ranking": "analysis.stats.themes",
    "low_competence_needs": "analysis.stats.themes",
    "harmonise": "analysis.stats.compare",
    "compare_waves": "analysis.stats.compare",
    "apply_disclosure": "analysis.stats.disclosure",
    "frequencies": "analysis.stats.tables",
    "crosstab": "analysis.stats.tables",
    "rao_scott": "analysis.stats.tables",
    "apply_filters": "analysis.stats.tables",
    # showing
    "show_table": "analysis.render.display",
    "show_figure": "analysis.render.display",
    "export_table": "analysis.render.export",
    "explore": "analysis.render.explore",
    "build_report": "analysis.render.report",
    # running
    "run_wave": "analysis.pipeline.runner",
    "write_demo": "analysis.questionnaire.demo",
    # the qualitative strand
    "load_coding_frame": "analysis.qual.codeframe",
    "agreement": "analysis.qual.agreement",
    "code_frequencies": "analysis.qual.results",
    "triangulate": "analysis.qual.results",
}

__all__ = ["__version__", *_API]


def __getattr__(name: str):
    module = _API.get(name)
    if module is None:
        raise AttributeError(f"module 'analysis' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_API))
