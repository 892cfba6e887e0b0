"""The objects templates see: answers as `Fact`s, grouped by dotted fact names in `Namespace`s.

A `Fact` renders as the person-readable answer (Markdown-escaped, so an agency called
"Smith | Jones" cannot break a table), compares and tests truthiness on the raw value, and renders
as a visible `[TO CONFIRM: ...]` placeholder while nobody has answered.  Templates word each answer
state with `known`, `unknown`, `notapplicable`, `asked`, `isyes` and `isno` (README, "Answer states in
templates"); `lint` flags a branch on a value that tests none of them.  Everything here is plain
data reachable from the sandbox: internals are underscore-named so the sandbox refuses them.
"""
from __future__ import annotations

import operator
import re
from collections.abc import Mapping
from typing import Any, Callable, Iterator

from readiness.markdown_text import date_long, md_escape  # noqa: F401 - shared text helpers, kept importable here

# Choice values that mean an answered "no" for `Fact.isno` (a question's own "no" choice).
NO_VALUES = ("no", "none", "neither", "not_engaged", "not_discussed", "not_briefed")
PLACEHOLDER_RE = re.compile(r"\[\s*TO CONFIRM\s*:([^\]\n]*)\]")
WITHHELD = "[withheld]"
_PLACEHOLDER_JUNK = re.compile(r"[*`<>~\\|]")


class RenderProblem(Exception):
    """A template asked for something that cannot work (an unknown gap id, looping over a single
    answer); the environment turns it into a TemplateError with the template's file and line."""

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint




def placeholder(text: str) -> str:
    """`[TO CONFIRM: text]`, with characters that would break the marker or a table removed."""
    clean = _PLACEHOLDER_JUNK.sub(" ", str(text)).replace("[", "(").replace("]", ")")
    return f"[TO CONFIRM: {' '.join(clean.split()) or 'missing information'}]"


def number_text(value: Any) -> str:
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return f"{value:f}".rstrip("0").rstrip(".")
    return str(value)


def join_and(items) -> str:
    """["a", "b", "c"] -> "a, b and c"."""
    words = [str(x) for x in items]
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def _raw(x: Any) -> Any:
    return x.value if isinstance(x, (Fact, Option)) else x


class Namespace(Mapping):
    """A read-only group of named values; children win over method names (`x.items` may be a fact).

    `_path` names the group in error messages ("'da' has no attribute 'nmae'")."""

    def __init__(self, path: str, children: dict[str, Any], kind: str = "group"):
        object.__setattr__(self, "_children", children)
        object.__setattr__(self, "_path", path)
        object.__setattr__(self, "_kind", kind)

    def __getattribute__(self, name: str) -> Any:
        if not name.startswith("_"):
            children = object.__getattribute__(self, "_children")
            if name in children:
                return children[name]
        return object.__getattribute__(self, name)

    def __setattr__(self, name, value):  # read-only, also outside the sandbox
        raise AttributeError("read-only")

    def __getitem__(self, key):
        return self._children[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._children)

    def __len__(self) -> int:
        return len(self._children)

    def __str__(self) -> str:
        if self._kind == "record":
            return ", ".join(str(v) for v in self._children.values() if getattr(v, "answered", True))
        raise RenderProblem(f"'{self._path}' is a group of facts, not one value",
                            hint="name one of them: " + ", ".join(f"{self._path}.{k}" for k in self._children))

    def __repr__(self) -> str:
        return f"<{self._path}>"

    def __eq__(self, other):
        return self is other

    __hash__ = object.__hash__


class Option:
    """One chosen item of a multi answer: renders as its label, compares on its value."""

    __slots__ = ("_value", "_label")

    def __init__(self, value: str, label: str):
        self._value, self._label = value, label

    value = property(lambda self: self._value)
    label = property(lambda self: md_escape(self._label))
    answered = known = property(lambda self: True)

    def __str__(self) -> str:
        return md_escape(self._label)

    def __eq__(self, other) -> bool:
        return self._value == _raw(other)

    def __hash__(self) -> int:
        return hash(self._value)

    def __repr__(self) -> str:
        return f"<option {self._value}>"


class Fact:
    """One answer as templates see it. `kind` is the question (or records field) type."""

    __slots__ = ("_path", "_question", "_kind", "_value", "_status", "_placeholder", "_labels", "_fields")

    def __init__(self, path: str, question: str, kind: str, value: Any, status: str, placeholder_text: str,
                 labels: dict[str, str] | None = None, fields: list | None = None):
        self._path, self._question, self._kind = path, question, kind
        answered = status == "answered" and value is not None and value != []
        self._status = status if not (status == "answered" and not answered) else "unanswered"
        self._value: Any = value if answered else None
        self._placeholder = placeholder(placeholder_text)
        self._labels = labels or {}
        self._fields = fields or []

    # ---- what templates read
    value = property(lambda self: self._value)
    status = property(lambda self: self._status)
    answered = property(lambda self: self._status == "answered")
    question = property(lambda self: self._question)
    label = property(lambda self: str(self))
    placeholder = property(lambda self: self._placeholder)

    # ---- answer state, for templates (see README "Answer states in templates"):
    # known: answered, with a value; unknown: applicable but no value yet ("don't know", skipped or
    # never asked), so the draft shows an open item; notapplicable: leave the clause out; asked: someone
    # gave an answer, "don't know" or "not applicable"; isyes / isno: an answered yes (or "yes") / an
    # answered no (or a "no"/"none" choice); never true for an unknown answer.
    known = property(lambda self: self._status == "answered")
    unknown = property(lambda self: self._status not in ("answered", "not_applicable"))
    notapplicable = property(lambda self: self._status == "not_applicable")
    asked = property(lambda self: self._status in ("answered", "unknown", "not_applicable"))
    isyes = property(lambda self: self._status == "answered" and (self._value is True or self._value == "yes"))
    isno = property(lambda self: self._status == "answered" and (self._value is False or self._value in NO_VALUES))

    def __str__(self) -> str:
        if self._status != "answered":
            return self._placeholder
        v, kind = self._value, self._kind
        if kind == "yes_no":
            return "Yes" if v else "No"
        if kind == "choice":
            return md_escape(self._labels.get(v, v))
        if kind == "multi":
            return join_and(md_escape(self._labels.get(x, x)) for x in v)
        if kind in ("number", "scale"):
            return number_text(v)
        if kind == "date":
            return date_long(v)
        if kind == "records":
            return "; ".join(str(r) for r in self._records())
        return md_escape(v)

    def __repr__(self) -> str:
        return f"<fact {self._path}={self._value!r}>"

    def __format__(self, spec: str) -> str:
        if spec and self.answered and isinstance(self._value, (int, float)):
            return format(self._value, spec)
        return format(str(self), spec)

    # ---- truthiness, comparison and membership use the raw value
    def __bool__(self) -> bool:
        return self.answered and bool(self._value)

    def __eq__(self, other) -> bool:
        return self._value == _raw(other)

    def __ne__(self, other) -> bool:
        return not self.__eq__(other)

    def __hash__(self) -> int:
        try:
            return hash(self._value)
        except TypeError:
            return id(self)

    def _order(self, other, op: Callable) -> bool:
        other = _raw(other)
        if self._value is None or other is None:
            return False  # an unanswered number is neither above nor below anything
        return op(self._value, other)

    def __lt__(self, other):
        return self._order(other, operator.lt)

    def __le__(self, other):
        return self._order(other, operator.le)

    def __gt__(self, other):
        return self._order(other, operator.gt)

    def __ge__(self, other):
        return self._order(other, operator.ge)

    def __contains__(self, item) -> bool:
        if self._value is None:
            return False
        return _raw(item) in self._value

    # ---- arithmetic on numbers; an unanswered operand keeps the placeholder
    def _arith(self, other, op: Callable, reverse: bool = False):
        other_raw = _raw(other)
        if self._value is None:
            return self
        if other_raw is None:
            return other
        return op(other_raw, self._value) if reverse else op(self._value, other_raw)

    def __add__(self, o):
        return self._arith(o, operator.add)

    def __radd__(self, o):
        return self._arith(o, operator.add, True)

    def __sub__(self, o):
        return self._arith(o, operator.sub)

    def __rsub__(self, o):
        return self._arith(o, operator.sub, True)

    def __mul__(self, o):
        return self._arith(o, operator.mul)

    def __rmul__(self, o):
        return self._arith(o, operator.mul, True)

    def __truediv__(self, o):
        return self._arith(o, operator.truediv)

    def __floordiv__(self, o):
        return self._arith(o, operator.floordiv)

    def __mod__(self, o):
        return self._arith(o, operator.mod)

    def __int__(self) -> int:
        return int(self._value)

    def __float__(self) -> float:
        return float(self._value)

    def __round__(self, ndigits=None):
        return round(self._value, ndigits) if self._value is not None else self

    # ---- lists: multi answers yield Options, records yield one Namespace per entry
    def __iter__(self):
        if self._value is None:
            return iter(())
        if self._kind == "multi":
            return iter([Option(v, self._labels.get(v, v)) for v in self._value])
        if self._kind == "records":
            return iter(self._records())
        raise RenderProblem(f"'{self._path}' is a single answer, not a list, so it cannot be looped over")

    def __len__(self) -> int:
        if self._value is None:
            return 0
        if isinstance(self._value, (list, str)):
            return len(self._value)
        raise RenderProblem(f"'{self._path}' is a single answer; it has no length")

    def __getitem__(self, index):
        if isinstance(index, int) and self._kind in ("multi", "records"):
            return list(self)[index]
        raise KeyError(index)

    def _records(self) -> list[Namespace]:
        out = []
        for n, entry in enumerate(self._value or []):
            first = next((entry[f.id] for f in self._fields if entry.get(f.id) not in (None, "")), None)
            about = f" for {first}" if first is not None else f" (entry {n + 1} of {self._path})"
            children = {}
            for f in self._fields:
                labels = {c.value: c.label for c in f.choices}
                value = entry.get(f.id)
                children[f.id] = Fact(f"{self._path}[{n}].{f.id}", self._question, f.type, value,
                                      "answered" if value not in (None, "") else "unanswered",
                                      f"{f.label}{about}", labels)
            out.append(Namespace(f"{self._path}[{n}]", children, kind="record"))
        return out


class Withheld:
    """A sensitive answer: declared, so naming it is no error, but its content stays out."""

    __slots__ = ("_path",)

    def __init__(self, path: str):
        self._path = path

    value = property(lambda self: None)
    status = property(lambda self: "withheld")
    answered = property(lambda self: False)
    label = property(lambda self: WITHHELD)
    # a sensitive answer is in no state a draft may act on: no branch of any if-chain takes it
    known = unknown = notapplicable = asked = isyes = isno = property(lambda self: False)

    def __str__(self) -> str:
        return WITHHELD

    def __bool__(self) -> bool:
        return False

    def __iter__(self):
        return iter(())

    def __len__(self) -> int:
        return 0

    def __eq__(self, other) -> bool:
        return other is None

    __hash__ = object.__hash__


def is_answered(value: Any) -> bool:
    """The `answered` test: a Fact someone answered, or any plain value that is not none."""
    answered = getattr(value, "answered", None) if isinstance(value, (Fact, Option, Withheld, Namespace)) else None
    if answered is not None:
        return bool(answered)
    return value is not None
