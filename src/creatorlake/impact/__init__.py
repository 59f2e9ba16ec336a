"""Feature impact: causal estimates of Podcast Comments, Creator Analytics and the Partner Program.

Pure functions from pandas panels to result frames (no table I/O: `creatorlake.commands.impact`
reads the panels and writes the results). Every estimate is reported as the relative lift its
feature's estimand defines (docs/feature-impact.md).
"""
