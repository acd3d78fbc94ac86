"""Stdlib-only parsers, validators and normalisers for what users type (imported by both virtualenvs).

Modules: ``amounts``, ``identity``, ``case_numbers``, ``phones``, ``towns``, ``household``, ``dates``,
``programmes`` and ``entities`` (all extractors together, as used by the Rasa entity extractor).
Only ``bot.errors`` may be imported from the rest of the project.
"""
