"""`python -m eval [--set FILE.jsonl ...] [--out DIR] [--llm] [--compare A B]`.

Without --set it runs the project's sets (eval/*.jsonl). Every run is saved
under the data directory with a timestamp; --out writes the same two files
(metrics.json, results.jsonl) to DIR as well.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from yuqi.errors import YuqiError

HERE = Path(__file__).resolve().parent


def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m eval", description="retrieval, threat, verdict and citation metrics")
    p.add_argument("--set", dest="sets", action="append", type=Path, help="a JSONL eval set (repeatable); default eval/*.jsonl")
    p.add_argument("--out", type=Path, help="also write metrics.json and results.jsonl here")
    p.add_argument("--llm", action="store_true", help="answer with the configured LLM and judge faithfulness")
    p.add_argument("--no-answers", action="store_true", help="retrieval metrics only (faster)")
    p.add_argument("--keep-raw", action="store_true",
                   help="store queries and answers in clear (default: personal data masked, for your own sets only)")
    p.add_argument("--compare", nargs=2, type=Path, metavar=("A", "B"), help="compare two saved runs")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    from eval.report import compare, format_table, save_run

    try:
        if args.compare:
            print(compare(*[_run_dir(p) for p in args.compare]))
            return 0
        from eval.run import evaluate
        from yuqi.settings import get_settings

        sets = args.sets or sorted(HERE.glob("*.jsonl"))
        missing = [str(s) for s in sets if not s.is_file()]
        if missing:
            print(f"error: no such eval set: {', '.join(missing)}", file=sys.stderr)
            return 2
        settings = get_settings()
        # Everything that would fail after a long run is checked before it.
        if args.out:
            check_out_dir(args.out)
        if args.llm and not settings.llm_enabled:
            raise YuqiError(
                "--llm needs a configured LLM (set OPENAI_BASE_URL and YUQI_LLM_MODEL, or OPENAI_API_KEY); "
                "without --llm the offline answer is evaluated"
            )
        metrics, results = evaluate(sets, settings, use_llm=args.llm, answers=not args.no_answers)
    except YuqiError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(format_table(metrics))
    stamp = time.strftime("%Y%m%d-%H%M%S")
    run_dir = settings.data_dir / "eval-runs" / stamp
    try:
        save_run(run_dir, metrics, results, keep_raw=args.keep_raw)
        if args.out:
            save_run(args.out, metrics, results, keep_raw=args.keep_raw)
    except OSError as err:
        print(f"error: cannot save the run: {err.strerror or err} ({err.filename or run_dir})", file=sys.stderr)
        return 1
    print(f"\nsaved: {run_dir}" + (f" and {args.out}" if args.out else ""))
    return 0


def check_out_dir(out: Path) -> None:
    """--out must be a directory this run can write (created if missing)."""
    if out.exists() and not out.is_dir():
        raise YuqiError(f"--out {out} is a file, not a directory")
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / ".write-test"
        probe.write_text("", encoding="utf-8")
        probe.unlink()
    except OSError as exc:
        raise YuqiError(f"--out {out} is not writable ({exc.strerror or exc})") from None


def _run_dir(p: Path) -> Path:
    if (p / "metrics.json").exists():
        return p
    from yuqi.settings import get_settings

    cand = get_settings().data_dir / "eval-runs" / str(p)
    if (cand / "metrics.json").exists():
        return cand
    raise YuqiError(f"no saved run at {p}")


if __name__ == "__main__":
    sys.exit(main())
