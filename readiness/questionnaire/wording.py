"""Titles in question texts: `{prosecutor}`, `{bh_authority}`... filled from the site's state profile.

A questionnaire says "Who is the elected {prosecutor}?" and a North Carolina site is asked "Who is
the elected District Attorney?", a Virginia site "Who is the elected Commonwealth's Attorney?".
A capitalized name (`{Bh_authority}`) capitalizes the first letter of what it stands for, for the
start of a sentence.  The names are the fields of the state profile's `institutions:`
(readiness.jurisdiction.Institutions); the loader refuses any other name in braces.

Only prose is filled in: texts, help, labels, placeholders, gate and gap titles, actions and owners.
Ids, values, facts and conditions never change, so answers stay valid whatever the state.
"""
from __future__ import annotations

import re
from typing import Any, Iterator, Mapping

# The fields of readiness.jurisdiction.Institutions (a test keeps the two equal).
WORDING_NAMES: tuple[str, ...] = (
    "prosecutor", "prosecutor_short", "prosecutor_office", "assistant_prosecutor", "prosecutor_unit",
    "misdemeanor_prosecutor", "bh_authority", "bh_authority_long", "officer_process", "process_issuer", "misdemeanor_court",
    "health_agency", "state_bh_agency", "record_clearing",
)

PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_ABBREVIATION = re.compile(r"\s+\([^()]*\)$")  # a trailing "(CSB)", dropped before a possessive
# The keys whose text is prose, at any depth of the questionnaire.
PROSE_KEYS = frozenset({"text", "help", "hint", "label", "labels", "placeholder", "title", "why", "action",
                        "owner", "description"})


def names_in(text: str) -> list[str]:
    """The `{name}` placeholders of a text, as written."""
    return PLACEHOLDER.findall(text)


def unknown_names(text: str) -> list[str]:
    return [n for n in names_in(text) if n.lower() not in WORDING_NAMES]


def fill(text: str, names: Mapping[str, str]) -> str:
    def one(m: re.Match) -> str:
        name = m.group(1)
        value = names.get(name.lower())
        if value is None:
            return m.group(0)
        if m.string.startswith(("'s", "’s"), m.end()):  # "the Community Services Board's", not "(CSB)'s"
            value = _ABBREVIATION.sub("", value)
        return value[:1].upper() + value[1:] if name[:1].isupper() else value

    return PLACEHOLDER.sub(one, text) if "{" in text else text


def prose(data: Any, loc: tuple = ()) -> Iterator[tuple[tuple, str]]:
    """(location, text) of every prose string in raw questionnaire data."""
    if isinstance(data, dict):
        for key, value in data.items():
            if key in PROSE_KEYS:
                if isinstance(value, str):
                    yield loc + (key,), value
                elif isinstance(value, dict):  # scale labels
                    for point, label in value.items():
                        if isinstance(label, str):
                            yield loc + (key, point), label
            if isinstance(value, (dict, list)):
                yield from prose(value, loc + (key,))
    elif isinstance(data, list):
        for i, item in enumerate(data):
            yield from prose(item, loc + (i,))


def fill_prose(data: Any, names: Mapping[str, str]) -> Any:
    """Raw data (a questionnaire's, a tasks file's) with `{name}` filled in every prose value."""
    return _filled(data, names)


def _filled(data: Any, names: Mapping[str, str], key: Any = None) -> Any:
    if isinstance(data, dict):
        return {k: (fill(v, names) if k in PROSE_KEYS and isinstance(v, str)
                    else {p: fill(t, names) if isinstance(t, str) else t for p, t in v.items()}
                    if k in PROSE_KEYS and isinstance(v, dict) else _filled(v, names, k))
                for k, v in data.items()}
    if isinstance(data, list):
        return [_filled(item, names) for item in data]
    return data


_CACHE: dict[tuple[int, tuple], Any] = {}


def localize(q, names: Mapping[str, str]):
    """The questionnaire with every `{name}` in its prose filled in (the same object if it has none)."""
    from readiness.questionnaire.models import Questionnaire

    key = (id(q), tuple(sorted(names.items())))
    hit = _CACHE.get(key)
    if hit is not None and hit[0] is q:
        return hit[1]
    def fill_in():
        raw = q.model_dump(exclude_unset=True)
        if not any(names_in(text) for _loc, text in prose(raw)):
            return q
        return Questionnaire.model_validate(_filled(raw, names))

    from readiness.questionnaire.checked import localized

    out = localized(q, dict(names), fill_in)  # kept in the per-user cache when q came from it
    if len(_CACHE) > 64:
        _CACHE.clear()
    _CACHE[key] = (q, out)
    return out
