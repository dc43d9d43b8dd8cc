"""Run `python -m ingest ...` but stop inside `write_build` so a test can SIGKILL it there.

    python tests/ingest_killer.py tmp|renamed <ingest args...>

`tmp`: after the temp build dir is fully written, before it is renamed.
`renamed`: after the rename, before `index/current` is pointed at it.
`live`: after the new build is live, before the corpus journal is dropped.
With YUQI_TEST_FAKE_EMBEDDER=1 the deterministic fake embedder stands in for the model.
Prints KILL-ME (flushed) and sleeps; never returns on its own within a test.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from yuqi import index as ix  # noqa: E402


def _pause(original):
    def wrapper(*args, **kwargs):
        result = original(*args, **kwargs)
        print("KILL-ME", flush=True)
        time.sleep(600)
        return result

    return wrapper


def _pause_before(original):
    def wrapper(*args, **kwargs):
        print("KILL-ME", flush=True)
        time.sleep(600)
        return original(*args, **kwargs)

    return wrapper


if __name__ == "__main__":
    stage, argv = sys.argv[1], sys.argv[2:]
    if stage == "tmp":
        ix._fsync_dir = _pause(ix._fsync_dir)
    elif stage == "renamed":
        ix._point_current = _pause_before(ix._point_current)
    elif stage == "live":
        from ingest import staging

        staging.Journal.commit = _pause_before(staging.Journal.commit)
    else:
        raise SystemExit(f"unknown stage {stage!r}")
    if os.environ.get("YUQI_TEST_FAKE_EMBEDDER") == "1":
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from fake_embed import patch

        patch()
    from ingest.__main__ import main

    sys.exit(main(argv))
