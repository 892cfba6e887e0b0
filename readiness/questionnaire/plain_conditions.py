"""The simple `when:` conditions evaluated without Jinja (issue 15: `score` need not import it).

Most conditions only name answers and compare them: `ssp_in_county == false`, `port_status in
['active', 'planned']`, `longest_drive_minutes is not none and longest_drive_minutes > 30`,
`partners|selectattr('type', 'equalto', 'public_defender')|list`. For those, Jinja's sandbox compiles
the expression to the very same Python operations on the answers (`==`, `in`, `and`, `not`, `is None`,
a loop over the items): nothing is called, built or looked up beyond the answers and the literals, so
there is nothing for the sandbox to guard. `plain_evaluate` parses that small grammar itself and
gives the same result as `conditions.evaluate` through Jinja, or `None` ("not mine") for anything
else, and the caller then asks Jinja. The rule is one-sided: every expression it evaluates means the
same in Jinja (tests/test_plain_conditions.py checks it against Jinja on the bundled questionnaires'
conditions and a generated corpus); whatever it is unsure of goes to Jinja.

The grammar, with Jinja's precedence (`or` < `and` < `not` < comparison < test / filter):

    expr    := and ('or' and)*
    and     := not ('and' not)*
    not     := 'not' not | compare
    compare := operand [op operand]          op: == != < > <= >= in, not in (no chains)
    operand := primary ['is' ['not'] 'none']
             | NAME ('|' 'selectattr' '(' STR [',' "'equalto'" ',' literal] ')')+ '|' 'list'
    primary := NAME | literal | '(' expr ')'
    literal := STR | INT | FLOAT | true | false | none | '[' [literal (',' literal)*] ']'

Not mine (Jinja decides): a name the answers do not hold (Jinja's undefined has its own rules), a
string with a backslash, a brace or a line break, a number with `_` or an exponent, a chained
comparison, any other filter, test, operator, attribute, call or keyword, and a `selectattr` over
anything but a list of plain dicts (or an empty value) or with an attribute name that could reach a
dict's own attributes.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Callable, Mapping, Optional

_TOKEN = re.compile(r"""
    (?P<ws>[ \t]+)
  | (?P<float>\d+\.\d+(?![\w.]))
  | (?P<int>\d+(?![\w.]))
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<str>'[ !"#-&(-\[\]-z|~]*'|"[ !#-\[\]-z|~]*")
  | (?P<op>==|!=|<=|>=|<|>|\(|\)|\[|\]|,|\|)
""", re.VERBOSE)
_KEYWORDS = {"and", "or", "not", "in", "is", "if", "else"}
# Names Jinja's compiled template gives a meaning of its own (`self` is the template, `result` the
# expression's own result, the rest belong to loops, macros and blocks): not answers, not mine.
_RESERVED = {"result", "self", "super", "loop", "caller", "varargs", "kwargs", "context", "environment"}
_LITERALS = {"true": True, "True": True, "false": False, "False": False, "none": None, "None": None}
_COMPARE = {"==": lambda a, b: a == b, "!=": lambda a, b: a != b, "<": lambda a, b: a < b,
            ">": lambda a, b: a > b, "<=": lambda a, b: a <= b, ">=": lambda a, b: a >= b,
            "in": lambda a, b: a in b, "not in": lambda a, b: a not in b}
MAX_TOKENS = 120  # the sandbox allows 120 operators in one expression: a longer one is Jinja's to refuse
MAX_DEPTH = 8  # brackets open at once (the sandbox's own limit is 20)
_ATTRIBUTE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


class _NotMine(Exception):
    """The expression is outside the grammar above, or its answers are not the plain kind."""


# A parsed condition is a function of the answers; it raises _NotMine when they are not plain enough.
Node = Callable[[Mapping[str, Any]], Any]


def _tokens(expression: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    while pos < len(expression):
        m = _TOKEN.match(expression, pos)
        if m is None:
            raise _NotMine
        pos = m.end()
        kind = m.lastgroup or ""
        if kind != "ws":
            out.append((kind, m.group()))
    if not out or len(out) > MAX_TOKENS:
        raise _NotMine
    return out


class _Parser:
    def __init__(self, expression: str):
        self.tokens = _tokens(expression)
        self.pos = 0
        self.depth = 0

    def peek(self, offset: int = 0) -> tuple[str, str]:
        at = self.pos + offset
        return self.tokens[at] if at < len(self.tokens) else ("end", "")

    def take(self, value: Optional[str] = None, kind: Optional[str] = None) -> str:
        k, v = self.peek()
        if (value is not None and v != value) or (kind is not None and k != kind) or k == "end":
            raise _NotMine
        if k == "str" and value is not None:  # a quoted 'and' is not the keyword
            raise _NotMine
        self.pos += 1
        return v

    def at(self, value: str) -> bool:
        k, v = self.peek()
        return v == value and k in ("name", "op")

    def parse(self) -> Node:
        node = self.expr()
        if self.pos != len(self.tokens):
            raise _NotMine
        return node

    def expr(self) -> Node:
        node = self.and_()
        while self.at("or"):
            self.take("or")
            node = _either(node, self.and_())
        return node

    def and_(self) -> Node:
        node = self.not_()
        while self.at("and"):
            self.take("and")
            node = _both(node, self.not_())
        return node

    def not_(self) -> Node:
        if self.at("not"):
            self.take("not")
            inner = self.not_()
            return lambda v: not inner(v)
        return self.compare()

    def compare(self) -> Node:
        left = self.operand()
        if self.at("not") and self.peek(1) == ("name", "in"):
            self.pos += 2
            op = "not in"
        elif self.peek()[0] == "op" and self.peek()[1] in _COMPARE or self.at("in"):
            op = self.take()
        else:
            return left
        right = self.operand()
        k, v = self.peek()
        if (k == "op" and v in _COMPARE) or (k == "name" and v in ("in", "not")):
            raise _NotMine  # a chain (a < b < c) or `a == b not in c`
        fn = _COMPARE[op]
        return lambda values: fn(left(values), right(values))

    def operand(self) -> Node:
        if self.peek()[0] == "name" and self.peek(1) == ("op", "|"):
            return self.filtered()
        node = self.primary()
        if self.at("is"):
            self.take("is")
            negated = self.at("not")
            if negated:
                self.take("not")
            self.take("none", kind="name")
            k, v = self.peek()
            # After a test Jinja reads an argument (`x is none 'a'`, even `x is none in y`), a call
            # or a filter: not mine.
            if (k in ("name", "str", "int", "float") and v not in ("and", "or", "else")) or v in ("(", "[", "|"):
                raise _NotMine
            inner = node
            return (lambda v: inner(v) is not None) if negated else (lambda v: inner(v) is None)
        return node

    def primary(self) -> Node:
        k, v = self.peek()
        if k == "name" and v not in _KEYWORDS and v not in _LITERALS:
            self.pos += 1
            return _name(v)
        if v == "(" and k == "op":
            self.take("(")
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise _NotMine
            node = self.expr()
            self.take(")")
            self.depth -= 1
            return node
        value = self.literal()
        return lambda values: value

    def literal(self) -> Any:
        k, v = self.peek()
        if k == "str":
            self.pos += 1
            return v[1:-1]
        if k == "int":
            self.pos += 1
            return int(v)
        if k == "float":
            self.pos += 1
            return float(v)
        if k == "name" and v in _LITERALS:
            self.pos += 1
            return _LITERALS[v]
        if k == "op" and v == "[":
            self.take("[")
            items = []
            if not self.at("]"):
                items.append(self.literal())
                while self.at(","):
                    self.take(",")
                    items.append(self.literal())
            self.take("]")
            return items
        raise _NotMine

    def filtered(self) -> Node:
        """NAME (|selectattr(...))* |list"""
        k, name = self.peek()
        if name in _KEYWORDS or name in _LITERALS:
            raise _NotMine
        self.pos += 1
        steps: list[tuple[str, tuple]] = []
        while True:
            self.take("|")
            filter_name = self.take(kind="name")
            if filter_name == "list":
                break
            if filter_name != "selectattr":
                raise _NotMine
            self.take("(")
            attribute = self.take(kind="str")[1:-1]
            if not _ATTRIBUTE.match(attribute) or hasattr(dict, attribute):
                raise _NotMine  # `a.b`, `0` or a dict's own attribute: Jinja's lookup rules
            test: tuple = ()
            if self.at(","):
                self.take(",")
                if self.take(kind="str")[1:-1] != "equalto":
                    raise _NotMine
                self.take(",")
                value = self.literal()
                test = (value,)
            self.take(")")
            steps.append((attribute, test))
        if not steps:
            raise _NotMine  # `name|list` is list(value): Jinja's
        k, v = self.peek()
        if v in ("(", ".", "["):
            raise _NotMine  # `|list()`, `|list.x`: Jinja reads more
        return _selected(name, steps)


def _either(left: Node, right: Node) -> Node:
    return lambda values: left(values) or right(values)


def _both(left: Node, right: Node) -> Node:
    return lambda values: left(values) and right(values)


def _name(name: str) -> Node:
    if name in _RESERVED or name.startswith("_"):
        raise _NotMine
    def lookup(values: Mapping[str, Any]) -> Any:
        try:
            return values[name]
        except KeyError:
            raise _NotMine from None  # undefined in Jinja: its rules, not ours

    return lookup


def _selected(name: str, steps: list[tuple[str, tuple]]) -> Node:
    """`name|selectattr(a)|selectattr(b, 'equalto', x)|list` over a list of plain dicts: the items
    whose `a` is true and whose `b` equals x. A missing key is Jinja's undefined: false, and equal to
    nothing."""
    if name in _RESERVED or name.startswith("_"):
        raise _NotMine
    undefined = object()

    def run(values: Mapping[str, Any]) -> Any:
        try:
            items = values[name]
        except KeyError:
            raise _NotMine from None
        if not items:
            return []  # select_or_reject reads nothing from a false value
        if type(items) is not list or any(type(item) is not dict for item in items):
            raise _NotMine
        out = list(items)
        for attribute, test in steps:
            if test:
                wanted = test[0]
                out = [item for item in out if item.get(attribute, undefined) is not undefined
                       and item[attribute] == wanted]
            else:
                out = [item for item in out if attribute in item and item[attribute]]
        return out

    return run


@lru_cache(maxsize=4096)
def parse(expression: str) -> Optional[Node]:
    """The expression as a function of the answers, or None when it is outside the grammar."""
    try:
        return _Parser(expression).parse()
    except (_NotMine, RecursionError):
        return None


def plain_evaluate(expression: str, values: Mapping[str, Any]) -> Optional[bool]:
    """What `conditions.evaluate` gives for these answers, or None when Jinja must decide."""
    node = parse(expression)
    if node is None or "self" in values or not all(type(key) is str for key in values):
        return None  # Jinja's expression is called with the answers as keywords: `self` or a non-text key fails it
    try:
        result = node(values)
    except _NotMine:
        return None
    except (TypeError, ValueError, ArithmeticError):
        return False  # as conditions.evaluate: a comparison that errors (none > 30) is false
    return bool(result)
