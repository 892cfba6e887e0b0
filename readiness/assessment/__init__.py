"""Scores, stages, gates, gaps and respondent aggregation: pure functions of a questionnaire and answers."""
from readiness.assessment.model import Assessment  # noqa: F401
from readiness.assessment.scoring import assess, assess_site  # noqa: F401
