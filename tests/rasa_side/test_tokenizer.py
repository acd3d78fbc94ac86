"""The jieba tokenizer's fingerprint must follow the user dictionary (Rasa's own ignores it)."""

from __future__ import annotations

import jieba
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message

from rasa_addons.tokenizer import FingerprintedJiebaTokenizer, dictionary_digest


def test_fingerprint_changes_when_only_the_dictionary_changes(tmp_path):
    (tmp_path / "userdict.txt").write_text("低保 100 n\n", encoding="utf-8")
    config = {**FingerprintedJiebaTokenizer.get_default_config(), "dictionary_path": str(tmp_path)}
    before = FingerprintedJiebaTokenizer.fingerprint_addon(config)
    (tmp_path / "userdict.txt").write_text("低保 100 n\n临时救助 100 n\n", encoding="utf-8")
    after = FingerprintedJiebaTokenizer.fingerprint_addon(config)
    assert before and after and before != after


def test_fingerprint_is_stable_and_none_without_dictionary(tmp_path):
    (tmp_path / "a.txt").write_text("特困供养 10 n\n", encoding="utf-8")
    assert dictionary_digest(str(tmp_path)) == dictionary_digest(str(tmp_path))
    assert dictionary_digest(None) is None
    assert dictionary_digest(str(tmp_path / "missing")) is None


def test_project_dictionary_splits_domain_words():
    jieba.load_userdict("nlu_data/jieba/userdict.txt")
    tokens = jieba.lcut("我想申请临时救助和低保边缘家庭认定")
    assert "临时救助" in tokens
    assert "低保边缘家庭" in tokens


def _tokens(text, tmp_path):
    tokenizer = FingerprintedJiebaTokenizer(
        {**FingerprintedJiebaTokenizer.get_default_config(), "dictionary_path": "nlu_data/jieba"},
        LocalModelStorage(tmp_path),
        Resource("jieba"),
    )
    return tokenizer.tokenize(Message(data={"text": text}), "text")


def test_tokens_come_from_the_normalised_text_with_original_offsets(tmp_path):
    traditional = _tokens("申請臨時救助", tmp_path)
    assert [t.text for t in traditional] == [t.text for t in _tokens("申请临时救助", tmp_path)]
    misspelt = _tokens("底保咋个申请", tmp_path)
    assert "低保" in [t.text for t in misspelt]
    text = "我家ＬＹ2023ls00123到哪了"
    for token in _tokens(text, tmp_path):
        assert len(text[token.start : token.end]) == len(token.text)
        assert token.end <= len(text)
