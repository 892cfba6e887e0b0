"""The per-user cache folder (compiled templates, drawn charts, parsed questionnaires).

Everything cached can be rebuilt from the user's own files, so a missing, damaged or foreign cache
is simply not used: `user_cache_dir` returns None when caching is turned off
(LEAD_READINESS_NO_CACHE=1) or when the folder is not private to this user.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

NO_CACHE_VARIABLE = "LEAD_READINESS_NO_CACHE"


def caching_disabled() -> bool:
    return os.environ.get(NO_CACHE_VARIABLE, "") not in ("", "0")


def user_cache_dir(name: str) -> Optional[Path]:
    """`$XDG_CACHE_HOME/lead-readiness/<name>` (0700, ours), or None."""
    if caching_disabled():
        return None
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    folder = base / "lead-readiness" / name
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        st = folder.stat()
        if st.st_uid != os.getuid() or st.st_mode & 0o022:
            return None
    except (OSError, RuntimeError):
        return None
    return folder
