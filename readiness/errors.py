"""The error family every user-facing failure belongs to, and the exit codes they map to.

Core modules raise these; only `readiness.cli` turns them into a message and an exit code, so the
rest of the code never prints or exits.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from pathlib import Path


class ExitCode(enum.IntEnum):
    OK = 0
    BAD_INPUT = 1  # bad input or a refused action
    USAGE = 2  # wrong command-line usage (typer/click's own code)
    LINT_PROBLEMS = 3  # `lint` found problems
    INTERNAL = 70  # an unexpected internal problem, a bug to report (EX_SOFTWARE of sysexits.h)
    INTERRUPTED = 130  # Ctrl-C; answers so far are saved
    BROKEN_PIPE = 141  # the reader of our output went away (`score SITE | head -1`); 128 + SIGPIPE, as Unix tools


@dataclass(frozen=True)
class Problem:
    """One thing wrong in one file, located as precisely as we can."""

    message: str
    file: Path | None = None
    line: int | None = None
    where: str | None = None  # key path inside the file, e.g. questions[3].choices[0].score
    hint: str | None = None
    severity: str = "error"  # error | warning

    def location(self) -> str:
        parts = []
        if self.file is not None:
            parts.append(str(self.file) + (f":{self.line}" if self.line else ""))
        if self.where:
            parts.append(self.where)
        return ": ".join(parts)

    def __str__(self) -> str:
        loc = self.location()
        text = f"{loc}: {self.message}" if loc else self.message
        if self.hint:
            text += f" ({self.hint})"
        return text


class ReadinessError(Exception):
    """A failure the user can fix; its message says what, where and how."""

    exit_code = ExitCode.BAD_INPUT

    def __init__(self, message: str, *, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        # One line, as every `Error:` is: what, where, and in brackets how to fix it.
        return self.message + (f" ({self.hint})" if self.hint else "")


class FileProblems(ReadinessError):
    """One or more problems found in input files; all are reported at once."""

    def __init__(self, problems: list[Problem], *, hint: str | None = None):
        self.problems = list(problems)
        if len(self.problems) == 1 and self.problems[0].hint:
            hint = None  # the problem's own advice is the more precise
        first = str(self.problems[0]) if self.problems else "invalid input"
        extra = len(self.problems) - 1
        message = first if not extra else f"{first}\n" + "\n".join(f"  {p}" for p in self.problems[1:])
        super().__init__(message, hint=hint)


class WorkspaceError(ReadinessError):
    """The site folder is missing, locked, or not a site."""


class AnswerError(ReadinessError):
    """An answer does not fit its question (type, choices, range, unknown id)."""


class TemplateError(ReadinessError):
    """A template is broken, names an undeclared fact, or tried to escape the sandbox."""


class Interrupted(ReadinessError):
    exit_code = ExitCode.INTERRUPTED


@dataclass
class Collected:
    """Accumulates problems so a loader can report every one of them at once."""

    problems: list[Problem] = field(default_factory=list)

    def add(self, *args, **kwargs) -> None:
        self.problems.append(Problem(*args, **kwargs))

    def raise_if_any(self, hint: str | None = None) -> None:
        errors = [p for p in self.problems if p.severity == "error"]
        if errors:
            raise FileProblems(errors, hint=hint)
