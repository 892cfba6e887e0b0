"""JSON Schemas of the file formats, generated from the pydantic models that validate them."""
from __future__ import annotations

import importlib

MODELS = {
    "questionnaire": ("readiness.questionnaire.models", "Questionnaire", "A lead-readiness questionnaire"),
    "site": ("readiness.workspace.models", "SiteProfile", "A lead-readiness site.yaml"),
    "answers": ("readiness.workspace.models", "AnswersFile", "A lead-readiness answers.yaml"),
    "respondent": ("readiness.workspace.models", "RespondentFile", "A lead-readiness respondents/<name>.yaml"),
    "pack": ("readiness.documents.pack", "PackFile", "A lead-readiness template pack.yaml"),
    "state": ("readiness.jurisdiction", "StateProfile", "A lead-readiness state profile"),
}


def _build_default_models(model: type, seen: set[type]) -> None:
    """Build the classes of defaults that are model instances made without validating
    (`model_construct`, as the state profile's sections are): pydantic writes each default into the
    schema through its class's serializer, which a deferred class has not built yet (pydantic 2.6
    then fails with "'MockValSer' object cannot be converted to 'SchemaSerializer'")."""
    for field in getattr(model, "model_fields", {}).values():
        default = field.default
        if hasattr(type(default), "model_rebuild") and type(default) not in seen:
            seen.add(type(default))
            type(default).model_rebuild(force=True)
            _build_default_models(type(default), seen)


def json_schema(kind: str) -> dict:
    module, name, title = MODELS[kind]
    model = getattr(importlib.import_module(module), name)
    _build_default_models(model, set())
    schema = model.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = title
    if kind == "questionnaire":
        # `extends` and `remove` are handled before validation (layering), so declare them here.
        schema["properties"]["extends"] = {"type": "string", "description": "Bundled questionnaire id or a "
                                           "path relative to this file, whose domains and questions this one changes."}
        schema["properties"]["remove"] = {"type": "object", "additionalProperties": False, "properties": {
            "domains": {"type": "array", "items": {"type": "string"}},
            "questions": {"type": "array", "items": {"type": "string"}}}}
        schema["required"] = [r for r in schema.get("required", []) if r not in ("domains", "questions")]
    return schema
