"""The metric catalog: `creatorlake.metrics.catalog` declares every gold podcast metric once."""
