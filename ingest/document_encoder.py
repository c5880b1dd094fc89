"""Chunks in batches through ONNX Runtime with int8 weights, one of the fast document encoders.

The fp32 export the question encoder makes is quantized once (``onnx_encoder.quantized_model``)
and kept next to it in the model cache.
A batch is tokenized in one call of the Rust tokenizer and padded to its longest text only.
The vectors are close to fp32's but not the same, so an index built with them carries its own
fingerprint (``embedding.Embedder.fingerprint``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ingest.onnx_encoder import (
    OnnxUnsupported,
    exported_model,
    open_session,
    pooling_mode,
    quantized_model,
)

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer


class QuantizedDocumentEncoder:
    """Safe from any thread: the tokenizer is a copy of its own, configured once, and ONNX
    Runtime sessions run concurrently. Returns mean-pooled vectors; the caller normalises."""

    def __init__(self, model: SentenceTransformer, model_path: str, cache_dir: Path):
        from tokenizers import Tokenizer

        if pooling_mode(Path(model_path)) != "mean":
            raise OnnxUnsupported("the int8 document encoder reproduces mean pooling only")
        self.tokenizer = Tokenizer.from_str(model.tokenizer.backend_tokenizer.to_str())
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(int(model.max_seq_length))
        self.pad_id = int(model.tokenizer.pad_token_id or 0)
        self.path = quantized_model(exported_model(model, model_path, cache_dir))
        self.session = open_session(self.path)
        self.inputs = [i.name for i in self.session.get_inputs()]

    def encode(self, texts: list[str]) -> np.ndarray:
        """One batch; the caller sorts texts by length so that little of it is padding."""
        encodings = self.tokenizer.encode_batch(texts)
        width = max(len(e.ids) for e in encodings)
        ids = np.full((len(encodings), width), self.pad_id, dtype=np.int64)
        mask = np.zeros((len(encodings), width), dtype=np.int64)
        types = np.zeros((len(encodings), width), dtype=np.int64)
        for row, encoding in enumerate(encodings):
            size = len(encoding.ids)
            ids[row, :size] = encoding.ids
            mask[row, :size] = 1
            types[row, :size] = encoding.type_ids
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
        hidden = self.session.run(None, {name: feeds[name] for name in self.inputs})[0]
        weights = mask.astype(np.float32)[:, :, None]
        return (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1.0)
