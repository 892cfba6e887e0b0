"""pack.yaml: validation with file:line errors, and layering of template folders."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import FIXTURES
from readiness.documents.pack import load_pack
from readiness.errors import FileProblems, ReadinessError

PACK = FIXTURES / "pack"


def make_folder(tmp_path: Path, name: str, pack_yaml: str, templates: dict[str, str] | None = None) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    (folder / "pack.yaml").write_text(pack_yaml, encoding="utf-8")
    for rel, text in (templates or {}).items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_text(text, encoding="utf-8")
    return folder


def test_fixture_pack_loads():
    pack = load_pack([PACK])
    assert pack.ref == "test-pack@0.1.0"
    assert pack.ids == ["da_letter", "ssp_linkage", "partner_list"]
    assert pack.document("partner_list").formats == ("md",)
    assert pack.document("da_letter").formats == ("md", "docx")


def test_unknown_key_is_located_with_a_suggestion(tmp_path):
    folder = make_folder(tmp_path, "t", "id: p\nversion: 1.0.0\ntitle: P\ndocuments:\n"
                         "  - id: a\n    title: A\n    template: a.md.j2\n    audiance: DA\n", {"a.md.j2": "x"})
    with pytest.raises(FileProblems) as info:
        load_pack([folder])
    assert str(info.value).startswith(f"{folder / 'pack.yaml'}:8: documents[0].audiance: unknown key 'audiance'")
    assert "did you mean 'audience'?" in str(info.value)


def test_missing_template_duplicate_id_and_bad_condition_are_all_reported(tmp_path):
    folder = make_folder(tmp_path, "t", "id: p\nversion: 1.0.0\ntitle: P\ndocuments:\n"
                         "  - {id: a, title: A, template: letters/a.md.j2}\n"
                         "  - {id: a, title: A again, template: letters/a.md.j2}\n"
                         "  - {id: b, title: B, template: letters/b.md.j}\n"
                         "  - {id: c, title: C, template: letters/a.md.j2, when: 'has_gap('}\n",
                         {"letters/a.md.j2": "x", "letters/b.md.j2": "y"})
    with pytest.raises(FileProblems) as info:
        load_pack([folder])
    lines = [str(p) for p in info.value.problems]
    assert any(":6: " in p and "duplicate document id 'a'" in p for p in lines)
    assert any(":7: " in p and "template 'letters/b.md.j' not found" in p and "letters/b.md.j2" in p for p in lines)
    assert any(":8: " in p and "condition is not a valid expression" in p for p in lines)


def test_template_path_may_not_leave_the_folder(tmp_path):
    folder = make_folder(tmp_path, "t", "id: p\nversion: 1.0.0\ntitle: P\ndocuments:\n"
                         "  - {id: a, title: A, template: ../secret.md.j2}\n")
    with pytest.raises(FileProblems, match="inside the templates folder"):
        load_pack([folder])


def test_layering_consultant_over_base(tmp_path):
    base = make_folder(tmp_path, "base", "id: base\nversion: 1.0.0\ntitle: Base\ndocuments:\n"
                       "  - {id: mou, title: MOU, template: mou.md.j2}\n"
                       "  - {id: order, title: Order, template: order.md.j2}\n",
                       {"mou.md.j2": "base mou", "order.md.j2": "base order"})
    consultant = make_folder(tmp_path, "consultant", "id: acme\nversion: 2.0.0\ntitle: Acme\ndocuments:\n"
                             "  - {id: order, title: Acme Order, template: order.md.j2}\n"
                             "  - {id: extra, title: Extra, template: extra.md.j2}\n",
                             {"order.md.j2": "acme order", "extra.md.j2": "extra"})
    pack = load_pack([consultant, base])
    assert pack.ids == ["mou", "order", "extra"]
    assert pack.document("order").title == "Acme Order"
    assert pack.document("order").template_path == consultant / "order.md.j2"
    assert pack.document("mou").template_path == base / "mou.md.j2"
    assert pack.ref == "acme@2.0.0" and [layer.id for layer in pack.layers] == ["acme", "base"]


def test_standalone_pack_ignores_the_folders_after_it(tmp_path):
    other = make_folder(tmp_path, "other", "id: o\nversion: 1.0.0\ntitle: O\ndocuments:\n"
                        "  - {id: z, title: Z, template: z.md.j2}\n", {"z.md.j2": "z"})
    copy = tmp_path / "pack"
    shutil.copytree(PACK, copy)
    pack = load_pack([copy, other])
    assert "z" not in pack.ids and pack.folders == (copy,)


def test_missing_folder_and_missing_pack_file(tmp_path):
    with pytest.raises(ReadinessError, match="templates folder not found"):
        load_pack([tmp_path / "nope"])
    (tmp_path / "empty").mkdir()
    with pytest.raises(ReadinessError, match="no pack.yaml found"):
        load_pack([tmp_path / "empty"])


def test_bundled_pack_loads():
    from readiness import resources

    pack = load_pack([resources.templates_dir()])
    assert pack.documents and all(d.template_path.is_file() for d in pack.documents)
