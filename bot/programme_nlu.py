"""NLU data derived from the programme registry (``bot.programmes``): the `programme` lookup table and the
programme words of the jieba user dictionary.

``scripts/sync_programmes.py`` writes them; ``tests/programmes`` fail when a file differs from what the registry
gives (``sync(write=False)``). Retrain after a change (``make train``): the lookup table is a feature and the
dictionary decides the tokens.
"""

from __future__ import annotations

from pathlib import Path

from bot.programmes import Programme, programmes
from bot.settings import PROJECT_ROOT

LOOKUP_FILE = Path("nlu_data/lookups/programme.yml")
USERDICT_FILE = Path("nlu_data/jieba/userdict.txt")

_LOOKUP_HEADER = """\
version: "3.1"

# GENERATED from the programme registry (bot/programmes.py) by scripts/sync_programmes.py: edit the registry, not
# this file. Names and aliases residents use for the programmes (the `programme` entity's values are the canonical
# names: {names}).

nlu:
- lookup: programme
  examples: |
"""


def lookup_table(entries: tuple[Programme, ...] | None = None) -> str:
    """The text of ``nlu_data/lookups/programme.yml``: every name and alias, in registry order."""
    entries = programmes() if entries is None else entries
    words = dict.fromkeys(word for p in entries for word in (p.name, *p.aliases))
    header = _LOOKUP_HEADER.format(names=" | ".join(p.name for p in entries))
    return header + "".join(f"    - {word}\n" for word in words)


def _dictionary_line(word: str, frequency: int) -> str:
    return f"{word} {frequency} n" if frequency else f"{word} 0"


def userdict(current: str, entries: tuple[Programme, ...] | None = None) -> str:
    """``current`` (the jieba user dictionary) with its programme words replaced by the registry's: they come
    first, in registry order; every other line is kept, in its order. A line belongs to the programmes when its
    word is a name or alias of one."""
    entries = programmes() if entries is None else entries
    owned = {word.lower() for p in entries for word in (p.name, *p.aliases)}
    block = [_dictionary_line(word, freq) for p in entries for word, freq in p.dictionary_words]
    others = [
        line
        for line in current.splitlines()
        if line.strip() and line.split()[0].lower() not in owned
    ]
    return "\n".join(block + others) + "\n"


def sync(root: Path = PROJECT_ROOT, *, write: bool = True) -> list[Path]:
    """Files (relative to ``root``) that differ from the registry; rewritten when ``write``."""
    changed: list[Path] = []
    lookup_path = root / LOOKUP_FILE
    dict_path = root / USERDICT_FILE
    current_lookup = lookup_path.read_text(encoding="utf-8") if lookup_path.is_file() else ""
    current_dict = dict_path.read_text(encoding="utf-8") if dict_path.is_file() else ""
    for relative, path, current, wanted in (
        (LOOKUP_FILE, lookup_path, current_lookup, lookup_table()),
        (USERDICT_FILE, dict_path, current_dict, userdict(current_dict)),
    ):
        if current != wanted:
            changed.append(relative)
            if write:
                path.write_text(wanted, encoding="utf-8")
    return changed
