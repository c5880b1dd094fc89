"""The AnswerService of a running process (API or Slack bot), loaded once and shared.

Loading takes a while (the embedding model, the ONNX question encoder, the keyword index), so
it happens in the background and channels answer "loading" meanwhile. A failed load (Chroma
server down, model mismatch) is retried on the next request, so the process recovers without
a restart once the index is back.
"""

from __future__ import annotations

import logging
import threading

from ingest.index.store import IndexUnavailable, ModelMismatch
from service.answering.service import AnswerService
from service.conversations.followups import Rewriter
from service.conversations.llm_rewriter import LLMFollowupRewriter
from service.settings import Settings

log = logging.getLogger("newsdesk.runtime")


class ServiceUnavailable(Exception):
    """The index cannot be opened (yet); ``detail`` says why, for the user."""

    def __init__(self, detail: str):
        super().__init__(detail)
        self.detail = detail


class ServiceHolder:
    """The AnswerService, loaded on first need, and the follow-up rewriter that goes with it."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.service: AnswerService | None = None
        self.error: str | None = None
        self.rewriter: Rewriter | None = None
        self._lock = threading.Lock()

    def load(self) -> None:
        with self._lock:
            if self.service is not None:
                return
            try:
                service = AnswerService.from_settings(self.settings)
            except (IndexUnavailable, ModelMismatch) as exc:
                self.error = str(exc)
                log.error("index unavailable: %s", exc)
                return
            service.warm()
            self.rewriter = self._llm_rewriter()
            self.service, self.error = service, None

    def load_in_background(self) -> None:
        """Start loading now, so the first question does not wait for the model."""
        threading.Thread(target=self.load, name="newsdesk-load", daemon=True).start()

    def get(self) -> AnswerService:
        """The service, loading it first if needed (blocking: call from a worker thread)."""
        if self.service is None:
            self.load()
        if self.service is None:
            raise ServiceUnavailable(self.error or "the index is still loading")
        return self.service

    def _llm_rewriter(self) -> Rewriter | None:
        """With an LLM answerer, follow-ups are rewritten by the same model; None: offline.

        An LLM that cannot be set up leaves the offline rewriter, as a failing one does.
        """
        try:
            return LLMFollowupRewriter.from_settings(self.settings)
        except Exception as exc:
            log.error("follow-ups will be rewritten offline: the LLM cannot be set up (%s)", exc)
            return None
