"""Changing a YAML file a person may have edited by hand, keeping everything else as they wrote it.

`answers.yaml` invites hand edits, so writing one answer must not erase the comments, order, quoting
and layout of the rest. This is the only module that uses ruamel.yaml (a round-trip YAML library);
reading and checking stay with `readiness.files.read_yaml`, which is strict and gives line numbers.
Only the writing of site answer files goes through here.
"""
from __future__ import annotations

import io
from typing import Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import SingleQuotedScalarString

# Block layouts tried, most usual first: (mapping indent, sequence indent, dash offset).
_LAYOUTS = ((2, 4, 2), (2, 2, 0), (4, 6, 4), (4, 4, 2), (4, 4, 0), (3, 5, 3))
_PYYAML_RESOLVER = yaml.resolver.Resolver()


class Document:
    """A loaded file: `data` (a CommentedMap to change in place) and how to write it back."""

    def __init__(self, data: CommentedMap, layout: tuple[int, int, int], prefix: str = ""):
        self.data = data
        self.layout = layout
        self.prefix = prefix  # comments of a file that has no data yet

    def dump(self) -> str:
        return self.prefix + _dump(self.data, self.layout)


def _yaml(layout: tuple[int, int, int]) -> YAML:
    y = YAML(typ="rt")
    y.preserve_quotes = True
    y.width = 4096  # never re-wrap a line the user wrote
    y.allow_unicode = True
    mapping, sequence, offset = layout
    y.indent(mapping=mapping, sequence=sequence, offset=offset)
    return y


def _dump(data: Any, layout: tuple[int, int, int]) -> str:
    out = io.StringIO()
    _yaml(layout).dump(data, out)
    return out.getvalue()


def _guess_layouts(text: str) -> list[tuple[int, int, int]]:
    """Layouts ordered by how well they fit the text's first indented lines."""
    mapping = sequence = None
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    for before, line in zip(lines, lines[1:]):
        indent = len(line) - len(line.lstrip(" "))
        parent = len(before) - len(before.lstrip(" "))
        if indent <= parent or not before.rstrip().endswith(":"):
            continue
        if line.lstrip().startswith("- "):
            sequence = sequence or (indent - parent)
        else:
            mapping = mapping or (indent - parent)
        if mapping and sequence is not None:
            break
    order = sorted(_LAYOUTS, key=lambda lay: (lay[0] != (mapping or 2), lay[2] != (sequence if sequence is not None else 2)))
    return order


def load(text: str) -> Document:
    """Load `text` (already checked by the strict reader) for editing; an empty file gives an empty map."""
    layouts = _guess_layouts(text)
    if not text.strip() or all(not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()):
        prefix = text if not text or text.endswith("\n") else text + "\n"
        return Document(CommentedMap(), layouts[0], prefix)
    data = _yaml(layouts[0]).load(text)
    if data is None:
        return Document(CommentedMap(), layouts[0], text if text.endswith("\n") else text + "\n")
    if not isinstance(data, CommentedMap):
        raise TypeError("not a mapping")
    for layout in layouts:  # keep the layout that writes the untouched file back exactly
        if _dump(data, layout) == text:
            return Document(data, layout)
    return Document(data, layouts[0])


def plain(value: Any) -> Any:
    """Python data as ruamel nodes, quoting every text that a YAML 1.1 reader (PyYAML, and so anyone
    opening the file with it) would take for something else: a text answer `no`, `8:30`, `052` or
    `2027-03-01` is written `'no'`, so it reads back as the same text everywhere."""
    if isinstance(value, dict):
        out = CommentedMap()
        for k, v in value.items():
            out[k] = plain(v)
        return out
    if isinstance(value, (list, tuple)):
        seq = CommentedSeq(plain(v) for v in value)
        return seq
    if isinstance(value, str) and _needs_quotes(value):
        return SingleQuotedScalarString(value)
    return value


def _needs_quotes(text: str) -> bool:
    if text != text.strip() or not text:
        return True
    return _PYYAML_RESOLVER.resolve(yaml.ScalarNode, text, (True, False)) != "tag:yaml.org,2002:str"


def set_entry(mapping: dict, key: str, value: dict) -> None:
    """Make `mapping[key]` equal `value` (a dict of fields), changing an existing block entry in place so
    its comments stay, and adding a new one at the end."""
    current = mapping.get(key)
    if isinstance(current, CommentedMap):
        for field in [f for f in current if f not in value]:
            del current[field]
        for field, item in value.items():
            if field not in current or _differs(current[field], item):
                current[field] = plain(item)
        return
    mapping[key] = plain(value)


def _differs(old: Any, new: Any) -> bool:
    """Whether writing `new` over `old` changes the value (an unchanged value keeps its styling)."""
    if isinstance(old, bool) or isinstance(new, bool):
        return type(old) is not type(new) or old != new
    if isinstance(old, (dict, list)) or isinstance(new, (dict, list)):
        return _as_plain(old) != _as_plain(new)
    if isinstance(old, str) and isinstance(new, str):
        return str(old) != new or (_needs_quotes(new) and type(old) is str)
    return type(old) is not type(new) or old != new


def _as_plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _as_plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_plain(v) for v in value]
    if isinstance(value, str):
        return str(value)
    return value


def rename_key(mapping: CommentedMap, old: str, new: str) -> None:
    """Rename a key where it stands, keeping its value and position."""
    position = list(mapping).index(old)
    value = mapping.pop(old)
    mapping.insert(position, new, value)
