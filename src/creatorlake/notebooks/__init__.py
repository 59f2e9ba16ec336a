"""The analysis notebooks (`notebooks/` at the checkout's root), run headless on the local lakehouse.

Databricks runs the notebooks natively; here `source` turns a Databricks source-format
notebook into a Jupyter one, `kernel` is what its first cell sets up in place of the
Databricks globals (`spark`, `display`, `dbutils.widgets`), and `execute` runs them.
"""
