"""Offline evaluations behind `wirestream eval KIND`: each module has `main(argv) -> int`."""
