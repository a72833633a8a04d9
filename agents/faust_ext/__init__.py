"""Workarounds for Faust (faust-streaming 0.15.3) and aiokafka behaviour the wiring depends on.

Each module names the upstream issue or behaviour it works around, so it can go when upstream fixes it.
Nothing here knows about stories or stages: it is transport and bookkeeping only.
"""
