"""Dashboards as code: one folder of SQL, Markdown and filter files per dashboard, built into a
Lakeview dashboard for Databricks SQL and rendered into a static site for a laptop."""
