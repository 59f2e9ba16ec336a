"""spark-submit entry point: `spark-submit jobs/ingest_files.py PATH... --auto` = `creatorlake ingest ...`."""

import sys

from creatorlake.cli import main

if __name__ == "__main__":
    sys.exit(main(["ingest", *sys.argv[1:]]))
