"""`python -m yuqi.api [--host H] [--port P] [--workers N]` (also `yuqi serve`): the HTTP API on uvicorn."""

from __future__ import annotations

import argparse
import os
import sys

from yuqi.api.config import LOOPBACK, load_config


def parse(argv: list[str] | None):
    config = load_config()
    p = argparse.ArgumentParser(prog="yuqi serve", description=__doc__.splitlines()[0])
    p.add_argument("--host", default=config.host, help="listen address (default 127.0.0.1, loopback only; env YUQI_API_HOST)")
    p.add_argument("--port", type=int, default=config.port, help="port (default 8000; env YUQI_API_PORT)")
    p.add_argument("--workers", type=int, default=1, help="worker processes sharing one index on disk (default 1)")
    p.add_argument("--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"])
    return p.parse_args(argv)


def share_cores(workers: int) -> None:
    """Several workers split the cores between their model threads (each would take them all, and wait on
    the others); an explicit OMP_NUM_THREADS wins. The workers inherit this environment."""
    if workers > 1 and "OMP_NUM_THREADS" not in os.environ:
        os.environ["OMP_NUM_THREADS"] = str(max(1, (os.cpu_count() or 1) // workers))


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    if not 0 < args.port < 65536 or args.workers < 1:
        print("error: --port must be 1–65535 and --workers at least 1", file=sys.stderr)
        return 2
    if args.host not in LOOPBACK:
        print(f"注意：API 将在 {args.host} 上对外提供服务；请在前面加 HTTPS 反向代理（note: listening beyond loopback）",
              file=sys.stderr)
    share_cores(args.workers)
    import uvicorn

    uvicorn.run("yuqi.api.app:create_app", factory=True, host=args.host, port=args.port, workers=args.workers,
                log_level=args.log_level, access_log=False, timeout_keep_alive=5, timeout_graceful_shutdown=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
