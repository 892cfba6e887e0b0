"""The formats of a site's files: site.yaml, answers.yaml and respondents/<slug>.yaml."""
from __future__ import annotations

import re
import unicodedata
from typing import Annotated, Any, Optional

from pydantic import Field, WithJsonSchema, field_validator

from readiness.jurisdiction import InstitutionOverrides
from readiness.kernel.models import StrictEditable as _Strict
from readiness.kernel.patterns import STATE_CODE_PATTERN
from readiness.kernel.statuses import AnswerStatus

# Stored as the enum's value ("unknown"); the JSON Schema lists the values, as the file holds them.
Status = Annotated[AnswerStatus, WithJsonSchema({"enum": [s.value for s in AnswerStatus], "title": "Status",
                                                 "type": "string"})]


class Answer(_Strict):
    value: Any = None
    status: Status = Field(AnswerStatus.ANSWERED, validate_default=True)
    note: Optional[str] = None
    evidence: Optional[str] = None
    by: Optional[str] = None
    at: Optional[str] = None

    @field_validator("at", mode="before")
    @classmethod
    def _stamp_text(cls, v):
        return None if v is None else str(v)

    def to_yaml(self) -> dict:
        return self.model_dump(exclude_none=True, exclude_defaults=False)


class SiteProfile(_Strict):
    name: str = Field(min_length=1, max_length=200)
    state: str = Field(pattern=STATE_CODE_PATTERN, description="Two-letter US state code, e.g. NC.")
    questionnaire: str = Field("lead-site-readiness", description="Questionnaire id, optionally @version.")
    questionnaire_file: Optional[str] = Field(None, description="A consultant questionnaire, relative to the site.")
    templates: Optional[str] = Field(None, description="A consultant template folder, relative to the site.")
    created: Optional[str] = None
    institutions: Optional[InstitutionOverrides] = Field(
        None, description="The site's own names for some institutions, winning over the state profile "
        "(e.g. prosecutor: County Attorney); the keys are those of a state profile's institutions.")

    def institution_overrides(self) -> dict[str, str]:
        return {} if self.institutions is None else self.institutions.model_dump(exclude_none=True)

    @field_validator("state", mode="before")
    @classmethod
    def _upper(cls, v):
        return v.strip().upper() if isinstance(v, str) else v

    @field_validator("created", mode="before")
    @classmethod
    def _created_text(cls, v):
        return None if v is None else str(v)

    @property
    def questionnaire_id(self) -> str:
        return self.questionnaire.split("@", 1)[0]

    @property
    def questionnaire_version(self) -> str | None:
        return self.questionnaire.split("@", 1)[1] if "@" in self.questionnaire else None


class AnswersFile(_Strict):
    answers: dict[str, Answer] = Field(default_factory=dict)
    questionnaire: Optional[str] = Field(None, description="id@version the answers were collected under.")
    unmapped: dict[str, Any] = Field(default_factory=dict, description="Answers to questions a newer "
                                     "questionnaire version no longer has; kept, not used.")


class RespondentFile(_Strict):
    name: str = Field(min_length=1, max_length=200)
    role: Optional[str] = None
    agency: Optional[str] = None
    date: Optional[str] = Field(None, description="The interview date, YYYY-MM-DD.")
    role_kind: Optional[str] = Field(None, description=(
        "The kind of respondent (a questionnaire respondent_roles id, e.g. union_representative): "
        "how the questions were worded for them."))
    answers: dict[str, Answer] = Field(default_factory=dict)
    unmapped: dict[str, Any] = Field(default_factory=dict, description="Answers kept from an older version.")

    @field_validator("date", mode="before")
    @classmethod
    def _date_text(cls, v):
        return None if v is None else str(v)


def slugify(text: str, fallback: str = "item") -> str:
    """A safe file-name stem: ASCII letters, digits and dashes only, never a path."""
    norm = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-zA-Z0-9]+", "-", norm).strip("-").lower()[:60].strip("-")
    return slug or fallback
