"""Prompt templates from the ``prompts`` package, each identified by its name and content hash.

A prompt file has a ``## system`` and a ``## user`` section with ``{placeholders}``. The id
(``answer@3f2a9c1b04de``) travels with every answer an LLM writes, so a change to a prompt is
visible in stored answers and eval reports.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

_SECTION = re.compile(r"^## (system|user)[ \t]*$", re.MULTILINE)


class PromptNotFound(LookupError):
    pass


@dataclass(frozen=True)
class Prompt:
    name: str
    system: str
    user: str
    sha256: str

    @property
    def id(self) -> str:
        return f"{self.name}@{self.sha256[:12]}"

    def messages(self, **values: object) -> list[tuple[str, str]]:
        """(role, text) pairs as chat models accept them; values are inserted verbatim."""
        return [
            ("system", self.system.format_map(values)),
            ("human", self.user.format_map(values)),
        ]


@cache
def load_prompt(name: str) -> Prompt:
    resource = files("prompts").joinpath(f"{name}.txt")
    if not resource.is_file():
        raise PromptNotFound(f"no prompt named {name!r} in the prompts package")
    raw = resource.read_text(encoding="utf-8")
    parts = _SECTION.split(raw)
    sections = dict(zip(parts[1::2], (p.strip() for p in parts[2::2]), strict=True))
    if set(sections) != {"system", "user"}:
        raise ValueError(f"prompt {name!r} needs one '## system' and one '## user' section")
    return Prompt(
        name=name,
        system=sections["system"],
        user=sections["user"],
        sha256=hashlib.sha256(raw.encode("utf-8")).hexdigest(),
    )
