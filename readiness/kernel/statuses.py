"""The statuses of an answer, and the one table of the words people see for them.

The enum's values are what answer files store (`status: unknown`), so files on disk read as they
always have; code compares statuses, never the words shown for them.
"""
from __future__ import annotations

import enum


class AnswerStatus(str, enum.Enum):
    """What an answer file records for a question (`status:`)."""

    ANSWERED = "answered"
    UNKNOWN = "unknown"
    SKIPPED = "skipped"
    NOT_APPLICABLE = "not_applicable"

    def __str__(self) -> str:  # the stored word, in messages and f-strings alike
        return self.value

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.value]


UNANSWERED = "unanswered"  # a question with no answer at all: not stored, but scored and shown

# The one table of display labels, by status value (and UNANSWERED).
STATUS_LABELS: dict[str, str] = {
    AnswerStatus.ANSWERED.value: "Answered",
    AnswerStatus.UNKNOWN.value: "Don't know",
    AnswerStatus.SKIPPED.value: "Skipped",
    AnswerStatus.NOT_APPLICABLE.value: "Not applicable",
    UNANSWERED: "Not answered yet",
}
DONT_KNOW = STATUS_LABELS[AnswerStatus.UNKNOWN.value]  # the interview's choice, and what an unknown answer shows


def status_label(status: str) -> str:
    """The words shown for a status (its entry in STATUS_LABELS)."""
    return STATUS_LABELS[str(status)]
