"""This survey: the instrument YAML versions, the report narrative, and the demo generator."""
