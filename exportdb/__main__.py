"""``python -m exportdb``: the same command line as ``exportdb``."""

import sys

from exportdb.cli import main

if __name__ == "__main__":
    sys.exit(main())
