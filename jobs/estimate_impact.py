"""spark-submit entry point: causal impact of the features (`creatorlake impact`)."""

import sys

from creatorlake.cli import main

if __name__ == "__main__":
    sys.exit(main(["impact", *sys.argv[1:]]))
