"""``python -m coursekit`` runs the command line."""

import sys

from coursekit.cli import main

if __name__ == "__main__":  # not when a worker process imports this module
    sys.exit(main())
