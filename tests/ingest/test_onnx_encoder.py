import json
import logging
import shutil

import numpy as np
import pytest

from ingest.embedding import Embedder
from ingest.onnx_encoder import OnnxEncoder, OnnxUnsupported

pytestmark = pytest.mark.integration

QUESTIONS = [
    "Kursk",
    "Did TechCrunch and The Verge both report that Google pays to stay the default search?",
    "What did the article say about the 12-11 score? " * 40,  # beyond 256 tokens: truncated
]


def test_questions_get_the_same_vectors_as_torch(embedder, tmp_path):
    encoder = OnnxEncoder(embedder.model, embedder.path, tmp_path)
    torch_vectors = embedder.embed(QUESTIONS)
    onnx_vectors = np.stack([encoder.encode(q) for q in QUESTIONS])
    assert onnx_vectors.shape == torch_vectors.shape
    assert np.allclose(onnx_vectors, torch_vectors, atol=1e-5)
    assert np.allclose(np.linalg.norm(onnx_vectors, axis=1), 1.0, atol=1e-5)


def test_int8_questions_are_close_to_torch_but_their_own_model(embedder, tmp_path):
    encoder = OnnxEncoder(embedder.model, embedder.path, tmp_path, int8=True)
    int8_vectors = np.stack([encoder.encode(q) for q in QUESTIONS])
    cosines = np.sum(int8_vectors * embedder.embed(QUESTIONS), axis=1)
    assert encoder.path.name == "model-int8-per-channel.onnx"
    assert np.all(cosines > 0.98) and not np.allclose(cosines, 1.0, atol=1e-5)


def test_the_export_is_made_once_and_reused(embedder, tmp_path):
    first = OnnxEncoder(embedder.model, embedder.path, tmp_path)
    exported = first.path.stat().st_mtime_ns
    second = OnnxEncoder(embedder.model, embedder.path, tmp_path)
    assert second.path == first.path and second.path.stat().st_mtime_ns == exported
    assert [p.name for p in first.path.parent.iterdir()] == ["model.onnx"]  # no temp left


def test_a_model_onnx_cannot_reproduce_stays_on_torch(embedder, tmp_path, caplog):
    folder = tmp_path / "max-pooled"
    shutil.copytree(embedder.path, folder)
    pooling = folder / "1_Pooling" / "config.json"
    config = json.loads(pooling.read_text())
    config.update(pooling_mode_mean_tokens=False, pooling_mode_max_tokens=True)
    pooling.write_text(json.dumps(config))

    other = Embedder(str(folder), question_encoder="onnx", cache_dir=tmp_path / "cache")
    with caplog.at_level(logging.WARNING, logger="ingest.embedding"):
        vector = other.embed_query(QUESTIONS[1])
    assert other.onnx_encoder is None
    assert "embedded with torch" in caplog.text and "pooling" in caplog.text
    assert np.allclose(vector, other.embed([QUESTIONS[1]])[0], atol=1e-6)
    assert not (tmp_path / "cache").exists()


def test_unsupported_modules_are_named(embedder, tmp_path):
    folder = tmp_path / "with-dense"
    shutil.copytree(embedder.path, folder)
    modules = json.loads((folder / "modules.json").read_text())
    modules.append({"idx": 3, "name": "3", "path": "3_Dense", "type": "x.models.Dense"})
    (folder / "modules.json").write_text(json.dumps(modules))
    with pytest.raises(OnnxUnsupported, match="Dense"):
        OnnxEncoder(embedder.model, str(folder), tmp_path / "cache")
