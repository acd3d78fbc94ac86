"""Model fingerprint: changes with any training input (dictionary included), stable otherwise."""

from __future__ import annotations

import shutil

from bot.settings import PROJECT_ROOT
from bot.training import FINGERPRINT_INPUTS, model_fingerprint


def _copy_inputs(tmp_path):
    for rel in FINGERPRINT_INPUTS:
        src = PROJECT_ROOT / rel
        dst = tmp_path / rel
        if src.is_dir():
            shutil.copytree(src, dst, ignore=shutil.ignore_patterns("__pycache__"))
        elif src.exists():
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst)
    return tmp_path


def test_fingerprint_is_stable(tmp_path):
    root = _copy_inputs(tmp_path)
    assert model_fingerprint(root) == model_fingerprint(root)
    assert model_fingerprint(root) == model_fingerprint(PROJECT_ROOT)


def test_fingerprint_follows_the_jieba_dictionary(tmp_path):
    root = _copy_inputs(tmp_path)
    before = model_fingerprint(root)
    userdict = root / "nlu_data" / "jieba" / "userdict.txt"
    userdict.parent.mkdir(parents=True, exist_ok=True)
    with open(userdict, "a", encoding="utf-8") as fh:
        fh.write("新词条 10 n\n")
    assert model_fingerprint(root) != before


def test_fingerprint_follows_config_domain_and_data(tmp_path):
    root = _copy_inputs(tmp_path)
    seen = {model_fingerprint(root)}
    for rel in ("config.yml", "domain/core.yml", "nlu_data/rules/core.yml"):
        with open(root / rel, "a", encoding="utf-8") as fh:
            fh.write("\n# changed\n")
        seen.add(model_fingerprint(root))
    assert len(seen) == 4
