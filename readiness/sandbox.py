"""The sandbox templates and conditions run in: Jinja's immutable sandbox plus limits on size.

Template packs and questionnaires are shared between consultants, so their Jinja runs in
`ImmutableSandboxedEnvironment` (no Python internals, no mutation, ranges of at most 100,000).
That sandbox still lets one expression ask for gigabytes (`'a' * 10**9`, `'{:>999999999}'.format(1)`,
`2 ** (10**10)`, which Jinja even folds at compile time) or loop for hours.  `GuardedSandbox` refuses
any single step that would build a value longer than MAX_SIZE, and `budget()` bounds a whole render
or evaluation: at most MEMORY_HEADROOM more memory (Linux) and, in the main thread, a time limit.
Every refusal is a `SandboxLimit`, a SecurityError with a plain message.
"""
from __future__ import annotations

import contextlib
import functools
import os
import re
import signal
import string
import threading
from typing import Any, Iterator, TypeGuard

from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.compiler import CodeGenerator
from jinja2.utils import _PassArg, generate_lorem_ipsum, pass_environment

MAX_SIZE = 200_000  # the longest string or list one step of a template may build
MAX_EXPONENT = 100
MAX_INT_BITS = 14_000  # ~4,200 digits: past that Python refuses to print a number anyway
MEMORY_HEADROOM = 512 << 20  # how much more memory a render may take before MemoryError (a draft needs ~50 MB)
CONDITION_SECONDS = 2.0  # one `when:` condition (a comparison of answers takes microseconds)
BLOCKED = "(blocked by the sandbox)"


class SandboxLimit(SecurityError):
    """A template or condition asked for too much memory or time."""

    def __init__(self, message: str):
        super().__init__(f"{message} {BLOCKED}")


def _int(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


_PERCENT = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")


def _numbers_too_big(values) -> bool:
    return any(_int(v) and abs(v) > MAX_SIZE for v in values)


def percent_too_wide(fmt: str, args: Any) -> bool:
    """`'%999999999d' % 1`: a width or precision that would build a huge string."""
    values = list(args.values()) if isinstance(args, dict) else list(args) if isinstance(args, tuple) else [args]
    for m in _PERCENT.finditer(fmt):
        for part in m.groups():
            if part == "*" and _numbers_too_big(values):
                return True
            if part and part != "*" and int(part) > MAX_SIZE:
                return True
    return False


def format_too_wide(fmt: str, values: list) -> bool:
    """`'{:>999999999}'.format(1)`: the same for str.format."""
    try:
        parts = list(string.Formatter().parse(fmt))
    except ValueError:
        return False  # the real call reports the broken format string
    for _, _, spec, _ in parts:
        if not spec:
            continue
        if "{" in spec and _numbers_too_big(values):
            return True
        if any(int(d) > MAX_SIZE for d in re.findall(r"\d+", spec)):
            return True
    return False


def bounded_list(items: Any, sep_len: int = 0) -> list:
    """The items of an iterable, refused as soon as joining them would pass MAX_SIZE."""
    out, total = [], 0
    for item in items:
        out.append(item)
        total += (len(item) if isinstance(item, str) else 1) + (sep_len if len(out) > 1 else 0)
        if total > MAX_SIZE:
            raise SandboxLimit("joining would build a very large value")
    return out


def weight(value: Any) -> int:
    """How much text a value holds: its length for a string; for a list or tuple, its items' lengths
    (a list of 200,000 references to one 200,000-character string is 40 billion characters to sort)."""
    if isinstance(value, str):
        return len(value)
    if isinstance(value, (list, tuple)):
        return sum(len(x) if isinstance(x, str) else 1 for x in value)
    return 0


def binop_problem(operator: str, left: Any, right: Any) -> str | None:
    if operator == "+":
        if isinstance(left, (str, list, tuple)) and type(left) is type(right) and weight(left) + weight(right) > MAX_SIZE:
            return "addition would build a very large value"
    elif operator == "**":
        if isinstance(right, (int, float)) and not isinstance(right, bool) and abs(right) > MAX_EXPONENT:
            return f"exponent {right} is too large for a template"
        if _int(left) and _int(right) and right > 0 and left.bit_length() * right > MAX_INT_BITS:
            return "power would build a very large number"
    elif operator == "*":
        for seq, n in ((left, right), (right, left)):
            if isinstance(seq, (str, list, tuple)) and _int(n) and max(len(seq), weight(seq)) * n > MAX_SIZE:
                return "multiplication would build a very large value"
        if _int(left) and _int(right) and left.bit_length() + right.bit_length() > MAX_INT_BITS:
            return "multiplication would build a very large number"
    elif operator == "%" and isinstance(left, str) and percent_too_wide(left, right):
        return "formatting would build a very large value"
    return None


_PADDING = {"ljust", "rjust", "center", "zfill"}


def call_problem(obj: Any, args: tuple, kwargs: dict) -> str | None:
    """Methods of str that can build a huge string from a small one."""
    target = getattr(obj, "__wrapped__", obj)  # the sandbox wraps str.format
    owner = getattr(target, "__self__", None)
    if not isinstance(owner, str):
        return None
    name = getattr(target, "__name__", "")
    first = args[0] if args else None
    if name in _PADDING:
        width = first if args else kwargs.get("width")
        if _int(width) and width > MAX_SIZE:
            return f"{name}({width}) would build a very large value"
    elif name == "expandtabs":
        size = first if args else kwargs.get("tabsize", 8)
        if _int(size) and size * owner.count("\t") > MAX_SIZE:
            return "expandtabs would build a very large value"
    elif name == "replace" and len(args) >= 2 and isinstance(args[0], str) and isinstance(args[1], str):
        old, new = args[0], args[1]
        count = args[2] if len(args) > 2 else kwargs.get("count", -1)
        n = owner.count(old) if old else len(owner) + 1
        if _int(count) and count >= 0:
            n = min(n, count)
        if len(owner) + n * max(0, len(new) - len(old)) > MAX_SIZE:
            return "replace would build a very large value"
    elif name in ("format", "format_map"):
        values = list(args) + list(kwargs.values())
        if name == "format_map" and args and isinstance(args[0], dict):
            values = list(args[0].values())
        if format_too_wide(owner, values):
            return "formatting would build a very large value"
    return None


# ---------------------------------------------------------------- filters that can build huge values


def _check_center(value, width=80, *_, **__):
    if _int(width) and width > MAX_SIZE:
        return f"center({width}) would build a very large value"


def _check_indent(value, width=4, *_, **__):
    size = len(width) if isinstance(width, str) else width if _int(width) else 0
    if size * (str(value).count("\n") + 1) > MAX_SIZE:
        return "indent would build a very large value"


def _check_format(value, *args, **kwargs):
    if percent_too_wide(str(value), kwargs or args):
        return "formatting would build a very large value"


def _check_replace(value, old="", new="", count=None, *_, **__):
    if isinstance(value, str) and isinstance(old, str) and isinstance(new, str):
        return call_problem(value.replace, (old, new) + ((count,) if _int(count) else ()), {})


def _check_batch(value, linecount=1, fill_with=None, *_, **__):
    if fill_with is not None and _int(linecount) and linecount * max(1, weight(fill_with)) > MAX_SIZE:
        return "batch would build a very large value"


def _check_slice(value, slices=1, fill_with=None, *_, **__):
    if _int(slices) and slices > MAX_SIZE:
        return "slice would build a very large value"


_FILTER_CHECKS = {"center": _check_center, "indent": _check_indent, "format": _check_format,
                  "replace": _check_replace, "batch": _check_batch, "slice": _check_slice}


def _guard_filter(original, check):
    offset = 1 if _PassArg.from_obj(original) is not None else 0

    @functools.wraps(original)  # keeps Jinja's pass_eval_context / pass_environment marks
    def guarded(*args, **kwargs):
        problem = check(*args[offset:], **kwargs)
        if problem:
            raise SandboxLimit(problem)
        return original(*args, **kwargs)

    return guarded


def _guarded_sum(environment, iterable, attribute=None, start=0):
    """Jinja's `sum`, but adding lists or tuples one step at a time with a size check: Python's sum()
    concatenates them in a single C call, quadratic in their number, that no time limit can stop."""
    from jinja2.filters import make_attrgetter

    items = list(map(make_attrgetter(environment, attribute), iterable) if attribute is not None else iterable)
    if not any(isinstance(x, (str, list, tuple)) for x in [start, *items]):
        return sum(items, start)  # numbers: Python's own sum, exactly as Jinja does
    total = start
    for item in items:
        problem = binop_problem("+", total, item)
        if problem:
            raise SandboxLimit(problem)
        total = total + item
    return total


def guarded_concat(values) -> str:
    """`a ~ b`: the text of both, refused past MAX_SIZE (a namespace doubling a string in a loop)."""
    return "".join(bounded_list(map(str, values)))


def _guard_join(original):
    offset = 1 if _PassArg.from_obj(original) is not None else 0

    @functools.wraps(original)
    def guarded(*given, **kwargs):
        args = list(given)
        if len(args) > offset:
            sep = args[offset + 1] if len(args) > offset + 1 else kwargs.get("d", "")
            args[offset] = bounded_list(args[offset], len(sep) if isinstance(sep, str) else 0)
        return original(*args, **kwargs)

    return guarded


def _lipsum(n: int = 5, html: bool = True, min: int = 20, max: int = 100) -> str:  # noqa: A002
    if not all(_int(x) and x <= 1000 for x in (n, min, max)):
        raise SandboxLimit("lipsum() asked for a very large text")
    return generate_lorem_ipsum(n, html, min, max)


# ---------------------------------------------------------------- nesting the compiler cannot take

# Jinja's parser and code generator, and Python's compiler after them, recurse once per level of
# nesting: ~80 brackets, ~500 chained operators or ~20 nested loops end in a RecursionError or "too many
# statically nested blocks" instead of a message. The bundled templates nest at most 4 blocks and 3
# brackets, and use at most ~15 operators in one tag.
MAX_BRACKETS = 20  # ( [ { open at once in one expression
MAX_OPERATORS = 120  # operators, filters, tests and attribute dots in one {{ }} or {% %}
MAX_BLOCKS = 12  # if/for/macro/... open at once

_OPEN = {"lparen", "lbracket", "lbrace"}
_CLOSE = {"rparen", "rbracket", "rbrace"}
_OPERATORS = {"add", "sub", "mul", "div", "floordiv", "mod", "pow", "tilde", "pipe", "dot", "eq", "ne", "lt",
              "lteq", "gt", "gteq"}
_WORD_OPERATORS = {"and", "or", "not", "in", "is", "if", "else"}
_BLOCK_TAGS = {"if", "for", "macro", "call", "filter", "block", "with", "autoescape", "trans"}


def _nesting_guard(tokens, name, filename):
    """The tokens as they are, with a TemplateSyntaxError (located by line) at the first one nesting
    deeper than the limits above."""
    from jinja2 import TemplateSyntaxError

    brackets = operators = 0
    blocks: list[str] = []
    tag: str | None = None  # the statement a {% %} tag opens, once its first name is read
    pending_set = assigned = False
    for token in tokens:
        kind = token.type
        problem = None
        if kind in ("block_begin", "variable_begin"):
            brackets = operators = 0
            tag, pending_set, assigned = ("" if kind == "block_begin" else None), False, False
        elif kind == "block_end":
            if pending_set and not assigned:  # {% set x %}...{% endset %}
                blocks.append("set")
                if len(blocks) > MAX_BLOCKS:
                    problem = f"blocks are nested more than {MAX_BLOCKS} deep"
            tag = None
        elif kind == "name" and tag == "":
            tag = token.value
            if tag in _BLOCK_TAGS:
                blocks.append(tag)
            elif tag == "set":
                pending_set = True
            elif tag.startswith("end") and blocks:
                blocks.pop()
            if len(blocks) > MAX_BLOCKS:
                problem = f"blocks are nested more than {MAX_BLOCKS} deep"
        elif kind in _OPEN:
            brackets += 1
            if brackets > MAX_BRACKETS:
                problem = f"brackets are nested more than {MAX_BRACKETS} deep"
        elif kind in _CLOSE:
            brackets -= 1
        elif kind == "assign":
            assigned = True
        elif kind in _OPERATORS or (kind == "name" and token.value in _WORD_OPERATORS):
            operators += 1
            if operators > MAX_OPERATORS:
                problem = f"more than {MAX_OPERATORS} operators, filters and attributes in one expression"
        if problem:
            raise TemplateSyntaxError(f"nested too deeply: {problem} (split it up with set or a macro)",
                                      token.lineno, name, filename)
        yield token


class _GuardedCodeGenerator(CodeGenerator):
    """Compiles `~` to a size-checked join (Jinja's own is a plain str join of any length)."""

    def visit_Concat(self, node, frame) -> None:
        if frame.eval_ctx.volatile or frame.eval_ctx.autoescape:
            return super().visit_Concat(node, frame)
        self.write("environment.guarded_concat((")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")


class GuardedSandbox(ImmutableSandboxedEnvironment):
    """ImmutableSandboxedEnvironment that also refuses any step building a huge value, and any
    source nesting deeper than its compiler can take."""

    code_generator_class = _GuardedCodeGenerator
    guarded_concat = staticmethod(guarded_concat)

    def _tokenize(self, source, name, filename=None, state=None):
        from jinja2.lexer import TokenStream

        stream = super()._tokenize(source, name, filename, state)
        return TokenStream(_nesting_guard(stream, name, filename), name, filename)

    intercepted_binops = frozenset({"+", "*", "**", "%"})

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        for name, check in _FILTER_CHECKS.items():
            self.filters[name] = _guard_filter(self.filters[name], check)
        self.filters["join"] = _guard_join(self.filters["join"])
        self.filters["sum"] = pass_environment(_guarded_sum)
        self.globals["lipsum"] = _lipsum

    @staticmethod
    def plain(value: Any) -> Any:
        """The Python value behind a template value (subclasses unwrap their own types)."""
        return value

    def call_binop(self, context, operator: str, left: Any, right: Any) -> Any:
        problem = binop_problem(operator, self.plain(left), self.plain(right))
        if problem:
            raise SandboxLimit(problem)
        return super().call_binop(context, operator, left, right)

    def call(__self, __context, __obj, *args: Any, **kwargs: Any) -> Any:  # noqa: N805 - Jinja's signature
        problem = call_problem(__obj, args, kwargs)
        if problem:
            raise SandboxLimit(problem)
        target = getattr(__obj, "__wrapped__", __obj)
        if getattr(target, "__name__", "") == "join" and isinstance(getattr(target, "__self__", None), str) and args:
            args = (bounded_list(args[0], len(target.__self__)),) + args[1:]
        return super().call(__context, __obj, *args, **kwargs)


# ---------------------------------------------------------------- memory and time for a whole render


_depth = threading.local()


def _memory_in_use() -> int | None:
    try:
        with open("/proc/self/statm", "rb") as fh:
            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError, AttributeError):
        return None


class _ProcessLimit:
    """One resource limit of the whole process (RLIMIT_AS, RLIMIT_CPU), shared by every thread's budget.

    setrlimit is process-wide, so two threads that each set a limit and restored "what was there before"
    could leave one of their limits behind for good (the second to leave restores the first one's limit).
    Here the first budget to enter sets the limit and the last to leave restores the one found; budgets
    that enter while it is set work under it."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.lock = threading.Lock()
        self.users = 0
        self.saved: tuple[int, int] | None = None  # the limit found by the first user, when it was changed

    def enter(self, wanted) -> None:
        """`wanted(resource, soft, hard)` gives the soft limit to set, or None to leave the limit alone."""
        with self.lock:
            self.users += 1
            if self.users > 1:
                return
            self.saved = None
            try:
                import resource

                which = getattr(resource, self.name)
                soft, hard = resource.getrlimit(which)
                limit = wanted(resource, soft, hard)
                if limit is None:
                    return
                if hard != resource.RLIM_INFINITY:
                    limit = min(limit, hard)
                if soft != resource.RLIM_INFINITY and soft <= limit:
                    return  # already limited at least as tightly
                resource.setrlimit(which, (limit, hard))
                self.saved = (soft, hard)
            except (ImportError, AttributeError, OSError, ValueError):  # not on this platform: the size checks still hold
                return

    def leave(self) -> None:
        with self.lock:
            self.users -= 1
            if self.users or self.saved is None:
                return
            import resource

            saved, self.saved = self.saved, None
            resource.setrlimit(getattr(resource, self.name), saved)


_ADDRESS_SPACE = _ProcessLimit("RLIMIT_AS")
_CPU_TIME = _ProcessLimit("RLIMIT_CPU")


@contextlib.contextmanager
def _held(limit: _ProcessLimit, wanted) -> Iterator[None]:
    limit.enter(wanted)
    try:
        yield
    finally:
        limit.leave()


def _memory_limit() -> contextlib.AbstractContextManager[None]:
    def wanted(resource, soft, hard):
        used = _memory_in_use()
        return None if used is None else used + MEMORY_HEADROOM

    return _held(_ADDRESS_SPACE, wanted)


class TimeLimit(SandboxLimit):
    pass


CPU_BACKSTOP_FACTOR = 4  # CPU seconds past the time limit after which the kernel ends the process
CPU_BACKSTOP_MIN = 5.0  # ... and never sooner than this many CPU seconds
ALARM_REPEAT = 0.5  # seconds between alarms once the time limit has passed


def _cpu_seconds(resource) -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _cpu_backstop(seconds: float | None) -> contextlib.AbstractContextManager[None]:
    """The last resort behind the time limit: the alarm is only heard between two Python steps, so one
    long C-level call (a sort, a join, a regular expression) would outlast it. RLIMIT_CPU is enforced by
    the kernel: SIGXCPU, whose default action ends the process, after `seconds` x CPU_BACKSTOP_FACTOR of
    CPU time (at least CPU_BACKSTOP_MIN). Nothing is half-written then (every write is a rename), but
    there is no message: the size checks above keep every step short, this bounds what they missed."""
    def wanted(resource, soft, hard):
        if not seconds or signal.getsignal(signal.SIGXCPU) not in (signal.SIG_DFL, None):
            return None
        return int(_cpu_seconds(resource) + max(CPU_BACKSTOP_MIN, seconds * CPU_BACKSTOP_FACTOR)) + 1

    return _held(_CPU_TIME, wanted)


@contextlib.contextmanager
def _time_limit(seconds: float | None, what: str = "rendering") -> Iterator[None]:
    usable = (seconds and hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
              and signal.getsignal(signal.SIGALRM) in (signal.SIG_DFL, None)
              and signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0))
    if not usable or not seconds:
        yield
        return

    active = [True]

    def expired(signum, frame):
        if active[0]:
            raise TimeLimit(f"{what} took longer than {seconds:g} seconds (a loop too large?)")

    # The alarm repeats: a signal handled while Python runs a finalizer has its exception swallowed
    # ("Exception ignored in ..."), and a one-shot alarm lost that way would leave the loop running.
    signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds, ALARM_REPEAT)
    try:
        yield
    finally:
        try:
            active[0] = False
            signal.setitimer(signal.ITIMER_REAL, 0)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, signal.SIG_DFL)


@contextlib.contextmanager
def budget(seconds: float | None = None, what: str = "rendering") -> Iterator[None]:
    """Bound a render or an evaluation: MemoryError past MEMORY_HEADROOM more memory, TimeLimit after
    `seconds` (main thread only), and the kernel's CPU limit behind both (_cpu_backstop). Nested
    budgets are part of the outermost one."""
    if getattr(_depth, "n", 0):
        yield
        return
    _depth.n = 1
    try:
        with _memory_limit(), _cpu_backstop(seconds), _time_limit(seconds, what):
            yield
    finally:
        _depth.n = 0
