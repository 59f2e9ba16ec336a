"""User-facing errors: each carries one line that names the problem."""


class CreatorLakeError(Exception):
    """Bad input (a flag, a config file, data). The CLI prints it on one line and exits with `exit_code`."""

    exit_code = 2


class ConfigError(CreatorLakeError):
    """A configuration file or value is invalid."""


class WorkFailed(CreatorLakeError):
    """The input was fine but the work failed while it ran (a dbt model or data test failed): exit 1."""

    exit_code = 1
