"""The questionnaire as data: typed instrument versions loaded from YAML (generic machinery)."""
