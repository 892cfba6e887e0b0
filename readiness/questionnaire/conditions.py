"""`when` conditions: sandboxed Jinja expressions over earlier answers.

Conditions come from questionnaire files a consultant may have shared, so they run in Jinja's
sandbox, guarded against huge values (readiness/sandbox.py): they can compare and combine answers
but not reach Python internals, files or modules, nor build a gigabyte-long string.  A condition
that names an unanswered question sees `none`.  `condition_values` and `applicable_ids` say, for a
site's answers, what conditions see and which questions apply (scoring and the interview share them).
"""
from __future__ import annotations

from functools import lru_cache
from statistics import mean
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping

from readiness.errors import ReadinessError
from readiness.kernel.statuses import AnswerStatus

if TYPE_CHECKING:
    from jinja2.sandbox import ImmutableSandboxedEnvironment

# Jinja and the sandbox are imported when a condition is first compiled, not with this module: a
# questionnaire taken checked from the cache (questionnaire/checked.py) whose answers need no
# condition is scored without them.

if TYPE_CHECKING:
    from readiness.questionnaire.models import Questionnaire


class ConditionError(ReadinessError, ValueError):
    """A condition that does not parse, or that reaches for something the sandbox forbids."""


@lru_cache(maxsize=1)
def _env() -> ImmutableSandboxedEnvironment:
    from readiness.sandbox import GuardedSandbox

    return GuardedSandbox(autoescape=False)


def names_in(expression: str) -> set[str]:
    """The answer names a condition reads; raises ConditionError on a syntax error."""
    from jinja2 import meta, nodes

    ast = parse_condition(expression)
    for node in ast.find_all((nodes.Getattr, nodes.Getitem)):
        attr = node.attr if isinstance(node, nodes.Getattr) else getattr(node.arg, "value", None)
        if isinstance(attr, str) and attr.startswith("_"):
            raise ConditionError(f"condition reaches for Python internals ('{attr}'), which the sandbox forbids")
    for const in ast.find_all(nodes.Const):  # |attr('__class__'), '{0.__class__}'.format(x)
        if isinstance(const.value, str) and "__" in const.value:
            raise ConditionError(f"condition reaches for Python internals ('{const.value}'), which the sandbox forbids")
    evaluate(expression, {})  # with no answers yet: refuses now what the sandbox would refuse later
    return set(meta.find_undeclared_variables(ast))


def parse_condition(expression: str):
    """The expression's Jinja syntax tree (for checks); raises ConditionError on a syntax error."""
    compile_condition(expression)
    return _env().parse("{{ (" + expression + ") }}")


@lru_cache(maxsize=4096)
def compile_condition(expression: str) -> Callable[..., Any]:
    from jinja2 import TemplateSyntaxError

    try:
        return _env().compile_expression(expression, undefined_to_none=True)
    except TemplateSyntaxError as exc:
        detail = (exc.message or "").replace("unexpected 'end of template'", "it ends too early")
        raise ConditionError(f"condition is not a valid expression: {detail}") from None


def evaluate(expression: str, values: Mapping[str, Any]) -> bool:
    """True when the condition holds. A condition that errors (say, comparing none > 30) is False,
    so a question whose inputs are missing is simply not asked yet.

    A simple condition over answers it names (questionnaire/plain_conditions.py) is evaluated
    without Jinja, with the same result; any other is compiled in the sandbox."""
    from readiness.questionnaire.plain_conditions import plain_evaluate

    plain = plain_evaluate(expression, values)
    if plain is not None:
        return plain
    return jinja_evaluate(expression, values)


def jinja_evaluate(expression: str, values: Mapping[str, Any]) -> bool:
    """`evaluate` through Jinja's sandbox, whatever the condition."""
    fn = compile_condition(expression)
    from jinja2.exceptions import SecurityError, UndefinedError

    from readiness.sandbox import CONDITION_SECONDS, budget

    try:
        with budget(CONDITION_SECONDS, "the condition"):
            return bool(fn(**values))
    except SecurityError as exc:
        raise ConditionError(f"condition tried something unsafe: {exc} (in `{expression}`)") from None
    except MemoryError:
        raise ConditionError(f"condition needed far more memory than a comparison should (in `{expression}`)") from None
    except (TypeError, UndefinedError, ValueError, ArithmeticError):
        return False


def derive_value(expression: str, values: Mapping[str, Any]) -> Any:
    """What a `derive` expression gives for these answers, or None when its inputs are missing
    (an expression that errors, say `none | length`, gives nothing rather than a wrong answer)."""
    fn = compile_condition(expression)
    from jinja2.exceptions import SecurityError, UndefinedError

    from readiness.sandbox import CONDITION_SECONDS, budget

    try:
        with budget(CONDITION_SECONDS, "the derive expression"):
            return fn(**values)
    except SecurityError as exc:
        raise ConditionError(f"derive expression tried something unsafe: {exc} (in `{expression}`)") from None
    except MemoryError:
        raise ConditionError(f"derive expression needed far too much memory (in `{expression}`)") from None
    except (TypeError, UndefinedError, ValueError, ArithmeticError):
        return None


def condition_values(q: Questionnaire, answers: Mapping[str, Any], respondents: Iterable[Any]) -> dict[str, Any]:
    """What `when` conditions see: each question's answered value, or None."""
    values: dict[str, Any] = {}
    for question in q.questions:
        if question.scope == "respondent":
            scores = [r.answers[question.id].value for r in respondents
                      if question.id in r.answers and r.answers[question.id].status == AnswerStatus.ANSWERED]
            numeric = [v for v in scores if isinstance(v, (int, float)) and not isinstance(v, bool)]
            values[question.id] = mean(numeric) if numeric else (scores[0] if scores else None)
            continue
        answer = answers.get(question.id)
        values[question.id] = answer.value if answer is not None and answer.status == AnswerStatus.ANSWERED else None
    return values


def applicable_ids(q: Questionnaire, values: Mapping[str, Any], answers: Mapping[str, Any]) -> set[str]:
    """Questions that apply: their condition holds and nobody marked them not applicable.

    Conditions see only the answers of questions that themselves apply, so a chain of conditions
    switches off together."""
    live: dict[str, Any] = {}
    out: set[str] = set()
    for question in q.questions:
        ok = True
        if question.when:
            ok = evaluate(question.when, live)
        answer = answers.get(question.id)
        if answer is not None and answer.status == AnswerStatus.NOT_APPLICABLE:
            ok = False
        live[question.id] = values.get(question.id) if ok else None
        if ok:
            out.add(question.id)
    return out
