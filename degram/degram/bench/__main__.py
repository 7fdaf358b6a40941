"""Benchmarks of the models on this machine (``degram bench``)."""
import sys

from .runner import main

sys.exit(main())
