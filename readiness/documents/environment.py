"""The sandboxed Jinja environment templates run in, and Jinja errors turned into located TemplateErrors.

Template packs may come from a consultant, so they run in the guarded sandbox (readiness/sandbox.py,
Jinja's `ImmutableSandboxedEnvironment` with size, memory and time limits): no
attribute starting with `_`, no mutating lists or dicts, no huge multiplications. Undefined names
are errors (StrictUndefined) reported with the template's file and line, never a traceback.

Compiled templates: the bundled pack's templates ship compiled with the package (precompiled.py,
readiness/documents/compiled_templates/); any other template, or one edited since, is compiled here,
through the per-user bytecode cache (`_SignedBytecodeCache`) unless LEAD_READINESS_NO_CACHE=1.
"""
from __future__ import annotations

import hashlib
import os
import posixpath
import re
import sys
from pathlib import Path
from typing import Any, Iterable, Sequence

import jinja2
from jinja2 import BytecodeCache, FileSystemLoader, StrictUndefined, TemplateNotFound, TemplateSyntaxError
from jinja2.exceptions import SecurityError, UndefinedError
from jinja2.loaders import split_template_path
from jinja2.runtime import missing
from jinja2.sandbox import ImmutableSandboxedEnvironment

from readiness.documents import precompiled
from readiness.documents.facts import (Fact, Namespace, Option, RenderProblem, Withheld, date_long, is_answered,
                                       join_and)
from readiness.cache import read_entry, user_cache_dir, write_entry
from readiness.errors import TemplateError
from readiness.kernel.problems import did_you_mean
from readiness.sandbox import GuardedSandbox, SandboxLimit, budget

SANDBOX_MESSAGE = "template tried to reach Python internals (blocked by the sandbox)"
MAX_TEMPLATE_BYTES = 1_000_000  # the largest bundled template is ~30 kB; compiling 20 MB takes minutes
MAX_DOCUMENT_CHARS = 5_000_000  # what one rendered document may hold (a real draft is ~30 kB)
RENDER_SECONDS = 30.0  # a render taking longer is looping on something


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


class _Env(GuardedSandbox):
    """The guarded sandbox (readiness/sandbox.py), seeing through facts to their values for its size checks."""

    compiled_expressions: dict[str, Any]  # pack expressions compiled once (make_environment, evaluate_expression)

    @staticmethod
    def plain(value: Any) -> Any:
        return value.value if isinstance(value, (Fact, Option)) else value


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


TEMPLATE_SUFFIXES = (".md.j2", ".j2")  # the only files a template, include, import or extends may load
SITE_FILE = "site.yaml"  # a folder holding one is a site: its answers are never template text


class TemplateRefused(TemplateNotFound):
    """A template name the pack loader will not load (not a template file, or inside a site folder).
    A TemplateNotFound, so Jinja's `ignore missing` and `select_template` treat it as absent."""

    def __init__(self, name: str, reason: str):
        super().__init__(name, f"template '{name}' is refused: {reason}")
        self.reason = reason


def _site_folder(folder: str, root: str) -> str | None:
    """The first folder from `folder` up to `root` (both included) that holds a site.yaml."""
    current = folder
    while True:
        if os.path.lexists(os.path.join(current, SITE_FILE)):
            return current
        if current == root or os.path.dirname(current) == current:
            return None
        current = os.path.dirname(current)


class _PackLoader(FileSystemLoader):
    """FileSystemLoader refusing what a shared template pack must not hold or reach: any file but a
    template (`.md.j2`, `.j2`), so `{% include 'answers.yaml' %}` cannot copy a site's answers into drafts
    meant for other agencies; anything inside a site folder (one holding site.yaml), even when the site
    sits inside the templates folder; absolute paths and `..`; a link leading out of its folder; a binary
    file, or a file far too big to be a document template."""

    def get_source(self, environment, template: str):
        if not isinstance(template, str) or template.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", template):
            raise TemplateRefused(str(template), "give a path inside the templates folder, not an absolute one")
        if not template.endswith(TEMPLATE_SUFFIXES):
            raise TemplateRefused(template, "only template files (" + ", ".join(TEMPLATE_SUFFIXES) + ") can be loaded")
        pieces = split_template_path(template)  # refuses '..' (TemplateNotFound)
        for folder in self.searchpath:
            filename = posixpath.join(folder, *pieces)
            if os.path.isfile(filename):
                break
        else:
            return super().get_source(environment, template)  # raises TemplateNotFound
        shown = display_path(filename)
        real, root = os.path.realpath(filename), os.path.realpath(folder)
        if os.path.commonpath([real, root]) != root:
            raise TemplateError(f"{shown}: template is a link to a file outside its templates folder ({real})",
                                hint="copy the file into the templates folder instead of linking to it")
        site = _site_folder(os.path.dirname(real), root)
        if site is not None:
            raise TemplateRefused(template, f"it is inside the site folder {display_path(site)} (a site's files "
                                  "are never template text)")
        size = os.path.getsize(filename)
        if size > MAX_TEMPLATE_BYTES:
            raise TemplateError(f"{shown}: template is too large ({size / 1e6:.1f} MB; the limit is "
                                f"{MAX_TEMPLATE_BYTES / 1e6:.0f} MB)", hint="check that this is the right file")
        source, name, uptodate = super().get_source(environment, template)
        if "\x00" in source:
            raise TemplateError(f"{shown}: template is a binary file, not text",
                                hint="check that this is the right file")
        return source, name, uptodate

    def load(self, environment, name: str, globals=None):
        """BaseLoader.load, first trying the template's shipped compiled module (precompiled.py): the
        bundled pack's templates come compiled with the package; any other template, or one edited
        since, is compiled (through the per-user bytecode cache when it is on)."""
        if globals is None:
            globals = {}
        source, filename, uptodate = self.get_source(environment, name)
        template = precompiled.load(environment, name, source, filename, uptodate, globals)
        if template is not None:
            return template
        code = None
        bcc = environment.bytecode_cache
        if bcc is not None:
            bucket = bcc.get_bucket(environment, name, filename, source)
            code = bucket.code
        if code is None:
            code = environment.compile(source, name, filename)
        if bcc is not None and bucket.code is None:
            bucket.code = code
            bcc.set_bucket(bucket)
        return environment.template_class.from_code(environment, code, globals, uptodate)


# optimized=False: Jinja's optimizer folds constant expressions while compiling; the bundled pack has
# next to none, and skipping it makes compiling a pack a third faster (a first build, or an edited
# template) with the same output (the sandbox's checks then run for every expression at render time).
_OPTIONS = {"trim_blocks": True, "lstrip_blocks": True, "keep_trailing_newline": True, "autoescape": False,
            "optimized": False}


MAX_BYTECODE_BYTES = 16_000_000  # a compiled bundled template is ~100 kB


class _SignedBytecodeCache(BytecodeCache):
    """Compiled templates kept between runs (compiling is about 40% of rendering a pack), for the
    templates that do not ship compiled (precompiled.py): a consultant's, or a bundled one edited.

    A compiled template is Python code, so an entry is loaded only when it verifies as one this user
    wrote (readiness/cache.py: a regular file of ours, not a link, with a valid keyed hash over its
    name and content); anything else is ignored, the template compiled afresh and the entry rewritten.
    Jinja itself then checks the template's source checksum, so an edited template is recompiled.
    A cache that cannot be read or written is simply not used: it must never break a build."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _path(self, bucket) -> Path:
        return self.folder / f"{bucket.key}.cache"

    def load_bytecode(self, bucket) -> None:
        content = read_entry(self._path(bucket), MAX_BYTECODE_BYTES)
        if content is None:
            return
        try:
            bucket.bytecode_from_string(content)
        except Exception:  # noqa: BLE001 - ours but unreadable (another Python's marshal): compile afresh
            bucket.reset()

    def dump_bytecode(self, bucket) -> None:
        write_entry(self._path(bucket), bucket.bytecode_to_string())


def _bytecode_cache() -> BytecodeCache | None:
    """A private per-user cache (XDG cache folder), keyed by Jinja, Python and our options; None when
    disabled with LEAD_READINESS_NO_CACHE=1 or when the folder is not safely ours."""
    settings = repr((sorted(_OPTIONS.items()), sorted(_Env.intercepted_binops), FactUndefined.__name__))
    tag = hashlib.sha256(settings.encode()).hexdigest()[:8]
    folder = user_cache_dir(f"jinja-{jinja2.__version__}-{sys.implementation.cache_tag}-{tag}")
    if folder is None:
        return None
    return _SignedBytecodeCache(folder)


def make_environment(folders: Sequence[Path]) -> ImmutableSandboxedEnvironment:
    """A sandboxed environment loading from `folders`, first folder wins (consultant before bundled)."""
    env = _Env(
        loader=_PackLoader([str(f) for f in folders], encoding="utf-8"),
        undefined=FactUndefined,
        finalize=lambda v: "" if v is None else v,
        bytecode_cache=_bytecode_cache(),
        **_OPTIONS,
    )
    env.filters.update({"join_and": _join_and, "bullets": _bullets, "date_long": _date_long, "plural": plural})
    env.tests.update({"answered": is_answered, "unanswered": lambda v: not is_answered(v)})
    env.globals["plural"] = plural
    env.compiled_expressions = {}  # pack expressions by their text (evaluate_expression)
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
        located = f"{display_path(exc.filename or exc.name or template)}:{exc.lineno}"
        return TemplateError(f"{located}: {exc.message}", hint="fix the template's Jinja syntax")
    where = _where(exc)
    if isinstance(exc, SandboxLimit):
        return TemplateError(f"{where or display_path(template)}: {exc}",
                             hint="templates build documents of a few pages; simplify the expression")
    if isinstance(exc, MemoryError):
        return TemplateError(f"{where or display_path(template)}: rendering needed far more memory than a "
                             "document should (blocked by the sandbox)", hint="look for a loop or a value that grows")
    if isinstance(exc, TemplateRefused):
        return TemplateError(f"{where or display_path(template)}: template '{exc.name}' is refused: {exc.reason}",
                             hint="a template may include, import or extend only template files of its pack")
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
    """Render one template file to text; any template fault becomes a located TemplateError, and so
    does a document that comes out empty or absurdly long."""
    try:
        with budget(RENDER_SECONDS):
            text = env.get_template(name).render(variables)
    except TemplateError:
        raise
    except Exception as exc:  # noqa: BLE001 - classified below; unknown kinds are re-raised as bugs
        error = to_template_error(exc, names=variables.keys(), lookup=namespace_lookup(variables),
                                  template=_loader_path(env, name), folders=folders)
        if error is None:
            raise
        raise error from None
    if not text.strip():
        raise TemplateError(f"{display_path(_loader_path(env, name))}: the document came out empty",
                            hint="the template file is empty, or all of it is inside conditions that are false")
    if len(text) > MAX_DOCUMENT_CHARS:
        raise TemplateError(f"{display_path(_loader_path(env, name))}: the document came out far too long "
                            f"({len(text) / 1e6:.0f} million characters) (blocked by the sandbox)",
                            hint="look for a loop that repeats too often")
    return text


def render_string(env, source: str, variables: dict[str, Any]) -> str:
    """Render template text (tests and one-off checks); errors are located as `<template>:LINE`."""
    try:
        with budget(RENDER_SECONDS):
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


def _expression(env, expression: str):
    """The compiled expression, compiled once per environment (a `key:` is evaluated once per copy)."""
    kept = getattr(env, "compiled_expressions", None)
    if kept is None:
        return env.compile_expression(expression, undefined_to_none=False)
    if expression not in kept:
        kept[expression] = env.compile_expression(expression, undefined_to_none=False)
    return kept[expression]


def evaluate_expression(env, expression: str, variables: dict[str, Any]) -> Any:
    """A pack expression's value (`for_each:`, `key:`) over the render context. Raises the underlying exception."""
    with budget(RENDER_SECONDS, "the expression"):
        return _expression(env, expression)(**variables)


def evaluate_condition(env, expression: str, variables: dict[str, Any]) -> bool:
    """A pack `when:` expression over the render context. Raises the underlying exception."""
    with budget(RENDER_SECONDS, "the condition"):
        return bool(_expression(env, expression)(**variables))

