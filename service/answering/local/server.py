"""llama.cpp's OpenAI-compatible HTTP server for the local model: one per process, on loopback.

It starts on the first question rather than with the service, so a process that never asks an
LLM question never pays for it (assembly on first use ~7 s, load 4–8 s, ~1.9 GB resident). One
lock makes concurrent first questions wait for one load; afterwards llama.cpp's single slot
(``n_parallel = 1``) queues them. The server listens on 127.0.0.1 on a port the OS picks and
takes only a per-process random API key, so no other local program or web page can drive it.
A failure to start is kept and reported on every later question: fixing it (``make local``)
needs a restart anyway.
"""

from __future__ import annotations

import importlib.util
import logging
import secrets
import threading
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from service.answering.local.model_file import (
    FIX,
    PACKAGED,
    LocalModelUnavailable,
    is_verified,
    packaged_model,
    part_files,
)

log = logging.getLogger("newsdesk.local")

HOST = "127.0.0.1"


class LocalSpec(BaseModel, frozen=True):
    """Which model the server loads and how: one server per distinct spec in a process."""

    model_path: Path | None
    """A GGUF file of the user's; None: the packaged model, assembled into ``cache_dir``."""
    cache_dir: Path
    context_tokens: int
    threads: int

    @property
    def model_name(self) -> str:
        return self.model_path.stem if self.model_path else PACKAGED.name


class Endpoint(BaseModel, frozen=True):
    """Where a started server answers, for an OpenAI client."""

    base_url: str
    api_key: str
    model: str


def check_runtime() -> None:
    """Refuse at once, without loading anything, when the ``local`` extra is not installed."""
    if importlib.util.find_spec("xllamacpp") is None:
        raise LocalModelUnavailable(
            f"the local model's runtime (xllamacpp) is not installed: {FIX}"
        )


class LocalServer:
    def __init__(self, spec: LocalSpec):
        self.spec = spec
        self.error: str | None = None
        self._endpoint: Endpoint | None = None
        self._server: Any = None
        self._lock = threading.Lock()

    @property
    def started(self) -> bool:
        return self._endpoint is not None

    def start(self) -> Endpoint:
        """The running server's endpoint, loading the model first if this is the first call."""
        with self._lock:
            if self._endpoint is not None:
                return self._endpoint
            if self.error is not None:
                raise LocalModelUnavailable(self.error)
            try:
                self._endpoint = self._launch()
            except LocalModelUnavailable as exc:
                self.error = exc.reason
                raise
            return self._endpoint

    def check(self) -> None:
        """Refuse now what would make the first question fail: no runtime, no model to load.

        Cheap (package metadata and file sizes); the digest is checked when the server starts.
        """
        check_runtime()
        if self.spec.model_path is None:
            if not is_verified(self.spec.cache_dir / PACKAGED.filename, PACKAGED):
                part_files(PACKAGED)
        elif not self.spec.model_path.is_file():
            raise LocalModelUnavailable(self._no_file())

    def _launch(self) -> Endpoint:
        check_runtime()
        import xllamacpp

        path = self._model_file()
        key = secrets.token_urlsafe(24)
        params = xllamacpp.CommonParams()
        params.model.path = str(path)
        params.model_alias = {self.spec.model_name}
        params.n_ctx = self.spec.context_tokens
        params.n_parallel = 1
        params.cpuparams.n_threads = self.spec.threads
        params.cpuparams_batch.n_threads = self.spec.threads
        params.sampling.temp = 0.0
        params.sampling.top_k = 1
        params.warmup = False
        params.hostnames = [HOST]
        params.port = 0
        params.api_keys = [key]
        params.verbosity = 0
        log.info("loading the local model %s", path)
        try:
            self._server = xllamacpp.Server(params)
        except RuntimeError as exc:
            raise LocalModelUnavailable(
                f"llama.cpp could not load the local model {path} ({exc})"
            ) from exc
        address = self._server.listening_address
        log.info("local model %s serving on %s", self.spec.model_name, address)
        return Endpoint(base_url=f"{address}/v1", api_key=key, model=self.spec.model_name)

    def _model_file(self) -> Path:
        if self.spec.model_path is None:
            return packaged_model(self.spec.cache_dir)
        if not self.spec.model_path.is_file():
            raise LocalModelUnavailable(self._no_file())
        return self.spec.model_path

    def _no_file(self) -> str:
        return (
            f"the local model file {self.spec.model_path} does not exist; "
            "set NEWSDESK_ANSWERER=local:PATH.gguf to an existing GGUF file"
        )


_SERVERS: dict[LocalSpec, LocalServer] = {}
_REGISTRY = threading.Lock()


def server_for(spec: LocalSpec) -> LocalServer:
    """The process's server for ``spec``: every service and rewriter shares one model load."""
    with _REGISTRY:
        if spec not in _SERVERS:
            _SERVERS[spec] = LocalServer(spec)
        return _SERVERS[spec]
