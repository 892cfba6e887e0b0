"""Questionnaire definitions: pydantic models, the YAML loader with located errors, and conditions."""
from readiness.questionnaire.models import Choice, Domain, Question, Questionnaire  # noqa: F401
