"""``python -m sandbox``: see ``sandbox.cli``."""

import sys

from .cli import main

sys.exit(main())
