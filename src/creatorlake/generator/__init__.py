"""The bronze generator: synthetic, deterministic, large-scale platform data in Delta."""

from creatorlake.generator.options import GeneratorOptions, Incident
from creatorlake.generator.run import generate

__all__ = ["GeneratorOptions", "Incident", "generate"]
