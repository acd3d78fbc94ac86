"""The jieba tokenizer's fingerprint must follow the user dictionary (Rasa's own ignores it)."""

from __future__ import annotations

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
    import jieba

    jieba.load_userdict("nlu_data/jieba/userdict.txt")
    tokens = jieba.lcut("我想申请临时救助和低保边缘家庭认定")
    assert "临时救助" in tokens
    assert "低保边缘家庭" in tokens
