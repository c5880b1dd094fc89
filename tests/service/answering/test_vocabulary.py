"""One content-word reader, two vocabularies: each caller keeps the one it was calibrated with."""

import pytest

from service.answering.vocabulary import ANSWER_VOCABULARY, SUPPORT_VOCABULARY, content_words

pytestmark = pytest.mark.unit

TEXT = "The companies said their stories were about bosses and new studies"


def test_the_answerers_vocabulary_keeps_words_as_written():
    words = content_words(TEXT, ANSWER_VOCABULARY)
    assert words == {"companies", "said", "stories", "bosses", "new", "studies"}


def test_the_support_checks_vocabulary_drops_reporting_words_and_folds_plurals():
    assert content_words(TEXT, SUPPORT_VOCABULARY) == {"company", "story", "bosse", "study"}
