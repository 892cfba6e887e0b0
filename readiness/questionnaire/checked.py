"""Checked questionnaires kept in the per-user cache, so a run that loads an unchanged questionnaire
skips the whole check (YAML with line numbers, validation, the cross-checks, every condition
compiled in the sandbox) and the Jinja import those checks need.

An entry holds the questionnaire as validated (its JSON, fields as given) and the SHA-256 of every
file it was read from (the file itself and its `extends:` chain). It is named by a hash of the
first file's path and content and of everything that decides what a check says: this tool's
checking code (the size and time of each of its source files), the versions of pydantic, PyYAML and
Jinja. It is used only when it verifies (readiness/cache.py: ours, not a link, within its size, a
keyed hash over name and content) and every file it lists still has the content it had; then the
questionnaire is rebuilt from its pickled models. Like a compiled template (documents/environment.py),
that is loaded only from an entry that verifies as one this user wrote, and the unpickler rebuilds
nothing but this module's questionnaire models (any other class in an entry makes it a miss). The
models' validators are then not built at all in a run that only reads the questionnaire
(`defer_build`), which is most of what loading them costs. A miss, a damaged entry or a changed
file means the full load, and a questionnaire with problems is never stored.

The same entries keep a questionnaire localized for a site's titles (`localized`, used by
questionnaire/wording.localize), keyed by the entry it was loaded from and the titles; and a
validated state profile (`kept`, used by jurisdiction.load_state_profile), keyed by the same
fingerprint and the path and SHA-256 of each file it is made of, unpickled only into the profile's
models. `when:` conditions are never kept: they are compiled (or, for the simple ones, parsed by
questionnaire/plain_conditions.py) in each process.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import pickle
import stat
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path
from types import ModuleType
from typing import Callable, Optional, Sequence, TypeVar

from readiness import __version__
from readiness.kernel.models import Strict
from readiness.questionnaire import models
from readiness.questionnaire.models import Questionnaire

CACHE_NAME = "questionnaires"
FORMAT = 2
MIN_BYTES = 16 * 1024  # a smaller questionnaire file is checked in a few milliseconds: not worth an entry
MAX_ENTRY_BYTES = 80 * 1024 * 1024  # the JSON of the largest questionnaire the reader accepts (5 MB of YAML)
_PACKAGE = Path(__file__).resolve().parents[1]
# What decides whether a questionnaire passes the check and what the check returns: the modules of
# these folders (the package's own, such as files.py and sandbox.py, the questionnaire's, and the
# shared kernel's where there is one).
_CHECKING_CODE = ("", "questionnaire", "kernel")
_LIBRARIES = ("pydantic", "pydantic_core", "yaml", "jinja2")


@lru_cache(maxsize=1)
def _fingerprint() -> bytes:
    """What this process checks with (read once: the code running is the code the process loaded)."""
    parts = [f"format {FORMAT}", f"lead-readiness {__version__}"]
    for folder in _CHECKING_CODE:
        try:
            found = sorted((e.name, e.stat()) for e in os.scandir(_PACKAGE / folder) if e.name.endswith(".py"))
        except OSError:
            continue
        parts += [f"{folder}/{name} {st.st_size} {st.st_mtime_ns}" for name, st in found]
    for library in _LIBRARIES:  # found without importing it (Jinja is not needed on a hit)
        spec = find_spec(library)
        origin = spec.origin if spec is not None else None
        if origin:
            st = os.stat(origin)
            parts.append(f"{library} {origin} {st.st_size} {st.st_mtime_ns}")
    return "\n".join(parts).encode("utf-8", "surrogateescape")


def _digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _entry_path(path: Path, content: bytes) -> Optional[Path]:
    from readiness.cache import user_cache_dir

    folder = user_cache_dir(CACHE_NAME)
    if folder is None:
        return None
    key = hashlib.sha256(_fingerprint() + b"\0" + os.fsencode(str(path)) + b"\0" + content).hexdigest()
    return folder / f"{key[:40]}.checked"


def _read(path: Path) -> Optional[bytes]:
    """The bytes of a regular file of at most MAX_BYTES, else None (the full loader then reads the path
    and says what is wrong with it). Opened without blocking, so a named pipe or a device put where a
    questionnaire should be never makes the cache check wait or read without end."""
    from readiness.files import MAX_BYTES

    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_BYTES:
            return None
        with os.fdopen(fd, "rb") as fh:
            fd = -1
            data = fh.read(MAX_BYTES + 1)
        return data if len(data) <= MAX_BYTES else None
    except OSError:
        return None
    finally:
        if fd >= 0:
            os.close(fd)


class _ModelsOnly(pickle.Unpickler):
    """Rebuilds only the model classes of one module that are built on one of the kernel's strict
    bases (the questionnaire's by default), and the plain values inside them."""

    def __init__(self, file, module: ModuleType = models, base: type = Strict, kind: str = "questionnaire"):
        super().__init__(file)
        self.module, self.base, self.kind = module, base, kind

    def find_class(self, module: str, name: str):
        found = getattr(self.module, name, None) if module == self.module.__name__ else None
        # A model class of that module, built on the strict base.
        if isinstance(found, type) and issubclass(found, self.base) and found.__module__ == self.module.__name__:
            return found
        raise pickle.UnpicklingError(f"{module}.{name} is not a {self.kind} model")


def _unpickle(body: bytes) -> Optional[Questionnaire]:
    try:
        q = _ModelsOnly(io.BytesIO(body)).load()
    except Exception:  # noqa: BLE001 - ours but unreadable (another format, another class): a miss
        return None
    return q if isinstance(q, Questionnaire) else None


def _pickle(q: Questionnaire) -> bytes:
    return pickle.dumps(q, protocol=pickle.HIGHEST_PROTOCOL)


def _from_entry(raw: bytes) -> Optional[Questionnaire]:
    """The questionnaire of a verified entry (a line of JSON listing the files and their hashes, then
    the pickled questionnaire), or None when a file it lists has changed (or the entry, though
    signed by us, does not read as one)."""
    head, _, body = raw.partition(b"\n")
    try:
        for name, digest in json.loads(head)["files"]:
            content = _read(Path(name))
            if content is None or _digest(content) != digest:
                return None
    except (ValueError, KeyError, TypeError):
        return None
    return _unpickle(body)


# Each questionnaire this process loaded through an entry, by id: the entry's path, so its localized
# forms can be kept beside it.
_SOURCES: dict[int, tuple[Questionnaire, Path]] = {}


def _remember(q: Questionnaire, entry_path: Path) -> Questionnaire:
    if len(_SOURCES) > 64:
        _SOURCES.clear()
    _SOURCES[id(q)] = (q, entry_path)
    return q


def localized(q: Questionnaire, names: dict[str, str], localize: Callable[[], Questionnaire]) -> Questionnaire:
    """`localize()` (q with the titles `names` filled in), kept in an entry beside q's own when q was
    loaded through one."""
    from readiness.cache import read_entry, write_entry

    known = _SOURCES.get(id(q))
    if known is None or known[0] is not q:
        return localize()
    key = hashlib.sha256(known[1].name.encode() + b"\0" + json.dumps(sorted(names.items())).encode()).hexdigest()
    entry_path = known[1].with_name(f"{key[:40]}.localized")
    raw = read_entry(entry_path, MAX_ENTRY_BYTES)
    if raw is not None:
        cached = _unpickle(raw)
        if cached is not None:
            return cached
    out = localize()
    write_entry(entry_path, _pickle(out))
    return out


def load(path: Path, check: Callable[[list[Path]], Questionnaire]) -> Questionnaire:
    """The checked questionnaire of the file `path`: from the cache when a verified entry lists files
    that are all unchanged, else `check(files)`, which loads and checks it in full and appends every
    file it reads to `files`; a questionnaire that passed is then stored."""
    from readiness.cache import read_entry, write_entry

    path = Path(path)
    content = _read(path)
    if content is None or len(content) < MIN_BYTES:
        return check([])
    entry_path = _entry_path(path, content)
    if entry_path is not None:
        raw = read_entry(entry_path, MAX_ENTRY_BYTES)
        if raw is not None:
            cached = _from_entry(raw)
            if cached is not None:
                return _remember(cached, entry_path)
    files: list[Path] = []
    q = check(files)
    if entry_path is not None:
        listed = []
        for name in dict.fromkeys(Path(f).resolve() for f in files):
            data = _read(name)
            if data is None or (name == path.resolve() and data != content):
                return q  # changed while it was checked: store nothing
            listed.append([str(name), _digest(data)])
        head = json.dumps({"files": listed}).encode("utf-8")
        if write_entry(entry_path, head + b"\n" + _pickle(q)):
            _remember(q, entry_path)
    return q


T = TypeVar("T")


def kept(what: str, find_inputs: Callable[[], Sequence[Path]], compute: Callable[[], T], module: ModuleType,
         base: type, valid: Callable[[object], bool], kind: str) -> T:
    """`compute()`, which reads exactly the files `find_inputs()` lists (bundled or a consultant's: a
    state profile and the tables beside it) and validates them, kept in the cache: an entry is named by
    `what`, the fingerprint of the checking code and the path and SHA-256 of each input, so it is
    found only while every input has the content it had. Like a questionnaire's, an entry is used
    only when it verifies as one this user wrote (readiness/cache.py), and it is unpickled into
    nothing but the model classes of `module` built on `base` (any other class, or a value `valid`
    refuses, makes it a miss); a miss means `compute()` again. A value is stored only when no input
    changed (or appeared) while it was computed; an error (a file with problems) stores nothing."""
    from readiness.cache import read_entry, user_cache_dir, write_entry

    inputs = list(find_inputs())
    contents = [_read(Path(p)) for p in inputs]
    folder = user_cache_dir(CACHE_NAME)
    if folder is None or any(c is None for c in contents):
        return compute()
    key = hashlib.sha256(_fingerprint() + b"\0" + what.encode("utf-8", "surrogateescape"))
    for name, content in zip(inputs, contents):
        key.update(b"\0" + os.fsencode(str(Path(name).resolve())) + b"\0" + _digest(content or b"").encode())
    entry_path = folder / f"{key.hexdigest()[:40]}.kept"
    raw = read_entry(entry_path, MAX_ENTRY_BYTES)
    if raw is not None:
        try:
            cached = _ModelsOnly(io.BytesIO(raw), module, base, kind).load()
        except Exception:  # noqa: BLE001 - ours but unreadable (another format, another class): a miss
            cached = None
        if cached is not None and valid(cached):
            return cached
    value = compute()
    if list(find_inputs()) == inputs and all(_read(Path(p)) == c for p, c in zip(inputs, contents)):
        write_entry(entry_path, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
    return value
