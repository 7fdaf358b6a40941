"""``python -m degram`` = the ``degram`` command."""
import sys

from .cli import main

sys.exit(main())
