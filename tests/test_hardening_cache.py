"""The per-user cache is untrusted input: every kind of entry (compiled templates, parsed YAML,
drawn charts) that is planted, truncated, a link, altered, a FIFO, renamed or not ours is ignored,
the result equals the uncached one, and the entry is rebuilt as a verified regular file. A key file
that is a link, shared, a FIFO or a folder never breaks the work (a new key, or caching off)."""
from __future__ import annotations

import datetime as dt
import io
import json
import marshal
import os
import pickle
import re
import shutil
import stat
import zipfile
from pathlib import Path

import pytest

from conftest import FIXTURES, invoke
from readiness import cache, charts, resources
from readiness.documents.build import build_site
from readiness.questionnaire import loader

PACK = FIXTURES / "pack"
TODAY = dt.date(2026, 11, 30)
DAMAGES = ["planted", "signed_planted", "truncated", "link", "altered", "fifo", "not_ours"]


def root() -> Path:
    return Path(os.environ["XDG_CACHE_HOME"]) / "lead-readiness"


def no_cache(monkeypatch):
    monkeypatch.setenv("LEAD_READINESS_NO_CACHE", "1")


def verified(entry: Path, limit: int = 50_000_000) -> bool:
    """The entry is a regular file (not a link) that verifies with the user's key."""
    return stat.S_ISREG(entry.lstat().st_mode) and cache.read_entry(entry, limit) is not None


def damage(entry: Path, how: str, outside: Path, forged: bytes, alter_at: int | None = None) -> None:
    """Damage a cache entry as `how` says; `forged` is the content an attacker wants used, `alter_at`
    the offset (in the file) of the byte to change."""
    raw = entry.read_bytes()
    if how == "planted":  # what a plain cache would have trusted: the content alone
        entry.write_bytes(forged)
    elif how == "signed_planted":  # our format, with a made-up keyed hash
        entry.write_bytes(cache.MAGIC + b"\x01" * 32 + forged)
    elif how == "truncated":
        entry.write_bytes(raw[: len(raw) // 2])
    elif how == "link":  # a link to a file outside the cache, holding the entry's own valid bytes
        outside.write_bytes(raw)
        entry.unlink()
        entry.symlink_to(outside)
    elif how == "altered":
        at = len(raw) - 1 if alter_at is None else alter_at
        entry.write_bytes(raw[:at] + bytes([raw[at] ^ 0x01]) + raw[at + 1:])
    elif how == "fifo":
        entry.unlink()
        os.mkfifo(entry)
    elif how == "not_ours":
        if os.getuid() != 0:
            pytest.skip("changing a file's owner needs root")
        os.chown(entry, 4242, 4242)
    else:  # pragma: no cover
        raise AssertionError(how)


def check_rebuilt(entry: Path, how: str, outside: Path, outside_before: bytes | None = None) -> None:
    assert verified(entry), f"{how}: the entry was not rewritten as a verified regular file"
    if how == "not_ours":
        assert entry.lstat().st_uid == os.getuid()
    if how == "link":
        assert outside.read_bytes() == outside_before, "the link's target was written through"


# ---------------------------------------------------------------- compiled templates


@pytest.fixture
def answered_site(mini_site: Path) -> Path:
    for args in (("county_name", "Test County"), ("da_non_filing", "verbal"), ("ssp_in_county", "no"),
                 ("partners", "[{name: Riverton Police Department, kind: police}]")):
        result = invoke("answer", mini_site, *args)
        assert result.exit_code == 0, result.output
    return mini_site


def build_text(site: Path) -> dict[str, str]:
    """Every drafted document's Markdown and DOCX text, with the version number taken out."""
    folder = build_site(site, templates_dir=PACK, today=TODAY).folder
    texts = {}
    for path in sorted(folder.iterdir()):
        if path.suffix == ".md":
            texts[path.name] = path.read_text()
        elif path.suffix == ".docx":
            with zipfile.ZipFile(path) as z:
                texts[path.name] = " ".join(re.findall(r"<w:t[^>]*>([^<]*)</w:t>", z.read("word/document.xml").decode()))
    return {name: re.sub(r"version \d+", "version N", text) for name, text in texts.items()}


def bytecode_entries() -> list[Path]:
    return sorted(root().glob("jinja-*/*.cache"))


def planted_bytecode(entry: Path, marker: Path) -> bytes:
    """Jinja bytecode for the entry's template (right magic, right source checksum) whose code writes
    `marker`: what a planted compiled-template file runs if it is trusted."""
    from jinja2.bccache import bc_magic

    content = cache.read_entry(entry, 50_000_000)
    assert content is not None and content.startswith(bc_magic)
    stream = io.BytesIO(content[len(bc_magic):])
    checksum = pickle.load(stream)
    code = compile(f"import pathlib\npathlib.Path({str(marker)!r}).write_text('ran')\n", "<planted>", "exec")
    return bc_magic + pickle.dumps(checksum, 2) + marshal.dumps(code)


@pytest.mark.parametrize("how", DAMAGES)
def test_a_damaged_compiled_template_is_ignored_and_rebuilt(answered_site, tmp_path, monkeypatch, how):
    monkeypatch.setenv("LEAD_READINESS_NO_CACHE", "1")
    expected = build_text(answered_site)
    monkeypatch.delenv("LEAD_READINESS_NO_CACHE")
    assert build_text(answered_site) == expected  # first cached build writes the entries
    entries = bytecode_entries()
    assert len(entries) >= 3
    marker = tmp_path / "planted-code-ran"
    outsides = {}
    for n, entry in enumerate(entries):
        outsides[entry] = tmp_path / f"outside-{n}.bin"
        damage(entry, how, outsides[entry], planted_bytecode(entry, marker), alter_at=len(cache.MAGIC) + 40)
    before = {e: outsides[e].read_bytes() if outsides[e].exists() else None for e in entries}
    assert build_text(answered_site) == expected
    assert not marker.exists(), "a planted compiled template ran"
    for entry in entries:
        check_rebuilt(entry, how, outsides[entry], before[entry])
    assert build_text(answered_site) == expected  # and the rebuilt entries serve the next build


def test_a_verified_compiled_template_is_used(answered_site, monkeypatch):
    """The cache still works: a second build loads every template from its verified entry."""
    from readiness.documents import environment

    build_text(answered_site)
    loaded = []
    original = environment._SignedBytecodeCache.load_bytecode

    def spy(self, bucket):
        original(self, bucket)
        loaded.append(bucket.code is not None)

    monkeypatch.setattr(environment._SignedBytecodeCache, "load_bytecode", spy)
    build_text(answered_site)
    assert loaded and all(loaded)


# ---------------------------------------------------------------- parsed YAML


def load_fresh():
    loader._load_cached.cache_clear()
    return loader.load_questionnaire(resources.bundled_questionnaire())


@pytest.fixture
def yaml_layer(monkeypatch):
    """The questionnaire loads through its parsed-YAML entry: the checked-questionnaire entries
    (questionnaire/checked.py, tests/test_questionnaire_checked.py) would skip the YAML altogether."""
    from readiness.questionnaire import checked

    monkeypatch.setattr(checked, "_entry_path", lambda path, content: None)


def yaml_entry() -> Path:
    entries = list((root() / "yaml").glob("*.json"))
    assert len(entries) == 1
    return entries[0]


@pytest.mark.parametrize("how", DAMAGES)
def test_a_damaged_parsed_questionnaire_is_ignored_and_rebuilt(tmp_path, monkeypatch, how, yaml_layer):
    monkeypatch.setenv("LEAD_READINESS_NO_CACHE", "1")
    expected = load_fresh()
    monkeypatch.delenv("LEAD_READINESS_NO_CACHE")
    assert load_fresh() == expected
    entry = yaml_entry()
    content = cache.read_entry(entry, 50_000_000)
    first_text = expected.questions[0].text
    encoded = json.dumps(first_text)[1:-1].encode()
    assert encoded in content
    forged = content.replace(encoded, b"Is the county planning to arrest everyone?", 1)
    alter_at = len(cache.MAGIC) + 32 + content.index(encoded)  # one byte of the first question's text
    outside = tmp_path / "outside.json"
    damage(entry, how, outside, forged, alter_at=alter_at)
    before = outside.read_bytes() if outside.exists() else None
    loaded = load_fresh()
    assert loaded == expected and loaded.questions[0].text == first_text
    check_rebuilt(entry, how, outside, before)
    assert load_fresh() == expected


def test_an_old_plain_json_entry_that_changes_a_question_is_ignored(monkeypatch, yaml_layer):
    """The entry format before signing: plain JSON a planted file could imitate exactly."""
    expected = load_fresh()
    entry = yaml_entry()
    stored = json.loads(cache.read_entry(entry, 50_000_000))
    stored["data"]["questions"][0]["text"] = "Planted question text"
    entry.write_text(json.dumps(stored))
    assert load_fresh().questions[0].text == expected.questions[0].text


# ---------------------------------------------------------------- charts

DOMAINS = [("Agreements", 50.0), ("Staffing", 80.0), ("Services", 20.0)]


def draw(out: Path, domains=DOMAINS) -> bytes:
    charts.radar_chart(domains, out, title="Cache test")
    return out.read_bytes()


def chart_entries() -> list[Path]:
    return sorted((root() / "charts").glob("*.chart"))


@pytest.mark.parametrize("how", DAMAGES)
def test_a_damaged_chart_is_ignored_and_rebuilt(tmp_path, monkeypatch, how):
    monkeypatch.setenv("LEAD_READINESS_NO_CACHE", "1")
    expected = draw(tmp_path / "uncached.png")
    other = draw(tmp_path / "other.png", [("Agreements", 5.0), ("Staffing", 5.0), ("Services", 5.0)])
    assert other != expected
    monkeypatch.delenv("LEAD_READINESS_NO_CACHE")
    assert draw(tmp_path / "first.png") == expected
    [entry] = chart_entries()
    outside = tmp_path / "outside.bin"
    damage(entry, how, outside, other, alter_at=len(cache.MAGIC) + 32 + 200)
    before = outside.read_bytes() if outside.exists() else None
    assert draw(tmp_path / "second.png") == expected
    check_rebuilt(entry, how, outside, before)
    assert draw(tmp_path / "third.png") == expected


def test_a_chart_entry_linked_to_any_file_never_copies_it_into_the_drafts(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_bytes(b"\x89PNG\r\n\x1a\n" + b"not for the drafts" * 100)
    expected = draw(tmp_path / "first.png")
    [entry] = chart_entries()
    entry.unlink()
    entry.symlink_to(secret)
    assert draw(tmp_path / "second.png") == expected
    assert secret.read_bytes().endswith(b"not for the drafts")
    assert not entry.is_symlink()


def test_a_valid_chart_entry_renamed_to_another_chart_is_ignored(tmp_path, monkeypatch):
    """The keyed hash covers the entry's name: chart A's genuine entry cannot stand in for chart B."""
    low = [("Agreements", 5.0), ("Staffing", 5.0), ("Services", 5.0)]
    monkeypatch.setenv("LEAD_READINESS_NO_CACHE", "1")
    expected_low = draw(tmp_path / "low-uncached.png", low)
    monkeypatch.delenv("LEAD_READINESS_NO_CACHE")
    draw(tmp_path / "a.png")
    [entry_a] = chart_entries()
    draw(tmp_path / "b.png", low)
    [entry_b] = [e for e in chart_entries() if e != entry_a]
    shutil.copyfile(entry_a, entry_b)
    assert draw(tmp_path / "b-again.png", low) == expected_low


def test_the_chart_cache_prunes_links_without_following_them(tmp_path, monkeypatch):
    monkeypatch.setattr(charts, "CACHE_KEEP", 1)
    target = tmp_path / "target.txt"
    target.write_text("keep me")
    draw(tmp_path / "a.png")
    folder = root() / "charts"
    (folder / "radar-dangling.chart").symlink_to(tmp_path / "missing")
    (folder / "radar-linked.chart").symlink_to(target)
    draw(tmp_path / "b.png", [("Agreements", 1.0), ("Staffing", 2.0), ("Services", 3.0)])
    assert len(chart_entries()) == 1 and target.read_text() == "keep me"


# ---------------------------------------------------------------- the key and the folders


def key_path() -> Path:
    return root() / cache.KEY_NAME


def test_the_key_is_private_random_and_made_once(tmp_path):
    draw(tmp_path / "a.png")
    st = key_path().lstat()
    assert stat.S_ISREG(st.st_mode) and stat.S_IMODE(st.st_mode) == 0o600 and st.st_size == cache.KEY_BYTES
    key = key_path().read_bytes()
    cache.forget_key()
    draw(tmp_path / "b.png")
    assert key_path().read_bytes() == key


@pytest.mark.parametrize("how", ["shared", "link", "fifo", "short", "not_ours"])
def test_a_bad_key_file_is_replaced_and_old_entries_rebuilt(tmp_path, how):
    expected = draw(tmp_path / "first.png")
    [entry] = chart_entries()
    old_key = key_path().read_bytes()
    outside = tmp_path / "outside-key"
    if how == "shared":
        key_path().chmod(0o644)
    elif how == "link":
        outside.write_bytes(old_key)
        key_path().unlink()
        key_path().symlink_to(outside)
    elif how == "fifo":
        key_path().unlink()
        os.mkfifo(key_path())
    elif how == "short":
        key_path().write_bytes(old_key[:7])
    elif how == "not_ours":
        if os.getuid() != 0:
            pytest.skip("changing a file's owner needs root")
        os.chown(key_path(), 4242, 4242)
    cache.forget_key()
    assert draw(tmp_path / "second.png") == expected
    st = key_path().lstat()
    assert stat.S_ISREG(st.st_mode) and stat.S_IMODE(st.st_mode) == 0o600 and st.st_uid == os.getuid()
    assert key_path().read_bytes() != old_key  # a key others could read or have planted is not kept
    assert verified(entry)  # the chart entry was re-signed with the new key
    if how == "link":
        assert outside.read_bytes() == old_key


def test_a_key_that_cannot_be_made_turns_caching_off_without_error(answered_site, tmp_path, monkeypatch):
    monkeypatch.setenv("LEAD_READINESS_NO_CACHE", "1")
    expected = build_text(answered_site)
    monkeypatch.delenv("LEAD_READINESS_NO_CACHE")
    shutil.rmtree(root(), ignore_errors=True)  # what setting up the site kept (its state profile) goes,
    cache._KEYS.clear()  # and with it the key this process read
    root().mkdir(parents=True, mode=0o700)
    key_path().mkdir()  # a folder where the key should be: it cannot be replaced
    assert cache.user_cache_dir("charts") is None
    assert build_text(answered_site) == expected
    assert draw(tmp_path / "a.png") == draw(tmp_path / "b.png")
    assert not bytecode_entries() and not list(root().glob("*/*.chart"))


def test_a_cache_folder_that_is_a_link_is_not_used(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir(mode=0o700)
    root().mkdir(parents=True, mode=0o700)
    (root() / "charts").symlink_to(elsewhere)
    assert cache.user_cache_dir("charts") is None
    first = draw(tmp_path / "a.png")
    assert draw(tmp_path / "b.png") == first
    assert list(elsewhere.iterdir()) == []


def test_a_folder_writable_by_others_is_not_used(tmp_path):
    root().mkdir(parents=True, mode=0o700)
    (root() / "charts").mkdir(mode=0o700)
    (root() / "charts").chmod(0o777)
    assert cache.user_cache_dir("charts") is None
    draw(tmp_path / "a.png")
    assert list((root() / "charts").iterdir()) == []


def test_a_genuine_entry_copied_into_another_cache_folder_does_not_verify(tmp_path):
    """The keyed hash covers the folder too: a compiled template from another Jinja or Python
    version's folder, or a chart entry moved among the parsed YAML, is not taken for one of its own."""
    draw(tmp_path / "a.png")
    [entry] = chart_entries()
    other = cache.user_cache_dir("jinja-other-version")
    copied = other / entry.name
    shutil.copyfile(entry, copied)
    assert cache.read_entry(entry, 50_000_000) is not None
    assert cache.read_entry(copied, 50_000_000) is None
