"""The README's command reference and sample output are the real commands' (regenerated with cog)."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _cog_check(readme: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cogapp", "--check", "-I", str(ROOT / "tools"), str(readme)],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)


def test_readme_reference_matches_the_commands():
    done = _cog_check(ROOT / "README.md")
    assert done.returncode == 0, ("README.md is out of date with the commands: run `cog -r -I tools README.md`\n"
                                  + done.stdout + done.stderr)


def test_the_check_fails_when_an_option_is_missing_from_the_readme(tmp_path):
    """What happens when someone adds an option and forgets to regenerate: the README lacks it."""
    stale = tmp_path / "README.md"
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "[--templates DIR]" in text
    stale.write_text(text.replace("[--templates DIR]", "", 1), encoding="utf-8")
    done = _cog_check(stale)
    assert done.returncode != 0
    assert "changed" in (done.stdout + done.stderr).lower()
