"""Whether a `creatorlake serve` process holds a lakehouse: the `<lakehouse>/server.json` it writes.

The session factory asks this before it starts a JVM of its own, the CLI before it runs a
command here, and the server when it starts and stops; so it sits in the core, apart from
the server.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from creatorlake.core.errors import CreatorLakeError

SERVER_FILE = "server.json"


@dataclass(frozen=True)
class ServerInfo:
    """What `server.json` holds: how to reach the server, and what it was started with."""

    port: int
    pid: int
    authkey: str
    conf: str


def server_file(lakehouse_root: Path) -> Path:
    return lakehouse_root / SERVER_FILE


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # it exists, as another user's
    return True


def running_server(lakehouse_root: Path) -> ServerInfo | None:
    """The lakehouse's server, or None; a file left by a server that was killed is removed."""
    path = server_file(lakehouse_root)
    try:
        info = ServerInfo(**json.loads(path.read_text()))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, TypeError):
        raise CreatorLakeError(f"{path} is not a server file this version can read: remove it if no server runs") from None
    if not _alive(info.pid):
        path.unlink(missing_ok=True)
        return None
    return info


def write_server_file(lakehouse_root: Path, info: ServerInfo) -> Path:
    """Written whole and readable by its owner only: the key in it lets a client run anything."""
    path = server_file(lakehouse_root)
    partial = path.with_suffix(".partial")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        json.dump(asdict(info), handle)
    partial.replace(path)
    return path
