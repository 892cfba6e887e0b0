"""Literal text inside Markdown: one escape for every module that writes Markdown (the score
summary, the plan, the documents), so what people typed never turns into Markdown syntax; and
dates written as people read them."""
from __future__ import annotations

import datetime as _dt
import re
from typing import Any

_MD_SPECIAL = re.compile(r"([\\`*\[\]|<>~])")
_LONE_UNDERSCORE = re.compile(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")
_LEADING_BLOCK = re.compile(r"^([#+\-=])")
_LEADING_NUMBER = re.compile(r"^(\d+)([.)])")


def md_escape(text: str) -> str:
    """One line of literal text, safe anywhere in Markdown: in a paragraph, a list or a table cell."""
    text = " ".join(str(text).split())
    text = _MD_SPECIAL.sub(r"\\\1", text)
    text = _LONE_UNDERSCORE.sub(r"\\_", text)
    text = _LEADING_BLOCK.sub(r"\\\1", text)
    return _LEADING_NUMBER.sub(r"\1\\\2", text)


def date_long(value: Any) -> str:
    """"2026-11-30" (or a date) -> "November 30, 2026"; anything else is returned as text."""
    if isinstance(value, _dt.datetime):
        value = value.date()
    if isinstance(value, str):
        try:
            value = _dt.date.fromisoformat(value.strip()[:10])
        except ValueError:
            return value
    if isinstance(value, _dt.date):
        return f"{value:%B} {value.day}, {value.year}"
    return str(value)
