"""Showing results: tables and figures for notebooks, report texts, the findings report."""
