"""CreatorLake: a lakehouse for creator-monetization analytics."""

__version__ = "0.1.0"
