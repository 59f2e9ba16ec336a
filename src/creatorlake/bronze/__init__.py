"""Bronze layer: the raw platform tables, as the source systems would land them."""
