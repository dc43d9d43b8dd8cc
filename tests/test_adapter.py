"""The query adapter: fitted on the tuning halves only, applied only in the app's mode, only to its model."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import small_index
from yuqi import adapter
from yuqi.adapter import ADAPTER_FILE, QueryAdapter
from yuqi.service import Service


def test_shipped_adapter_fits_the_default_model_with_one_unseen_map_per_half():
    from yuqi.settings import load_settings

    found = adapter.load(load_settings().embed_model, 384)
    assert found is not None, ADAPTER_FILE
    assert found.info["dev_sets"] == ["stard_dev"]  # questions only: see eval/tune_adapter.py
    assert set(found.unseen) == {"tune", "held-out"}
    for W in (found.W, *found.unseen.values()):
        assert 0 < np.linalg.norm(W) < 50  # fitted, and kept near the identity map
    assert not np.allclose(found.unseen["tune"], found.unseen["held-out"])


def test_a_dev_item_is_scored_with_the_map_fitted_without_its_half(tmp_path):
    from eval.runner import Item, half, unseen_adapter

    path = tmp_path / "a.npz"
    maps = {"tune": np.full((4, 4), 1.0, np.float32), "held-out": np.full((4, 4), 2.0, np.float32)}
    adapter.save(path, np.zeros((4, 4), np.float32), "m", {"dev_sets": ["stard_dev"]}, maps)
    served = adapter.load("m", 4, path)

    class R:
        adapter = served

    dev = Item(id="stard1", query="q", gold=[], set="stard_dev")
    own = Item(id="x1", query="q", gold=[], set="my_questions")
    assert np.allclose(unseen_adapter(R, dev).W, maps[half(dev)])
    assert unseen_adapter(R, own) is served


def test_another_model_or_size_gets_no_adapter(tmp_path):
    path = tmp_path / "a.npz"
    adapter.save(path, np.eye(8, dtype=np.float32), "model-a", {"trained_on": []})
    assert adapter.load("model-a", 8, path) is not None
    assert adapter.load("model-b", 8, path) is None
    assert adapter.load("model-a", 16, path) is None
    assert adapter.load("model-a", 8, tmp_path / "missing.npz") is None


def test_adapted_vectors_stay_unit_length_and_zero_map_is_identity():
    rng = np.random.default_rng(0)
    q = rng.normal(size=(3, 16)).astype(np.float32)
    q /= np.linalg.norm(q, axis=1, keepdims=True)
    assert np.allclose(QueryAdapter(np.zeros((16, 16), np.float32), "m", {})(q), q, atol=1e-6)
    out = QueryAdapter(rng.normal(size=(16, 16)).astype(np.float32), "m", {})(q)
    assert np.allclose(np.linalg.norm(out, axis=1), 1.0, atol=1e-5)


def test_fit_moves_questions_towards_their_gold_passage():
    from eval.tune_adapter import fit

    rng = np.random.default_rng(1)
    P = rng.normal(size=(200, 32)).astype(np.float32)
    P /= np.linalg.norm(P, axis=1, keepdims=True)
    # Each question sits near passage i but is shifted by one shared "register" direction,
    # the way lay wording sits away from the law's: a linear map can learn to undo it.
    shift = rng.normal(size=32).astype(np.float32)
    gold = list(range(0, 200, 2))
    # Shifted far enough that the gold passage is no longer first (mean rank about 5): with a small
    # shift the mean rank starts near 0.1 and the test only measured float noise between machines.
    Q = P[gold] + 2.0 * shift / np.linalg.norm(shift)
    Q /= np.linalg.norm(Q, axis=1, keepdims=True)

    def rank_of_gold(qs):
        return np.mean([(P @ q > P[g] @ q).sum() for q, g in zip(qs, gold)])

    before = rank_of_gold(Q)
    W = fit(Q, [[g] for g in gold], P, steps=60)
    assert before > 2 and rank_of_gold(QueryAdapter(W, "m", {})(Q)) < before / 5


def test_adapter_changes_the_apps_mode_only(tmp_path, fake_embedder):
    settings = small_index(tmp_path, fake_embedder)
    r = Service(settings, fake_embedder).retriever()
    assert r.adapter is None  # the shipped adapter is for e5, not the fake model
    q = "个人信息处理者不得公开其处理的个人信息"
    before = {m: [h.chunk.chunk_id for h in r.search(q, k=5, mode=m)] for m in ("dense", "hybrid", "hybrid+expansion")}
    # A map that sends every query to the opposite of where it was.
    r.adapter = QueryAdapter(-2.0 * np.eye(r.vectors.shape[1], dtype=np.float32), "fake", {})
    after = {m: [h.chunk.chunk_id for h in r.search(q, k=5, mode=m)] for m in before}
    assert after["dense"] == before["dense"] and after["hybrid"] == before["hybrid"]
    assert after["hybrid+expansion"] != before["hybrid+expansion"]
    # Hits still report the plain cosine: the decline threshold was set on it.
    plain = r.vectors @ r.encode(q)
    for h in r.search(q, k=5):
        assert h.dense == pytest.approx(float(plain[r.chunks.index(h.chunk)]), abs=1e-5)
