"""Running the parameterised notebooks for a wave (papermill in-process, fingerprints)."""
