"""The per-user parse cache: same result as parsing, keyed by content, damage and opt-out respected."""
from pathlib import Path

import pytest

from readiness import resources
from readiness.files import read_yaml


@pytest.fixture
def cache_home(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("LEAD_READINESS_NO_CACHE", raising=False)
    return tmp_path / "cache" / "lead-readiness" / "yaml"


def test_a_cached_parse_equals_a_fresh_one(cache_home):
    path = resources.bundled_questionnaire()
    first = read_yaml(path)
    entries = list(cache_home.glob("*.json"))
    assert len(entries) == 1
    second = read_yaml(path)
    assert second.data == first.data and second.lines == first.lines


def test_a_changed_file_is_parsed_again(cache_home, tmp_path):
    copy = tmp_path / "q.yaml"
    text = resources.bundled_questionnaire().read_text()
    copy.write_text(text)
    read_yaml(copy)
    copy.write_text(text.replace("title: LEAD / pre-arrest diversion site readiness", "title: Changed title", 1))
    assert read_yaml(copy).data["title"] == "Changed title"


def test_a_damaged_entry_is_ignored(cache_home):
    path = resources.bundled_questionnaire()
    expected = read_yaml(path).data
    for entry in cache_home.glob("*.json"):
        entry.write_text("{not json")
    assert read_yaml(path).data == expected


def test_caching_can_be_turned_off(cache_home, monkeypatch):
    monkeypatch.setenv("LEAD_READINESS_NO_CACHE", "1")
    read_yaml(resources.bundled_questionnaire())
    assert not cache_home.exists() or not list(cache_home.glob("*.json"))


def test_small_files_are_not_cached(cache_home, tmp_path):
    small = tmp_path / "small.yaml"
    small.write_text("a: 1\n")
    read_yaml(small)
    assert not cache_home.exists() or not list(cache_home.glob("*.json"))
