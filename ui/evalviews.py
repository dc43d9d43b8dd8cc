"""What the eval page shows, as plain data: saved runs, frames for the charts, failed items.

Pure functions over the files `python -m eval` writes (metrics.json +
results.jsonl in `data_dir/eval-runs/<timestamp>/`), plus `run_eval`, which
runs and saves an evaluation the same way the CLI does.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from yuqi.errors import YuqiError
from yuqi.settings import ROOT, Settings

RUNS = "eval-runs"
STAMP = "%Y%m%d-%H%M%S"  # the CLI's run directory names
MODE_ORDER = ("bm25", "dense", "hybrid", "hybrid+expansion", "hybrid+rerank")
METRICS = {"hit@5": "前5条命中率", "recall@10": "前10条找全率", "mrr@10": "第一条对的排位", "ndcg@10": "排序质量"}
# What each figure means, in plain words (the page shows these under the chart).
METRIC_HELP = {
    "前5条命中率": "前 5 条资料里至少有一条是该题的标准答案条文的题目比例",
    "前10条找全率": "标准答案条文有多少比例出现在前 10 条资料里",
    "第一条对的排位": "第一条正确资料排得越靠前越高：排第 1 记 1，排第 2 记 1/2，以此类推（行内称 MRR）",
    "排序质量": "正确资料整体排得越靠前越高，满分 1（行内称 nDCG）",
}
# The retrieval set-ups compared, named by what they do rather than by their code names.
MODE_NAMES = {"bm25": "只按关键词", "dense": "只按语义", "hybrid": "关键词+语义",
              "hybrid+expansion": "关键词+语义+补充词", "hybrid+rerank": "关键词+语义+重新排序"}
REASONS = {"retrieval": "检索未命中", "verdict": "结论错误", "threats": "威胁类型错误"}


class CorruptRun(YuqiError):
    pass


@dataclass(frozen=True)
class RunInfo:
    name: str  # the timestamped directory name
    path: Path
    metrics: dict


@dataclass
class Run:
    info: RunInfo
    results: list[dict] = field(default_factory=list)

    @property
    def metrics(self) -> dict:
        return self.info.metrics


def runs_dir(data_dir: Path) -> Path:
    return Path(data_dir) / RUNS


def _read_metrics(path: Path) -> dict:
    try:
        metrics = json.loads((path / "metrics.json").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CorruptRun(f"评测结果 {path.name} 已损坏，已跳过（metrics.json 无法读取：{exc}）") from None
    if not isinstance(metrics, dict) or not isinstance(metrics.get("retrieval"), dict):
        raise CorruptRun(f"评测结果 {path.name} 已损坏，已跳过（metrics.json 缺少检索指标）")
    if not (path / "results.jsonl").is_file():
        raise CorruptRun(f"评测结果 {path.name} 不完整，已跳过（缺少 results.jsonl）")
    return metrics


def list_runs(data_dir: Path) -> tuple[list[RunInfo], list[str]]:
    """Saved runs newest first, and one Chinese warning per directory that could not be read."""
    root = runs_dir(data_dir)
    if not root.is_dir():
        return [], []
    runs, problems = [], []
    for path in sorted((p for p in root.iterdir() if p.is_dir()), key=lambda p: p.name, reverse=True):
        try:
            runs.append(RunInfo(path.name, path, _read_metrics(path)))
        except CorruptRun as err:
            problems.append(str(err))
    return runs, problems


def load_run(info: RunInfo) -> Run:
    rows = []
    try:
        with open(info.path / "results.jsonl", encoding="utf-8") as fh:
            rows = [json.loads(line) for line in fh if line.strip()]
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CorruptRun(f"评测结果 {info.name} 已损坏（results.jsonl 无法读取：{exc}）") from None
    if not all(isinstance(r, dict) and "id" in r for r in rows):
        raise CorruptRun(f"评测结果 {info.name} 已损坏（results.jsonl 中有无法识别的行）")
    return Run(info, rows)


def run_label(info: RunInfo) -> str:
    m = info.metrics
    sets = "、".join(s.removesuffix(".jsonl") for s in m.get("sets", []))
    return f"{info.name} · {m.get('n_items', '?')} 条 · {sets}"


def _modes(metrics: dict) -> list[str]:
    found = list(metrics.get("retrieval", {}))
    return [m for m in MODE_ORDER if m in found] + [m for m in found if m not in MODE_ORDER]


def mode_label(mode: str, main: str | None) -> str:
    name = MODE_NAMES.get(mode, mode)
    return f"{name} ★" if mode == main else name


def retrieval_frame(metrics: dict) -> pd.DataFrame:
    """Long form for grouped bars: 配置 × 指标 → 数值, configurations in baseline order."""
    main = metrics.get("main_mode")
    rows = [
        {"配置": mode_label(mode, main), "指标": label, "数值": float(metrics["retrieval"][mode].get(key, 0.0))}
        for mode in _modes(metrics) for key, label in METRICS.items()
    ]
    return pd.DataFrame(rows, columns=["配置", "指标", "数值"])


def latency_frame(metrics: dict) -> pd.DataFrame:
    main = metrics.get("main_mode")
    rows = []
    for mode in _modes(metrics):
        lat = metrics["retrieval"][mode].get("latency") or {}
        rows.append({"配置": mode_label(mode, main), "一般耗时": lat.get("p50_ms"), "最慢的5%": lat.get("p95_ms")})
    return pd.DataFrame(rows, columns=["配置", "一般耗时", "最慢的5%"])


def threat_frame(metrics: dict, labels: dict[str, str] | None = None) -> pd.DataFrame:
    """Per threat type: 精确率 / 召回率 / F1 / 样本数; empty when the run has no threat scores."""
    cols = ["威胁类型", "精确率", "召回率", "F1", "样本数"]
    per_type = (metrics.get("threats") or {}).get("per_type") or {}
    labels = labels or {}
    rows = [
        {"威胁类型": labels.get(t, t), "精确率": s["precision"], "召回率": s["recall"], "F1": s["f1"], "样本数": s["support"]}
        for t, s in per_type.items()
    ]
    return pd.DataFrame(rows, columns=cols)


def confusion_frame(metrics: dict, labels: dict[str, str] | None = None) -> pd.DataFrame | None:
    """Rows = gold verdict, columns = predicted, both in the run's label order; None without verdicts."""
    v = metrics.get("verdict")
    if not v or not v.get("confusion"):
        return None
    conf = v["confusion"]
    order = list(v.get("labels") or conf)
    order += [p for row in conf.values() for p in row if p not in order]
    names = {k: (labels or {}).get(k, "无结论" if k == "none" else k) for k in order}
    data = [[int(conf.get(g, {}).get(p, 0)) for p in order] for g in order]
    return pd.DataFrame(data, index=[names[k] for k in order], columns=[names[k] for k in order])


def summary(metrics: dict) -> dict:
    """The headline figures; None for what the run did not measure (retrieval-only runs)."""
    c = metrics.get("citations") or {}
    total = c.get("total")
    valid = (1 - c.get("invalid", 0) / total) if total else None
    verdict, threats = metrics.get("verdict") or {}, metrics.get("threats") or {}
    main = metrics.get("retrieval", {}).get(metrics.get("main_mode"), {})
    return {
        "items": metrics.get("n_items"),
        "hit@5": main.get("hit@5"),
        "citation_valid": valid,
        "citations": total,
        "invalid": c.get("invalid"),
        "declined_share": (metrics.get("declined") or {}).get("share"),
        "declined_n": (metrics.get("declined") or {}).get("n"),
        "verdict_accuracy": verdict.get("accuracy"),
        "threat_f1": (threats.get("micro") or {}).get("f1"),
        "answer_p50": (metrics.get("answer_latency") or {}).get("p50_ms"),
        "answer_p95": (metrics.get("answer_latency") or {}).get("p95_ms"),
        "used_llm": bool(metrics.get("used_llm")),
    }


def failure_reasons(row: dict) -> list[str]:
    """Why an item counts as failed: missed in the top 5, wrong verdict, wrong threats.

    A gold verdict of "none" is stored as null, like an unlabelled item, so only
    items with a gold verdict can fail on it.
    """
    reasons = []
    if row.get("hit@5") is not None and row["hit@5"] == 0:
        reasons.append("retrieval")
    if row.get("gold_verdict") is not None and "verdict" in row and row["verdict"] != row["gold_verdict"]:
        reasons.append("verdict")
    if row.get("gold_threats") is not None and "threats" in row and set(row["threats"] or []) != set(row["gold_threats"]):
        reasons.append("threats")
    return reasons


def failures(results: list[dict]) -> list[dict]:
    return [{**r, "reasons": failure_reasons(r)} for r in results if failure_reasons(r)]


def failures_frame(failed: list[dict]) -> pd.DataFrame:
    rows = [
        {"编号": r["id"], "失败原因": "、".join(REASONS[x] for x in r["reasons"]), "评测集": r.get("set", ""),
         "问题": short(r.get("query", ""), 60)}
        for r in failed
    ]
    return pd.DataFrame(rows, columns=["编号", "失败原因", "评测集", "问题"])


def short(text: str, n: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def history_frame(runs: list[RunInfo]) -> pd.DataFrame:
    """One row per run, oldest first, with the main configuration's scores."""
    rows = []
    for info in reversed(runs):
        s = summary(info.metrics)
        main = info.metrics.get("retrieval", {}).get(info.metrics.get("main_mode"), {})
        rows.append({
            "运行": info.name, "评测集": "、".join(info.metrics.get("sets", [])), "条数": s["items"],
            "前5条命中率": s["hit@5"], "排序质量": main.get("ndcg@10"),
            "结论准确率": s["verdict_accuracy"], "威胁 F1": s["threat_f1"], "引用有效率": s["citation_valid"],
        })
    return pd.DataFrame(rows, columns=["运行", "评测集", "条数", "前5条命中率", "排序质量", "结论准确率", "威胁 F1", "引用有效率"])


def eval_sets() -> list[Path]:
    """The project's sets, as `python -m eval` runs them by default."""
    return sorted((ROOT / "eval").glob("*.jsonl"))


class RunAbandoned(YuqiError):
    """The page that started an eval run was closed: the run stops instead of going on unseen."""


class WhileOpen:
    """The app's service, for one eval run: each answer first asks whether the page is still open."""

    def __init__(self, service, still_open) -> None:
        self._service, self._still_open = service, still_open

    def __getattr__(self, name):
        return getattr(self._service, name)

    def retriever(self):
        if not self._still_open():
            raise RunAbandoned("评测页面已关闭，评测已停止，未保存结果。")
        return self._service.retriever()


def page_open() -> bool:
    """Is the browser tab that runs this script still connected?"""
    from streamlit.runtime import Runtime
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    if ctx is None or not Runtime.exists():
        return True  # not inside a served page (AppTest, the CLI): nothing can close
    return Runtime.instance().is_active_session(ctx.session_id)


def run_eval(settings: Settings, use_llm: bool = False, sets: list[Path] | None = None, service=None,
             still_open=None) -> Path:
    """Evaluate and save like the CLI (same timestamped directory); returns the run directory.
    With `still_open`, the run ends (RunAbandoned, nothing saved) once it returns False."""
    from eval.report import save_run
    from eval.run import evaluate

    if still_open is not None:
        inner = service
        service = lambda: WhileOpen(inner() if callable(inner) else inner, still_open)  # noqa: E731
    metrics, results = evaluate(sets or eval_sets(), settings, use_llm=use_llm, answers=True, service=service)
    out = runs_dir(settings.data_dir) / time.strftime(STAMP)
    save_run(out, metrics, results)
    return out
