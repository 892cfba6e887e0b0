"""`load_model`: read a YAML file, validate it against a model, report every problem located.

Every file format goes through it, so every loader words the same damage the same way (file,
line, key path, what, how to fix) and reports all of a file's problems at once.
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional, TypeVar, Union

from pydantic import BaseModel, ValidationError

from readiness.errors import FileProblems, Problem
from readiness.files import Located, read_yaml
from readiness.kernel.problems import FieldsFor, validation_problems

M = TypeVar("M", bound=BaseModel)


def load_model(model: type[M], source: Union[Path, Located], what: str = "file", *,
               fields_for: Optional[FieldsFor] = None, not_a_mapping: Optional[str] = None,
               hint: Optional[str] = None) -> M:
    """`model` validated from `source`: a file's path (read with `read_yaml`, `what` naming it in
    messages) or YAML already read. Raises FileProblems listing every problem with file and line.

    `fields_for(key path)` names the keys allowed there, for "did you mean" on an unknown key;
    `not_a_mapping` is the message when the file is not a mapping at all (else pydantic's is used);
    `hint` is added to the whole report ("see the comments at the top of the file")."""
    located = source if isinstance(source, Located) else read_yaml(Path(source), what)
    if not_a_mapping is not None and not isinstance(located.data, dict):
        raise FileProblems([Problem(not_a_mapping, file=located.path, line=1)])
    try:
        return model.model_validate(located.data)
    except ValidationError as exc:
        validation_problems(exc, located, fields_for).raise_if_any(hint=hint)
        raise  # pragma: no cover - pydantic never raises without an error to report
