"""spark-submit entry point: `spark-submit jobs/generate_bronze.py [--days N ...]` = `creatorlake generate ...`."""

import sys

from creatorlake.cli import main

if __name__ == "__main__":
    sys.exit(main(["generate", *sys.argv[1:]]))
