"""Patterns the file formats share, and the plain advice shown when a value does not fit one."""
from __future__ import annotations

ID_PATTERN = r"^[a-z][a-z0-9_]*$"  # question, domain, choice, task and document ids
FACT_PATTERN = r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$"  # a fact name: ids joined by dots
FILE_ID_PATTERN = r"^[a-z][a-z0-9_-]*$"  # the id of a questionnaire or a template pack
VERSION_PATTERN = r"^\d+\.\d+\.\d+$"  # 1.2.0
STATE_CODE_PATTERN = r"^[A-Z]{2}$"  # NC

PATTERN_HINTS = {
    ID_PATTERN: "use lower_snake_case: small letters, digits and underscores, starting with a letter",
    STATE_CODE_PATTERN: "use the two-letter state code, such as NC",
    VERSION_PATTERN: "use three numbers such as 1.0.0",
}
