"""lead-readiness: readiness assessment and draft documents for pre-arrest diversion programs."""

__version__ = "0.1.0"
