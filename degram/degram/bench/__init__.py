"""Benchmarks of the models on this machine (``degram bench``)."""
