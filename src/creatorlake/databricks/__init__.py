"""Databricks: the bundle as the CLI resolves it, and the workspace through databricks-sdk.

Pure-ish functions: each takes a `WorkspaceClient` (or a resolved bundle target) and
returns plain values; printing and argparse live in `creatorlake.commands.databricks`.
"""
