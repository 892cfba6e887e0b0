"""Reading YAML with line numbers, refusing junk early, and writing files atomically.

Every file the tool reads goes through `read_yaml`, so every loader reports the same kind of
message (file, line, what, how to fix) for the same kind of damage.  Every write goes through
`atomic_write`, so a killed process leaves either the old file or the new one, never half of one.
"""
from __future__ import annotations

import contextlib
import datetime as _dt
import errno
import hashlib
import json
import os
import re
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Iterator

import yaml

from readiness.errors import FileProblems, Problem

MAX_BYTES = 5 * 1024 * 1024  # a questionnaire of 1,000 questions is ~1 MB; refuse anything far beyond
MAX_NODES = 500_000  # defuses "billion laughs" alias bombs
MAX_DEPTH = 64

Loc = tuple  # a key path: ("questions", 3, "choices", 0)
_PLAIN_TAGS = {"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml is ~10x faster where available
_STR_TAG, _NULL_TAG = "tag:yaml.org,2002:str", "tag:yaml.org,2002:null"


def _text_loader(base):
    """`base` reading every plain scalar as the text written, except an empty value, `~` or `null`:
    files of answers are checked against their question, which decides what `no`, `8:30` or `052`
    mean (YAML 1.1 would silently make them False, 510 and 42)."""
    resolvers = {first: [(tag, regexp) for tag, regexp in entries if tag == _NULL_TAG]
                 for first, entries in base.yaml_implicit_resolvers.items()}
    return type(f"Text{base.__name__}", (base,), {"yaml_implicit_resolvers": {k: v for k, v in resolvers.items() if v}})


_TEXT_LOADERS = {_LOADER: _text_loader(_LOADER), yaml.SafeLoader: _text_loader(yaml.SafeLoader)}
_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass
class Located:
    """Parsed YAML data plus the line of every mapping key and sequence item in it."""

    data: Any
    lines: dict[Loc, int]
    path: Path
    # For data merged from several files (a questionnaire that `extends:` another): where each
    # part came from, so errors point at the file that holds the mistake.
    origins: dict[Loc, tuple[Path, int]] | None = None

    def at(self, loc: Loc) -> dict:
        """`file=` and `line=` arguments for a Problem about `loc`."""
        if self.origins:
            probe = tuple(loc)
            while probe:
                if probe in self.origins:
                    path, line = self.origins[probe]
                    return {"file": path, "line": line}
                probe = probe[:-1]
        return {"file": self.path, "line": self.line_of(loc)}

    def line_of(self, loc: Loc) -> int | None:
        """The line of `loc`, or of its nearest parent we know."""
        loc = tuple(loc)
        while loc:
            if loc in self.lines:
                return self.lines[loc]
            loc = loc[:-1]
        return self.lines.get((), None)


def loc_text(loc: Loc) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _fail(path: Path, message: str, line: int | None = None, hint: str | None = None) -> FileProblems:
    return FileProblems([Problem(message, file=path, line=line, hint=hint)])


def read_bytes(path: Path, what: str = "file", *, limit: int = MAX_BYTES, follow_links: bool = True) -> bytes:
    """A regular file's bytes, at most `limit` of them. A FIFO, device, socket or folder is refused
    before anything is read (opened without blocking, then checked on the open descriptor, so a file
    swapped after the check cannot slip through), and the read itself stops past the limit, whatever
    the file's size claims. With `follow_links=False` a link is refused too."""
    path = Path(path)
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    if not follow_links:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise _fail(path, f"{what} not found") from None
    except IsADirectoryError:
        raise _fail(path, f"expected a {what} but found a folder") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP and not follow_links:
            raise _fail(path, f"{what} is a link; links are not followed here",
                        hint="replace the link with the file itself") from None
        if exc.errno == errno.ENXIO:  # a socket (or a FIFO with no writer, opened for writing)
            raise _fail(path, f"{what} is a socket, not a regular file",
                        hint="give the path of an ordinary file") from None
        if exc.errno in (errno.EACCES, errno.EPERM):
            raise _fail(path, f"{what} cannot be read: permission denied",
                        hint="check the file's permissions, or ask whoever shares the folder") from None
        raise _fail(path, f"{what} cannot be read: {(exc.strerror or str(exc)).lower()}") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise _fail(path, f"expected a {what} but found a folder")
        if not stat.S_ISREG(info.st_mode):
            kind = ("a named pipe (FIFO)" if stat.S_ISFIFO(info.st_mode) else "a device"
                    if stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode) else "a socket"
                    if stat.S_ISSOCK(info.st_mode) else "not a regular file")
            raise _fail(path, f"{what} is {kind}, not a regular file", hint="give the path of an ordinary file")
        os.set_blocking(fd, True)
        from readiness.cache import read_up_to  # the one bounded read, shared with the cache

        data = read_up_to(fd, limit)
    except OSError as exc:
        raise _fail(path, f"{what} cannot be read: {(exc.strerror or str(exc)).lower()}") from None
    finally:
        os.close(fd)
    if len(data) > limit:
        size = f"{info.st_size / 1e6:.1f} MB" if info.st_size > limit else f"more than {limit / 1e6:.0f} MB"
        raise _fail(path, f"{what} is too large ({size}; the limit is {limit / 1e6:.0f} MB)",
                    hint="check that this is the right file")
    return data


def refuse_link_outside(path: Path, root: Path, what: str) -> None:
    """Refuse a file or folder of a site that is a link leading out of the site folder: a site's
    files stay inside it, so nothing is read from, or written to, a place the user did not name."""
    path = Path(path)
    if not path.is_symlink():
        return
    target = Path(os.path.realpath(path))
    base = Path(os.path.realpath(root))
    if target == base or base in target.parents:
        return
    raise FileProblems([Problem(f"{what} is a link to {target}, outside the site folder {root}; "
                                "links out of a site are not followed", file=path,
                                hint="replace the link with the real file or folder")])


def read_text(path: Path, what: str = "file", *, follow_links: bool = True, limit: int = MAX_BYTES,
              kind: str = "YAML") -> str:
    """Read a text file, refusing missing, huge, binary, special (FIFO, device) and non-UTF-8 files
    with a clear message."""
    path = Path(path)
    raw = read_bytes(path, what, limit=limit, follow_links=follow_links)
    if b"\x00" in raw[:8192]:
        raise _fail(path, f"{what} is a binary file, not {kind} text", hint="check that this is the right file")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise _fail(path, f"{what} is not UTF-8 text (byte {exc.start})", line=line,
                    hint="save the file as UTF-8 in your editor") from None


def read_yaml(path: Path, what: str = "file", *, allow_empty: bool = False, as_text: bool = False) -> Located:
    """Parse YAML safely, recording the line of every key; refuse empty files, duplicate keys, bombs.

    With `as_text`, plain scalars are read as the text written (only empty, `~` and `null` are None)
    and every explicit tag is refused: for files of answers, whose values are checked by question."""
    path = Path(path)
    return parse_yaml(read_text(path, what), path, what, allow_empty=allow_empty, as_text=as_text)


def parse_yaml(text: str, path: Path, what: str = "file", *, allow_empty: bool = False,
               as_text: bool = False) -> Located:
    """`read_yaml` for text already in hand (`path` names where it came from in messages)."""
    if not text.strip() or all(ln.strip().startswith("#") or not ln.strip() for ln in text.splitlines()):
        return _empty(path, what, allow_empty)
    cached = None if as_text else _parse_cache_get(text)
    if cached is not None:
        return Located(cached[0], cached[1], path)
    pick = _TEXT_LOADERS.get if as_text else (lambda cls: cls)
    try:
        data, lines = _compose(text, path, pick(_LOADER))
    except _NoDocument:
        return _empty(path, what, allow_empty)
    except yaml.YAMLError:
        # libyaml's messages are terse; the pure-Python parser says more, and speed no longer matters.
        try:
            data, lines = _compose(text, path, pick(yaml.SafeLoader))
        except _NoDocument:
            return _empty(path, what, allow_empty)
        except yaml.MarkedYAMLError as exc:
            raise _syntax_problem(exc, text, path, what) from None
        except yaml.reader.ReaderError as exc:  # a control character or the like: say which, and where
            char = exc.character if isinstance(exc.character, str) else chr(exc.character)
            raise _fail(path, f"{what} is not valid YAML: the special character U+{ord(char):04X} is not allowed",
                        line=text[: exc.position].count("\n") + 1,
                        hint="delete it; it was probably pasted in by accident") from None
        except yaml.YAMLError as exc:
            raise _fail(path, f"{what} is not valid YAML: {exc}") from None
    if data is None:
        return _empty(path, what, allow_empty)
    if not as_text:
        _parse_cache_put(text, data, lines)
    return Located(data, lines, path)


# ---------------------------------------------------------------- parse cache
# Parsing YAML is most of the cost of loading a large questionnaire (190 ms for 1,000 questions with
# libyaml). Large files that parsed cleanly are kept, keyed by their exact content, as JSON in the
# per-user cache; a changed file has another key, so the cache can never serve stale data. An entry
# is used only when it verifies (readiness/cache.py: ours, not a link, keyed hash over name and
# content); a planted, truncated or altered one is ignored, and the file parsed and the entry rewritten.

CACHE_MIN_BYTES = 64 * 1024
CACHE_MAX_BYTES = 16 * MAX_BYTES  # the JSON of the largest YAML file read, with its line table
_CACHE_FORMAT = 2


def _cache_path(text: str) -> Path | None:
    if len(text) < CACHE_MIN_BYTES:
        return None
    from readiness.cache import user_cache_dir

    folder = user_cache_dir("yaml")
    if folder is None:
        return None
    digest = hashlib.sha256(f"{_CACHE_FORMAT}\0{yaml.__version__}\0".encode() + text.encode("utf-8")).hexdigest()
    return folder / f"{digest[:40]}.json"


def _encode(value: Any) -> Any:
    if isinstance(value, dict):
        if all(isinstance(k, str) for k in value):
            return {k: _encode(v) for k, v in value.items()}
        return {"\0map": [[k, _encode(v)] for k, v in value.items()]}  # keys such as scale points 1..5
    if isinstance(value, list):
        return [_encode(v) for v in value]
    return value


def _decode_map(value: dict) -> dict:
    return dict((k, v) for k, v in value["\0map"]) if "\0map" in value else value


def _parse_cache_get(text: str) -> tuple[Any, dict] | None:
    path = _cache_path(text)
    if path is None:
        return None
    from readiness.cache import read_entry

    content = read_entry(path, CACHE_MAX_BYTES)
    if content is None:
        return None
    try:
        stored = json.loads(content.decode("utf-8"), object_hook=_decode_map)
        return stored["data"], {tuple(loc): line for loc, line in stored["lines"]}
    except (ValueError, KeyError, TypeError):
        return None  # signed by us but unreadable (an older format): parse afresh


def _parse_cache_put(text: str, data: Any, lines: dict) -> None:
    path = _cache_path(text)
    if path is None:
        return
    from readiness.cache import write_entry

    try:
        content = json.dumps({"data": _encode(data), "lines": [[list(k), v] for k, v in lines.items()]})
    except (TypeError, ValueError):
        return
    write_entry(path, content.encode("utf-8"))


def _empty(path: Path, what: str, allow_empty: bool) -> Located:
    if allow_empty:
        return Located({}, {(): 1}, path)
    raise _fail(path, f"{what} is empty", hint="restore it from a backup or create it again")


class _NoDocument(Exception):
    """The text holds no YAML document at all (only byte-order marks, or a bare '...')."""


def _compose(text: str, path: Path, loader_class) -> tuple[Any, dict]:
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise _NoDocument
        builder = _Builder(loader, path, text_only=loader_class in _TEXT_LOADERS.values())
        return builder.build(node, (), 0), builder.lines
    finally:
        loader.dispose()


def _syntax_problem(exc: yaml.MarkedYAMLError, text: str, path: Path, what: str) -> FileProblems:
    mark = exc.problem_mark or exc.context_mark
    line = min(mark.line + 1, max(1, text.count("\n"))) if mark else None
    message = (exc.problem or str(exc)).strip()
    hint = None
    if "\t" in message or "'\\t'" in message:
        message, hint = "a tab character is used for indentation", "indent with spaces, not tabs"
    elif exc.context:
        message = f"{exc.context}, {message}"
    return _fail(path, f"{what} is not valid YAML: {message}", line=line, hint=hint)


class _Builder:
    def __init__(self, loader, path: Path, text_only: bool = False):
        self.loader = loader
        self.path = path
        self.text_only = text_only
        self.lines: dict[Loc, int] = {(): 1}
        self.count = 0

    def build(self, node: yaml.Node, loc: Loc, depth: int) -> Any:
        self.count += 1
        if self.count > MAX_NODES or depth > MAX_DEPTH:
            raise _fail(self.path, "YAML is nested too deeply or expands too far (possible alias bomb)",
                        line=node.start_mark.line + 1, hint="simplify the file; aliases are not needed here")
        self.lines.setdefault(loc, node.start_mark.line + 1)
        if not isinstance(node, yaml.ScalarNode) and node.tag not in _PLAIN_TAGS:
            raise _fail(self.path, f"the YAML tag '{node.tag}' is not allowed", line=node.start_mark.line + 1,
                        hint="remove the '!!' tag; only plain YAML is read")
        if self.text_only and isinstance(node, yaml.ScalarNode) and node.tag not in (_STR_TAG, _NULL_TAG):
            raise _fail(self.path, f"the YAML tag '{node.tag}' is not allowed", line=node.start_mark.line + 1,
                        hint="remove the '!' tag; write the value as plain text")
        if isinstance(node, yaml.MappingNode):
            self.loader.flatten_mapping(node)
            out: dict = {}
            for key_node, value_node in node.value:
                key = self._construct(key_node, deep=True)
                if isinstance(key, (list, dict)):
                    raise _fail(self.path, "a mapping key must be a plain value", line=key_node.start_mark.line + 1)
                self._check_text(key, key_node)
                if isinstance(key, bool):  # YAML 1.1 reads a key `no:` or `yes:` as a boolean
                    key = "yes" if key else "no"
                if key in out:
                    raise _fail(self.path, f"duplicate key '{key}'", line=key_node.start_mark.line + 1,
                                hint="each key may appear once; remove or merge the repeated one")
                self.lines[loc + (key,)] = key_node.start_mark.line + 1
                out[key] = self.build(value_node, loc + (key,), depth + 1)
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, loc + (i,), depth + 1) for i, item in enumerate(node.value)]
        value = self._construct(node)
        if isinstance(value, _dt.datetime):
            return value.isoformat()
        if isinstance(value, _dt.date):
            return value.isoformat()
        if isinstance(value, bytes):
            raise _fail(self.path, "binary values are not allowed", line=node.start_mark.line + 1)
        self._check_text(value, node)
        return value

    def _check_text(self, value: Any, node: yaml.Node) -> None:
        """A lone surrogate (from an escape such as "\\ud800") is not a character: no file or terminal
        can hold it, so it is refused here, where the line is known, not later in a write."""
        found = _SURROGATE.search(value) if isinstance(value, str) else None
        if found:
            code = ord(found.group())
            raise _fail(self.path, f"the text here holds an invalid character (a lone surrogate, \\u{code:04x})",
                        line=node.start_mark.line + 1,
                        hint="remove the \\u escape; write the character itself, or a pair of escapes")

    def _construct(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return self.loader.construct_object(node, deep=deep)
        except ValueError:  # an impossible date such as 2027-02-30: keep the text, the checks say what is wrong
            self.loader.recursive_objects.pop(node, None)
            if isinstance(node, yaml.ScalarNode):
                return node.value
            raise _fail(self.path, "a value here cannot be read", line=node.start_mark.line + 1) from None


_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def dump_yaml(data: Any) -> str:
    return yaml.dump(data, Dumper=_DUMPER, sort_keys=False, allow_unicode=True, width=100, default_flow_style=False)


def _umask() -> int:
    mask = os.umask(0o077)
    os.umask(mask)
    return mask


def atomic_write(path: Path, content: str | bytes) -> None:
    """Write via a temporary file in the same folder, fsync, then rename over the target.

    The temporary file is private while it is written; before the rename it gets the mode of the file
    it replaces, or for a new file the user's usual mode (0666 less the umask), so a site in a shared
    folder stays readable by the colleagues who could read it before."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        mode = os.stat(path).st_mode & 0o7777
    except OSError:
        mode = 0o666 & ~_umask()
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        if isinstance(exc, OSError) and exc.filename is None:
            exc.filename = str(path)  # a full disk says nothing of where: name the file being written
        raise
    try:  # make the rename itself durable
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except OSError:
        pass


def write_yaml(path: Path, data: Any, header: str = "") -> None:
    atomic_write(path, header + dump_yaml(data))


# ---------------------------------------------------------------- locks
# Where the platform has flock (Linux, macOS, the BSDs) a lock is an flock on an open file: the
# kernel releases it when the process ends, however it ends. Elsewhere (Windows, or a build of Python
# without `fcntl`) the same locks come from the `filelock` library, imported only there: its import
# costs more than a whole `score`, and flock is what it would use where flock exists.

try:
    import fcntl as _fcntl
except ImportError:  # not on this platform
    _fcntl = None  # type: ignore[assignment]

FALLBACK_LOCK_SUFFIX = ".filelock"
FALLBACK_WAIT_SECONDS = 30.0  # a write holds its lock for milliseconds; a build for a few seconds


class LockBusy(Exception):
    """`exclusive_lock(..., wait=False)`: another process holds the lock."""


def _fallback_lock(path: Path):
    import warnings

    with warnings.catch_warnings():  # "only soft file lock is available": the message below says what to do
        warnings.simplefilter("ignore")
        import filelock
    return filelock, filelock.FileLock(str(path) + FALLBACK_LOCK_SUFFIX)


@contextlib.contextmanager
def exclusive_lock(path: Path, *, wait: bool = True) -> Iterator[IO[str]]:
    """Hold an exclusive lock named by the file `path` (created if need be) and yield that file, open
    for reading and appending (a lock may record who holds it). With `wait=False`, raise `LockBusy`
    at once when another process holds it; otherwise wait for it."""
    path = Path(path)
    fh = open(path, "a+", encoding="utf-8")
    try:
        if _fcntl is not None:
            try:
                _fcntl.flock(fh, _fcntl.LOCK_EX | (0 if wait else _fcntl.LOCK_NB))
            except BlockingIOError:
                raise LockBusy(str(path)) from None
            try:
                yield fh
            finally:
                _fcntl.flock(fh, _fcntl.LOCK_UN)
            return
        filelock, lock = _fallback_lock(path)
        try:
            lock.acquire(timeout=FALLBACK_WAIT_SECONDS if wait else 0)
        except filelock.Timeout:
            if not wait:
                raise LockBusy(str(path)) from None
            from readiness.errors import WorkspaceError

            raise WorkspaceError(
                f"another lead-readiness process has held the lock {lock.lock_file} for over "
                f"{FALLBACK_WAIT_SECONDS:.0f} seconds",
                hint="wait for it to finish; if no lead-readiness command is running, delete that file") from None
        try:
            yield fh
        finally:
            lock.release()
    finally:
        fh.close()


@contextlib.contextmanager
def folder_lock(folder: Path) -> Iterator[None]:
    """Hold an exclusive lock on an existing folder, waiting for it: an flock on the folder itself
    where flock exists; elsewhere a `filelock` lock on `.<name>.filelock` beside the folder."""
    folder = Path(folder)
    if _fcntl is None:
        with exclusive_lock(folder.parent / f".{folder.name}"):
            yield
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        _fcntl.flock(fd, _fcntl.LOCK_EX)
        try:
            yield
        finally:
            _fcntl.flock(fd, _fcntl.LOCK_UN)
    finally:
        os.close(fd)
