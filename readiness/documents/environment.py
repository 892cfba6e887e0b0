"""The sandboxed Jinja environment templates run in, and Jinja errors turned into located TemplateErrors.

Template packs may come from a consultant, so they run in `ImmutableSandboxedEnvironment`: no
attribute starting with `_`, no mutating lists or dicts, no huge multiplications. Undefined names
are errors (StrictUndefined) reported with the template's file and line, never a traceback.
"""
from __future__ import annotations

import hashlib
import os
import re
import sys
from pathlib import Path
from typing import Any, Iterable, Sequence

import jinja2
from jinja2 import FileSystemBytecodeCache, FileSystemLoader, StrictUndefined, TemplateNotFound, TemplateSyntaxError
from jinja2.exceptions import SecurityError, UndefinedError
from jinja2.runtime import missing
from jinja2.sandbox import ImmutableSandboxedEnvironment

from readiness.documents.facts import (Fact, Namespace, Option, RenderProblem, Withheld, date_long, is_answered,
                                       join_and)
from readiness.errors import TemplateError
from readiness.questionnaire.loader import did_you_mean

SANDBOX_MESSAGE = "template tried to reach Python internals (blocked by the sandbox)"
MAX_SEQUENCE = 200_000  # the longest string or list a template may build by multiplication
MAX_EXPONENT = 100


class FactUndefined(StrictUndefined):
    """StrictUndefined whose messages name the fact group: "'da' has no attribute 'nmae'"."""

    __slots__ = ()

    @property
    def _undefined_message(self) -> str:
        if self._undefined_hint:
            return self._undefined_hint
        obj, name = self._undefined_obj, self._undefined_name
        if obj is missing:
            return f"'{name}' is undefined"
        if isinstance(obj, Namespace):
            what = "entry" if obj._kind == "record" else ""
            return f"'{obj._path}'{' ' + what if what else ''} has no attribute '{name}'"
        if isinstance(obj, Fact):
            return f"'{obj._path}' is one answer; it has no attribute '{name}'"
        if obj is None:
            return f"none has no attribute '{name}' (the value before '.{name}' is empty)"
        return f"{type(obj).__name__} value has no attribute '{name}'"


class _Env(ImmutableSandboxedEnvironment):
    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context, operator: str, left: Any, right: Any) -> Any:
        l, r = (x.value if isinstance(x, (Fact, Option)) else x for x in (left, right))
        if operator == "**" and isinstance(r, (int, float)) and abs(r) > MAX_EXPONENT:
            raise RenderProblem(f"exponent {r} is too large for a template (blocked by the sandbox)")
        if operator == "*":
            for seq, n in ((l, r), (r, l)):
                if isinstance(seq, (str, list, tuple)) and isinstance(n, int) and len(seq) * n > MAX_SEQUENCE:
                    raise RenderProblem("multiplication would build a very large value (blocked by the sandbox)")
        return super().call_binop(context, operator, left, right)


def _bullets(items: Any) -> str:
    if isinstance(items, Fact) and not items.answered:
        return f"- {items}"
    return "\n".join(f"- {x}" for x in items)


def _join_and(items: Any) -> str:
    if isinstance(items, (Fact, Withheld)) and not items.answered:
        return str(items)
    if isinstance(items, str):
        return items
    return join_and(items)


def _date_long(value: Any) -> str:
    if isinstance(value, (Fact, Withheld)):
        return str(value)
    return date_long(value)


def plural(n: Any, one: str, many: str) -> str:
    """plural(3, "day", "days") -> "days"; the word only, so templates write `{{ n }} {{ plural(n, ...) }}`."""
    n = n.value if isinstance(n, Fact) else n
    return one if n == 1 else many


_OPTIONS = {"trim_blocks": True, "lstrip_blocks": True, "keep_trailing_newline": True, "autoescape": False}
NO_CACHE_VARIABLE = "LEAD_READINESS_NO_CACHE"


class _QuietBytecodeCache(FileSystemBytecodeCache):
    """Compiled templates kept between runs (compiling is most of a cold render). A cache that cannot
    be read or written is simply not used: it must never break a build."""

    def load_bytecode(self, bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # noqa: BLE001 - a damaged cache file: compile afresh
            bucket.reset()

    def dump_bytecode(self, bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:
            pass


def _bytecode_cache() -> FileSystemBytecodeCache | None:
    """A private per-user cache (XDG cache folder), keyed by Jinja, Python and our options; None when
    disabled with LEAD_READINESS_NO_CACHE=1 or when the folder is not safely ours."""
    if os.environ.get(NO_CACHE_VARIABLE, "") not in ("", "0"):
        return None
    settings = repr((sorted(_OPTIONS.items()), sorted(_Env.intercepted_binops), FactUndefined.__name__))
    tag = hashlib.sha256(settings.encode()).hexdigest()[:8]
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    folder = base / "lead-readiness" / f"jinja-{jinja2.__version__}-{sys.implementation.cache_tag}-{tag}"
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        st = folder.stat()
        if st.st_uid != os.getuid() or st.st_mode & 0o022:
            return None
    except (OSError, RuntimeError):
        return None
    return _QuietBytecodeCache(str(folder))


def make_environment(folders: Sequence[Path]) -> ImmutableSandboxedEnvironment:
    """A sandboxed environment loading from `folders`, first folder wins (consultant before bundled)."""
    env = _Env(
        loader=FileSystemLoader([str(f) for f in folders], encoding="utf-8"),
        undefined=FactUndefined,
        finalize=lambda v: "" if v is None else v,
        bytecode_cache=_bytecode_cache(),
        **_OPTIONS,
    )
    env.filters.update({"join_and": _join_and, "bullets": _bullets, "date_long": _date_long, "plural": plural})
    env.tests.update({"answered": is_answered, "unanswered": lambda v: not is_answered(v)})
    env.globals["plural"] = plural
    return env


# ---------------------------------------------------------------- errors


def display_path(filename: str | None) -> str:
    """A template's path as the user would type it: relative to the working folder when inside it."""
    if not filename:
        return "<template>"
    if filename.startswith("<"):
        return filename
    try:
        rel = os.path.relpath(filename)
    except ValueError:
        return filename
    return filename if rel.startswith("..") else rel


def _template_frames(tb) -> list[tuple[str, int]]:
    """(template file, line) of every template frame in a Jinja-rewritten traceback, outermost first."""
    frames = []
    while tb is not None:
        code = tb.tb_frame.f_code
        name = code.co_filename
        if name.endswith(".j2") or name == "<template>" or tb.tb_frame.f_globals.get("__jinja_template__"):
            frames.append((name, tb.tb_lineno))
        tb = tb.tb_next
    return frames


def _where(exc: BaseException) -> str | None:
    frames = _template_frames(exc.__traceback__)
    if not frames:
        return None
    inner_file, inner_line = frames[-1]
    text = f"{display_path(inner_file)}:{inner_line}"
    outer_file, outer_line = frames[0]
    if outer_file != inner_file:
        text += f" (used from {display_path(outer_file)}:{outer_line})"
    return text


_UNDEFINED_NAME = re.compile(r"^'([A-Za-z_][A-Za-z0-9_]*)' is undefined$")
_NO_ATTRIBUTE = re.compile(r"^'([\w.\[\]]+)'(?: entry)? has no attribute '(\w+)'$")


def _undefined_hint(message: str, names: Iterable[str], lookup) -> str | None:
    m = _UNDEFINED_NAME.match(message)
    if m:
        return did_you_mean(m.group(1), names) or ("every name must be a fact declared in the questionnaire "
                                                   "or a built-in (site, doc, assessment, state_law, ...)")
    m = _NO_ATTRIBUTE.match(message)
    if m and lookup is not None:
        options = lookup(m.group(1))
        if options:
            return did_you_mean(m.group(2), options) or "it has: " + ", ".join(options)
    return None


def to_template_error(exc: BaseException, *, names: Iterable[str] = (), lookup=None,
                      template: str | None = None, folders: Sequence[Path] = ()) -> TemplateError | None:
    """The located TemplateError for an exception raised while loading or rendering a template, or
    None when the exception did not come from template code (a bug to re-raise)."""
    if isinstance(exc, TemplateSyntaxError):
        where = f"{display_path(exc.filename or exc.name or template)}:{exc.lineno}"
        return TemplateError(f"{where}: {exc.message}", hint="fix the template's Jinja syntax")
    where = _where(exc)
    if isinstance(exc, TemplateNotFound):
        looked = ", ".join(display_path(str(f)) for f in folders) or "the template folders"
        return TemplateError(f"{where or display_path(template)}: template '{exc.name}' not found",
                             hint=f"looked in: {looked}")
    if isinstance(exc, UnicodeDecodeError):
        return TemplateError(f"{where or display_path(template)}: a template is not UTF-8 text",
                             hint="save the template as UTF-8 in your editor")
    if where is None:
        return None
    if isinstance(exc, SecurityError):
        return TemplateError(f"{where}: {SANDBOX_MESSAGE}",
                             hint="templates may only use facts, built-ins and filters, not Python attributes")
    if isinstance(exc, RenderProblem):
        return TemplateError(f"{where}: {exc.message}", hint=exc.hint)
    if isinstance(exc, UndefinedError):
        message = str(exc)
        return TemplateError(f"{where}: {message}", hint=_undefined_hint(message, names, lookup))
    if isinstance(exc, (TypeError, ValueError, ArithmeticError, LookupError, AttributeError, RecursionError)):
        return TemplateError(f"{where}: {type(exc).__name__}: {exc}", hint="check the expression on that line")
    return None


def namespace_lookup(variables: dict[str, Any]):
    """path ('da' or 'police.agencies[0]') -> its attribute names, for 'did you mean'."""

    def lookup(path: str) -> list[str]:
        node: Any = None
        for i, part in enumerate(re.split(r"\.", path)):
            m = re.match(r"^(\w+)((?:\[\d+\])*)$", part)
            if not m:
                return []
            key, indexes = m.group(1), m.group(2)
            node = variables.get(key) if i == 0 else (node[key] if isinstance(node, Namespace) and key in node
                                                      else None)
            for idx in re.findall(r"\d+", indexes):
                try:
                    node = list(node)[int(idx)]
                except (TypeError, IndexError, RenderProblem):
                    return []
        if isinstance(node, Namespace):
            return list(node)
        if isinstance(node, Fact):
            return ["value", "status", "answered", "question", "label", "placeholder"]
        return []

    return lookup


def render_template(env, name: str, variables: dict[str, Any], folders: Sequence[Path] = ()) -> str:
    """Render one template file to text; any template fault becomes a located TemplateError."""
    try:
        return env.get_template(name).render(variables)
    except TemplateError:
        raise
    except Exception as exc:  # noqa: BLE001 - classified below; unknown kinds are re-raised as bugs
        error = to_template_error(exc, names=variables.keys(), lookup=namespace_lookup(variables),
                                  template=_loader_path(env, name), folders=folders)
        if error is None:
            raise
        raise error from None


def render_string(env, source: str, variables: dict[str, Any]) -> str:
    """Render template text (tests and one-off checks); errors are located as `<template>:LINE`."""
    try:
        return env.from_string(source).render(variables)
    except Exception as exc:  # noqa: BLE001
        error = to_template_error(exc, names=variables.keys(), lookup=namespace_lookup(variables))
        if error is None:
            raise
        raise error from None


def _loader_path(env, name: str) -> str:
    for folder in getattr(env.loader, "searchpath", []):
        candidate = Path(folder) / name
        if candidate.exists():
            return str(candidate)
    return name


def evaluate_condition(env, expression: str, variables: dict[str, Any]) -> bool:
    """A pack `when:` expression over the render context. Raises the underlying exception."""
    return bool(env.compile_expression(expression, undefined_to_none=False)(**variables))

