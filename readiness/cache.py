"""The per-user cache folder (compiled templates, drawn charts, parsed questionnaires).

Everything cached can be rebuilt from the user's own files, so the cache is untrusted input: an
entry is used only when it is a regular file of ours, not a link, within its size limit, and carries
a keyed hash (HMAC-SHA256) of its folder, name and content made with this user's cache key. The key is 32
random bytes in `<cache>/lead-readiness/key`, mode 0600; a key file that is a link, not ours,
readable by others or of the wrong size is replaced by a new key, which simply invalidates every
entry. An entry that fails any check (planted, truncated, altered, renamed, a link, a FIFO...) is
ignored, never followed, and the caller rebuilds it and writes it atomically over the bad one.

`user_cache_dir` returns None when caching is turned off (LEAD_READINESS_NO_CACHE=1), on a platform
without user ids (Windows), or when the folder or the key cannot be made safely ours; callers then
simply work uncached.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import stat
import sys
import tempfile
from pathlib import Path
from typing import Optional

NO_CACHE_VARIABLE = "LEAD_READINESS_NO_CACHE"
KEY_NAME = "key"
KEY_BYTES = 32
MAGIC = b"LRCACHE1"  # format tag of every entry: MAGIC, then the 32-byte MAC, then the content
_MAC_BYTES = hashlib.sha256().digest_size
_HEADER = len(MAGIC) + _MAC_BYTES
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)


def caching_disabled() -> bool:
    return os.environ.get(NO_CACHE_VARIABLE, "") not in ("", "0")


APP_NAME = "lead-readiness"


def _root() -> Path:
    """`$XDG_CACHE_HOME/lead-readiness` when XDG_CACHE_HOME is set; else the platform's user cache
    folder as `platformdirs` names it (~/Library/Caches/lead-readiness on macOS, the local AppData
    folder on Windows). On Linux and the other XDG systems that is ~/.cache/lead-readiness, written
    out here because importing platformdirs costs tens of milliseconds on every run."""
    given = os.environ.get("XDG_CACHE_HOME")
    if given:
        return Path(given) / APP_NAME
    if sys.platform == "darwin" or os.name == "nt":
        from platformdirs import user_cache_dir as platform_cache_dir

        return Path(platform_cache_dir(APP_NAME, appauthor=False))
    return Path.home() / ".cache" / APP_NAME


def _uid() -> Optional[int]:
    """This user's id, or None where the platform has none (Windows): there the ownership and mode
    checks that make a cache entry trustworthy cannot be made, so nothing is cached."""
    getuid = getattr(os, "getuid", None)
    return getuid() if getuid is not None else None


def _private_folder(folder: Path) -> bool:
    """`folder` exists (created 0700 if need be), is a real folder (not a link), ours, not writable by others."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    st = folder.lstat()
    return stat.S_ISDIR(st.st_mode) and st.st_uid == _uid() and not st.st_mode & 0o022


def user_cache_dir(name: str) -> Optional[Path]:
    """`<cache root>/<name>` (0700, ours, with a usable key; the root is `_root()`), or None."""
    if not name or "/" in name or name.startswith("."):
        raise ValueError(f"cache folder name {name!r}")
    if caching_disabled() or _uid() is None:
        return None
    root = _root()
    folder = root / name
    try:
        if not _private_folder(root) or not _private_folder(folder):
            return None
    except (OSError, RuntimeError):
        return None
    if cache_key(root) is None:
        return None
    return folder


# ---------------------------------------------------------------- the key

_KEYS: dict[str, bytes] = {}  # per process: the key of each cache root, read once


def _read_key(path: Path) -> Optional[bytes]:
    """The key, or None when the file is missing or not safely ours (a link, a FIFO, shared, wrong size)."""
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if (not stat.S_ISREG(st.st_mode) or st.st_uid != _uid() or st.st_mode & 0o077
                or st.st_size != KEY_BYTES):
            return None
        key = os.read(fd, KEY_BYTES + 1)
        return key if len(key) == KEY_BYTES else None
    except OSError:
        return None
    finally:
        os.close(fd)


def _new_key(path: Path, *, replace: bool) -> None:
    """Write a fresh random key beside `path` (mode 0600) and move it into place atomically: linked
    (never overwriting a key another process just made) when there is none, renamed over a bad one."""
    fd, tmp = tempfile.mkstemp(prefix=".key-", suffix=".tmp", dir=path.parent)  # mkstemp: mode 0600
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(os.urandom(KEY_BYTES))
        if replace:
            os.replace(tmp, path)  # replaces a link itself, never its target
        else:
            try:
                os.link(tmp, path)
            except FileExistsError:
                pass
    finally:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass


def cache_key(root: Optional[Path] = None) -> Optional[bytes]:
    """This user's cache key, made on first use; None when it cannot be made safely."""
    root = _root() if root is None else root
    known = _KEYS.get(str(root))
    if known is not None:
        return known
    path = root / KEY_NAME
    key = _read_key(path)
    if key is None:
        try:
            _new_key(path, replace=os.path.lexists(path))
        except OSError:
            return None
        key = _read_key(path)
    if key is not None:
        _KEYS[str(root)] = key
    return key


def forget_key() -> None:
    """Drop the keys read by this process (tests that replace a key file on disk)."""
    _KEYS.clear()


# ---------------------------------------------------------------- entries


def _mac(key: bytes, path: Path, content: bytes) -> bytes:
    # The entry's folder and file name are covered too: a genuine entry copied under another name, or
    # from another Jinja or Python version's folder, does not verify.
    name = f"{path.parent.name}/{path.name}".encode("utf-8", "surrogateescape")
    return hmac.new(key, name + b"\0" + content, hashlib.sha256).digest()


def _entry_key(path: Path) -> Optional[bytes]:
    # The entry's folder is <root>/<name>; the key lives in <root>.
    return _KEYS.get(str(path.parent.parent)) or cache_key(path.parent.parent)


def read_up_to(fd: int, limit: int) -> bytes:
    """At most `limit` + 1 bytes from an open file: one byte past the limit says it is too large,
    without reading the rest (the size in `fstat` alone can lie for special files)."""
    chunks, total = [], 0
    while total <= limit:
        chunk = os.read(fd, min(1 << 20, limit + 1 - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)


def read_entry(path: Path, max_bytes: int) -> Optional[bytes]:
    """The content of the cache entry at `path`, or None unless it verifies.

    The file is opened without following a link and without blocking (a FIFO), checked on the open
    descriptor (a regular file of ours, not larger than `max_bytes` plus the header), read once, and
    its MAC checked over exactly the bytes read, which are the bytes returned: nothing is read twice,
    so nothing can change between the check and the use. The MAC covers the entry's folder and file
    name too, so a valid entry copied under another name does not verify."""
    key = _entry_key(path)
    if key is None:
        return None
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        limit = max_bytes + _HEADER
        if not stat.S_ISREG(st.st_mode) or st.st_uid != _uid() or st.st_size > limit:
            return None
        raw = read_up_to(fd, limit)
    except OSError:
        return None
    finally:
        os.close(fd)
    if len(raw) > limit or len(raw) < _HEADER or not raw.startswith(MAGIC):
        return None
    content = raw[_HEADER:]
    if not hmac.compare_digest(raw[len(MAGIC):_HEADER], _mac(key, path, content)):
        return None
    return content


def write_entry(path: Path, content: bytes) -> bool:
    """Sign `content` and write it as the entry at `path` atomically (a temporary file in the same
    folder renamed over whatever was there, a link included, never written through). False when the
    cache cannot be written; a cache never breaks the work it speeds up."""
    key = _entry_key(path)
    if key is None:
        return False
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=".entry-", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "wb") as fh:
            fh.write(MAGIC + _mac(key, path, content) + content)
        os.replace(tmp, path)
        return True
    except OSError:
        if tmp:
            try:
                os.unlink(tmp)
            except OSError:
                pass
        return False
