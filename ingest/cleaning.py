"""Text normalisation applied once, before an article exists: every offset is into its result.

Deliberately light: quotes must stay verbatim, so only line endings, invisible control
characters, trailing spaces and runs of blank lines are touched.
"""

from __future__ import annotations

import re
import unicodedata

_CONTROL = re.compile(r"[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u200b\u200e\u200f\ufeff]")
_TRAILING_SPACE = re.compile(r"[ \t]+\n")
_BLANK_RUNS = re.compile(r"\n{3,}")


def clean_text(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = unicodedata.normalize("NFC", text)
    text = _CONTROL.sub("", text)
    text = _TRAILING_SPACE.sub("\n", text)
    text = _BLANK_RUNS.sub("\n\n", text)
    return text.strip()


BOILERPLATE_LINE_CHARS = 220
"""A line longer than this is taken for article text, whatever it says."""
_BOILERPLATE = [
    re.compile(pattern, re.I)
    for pattern in (
        # Cookie and consent banners.
        r"^.*\bcookies?\b.*\b(accept|consent|polic(y|ies)|settings|preferences|reject|"
        r"manage|we use|this (web)?site uses|by continuing|by using)\b.*$",
        r"^.*\b(we use|this (web)?site uses|by (continuing|using)).*\bcookies?\b.*$",
        r"^(accept( all)?|reject( all)?|allow( all)?|manage) (cookies|consent|preferences)\W*$",
        # "Read more" and its kin, and links to other stories.
        r"^(read|see) (more|next|also)\b.{0,160}$",
        r"^(continue reading|read the full (story|article)|click here to read)\b.{0,160}$",
        r"^(more|related)( stories| articles| coverage)?\s*:.{0,160}$",
        # Sign-up, subscription and log-in prompts: to a newsletter or alerts, or a paywall's
        # "subscribe now" (a line telling how to open an account is the article's own).
        r"^(sign up|subscribe|register|join)\b.{0,120}\b(newsletters?|inbox|e-?mail "
        r"(updates|alerts)|updates|alerts|briefing)\b.*$",
        r"^subscribe (now|today|here|for free)\b.{0,120}$",
        r"^.{0,80}\bnewsletter\b.{0,80}\b(sign up|subscribe|inbox)\b.*$",
        r"^(already a (subscriber|member)|log ?in to|sign in to)\b.{0,160}$",
        # Advertising, sharing and site furniture.
        r"^(advertisement|sponsored( content)?|ad)(\s*[-–—:]\s*.{0,60})?$",
        r"^(share (this|on)|follow us on|skip to (main )?content)\b.{0,160}$",
    )
]


def is_boilerplate(line: str) -> bool:
    """A short line that is site furniture rather than the article: a cookie banner, a "read
    more" link, a sign-up or log-in prompt, an advertisement or share label."""
    text = line.strip()
    if not text or len(text) > BOILERPLATE_LINE_CHARS:
        return False
    return any(rule.match(text) for rule in _BOILERPLATE)


def strip_boilerplate(text: str) -> str:
    """``text`` (already cleaned) without its boilerplate lines; the rules are general, never
    one site's, and a line is dropped whole or kept verbatim, so quotes stay exact."""
    kept = [line for line in text.split("\n") if not is_boilerplate(line)]
    return _BLANK_RUNS.sub("\n\n", "\n".join(kept)).strip()
