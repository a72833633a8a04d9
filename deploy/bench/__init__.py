"""The benchmark behind `make bench` (see `__main__`): corpus, offline, e2e, report and plot modules."""
