"""prompts/ sits at the top of the repository (the design's layout) and still ships inside a wheel."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT

from yuqi.answer.llm import prompt
from yuqi.promptfiles import prompts_dir


def test_the_checkout_reads_the_top_level_prompts():
    assert prompts_dir() == ROOT / "prompts"
    assert not (ROOT / "yuqi" / "prompts").exists()
    assert prompt("system.md") == (ROOT / "prompts" / "system.md").read_text(encoding="utf-8")


def test_an_installed_package_falls_back_to_its_package_data(tmp_path, monkeypatch):
    import yuqi.promptfiles as pf

    installed = tmp_path / "site" / "yuqi"
    (installed / "prompts").mkdir(parents=True)
    (installed / "prompts" / "system.md").write_text("系统提示", encoding="utf-8")
    monkeypatch.setattr(pf, "CANDIDATES", (tmp_path / "site" / "prompts", installed / "prompts"))
    assert pf.prompts_dir() == installed / "prompts"
    monkeypatch.setattr(pf, "CANDIDATES", (tmp_path / "nowhere",))
    with pytest.raises(FileNotFoundError, match="prompts/system.md"):
        pf.prompts_dir()


@pytest.mark.timeout(600)
def test_the_wheel_carries_the_prompts_as_package_data(tmp_path):
    out = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w",
                          str(tmp_path), str(ROOT)], capture_output=True, text=True, timeout=600)
    if out.returncode != 0:
        pytest.skip("pip wheel unavailable here: " + out.stderr[-300:])
    wheel = next(Path(tmp_path).glob("yuqi-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    shipped = {Path(n).name for n in names if n.startswith("yuqi/prompts/")}
    assert shipped == {p.name for p in (ROOT / "prompts").glob("*.md")}
    assert "yuqi/promptfiles.py" in names and "yuqi/answer/first_screen.json" in names
