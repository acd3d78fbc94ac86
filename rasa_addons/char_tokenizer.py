"""A word-segmentation-free tokenizer, used only by the NLU baseline ``configs/baseline_no_jieba.yml``.

Chinese is written without spaces, so Rasa's WhitespaceTokenizer (which refuses ``language: zh``) would
yield one token per sentence chunk anyway. ``ChunkTokenizer`` does exactly that for any language: a token
is a maximal run of word characters (``\\w``: Han characters, letters, digits); whitespace and punctuation
separate tokens. With a ``CountVectorsFeaturizer`` using a character analyzer on top, the model sees
character n-grams only, which is the point of the baseline: it measures what jieba and the domain
dictionary add. Like the project's tokenizer it reads the normalised text (``bot.parsing.normalise``).
"""

from __future__ import annotations

import re
from typing import Any

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.parsing.normalise import normalise

_CHUNK = re.compile(r"\w+")


def chunk_spans(text: str) -> list[tuple[str, int]]:
    """Maximal runs of word characters with their start offsets; the whole text if there are none."""
    spans = [(m.group(0), m.start()) for m in _CHUNK.finditer(text)]
    if not spans and text.strip():
        stripped = text.strip()
        spans = [(stripped, text.index(stripped))]
    return spans


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class ChunkTokenizer(Tokenizer):
    """One token per run of word characters (no word segmentation)."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "intent_tokenization_flag": False,
            "intent_split_symbol": "_",
            "token_pattern": None,
            "prefix_separator_symbol": None,
        }

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> ChunkTokenizer:
        return cls(config)

    def tokenize(self, message: Message, attribute: str) -> list[Token]:
        text = message.get(attribute) or ""
        if attribute == TEXT:
            text = normalise(text)
        tokens = [Token(word, start) for word, start in chunk_spans(text)]
        return self._apply_token_pattern(tokens)
