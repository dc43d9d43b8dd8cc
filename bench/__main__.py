"""`python -m bench [--quick] [--scale] [--api]`: figures for this machine, printed next to their targets.

Everything runs on temp copies: a copy of corpus/, a temp index, a temp embedding
cache (the materialised model directory is reused). Nothing in the repo or the
user's cache changes.
"""

from __future__ import annotations

import argparse
import signal
import sys
import tempfile
from pathlib import Path

from bench import app_start, ingest_bench, latency
from bench.common import Env, line, load_note, machine, make_env, vm_hwm_mb, with_cache

TARGETS = {"retrieval": 50.0, "analysis_retrieval": 80.0, "answer": 300.0, "cold": 180.0, "warm": 10.0, "rss": 2.5 * 1024,
           "scale_ingest": 20 * 60.0, "scale_retrieval": 80.0}


def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="skip the cold ingest and the app start-up")
    p.add_argument("--scale", action="store_true", help="also ingest every current law in laws.db (many minutes)")
    p.add_argument("--api", action="store_true",
                   help="only the HTTP API under 1, 8 and 32 concurrent clients, 1 and 2 workers (a few minutes)")
    p.add_argument("--api-seconds", type=float, default=15.0, help="seconds per client level with --api (default 15)")
    return p.parse_args(argv)


def ingest_lines(label: str, fig: ingest_bench.IngestFigures, target: float) -> None:
    line(f"{label}: total", f"{fig.seconds:.1f} s", f"≤ {target:.0f} s", fig.seconds <= target)
    line(f"{label}: rate", f"{fig.rate:.0f} chunks/s")
    line(f"{label}: size", f"{fig.docs} docs · {fig.chunks} chunks · {fig.embedded} embedded")


def retrieval_lines(ms: dict, target: float, suffix: str = "") -> None:
    for mode, r in ms.items():
        line(f"retrieval {mode}{suffix} p50 / p95", f"{r['p50']:.1f} / {r['p95']:.1f} ms",
             f"p50 ≤ {target:.0f} ms", r["p50"] <= target)


def default_ingest(tmp: Path, quick: bool):
    print("\n[ingest — default corpus]")
    if quick:
        env = make_env(tmp, "warm", seed_cache=True)  # the user's embedding cache, copied
        embedder, load_s = ingest_bench.load_embedder(env)
    else:
        cold = make_env(tmp, "cold")
        embedder, load_s = ingest_bench.load_embedder(cold)
        ingest_lines("cold ingest (empty embedding cache)", ingest_bench.timed_build(cold, embedder), TARGETS["cold"])
        env = with_cache(cold, cold.settings.cache_dir, "warm")
    line("model load (in-process)", f"{load_s:.1f} s")
    fig = ingest_bench.timed_build(env, embedder)
    ingest_lines("warm ingest (cache warm, new index)", fig, TARGETS["warm"])
    line("index size on disk", f"{fig.index_mb:.1f} MB")
    return env, embedder


def serving(env: Env, embedder) -> None:
    from yuqi.service import Service

    service = Service(env.settings, embedder)
    retriever = service.retriever()
    queries = latency.eval_queries()
    print(f"\n[latency — {len(queries)} eval queries, k=10, in-process]")
    retrieval_lines(latency.retrieval_ms(retriever, queries), TARGETS["retrieval"])
    ar = latency.analysis_retrieval_ms(service, queries)
    line("analysis + retrieval p50 / p95", f"{ar['p50']:.1f} / {ar['p95']:.1f} ms",
         f"p50 ≤ {TARGETS['analysis_retrieval']:.0f} ms", ar["p50"] <= TARGETS["analysis_retrieval"])
    a = latency.answer_ms(service, queries)
    line("offline answer (prepare + compose) p50 / p95", f"{a['p50']:.0f} / {a['p95']:.0f} ms",
         f"p50 ≤ {TARGETS['answer']:.0f} ms", a["p50"] <= TARGETS["answer"])
    e = latency.encode_ms(service, queries)
    ratio = a["p50"] / e["p50"] if e["p50"] else float("inf")
    line("one query encoding p50 / p95", f"{e['p50']:.1f} / {e['p95']:.1f} ms")
    line("offline answer ÷ one query encoding (p50, same run)", f"{ratio:.1f}×", "≤ 3×", ratio <= 3.0)
    line("model forward passes per offline answer (mean)", f"{a['passes']:.2f}")


def app_lines(env: Env) -> None:
    print("\n[app start-up — index already built, fresh processes]")
    s = app_start.script_first_answer(env)
    line("script: process start → first answer", f"{s['wall']:.1f} s")
    line("  imports / model (incl. torch) + index / answer", f"{s['import']:.1f} / {s['index']:.1f} / {s['answer']:.2f} s")
    line("  peak RSS (VmHWM)", f"{s['hwm_mb']:.0f} MB", f"≤ {TARGETS['rss']:.0f} MB", s["hwm_mb"] <= TARGETS["rss"])
    browser = app_start.browser_available()
    st = app_start.streamlit_first_answer(env, browser)
    line("streamlit: process start → /_stcore/health ok", f"{st['healthy']:.1f} s")
    if browser:
        line("streamlit+chromium: start → chat page ready", f"{st['page_ready']:.1f} s")
        line("streamlit+chromium: first answer shown", f"{st['first_answer']:.1f} s")
        line("streamlit+chromium: start → first answer", f"{st['total']:.1f} s")
    else:
        print("  (playwright or /usr/bin/chromium missing: no browser round trip)")
    hwm = st.get("hwm_mb")
    if hwm is not None:
        line("streamlit server peak RSS while serving", f"{hwm:.0f} MB", f"≤ {TARGETS['rss']:.0f} MB",
             hwm <= TARGETS["rss"])


def scale(tmp: Path, embedder) -> None:
    from yuqi.service import Service

    env, n_laws = ingest_bench.scale_env(tmp)
    print(f"\n[scale — {n_laws} current laws from laws.db + default articles, empty embedding cache]")
    fig = ingest_bench.timed_build(env, embedder)
    ingest_lines("scale ingest", fig, TARGETS["scale_ingest"])
    line("scale index size on disk", f"{fig.index_mb:.1f} MB")
    retriever = Service(env.settings, embedder).retriever()
    ms = latency.retrieval_ms(retriever, latency.eval_queries())
    retrieval_lines(ms, TARGETS["scale_retrieval"], " @scale")


def api(tmp: Path, seconds: float) -> int:
    from bench import api_bench

    env, embedder = default_ingest(tmp, quick=True)
    del embedder  # the servers load their own
    queries = latency.eval_queries()
    print(f"\n[HTTP API — POST /v1/ask from loopback, {len(queries)} eval queries in turn, {seconds:.0f} s per level,"
          " offline answers, rate limit off]")
    api_bench.run(env, queries, seconds, line)
    print("at end:", load_note())
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    # A stopped bench still removes its temp copies (the with-block below runs on SystemExit).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    print("yuqi bench —", machine(), flush=True)
    print("at start:", load_note(), flush=True)
    with tempfile.TemporaryDirectory(prefix="yuqi-bench-") as tmp:
        if args.api:
            return api(Path(tmp), args.api_seconds)
        env, embedder = default_ingest(Path(tmp), args.quick)
        serving(env, embedder)
        if not args.quick:
            app_lines(env)
        if args.scale:
            scale(Path(tmp), embedder)
        hwm = vm_hwm_mb()
        print()
        line("bench process peak RSS (ingest + queries)", f"{hwm:.0f} MB" if hwm else "?")
        print("at end:", load_note())
    return 0


if __name__ == "__main__":
    sys.exit(main())
