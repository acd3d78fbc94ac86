"""Temporary-relief (临时救助) pre-check: plain Python, independent of Rasa, driven by the county parameters.

Modules:
- ``model``: the answers a resident gives and the result the rules produce (dataclasses and enums).
- ``citations``: the documents and articles every criterion cites.
- ``rules``: ``evaluate(answers, params, today)`` and ``questions_for(answers)`` (which questions to skip).
- ``documents``: the document checklist tailored to the answers.
- ``flow``: the question texts, buttons and the parsers for each answer (used by the Rasa form).
- ``render``: the result as a plain Chinese message.
- ``store``: saving a result with the resident's consent, with a reference number for the township office.
"""
