"""A learned linear map on query vectors: how laypeople ask → where the law's wording sits.

e5-small places "没交物业费物业对我停水停电，合法吗？" far from the article that answers it,
because the article speaks a lawyer's register. `q' = normalise(q + q·W)`, with W fitted by
`python -m eval.tune_adapter` on the tuning halves of the real dev sets (softmax over every
passage in the index, the gold articles as targets), moves a question towards the articles
real questions like it were answered with. Passages are untouched, so the index, its
embedding cache and the cold ingest do not change.

What it learns is mostly *which* articles such questions need: on held-out questions whose
gold was seen in training it lifts dense recall@10 a lot; on questions whose gold never was,
it changes little (see the README's retrieval table). It only applies to the model it was
fitted on: any other embedding model gets the plain query vector.

The file holds the map the app serves (fitted on every dev item) and one map per half of the
dev sets, each fitted on the *other* half only: `python -m eval` scores a dev item with the map
that never saw it, so dev figures stay figures on unseen questions (cross-fitting).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

ADAPTER_FILE = Path(__file__).resolve().parent / "data" / "query_adapter.npz"


@dataclass(frozen=True)
class QueryAdapter:
    W: np.ndarray  # (dim, dim) float32
    model: str  # the embedding model name it was fitted for
    info: dict
    unseen: dict[str, np.ndarray] = field(default_factory=dict)  # dev half → the map fitted without it

    def for_unseen(self, dev_set: str, half: str) -> QueryAdapter:
        """The map to score an item of `dev_set` in `half` with: one that was not fitted on it."""
        if dev_set not in self.info.get("dev_sets", ()) or half not in self.unseen:
            return self
        return QueryAdapter(self.unseen[half], self.model, self.info)

    def __call__(self, vecs: np.ndarray) -> np.ndarray:
        vecs = np.asarray(vecs, dtype=np.float32)
        out = vecs + vecs @ self.W
        norm = np.linalg.norm(out, axis=-1, keepdims=True)
        return out / np.maximum(norm, 1e-12)


def save(path: Path, W: np.ndarray, model: str, info: dict, unseen: dict[str, np.ndarray] | None = None) -> None:
    tmp = path.with_name(path.name + ".tmp.npz")
    maps = {f"unseen:{half}": m.astype(np.float16) for half, m in (unseen or {}).items()}
    np.savez_compressed(tmp, W=W.astype(np.float16), model=np.array(model),
                        info=np.array(json.dumps(info, ensure_ascii=False)), **maps)
    tmp.replace(path)


@lru_cache(maxsize=4)
def load(model: str, dim: int, path: Path = ADAPTER_FILE) -> QueryAdapter | None:
    """The shipped adapter for this model, or None (other model, other size, or no file)."""
    if not path.is_file():
        return None
    with np.load(path, allow_pickle=False) as data:
        if str(data["model"]) != model or data["W"].shape != (dim, dim):
            return None
        unseen = {k.split(":", 1)[1]: data[k].astype(np.float32) for k in data.files if k.startswith("unseen:")}
        return QueryAdapter(data["W"].astype(np.float32), model, json.loads(str(data["info"])), unseen)
