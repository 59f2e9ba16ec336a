"""The one `WorkspaceClient` factory: the SDK's standard auth, a bounded wait."""

from __future__ import annotations

from typing import TYPE_CHECKING

from creatorlake.core.errors import CreatorLakeError

if TYPE_CHECKING:
    from databricks.sdk import WorkspaceClient

# The SDK retries a failing request (and its auth probe of the host) for up to
# retry_timeout_seconds, 300 by default: a wrong host would hang a command for
# five minutes. Half a minute is enough for a workspace that answers.
RETRY_TIMEOUT_SECONDS = 30
HTTP_TIMEOUT_SECONDS = 30


def workspace_client(profile: str | None = None, *, retry_timeout_seconds: int = RETRY_TIMEOUT_SECONDS) -> "WorkspaceClient":
    """A client authenticated as the SDK resolves it: DATABRICKS_* env, else the ~/.databrickscfg profile."""
    # The SDK is imported on use (here and in statements.py): only the `databricks` commands need it,
    # and every command's parser loads this package.
    from databricks.sdk import WorkspaceClient
    from databricks.sdk.core import Config

    try:
        config = Config(profile=profile, retry_timeout_seconds=retry_timeout_seconds, http_timeout_seconds=HTTP_TIMEOUT_SECONDS)
        return WorkspaceClient(config=config)
    except Exception as exc:  # the SDK raises ValueError and its own errors, with multi-line detail
        raise CreatorLakeError(f"cannot connect to Databricks: {one_line(exc)}") from None


def one_line(exc: BaseException) -> str:
    """The first line of an SDK error, which often carries a long explanation after it."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
