"""jieba tokenizer whose training fingerprint covers the user dictionary, over normalised text.

Rasa's JiebaTokenizer loads every file in ``dictionary_path`` but its cache key ignores their content, so
editing only the dictionary would not retrain. ``fingerprint_addon`` adds a hash of the files.

The message text is segmented after ``bot.parsing.normalise.normalise`` (simplified characters, usual
spellings of 低保/五保/临时救助…, lower case): 申請低保 and 底保 give the same tokens as 申请低保 and 低保.
Normalising keeps the length, so token offsets still point into the original text (regex features and
entity spans stay aligned).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.jieba_tokenizer import JiebaTokenizer
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.parsing.normalise import normalise


def dictionary_digest(path: str | None) -> str | None:
    """sha256 over the names and contents of every file in ``path`` (sorted), or None."""
    if not path:
        return None
    base = Path(path)
    if not base.is_dir():
        return None
    digest = hashlib.sha256()
    for file in sorted(p for p in base.iterdir() if p.is_file()):
        digest.update(file.name.encode())
        digest.update(b"\0")
        digest.update(file.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=True)
class FingerprintedJiebaTokenizer(JiebaTokenizer):
    """JiebaTokenizer over normalised text + dictionary content in the training fingerprint."""

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        return dictionary_digest(config.get("dictionary_path"))

    def tokenize(self, message: Message, attribute: str) -> list[Token]:
        import jieba

        text = message.get(attribute) or ""
        if attribute == TEXT:
            text = normalise(text)
        tokens = [Token(word, start) for word, start, _ in jieba.tokenize(text)]
        return self._apply_token_pattern(tokens)
