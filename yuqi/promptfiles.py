"""Where the prompt texts are: `prompts/` at the top of the repository (the design's layout), or,
in an installed wheel, the same files shipped as package data under yuqi/prompts/
(pyproject.toml maps the top-level folder onto that package)."""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent
CANDIDATES = (HERE.parent / "prompts", HERE / "prompts")


def prompts_dir() -> Path:
    """The first folder that holds the prompts: the checkout's, else the installed package's."""
    for folder in CANDIDATES:
        if (folder / "system.md").is_file():
            return folder
    raise FileNotFoundError("找不到提示词文件（prompts/system.md）：请检查安装是否完整")
