"""Estimation: scores from codebook rules, reliability, design-based estimates, weighting,
models, checkbox shares and ranks, wave comparison, and disclosure control."""
