"""Prompt templates load by name, with a content hash that travels with every LLM answer."""

from __future__ import annotations

import pytest

from service.answering.prompts import PromptNotFound, load_prompt
from service.answering.reply_parsing import DECLINE_FORM

pytestmark = pytest.mark.unit


def test_prompts_load_by_name_with_a_stable_hash():
    prompt = load_prompt("answer")
    assert prompt.id.startswith("answer@") and len(prompt.id) == len("answer@") + 12
    assert load_prompt("answer").sha256 == prompt.sha256
    assert DECLINE_FORM not in prompt.system, "the decline form is filled in from code"
    system, user = prompt.messages(
        passages="P", question="Q", decline=DECLINE_FORM, max_sentences=5
    )
    assert system[0] == "system" and DECLINE_FORM in system[1]
    assert user[0] == "human" and "P" in user[1] and "<question>Q</question>" in user[1]
    assert load_prompt("condense_followup").name == "condense_followup"


def test_unknown_prompt_is_a_clear_error():
    with pytest.raises(PromptNotFound, match="no prompt named 'nope'"):
        load_prompt("nope")
