"""Template faults are located errors (file and line), and the sandbox holds."""
from __future__ import annotations

from pathlib import Path

import pytest

from readiness.documents.environment import SANDBOX_MESSAGE, make_environment, render_string, render_template
from readiness.errors import TemplateError
from test_render_context import variables


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def render_file(folder: Path, name: str, answers: dict | None = None) -> str:
    values, _ = variables(answers or {})
    return render_template(make_environment([folder]), name, values, [folder])


def test_undeclared_attribute_names_file_and_line(tmp_path):
    path = write(tmp_path, "mou/doc.md.j2", "# Title\n\nThe DA: {{ county.nmae }}\n")
    with pytest.raises(TemplateError) as info:
        render_file(tmp_path, "mou/doc.md.j2")
    assert info.value.message == f"{path}:3: 'county' has no attribute 'nmae'"
    assert info.value.hint == "did you mean 'name'?"


def test_undeclared_name_names_file_and_line(tmp_path):
    path = write(tmp_path, "doc.md.j2", "line one\n{% if countee.name %}x{% endif %}\n")
    with pytest.raises(TemplateError) as info:
        render_file(tmp_path, "doc.md.j2")
    assert info.value.message == f"{path}:2: 'countee' is undefined"
    assert info.value.hint == "did you mean 'county'?"


def test_error_in_a_partial_points_at_the_partial_and_its_caller(tmp_path):
    partial = write(tmp_path, "partials/p.md.j2", "ok\n{{ da.non_filing.nmae }}\n")
    doc = write(tmp_path, "doc.md.j2", "a\nb\n{% include 'partials/p.md.j2' %}\n")
    with pytest.raises(TemplateError) as info:
        render_file(tmp_path, "doc.md.j2")
    assert info.value.message.startswith(f"{partial}:2 (used from {doc}:3): 'da.non_filing' is one answer")


def test_syntax_error_names_file_and_line(tmp_path):
    path = write(tmp_path, "doc.md.j2", "one\ntwo\n{% if %}\n")
    with pytest.raises(TemplateError) as info:
        render_file(tmp_path, "doc.md.j2")
    assert info.value.message.startswith(f"{path}:3: ")


def test_missing_partial_is_reported(tmp_path):
    write(tmp_path, "doc.md.j2", "{% include 'partials/nope.md.j2' %}\n")
    with pytest.raises(TemplateError, match="template 'partials/nope.md.j2' not found"):
        render_file(tmp_path, "doc.md.j2")


def test_looping_over_a_single_answer_is_a_located_error(tmp_path):
    path = write(tmp_path, "doc.md.j2", "{% for c in county.name %}{{ c }}{% endfor %}")
    with pytest.raises(TemplateError) as info:
        render_file(tmp_path, "doc.md.j2", {"county_name": "Test"})
    assert info.value.message == f"{path}:1: 'county.name' is a single answer, not a list, so it cannot be looped over"


@pytest.mark.parametrize("payload", [
    "{{ ''.__class__.__mro__ }}",
    "{{ ().__class__.__base__.__subclasses__() }}",
    "{{ self.__init__.__globals__ }}",
    "{{ lipsum.__globals__ }}",
    "{{ cycler.__init__.__globals__.os }}",
    "{{ joiner.__init__.__globals__['__builtins__'] }}",
    "{{ county.name._value }}",
    "{{ '{0.__class__}'.format(county) }}",
    "{% set x = partners.value.append(1) %}",
])
def test_sandbox_payloads_are_refused_with_a_clear_message(payload):
    values, _ = variables({"county_name": "Test", "partners": [{"name": "A"}]})
    with pytest.raises(TemplateError) as info:
        render_string(make_environment([]), "first line\n" + payload, values)
    text = str(info.value)
    assert text.startswith("<template>:2: ")
    assert "sandbox" in text or "security" in text.lower() or "unsafe" in text


def test_sandbox_message_is_the_documented_one():
    values, _ = variables({})
    with pytest.raises(TemplateError) as info:
        render_string(make_environment([]), "{{ ''.__class__.__mro__ }}", values)
    assert info.value.message == f"<template>:1: {SANDBOX_MESSAGE}"


def test_huge_multiplication_is_refused():
    values, _ = variables({})
    with pytest.raises(TemplateError, match="sandbox"):
        render_string(make_environment([]), "{{ 'a' * 100000000 }}", values)
    with pytest.raises(TemplateError, match="sandbox"):
        render_string(make_environment([]), "{{ 10 ** 100000 }}", values)


def test_rendering_a_group_asks_for_one_of_its_facts():
    values, _ = variables({})
    with pytest.raises(TemplateError) as info:
        render_string(make_environment([]), "{{ da }}", values)
    assert "'da' is a group of facts" in info.value.message
    assert "da.non_filing" in info.value.hint
