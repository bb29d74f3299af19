"""``python -m exportdb``: the same command line as ``exportdb``."""

import sys

from exportdb.tools.cli import main

if __name__ == "__main__":
    sys.exit(main())
