"""Shared pieces: the machine, percentiles, target lines, temp settings around a copy of corpus/."""

from __future__ import annotations

import os
import platform
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from yuqi.settings import ROOT, Settings, load_settings

USER_CACHE = load_settings().cache_dir


def machine() -> str:
    model = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = _meminfo_gb()
    return (f"date {time.strftime('%Y-%m-%d %H:%M:%S %Z')} · nproc {os.cpu_count()} · {model} · "
            f"RAM {mem} · Python {platform.python_version()} · {platform.system()} {platform.release()}")


def load_note() -> str:
    """Other work on a 2-core box skews every figure: say how busy it was."""
    one, five, _ = os.getloadavg()
    busy = one > 0.5 * (os.cpu_count() or 1)
    return f"load average {one:.2f} (1 min) / {five:.2f} (5 min)" + ("  ⚠ machine busy: figures are pessimistic" if busy else "")


def _meminfo_gb() -> str:
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        return f"{kb / 1024 ** 2:.1f} GB"
    except (OSError, ValueError, IndexError):
        return "?"


def pctl(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty list."""
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(q / 100 * len(s) + 0.5) - 1))]


def line(label: str, value: str, target: str = "", ok: bool | None = None) -> None:
    mark = "" if ok is None else ("  ✓" if ok else "  ✗ over target")
    tail = f"   (target {target}){mark}" if target else ""
    print(f"  {label:<46}{value:>16}{tail}", flush=True)


def vm_hwm_mb(pid: int | str = "self") -> float | None:
    """Peak resident set size of a live process, from /proc (Linux)."""
    try:
        for row in Path(f"/proc/{pid}/status").read_text().splitlines():
            if row.startswith("VmHWM:"):
                return int(row.split()[1]) / 1024
    except (OSError, ValueError):
        return None
    return None


def dir_size_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1024 ** 2


@dataclass
class Env:
    """Temp corpus copy, index, data and cache dirs; the model directory itself is shared."""

    base: Path
    settings: Settings

    def environ(self) -> dict[str, str]:
        s = self.settings
        return {**os.environ, "YUQI_CORPUS_DIR": str(s.corpus_dir), "YUQI_INDEX_DIR": str(s.index_dir),
                "YUQI_DATA_DIR": str(s.data_dir), "YUQI_CACHE_DIR": str(s.cache_dir), "HF_HUB_OFFLINE": "1"}


def make_env(base: Path, name: str, seed_cache: bool = False, corpus: Path | None = None) -> Env:
    """Fresh dirs under base/name. The embedding cache starts empty unless seed_cache copies the user's."""
    root = base / name
    cache = root / "cache"
    cache.mkdir(parents=True)
    models = USER_CACHE / "models"
    if models.is_dir():
        (cache / "models").symlink_to(models, target_is_directory=True)  # reuse the materialised model
    if seed_cache and (USER_CACHE / "embeddings.sqlite").is_file():
        shutil.copy2(USER_CACHE / "embeddings.sqlite", cache / "embeddings.sqlite")
    if corpus is None:
        corpus = root / "corpus"
        shutil.copytree(ROOT / "corpus", corpus, ignore=shutil.ignore_patterns("user"))
    settings = load_settings().with_(
        corpus_dir=corpus, index_dir=root / "index", data_dir=root / "data", cache_dir=cache,
        llm_api_key="", llm_base_url="", llm_model="",
    )
    return Env(root, settings)


def with_cache(env: Env, cache: Path, name: str) -> Env:
    """Same corpus, a new empty index dir, the given embedding cache dir."""
    root = env.base.parent / name
    s = env.settings.with_(index_dir=root / "index", data_dir=root / "data", cache_dir=cache)
    return Env(root, s)
