"""spark-submit entry point: flag rolling z-score anomalies per segment (`creatorlake detect`)."""

import sys

from creatorlake.cli import main

if __name__ == "__main__":
    sys.exit(main(["detect", *sys.argv[1:]]))
