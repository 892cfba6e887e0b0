"""The OOXML schema validator (openxml-audit), safe to call on many files in one test run.

openxml-audit 0.8.0 keeps, in constraint objects shared by every validator, the ids it found in a
package's parts (the comments' ids, for one) keyed by `id(package)`. Once a package is freed, the next
package can get the same `id()`, and its comment references are then checked against the previous
file's comments: a draft with five comments is reported as missing three when the file before had two.
That made a redline test fail now and then. Here each package gets a key of its own for as long as it
lives, so one file's values are never used for another's."""
from __future__ import annotations

import itertools
import weakref
from pathlib import Path

_serials: weakref.WeakKeyDictionary[object, int] = weakref.WeakKeyDictionary()
_counter = itertools.count()
_patched = False


def _patch() -> None:
    global _patched
    if _patched:
        return
    from openxml_audit.semantic.constraints import cross_part

    original = cross_part._cache_key

    def cache_key(context, part_path, part_uris):
        package = context.package
        serial = _serials.get(package)
        if serial is None:
            serial = _serials[package] = next(_counter)
        _package_id, rest = original(context, part_path, part_uris)
        return (serial, rest)

    cross_part._cache_key = cache_key
    _patched = True


def ooxml_errors(path: Path, *, microsoft_365: bool = True, max_errors: int = 0) -> list:
    """The validator's errors for one DOCX file (objects with `description`; `str()` reads well)."""
    from openxml_audit import FileFormat, OpenXmlValidator

    _patch()
    kwargs = {"file_format": FileFormat.MICROSOFT_365} if microsoft_365 else {}
    return list(OpenXmlValidator(max_errors=max_errors, **kwargs).validate(path).errors)
