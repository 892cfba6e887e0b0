"""Reading YAML with line numbers, refusing junk early, and writing files atomically.

Every file the tool reads goes through `read_yaml`, so every loader reports the same kind of
message (file, line, what, how to fix) for the same kind of damage.  Every write goes through
`atomic_write`, so a killed process leaves either the old file or the new one, never half of one.
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from readiness.errors import FileProblems, Problem

MAX_BYTES = 5 * 1024 * 1024  # a questionnaire of 1,000 questions is ~1 MB; refuse anything far beyond
MAX_NODES = 500_000  # defuses "billion laughs" alias bombs
MAX_DEPTH = 64

Loc = tuple  # a key path: ("questions", 3, "choices", 0)
_PLAIN_TAGS = {"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml is ~10x faster where available


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


def read_text(path: Path, what: str = "file") -> str:
    """Read a text file, refusing missing, huge, binary and non-UTF-8 files with a clear message."""
    path = Path(path)
    if not path.exists():
        raise _fail(path, f"{what} not found")
    if path.is_dir():
        raise _fail(path, f"expected a {what} but found a folder")
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise _fail(path, f"{what} is too large ({size / 1e6:.1f} MB; the limit is {MAX_BYTES / 1e6:.0f} MB)",
                    hint="check that this is the right file")
    raw = path.read_bytes()
    if b"\x00" in raw[:8192]:
        raise _fail(path, f"{what} is a binary file, not YAML text", hint="check that this is the right file")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise _fail(path, f"{what} is not UTF-8 text (byte {exc.start})", line=line,
                    hint="save the file as UTF-8 in your editor") from None


def read_yaml(path: Path, what: str = "file", *, allow_empty: bool = False) -> Located:
    """Parse YAML safely, recording the line of every key; refuse empty files, duplicate keys, bombs."""
    path = Path(path)
    text = read_text(path, what)
    if not text.strip() or all(ln.strip().startswith("#") or not ln.strip() for ln in text.splitlines()):
        if allow_empty:
            return Located({}, {(): 1}, path)
        raise _fail(path, f"{what} is empty", hint="restore it from a backup or create it again")
    cached = _parse_cache_get(text)
    if cached is not None:
        return Located(cached[0], cached[1], path)
    try:
        data, lines = _compose(text, path, _LOADER)
    except yaml.YAMLError:
        # libyaml's messages are terse; the pure-Python parser says more, and speed no longer matters.
        try:
            data, lines = _compose(text, path, yaml.SafeLoader)
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
        if allow_empty:
            return Located({}, {(): 1}, path)
        raise _fail(path, f"{what} is empty", hint="restore it from a backup or create it again")
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


def _compose(text: str, path: Path, loader_class) -> tuple[Any, dict]:
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        builder = _Builder(loader, path)
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
    def __init__(self, loader, path: Path):
        self.loader = loader
        self.path = path
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
        if isinstance(node, yaml.MappingNode):
            self.loader.flatten_mapping(node)
            out: dict = {}
            for key_node, value_node in node.value:
                key = self._construct(key_node, deep=True)
                if isinstance(key, (list, dict)):
                    raise _fail(self.path, "a mapping key must be a plain value", line=key_node.start_mark.line + 1)
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
        return value

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


def atomic_write(path: Path, content: str | bytes) -> None:
    """Write via a temporary file in the same folder, fsync, then rename over the target."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = content.encode("utf-8") if isinstance(content, str) else content
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
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
