"""The `yuqi` console script: subcommands listed, unknown ones refused, arguments passed through."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from conftest import ROOT


def yuqi(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONIOENCODING="utf-8", PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "yuqi.cli", *args], cwd=ROOT, env=env, input=stdin,
                          capture_output=True, text=True, encoding="utf-8", timeout=120)


def test_help_lists_every_subcommand():
    res = yuqi("--help")
    assert res.returncode == 0
    for name in ("ingest", "eval", "bench", "cite", "app"):
        assert f"  {name} " in res.stdout


def test_unknown_command_is_refused_with_usage():
    res = yuqi("frobnicate")
    assert res.returncode == 2
    assert "unknown command" in res.stderr and "Traceback" not in res.stderr


def test_subcommand_help_comes_from_the_owning_module():
    res = yuqi("ingest", "--help")
    assert res.returncode == 0
    assert "build" in res.stdout and "remove" in res.stdout


def test_cite_reads_stdin_and_prints_one_json_object_per_citation():
    res = yuqi("cite", stdin="依据《中华人民共和国刑法》第二百六十六条和《治安管理处罚法》第四十二条。")
    assert res.returncode == 0, res.stderr
    rows = [json.loads(line) for line in res.stdout.splitlines() if line.strip()]
    assert len(rows) == 2
    assert {"raw", "ref", "status", "current_ref"} <= set(rows[0])
    assert rows[0]["ref"] == "中华人民共和国刑法#第二百六十六条" and rows[0]["status"] == "verified"
