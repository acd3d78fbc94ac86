"""The no-jieba baseline's tokenizer (configs/baseline_no_jieba.yml)."""

from rasa.shared.nlu.training_data.message import Message

from rasa_addons.char_tokenizer import ChunkTokenizer, chunk_spans


def test_chunks_are_runs_of_word_characters():
    assert chunk_spans("低保每月多少钱？我家3口人") == [("低保每月多少钱", 0), ("我家3口人", 8)]
    assert chunk_spans("查 LY-2023-LS-00123 进度") == [
        ("查", 0),
        ("LY", 2),
        ("2023", 5),
        ("LS", 10),
        ("00123", 13),
        ("进度", 19),
    ]


def test_text_without_word_characters_is_one_token():
    assert chunk_spans(" 😀😀 ") == [("😀😀", 1)]
    assert chunk_spans("   ") == []


def test_tokenizer_offsets_point_into_the_text():
    tok = ChunkTokenizer(ChunkTokenizer.get_default_config())
    text = "你好，低保咋个申请"
    tokens = tok.tokenize(Message(data={"text": text}), "text")
    assert [(t.text, t.start, t.end) for t in tokens] == [("你好", 0, 2), ("低保咋个申请", 3, 9)]
    assert all(text[t.start : t.end] == t.text for t in tokens)
