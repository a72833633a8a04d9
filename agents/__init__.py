"""Thin Faust wiring of the pipeline stages, plus the `wirestream` command."""
