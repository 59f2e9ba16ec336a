"""User-facing errors: each carries one line that names the problem."""


class CreatorLakeError(Exception):
    """Bad input (a flag, a config file, data). The CLI prints it on one line and exits 2."""


class ConfigError(CreatorLakeError):
    """A configuration file or value is invalid."""
