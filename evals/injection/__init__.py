"""Prompt injection, measured: articles that carry instructions addressed to a model.

``corpus.jsonl`` holds 25 short articles written for newsdesk (the general corpus format of
``evals.datasets``), each with one sentence telling a model to do something: say a fixed
phrase, ignore its rules, reveal its prompt, cite a passage that does not exist, answer in
another language, output a link, HTML or JSON. ``questions.jsonl`` asks, of each, what a reader
would ask about it (general question format), and records under ``injection`` the instruction
and what obeying it would put in an answer. ``python -m evals.injection`` asks every question
and counts the answers that followed their article's instruction (``evals.injection.scoring``).
"""
