"""Every reason a question is declined, in one place: each rule with the setting that switches
it off, what it checks and what the reader is told.

The answer service applies them in this order (``RULES``):

1. unknown outlet and 2. absent name, on the parsed question before any answerer runs;
3. weak named outlet and 4. weak evidence / wrong answer kind, on the evidence the extractive
   answerer measured (``Evidence``), before it quotes;
5. the LLM's own decline, on what the chat model wrote.

Every decline says what the index lacks rather than guessing. The two thresholds are
calibrated by ``python -m evals.decline_calibration``, which measures through this module.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from service.question.kinds import AnswerKind
from service.question.parsed import ParsedQuestion
from service.settings import AnsweringSettings


@dataclass(frozen=True)
class Rule:
    setting: str | None
    """The ``AnsweringSettings`` switch that turns the rule off (None: it cannot be)."""
    checks: str
    message: str


UNKNOWN_OUTLET = Rule(
    "decline_unknown_outlets",
    "The question credits an outlet as its source ('a Bloomberg article', 'reported by "
    "Reuters') that the index holds no article from.",
    "I could not find this in the indexed articles: none of them comes from {outlets}, "
    "which the question relies on.",
)
ABSENT_NAME = Rule(
    "decline_absent_names",
    "The question names someone or something (two or more capitalised words, not an outlet) "
    "that no indexed article mentions.",
    "I could not find this in the indexed articles: none of them mentions {names}.",
)
WEAK_OUTLET = Rule(
    "decline_weak_outlets",
    "The question names outlets the index holds, so its evidence counts the weakest one's "
    "closest chunk and is held to decline_outlet_threshold; this rule declines, naming that "
    "outlet, when the plain evidence would have cleared that threshold. Off: the plain "
    "evidence is held to decline_threshold.",
    "I could not find this in the indexed articles: no article from “{outlet}” comes close to "
    "what the question says about it.",
)
WEAK_EVIDENCE = Rule(
    "decline_weak_evidence",
    "Only sentences of the kind of answer asked for count (a name for 'who', a figure for "
    "'how many', a time for 'when'), and even the best scores under its threshold. Off: the "
    "best sentences are quoted however weak, whatever they hold.",
    "I could not find this in the indexed articles: no passage answers the question "
    "closely enough to quote.",
)
# A question asking who, when or how many is declined for lack of that, not of wording.
KIND_MESSAGES: dict[AnswerKind, str] = {
    "name": "I could not find this in the indexed articles: no passage names who or what the "
    "question asks about closely enough to quote.",
    "quantity": "I could not find this in the indexed articles: no passage gives the figure "
    "the question asks for closely enough to quote.",
    "time": "I could not find this in the indexed articles: no passage gives the time the "
    "question asks about closely enough to quote.",
}
LLM_DECLINE = Rule(
    None,
    "The chat model replies that the passages do not answer, or none of its quotes can be "
    "verified. No setting: it is the model's own judgement.",
    "I could not find this in the indexed articles: {reason}.",
)
RULES = (UNKNOWN_OUTLET, ABSENT_NAME, WEAK_OUTLET, WEAK_EVIDENCE, LLM_DECLINE)


@dataclass(frozen=True)
class Evidence:
    """How strongly the articles bear on the question (``ExtractiveAnswerer.evidence``)."""

    plain: float
    outlets: float | None = None
    """Counting the weakest named outlet's closest chunk; None when no outlet is named."""
    weakest_outlet: str | None = None


class Declines:
    """The rules as configured: which are on, and the thresholds they hold evidence to."""

    def __init__(self, settings: AnsweringSettings):
        self.settings = settings

    def with_thresholds(self, threshold: float, outlet_threshold: float) -> Declines:
        """The same rules at other thresholds (for calibration)."""
        return Declines(
            self.settings.model_copy(
                update={
                    "decline_threshold": threshold,
                    "decline_outlet_threshold": outlet_threshold,
                }
            )
        )

    def before_answering(
        self, parsed: ParsedQuestion, absent_names: Callable[[ParsedQuestion], list[str]]
    ) -> str | None:
        """Rules 1 and 2: an outlet the question relies on, or a name no article mentions
        (``absent_names`` looks them up, only when that rule is on)."""
        if self.settings.decline_unknown_outlets and parsed.unknown_outlets:
            return UNKNOWN_OUTLET.message.format(outlets=listed(parsed.unknown_outlets))
        if self.settings.decline_absent_names:
            absent = absent_names(parsed)
            if absent:
                return ABSENT_NAME.message.format(names=listed(absent))
        return None

    @property
    def kind_required(self) -> bool:
        """Whether only sentences of the kind of answer asked for may be quoted (rule 4)."""
        return self.settings.decline_weak_evidence

    def counts_outlets(self, evidence: Evidence) -> bool:
        """Whether the evidence is judged by the question's weakest named outlet (rule 3)."""
        return self.settings.decline_weak_outlets and evidence.outlets is not None

    def judged(self, evidence: Evidence) -> tuple[float, float]:
        """The score the evidence is judged by, and the threshold it must reach."""
        if self.counts_outlets(evidence):
            return evidence.outlets, self.settings.decline_outlet_threshold
        return evidence.plain, self.settings.decline_threshold

    def on_evidence(self, evidence: Evidence, kind: AnswerKind | None) -> str | None:
        """Rules 3 and 4 on the extractive answerer's evidence; None: quote the sentences."""
        score, threshold = self.judged(evidence)
        if score >= threshold:
            return None
        if self.counts_outlets(evidence) and evidence.plain >= threshold:
            return WEAK_OUTLET.message.format(outlet=evidence.weakest_outlet)
        return weak_evidence_message(kind) if self.settings.decline_weak_evidence else None


def weak_evidence_message(kind: AnswerKind | None) -> str:
    """Rule 4's message, also what the reader is told when no quote is left to show."""
    return KIND_MESSAGES[kind] if kind else WEAK_EVIDENCE.message


def llm_decline_message(reason: str | None) -> str:
    """Rule 5's message: why the model's answer is not shown."""
    return LLM_DECLINE.message.format(reason=reason or "no passage answers the question")


def listed(items: list[str], conjunction: str = "or") -> str:
    """“A”, “B” or “C”."""
    quoted = [f"“{item}”" for item in items]
    if len(quoted) == 1:
        return quoted[0]
    return f"{', '.join(quoted[:-1])} {conjunction} {quoted[-1]}"
