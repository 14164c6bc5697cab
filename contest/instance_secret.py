"""Secrets kept as files in instance/, made once on a fresh install."""
from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path


def instance_secret(instance_path: str, name: str) -> str:
    """The random key in instance/<name>, written the first time it is needed.

    Several workers may start at once on a fresh install: the first to create the file wins, and
    the others read the key it wrote (written whole, readable by its owner only, before it gets
    its name).
    """
    path = Path(instance_path) / name
    if not path.exists():
        handle, draft = tempfile.mkstemp(dir=instance_path, prefix=f".{name}.")
        with os.fdopen(handle, "w") as fh:
            fh.write(secrets.token_hex(32))
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            os.unlink(draft)
    return path.read_text().strip()
