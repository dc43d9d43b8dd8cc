"""`yuqi <command>`: one console script for everything a user or CI runs.

Each subcommand hands its remaining arguments to the module that owns it, so
`yuqi ingest add X` and `python -m ingest add X` are the same program.
"""

from __future__ import annotations

import runpy
import subprocess
import sys
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "app.py"
COMMANDS = {
    "ingest": ("ingest", "导入、列出、删除文档，重建索引（python -m ingest）"),
    "eval": ("eval", "运行评测集（python -m eval）"),
    "bench": ("bench", "速度与内存测量（python -m bench）"),
    "cite": ("yuqi.citations", "核验文本中的法条引用：标准输入 → 每条引用一行 JSON"),
    "app": ("", "启动网页（streamlit run app.py）"),
    "serve": ("yuqi.api", "启动 HTTP API（python -m yuqi.api；默认只监听 127.0.0.1:8000）"),
}


def usage() -> str:
    lines = ["usage: yuqi <command> [args…]", "", "commands:"]
    lines += [f"  {name:<8}{help_}" for name, (_, help_) in COMMANDS.items()]
    lines += ["", "`yuqi <command> --help` shows a command's own options."]
    return "\n".join(lines)


def run_app(args: list[str]) -> int:
    if not APP.is_file():
        print(f"error: {APP} not found: `yuqi app` runs from a source checkout", file=sys.stderr)
        return 2
    cmd = [sys.executable, "-m", "streamlit", "run", str(APP), "--server.headless", "true",
           "--browser.gatherUsageStats", "false", *args]
    return subprocess.call(cmd, cwd=APP.parent)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(usage())
        return 0
    name, rest = argv[0], argv[1:]
    if name not in COMMANDS:
        print(f"error: unknown command {name!r}\n\n{usage()}", file=sys.stderr)
        return 2
    if name == "app":
        return run_app(rest)
    module = COMMANDS[name][0]
    sys.argv = [f"yuqi {name}", *rest]
    try:
        runpy.run_module(module, run_name="__main__", alter_sys=True)
    except SystemExit as done:
        code = done.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
