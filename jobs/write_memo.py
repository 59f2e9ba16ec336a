"""spark-submit entry point: the product memo from the gold tables (`creatorlake memo`)."""

import sys

from creatorlake.cli import main

if __name__ == "__main__":
    sys.exit(main(["memo", *sys.argv[1:]]))
