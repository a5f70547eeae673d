"""The qualitative strand: coding meeting notes and free-text answers beside the survey.

The door (reading notes, redaction, participant lists, segments) is in :mod:`analysis.clean.notes`
and :mod:`analysis.clean.segments`, because ingest writes the segments. This package holds the
rest of the generic machinery, which knows no survey item:

- :mod:`analysis.qual.codeframe`: the coding frame as validated YAML;
- :mod:`analysis.qual.suggest`: a deterministic keyword suggester;
- :mod:`analysis.qual.sheets`: Excel coding sheets written and read back with one-line errors;
- :mod:`analysis.qual.agreement`: percent agreement, Cohen's kappa, Krippendorff's alpha;
- :mod:`analysis.qual.results`: code frequencies (disclosure-aware), triangulation, quotes;
- :mod:`analysis.qual.browse`: internal reading of the free text (notebook 07 only);
- :mod:`analysis.qual.cli`: the ``notes`` and ``coding`` subcommands.

See ``docs/qualitative-strand.md`` for the workflow.
"""
