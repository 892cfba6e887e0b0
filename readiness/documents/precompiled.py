"""The bundled pack's templates shipped compiled, the way Python ships `.py` files that get `.pyc`.

Compiling a template (Jinja parses it, generates Python source, Python compiles that) is most of a
first build's rendering: about 0.4 s for the bundled pack's templates. So the package carries Jinja's
generated Python for each bundled template in `readiness/documents/compiled_templates/t_<key>.py`,
written by

    python -m readiness.documents.compiled_templates --write

with the documents' own environment (`make_environment`: the guarded sandbox, its intercepted
operators, `optimized=False`), so the code is what Jinja would compile for that template at build
time, sandbox checks and all. It is written as Jinja's own `Environment.compile_templates` freezes
templates (`defer_init`: the render functions read the environment from their module's namespace,
not from a default argument), so each module imports without an environment, like any other module
of the package, and pip compiles it to `.pyc` when it installs the package.

The key is a hash of everything the generated code depends on: the template's name as Jinja sees it,
its text, the Jinja version and the environment's settings (its class, syntax and whitespace options,
the sandbox's intercepted operators, `finalize`, and every filter and test with what it is passed).
The pack loader (`_PackLoader.load` in environment.py) computes the key of each template it loads,
from whichever folder, and uses the shipped module with that key when there is one: an edited
template, another Jinja or other settings simply find none and compile as before (through the
per-user cache when it is on). Each load runs the module's code in a fresh namespace, as Jinja does
for code from its bytecode cache, so two environments in one process never share one. A missing or
damaged module is never an error: the template is compiled instead.

Without `--write` the command (and tests/test_precompiled_templates.py) says whether the shipped modules
are current; after editing a bundled template run it with `--write`, or builds silently compile that
template.
"""
from __future__ import annotations

import hashlib
from importlib.machinery import SourceFileLoader
from pathlib import Path
from types import CodeType
from typing import Any, Callable, Optional

import jinja2

PACKAGE = "readiness.documents.compiled_templates"
PREFIX = "t_"  # t_<key>.py
FOLDER = Path(__file__).resolve().parent / "compiled_templates"  # tests point it elsewhere
ENABLED = True  # tests and benchmarks switch it off to compare with compiling every template
COMMAND = "python -m readiness.documents.compiled_templates --write"  # the generator: compiled_templates/__main__.py


def _passed(func: Any) -> Optional[str]:
    """What Jinja passes a filter, test or finalize before its value (context, environment, ...):
    the generated call depends on it."""
    passed = getattr(func, "jinja_pass_arg", None)
    return None if passed is None else str(passed)


def settings(env: jinja2.Environment) -> str:
    """Everything about the environment that Jinja's generated code depends on (its parser's syntax
    and whitespace options, the code generator, the sandbox's intercepted operators, finalize, the
    filters and tests) and the undefined class, as the per-user bytecode cache's key has it."""
    kind = type(env)
    return repr((
        f"{kind.__module__}.{kind.__qualname__}", env.code_generator_class.__qualname__,
        env.block_start_string, env.block_end_string, env.variable_start_string, env.variable_end_string,
        env.comment_start_string, env.comment_end_string, env.line_statement_prefix, env.line_comment_prefix,
        env.trim_blocks, env.lstrip_blocks, env.newline_sequence, env.keep_trailing_newline,
        env.optimized, env.autoescape if isinstance(env.autoescape, bool) else env.autoescape.__qualname__,
        env.is_async, env.sandboxed, sorted(env.extensions),
        sorted(getattr(env, "intercepted_binops", ())), sorted(getattr(env, "intercepted_unops", ())),
        env.finalize is not None, _passed(env.finalize), env.undefined.__qualname__,
        sorted((name, _passed(f)) for name, f in env.filters.items()),
        sorted((name, _passed(f)) for name, f in env.tests.items()),
    ))


def template_key(env: jinja2.Environment, name: str, source: str) -> str:
    """The shipped module's key for this template compiled by this environment."""
    digest = hashlib.sha256(repr((name, jinja2.__version__, settings(env))).encode())
    digest.update(b"\x00")
    digest.update(source.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()[:32]


# ---------------------------------------------------------------- loading


def load(env: jinja2.Environment, name: str, source: str, filename: str,
         uptodate: Optional[Callable[[], bool]], globals: Any) -> Optional[jinja2.Template]:
    """The template from its shipped compiled module, or None when there is no current one (or it
    cannot be used for any reason: the caller then compiles the template)."""
    if not ENABLED:
        return None
    try:
        code = _code(template_key(env, name, source))
        if code is None:
            return None
        # A fresh namespace per load: Template._from_namespace stores the environment in it.
        namespace: dict[str, Any] = {"environment": env, "__file__": filename}
        exec(code, namespace)  # our own module, generated from this very template: see the docstring
        if namespace.get("name") != name:
            return None
        template = env.template_class._from_namespace(env, namespace, globals)
    except Exception:  # noqa: BLE001 - a damaged shipped module: compile the template instead
        return None
    template.filename = filename  # error locations and tracebacks name the .j2 file
    template._uptodate = uptodate
    return template


def _code(key: str) -> Optional[CodeType]:
    path = FOLDER / f"{PREFIX}{key}.py"
    if not path.is_file():
        return None
    # Uses the module's .pyc in __pycache__ when it is current (pip writes them at install), else
    # compiles the .py (and writes the .pyc where it may), as an import would.
    return SourceFileLoader(f"{PACKAGE}.{PREFIX}{key}", str(path)).get_code(f"{PACKAGE}.{PREFIX}{key}")
