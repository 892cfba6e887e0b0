"""Located problems: pydantic's errors in plain words with file and line, and "did you mean"."""
from __future__ import annotations

import difflib
from typing import TYPE_CHECKING, Any, Callable, Iterable, Optional

from readiness.errors import Collected
from readiness.files import Located, loc_text
from readiness.kernel.patterns import PATTERN_HINTS

if TYPE_CHECKING:
    from pydantic import ValidationError

FieldsFor = Callable[[tuple], Iterable[str]]  # the keys allowed at a key path, for "did you mean"


def did_you_mean(word: str, options) -> str | None:
    close = difflib.get_close_matches(str(word), list(options), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else None


def describe(located: Located, loc: tuple) -> str:
    """A key path, with the question or domain id added so people can find it."""
    text = loc_text(loc)
    data = located.data
    if len(loc) >= 2 and loc[0] in ("questions", "domains") and isinstance(loc[1], int):
        try:
            ident = data[loc[0]][loc[1]].get("id")
        except (AttributeError, IndexError, KeyError, TypeError):
            ident = None
        if ident:
            text = text.replace(f"{loc[0]}[{loc[1]}]", f"{loc[0]}[{loc[1]}] ({ident})", 1)
    return text


def validation_problems(exc: ValidationError, located: Located,
                        model_fields_for: Optional[FieldsFor] = None) -> Collected:
    """Turn pydantic's errors into located problems with plain wording."""
    out = Collected()
    for err in exc.errors(include_url=False):
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-after")))
        kind = err["type"]
        hint = None
        if kind == "extra_forbidden":
            key = loc[-1]
            message = f"unknown key '{key}'"
            if model_fields_for:
                hint = did_you_mean(str(key), model_fields_for(loc[:-1]))
            if not hint:
                hint = "remove it, or check its spelling"
            place = located.at(loc)
        elif kind == "missing":
            message = f"missing required key '{loc[-1]}'"
            place = located.at(loc[:-1])
        else:
            message, hint = _plain_message(err)
            place = located.at(loc)
        out.add(message, where=describe(located, loc), hint=hint, **place)
    return out


def _plain_message(err: Any) -> tuple[str, str | None]:
    """Pydantic's wording, made plainer where it reads like a programmer's."""
    kind, value = err["type"], err.get("input")
    shown = repr(value) if not isinstance(value, (dict, list)) else type(value).__name__
    if kind == "string_pattern_mismatch":
        pattern = (err.get("ctx") or {}).get("pattern", "")
        return f"{shown} is not in the expected form", PATTERN_HINTS.get(pattern)
    if kind in ("dict_type", "model_type"):  # model_type: a list or text where a section belongs
        return f"expected a mapping ('key: value' lines), got {type(value).__name__}", None
    if kind == "list_type":
        return f"expected a list (lines starting with '- '), got {type(value).__name__}", None
    noun = {"string_type": "text", "float_type": "a number", "float_parsing": "a number", "int_type": "a whole number",
            "int_parsing": "a whole number", "int_from_float": "a whole number", "bool_type": "true or false",
            "bool_parsing": "true or false"}.get(kind)
    if noun:
        return f"expected {noun}, got {shown}", None
    return err["msg"].removeprefix("Value error, "), None
