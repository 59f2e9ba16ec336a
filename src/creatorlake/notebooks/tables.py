"""The tables a notebook reads, named as the jobs name them: from its catalog and schema_prefix widgets."""

from __future__ import annotations

from typing import Callable

from creatorlake.commands.databricks import staged_settings
from creatorlake.core.config import Settings, load_config
from creatorlake.core.tables import qualified_name


def gold_namer(catalog: str = "", schema_prefix: str = "", settings: Settings | None = None) -> Callable[[str], str]:
    """`name -> <catalog>.<prefix>gold.<name>` on Unity Catalog, `<prefix>gold.<name>` in the session's catalog
    when no catalog is given (a local lakehouse's spark_catalog)."""
    staged = staged_settings(settings or load_config(), catalog, schema_prefix)
    return lambda name: qualified_name(staged, "gold", name)
