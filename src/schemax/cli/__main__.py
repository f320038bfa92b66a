"""``python -m schemax.cli``: the ``schemax`` command."""

import sys

from schemax.cli import main

if __name__ == "__main__":
    sys.exit(main())
