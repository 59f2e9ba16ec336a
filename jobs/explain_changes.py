"""spark-submit entry point: decompose revenue changes into their drivers (`creatorlake explain`)."""

import sys

from creatorlake.cli import main

if __name__ == "__main__":
    sys.exit(main(["explain", *sys.argv[1:]]))
