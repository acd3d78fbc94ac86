"""A made-up programme (测试救助) in a temporary registry, with its topic file in a temporary knowledge directory.

``with_programme(programme)`` registers it for one test: the registry's own caches are cleared by
``bot.programmes.temporary``; the policy knowledge cache is cleared here on entry and exit, and the knowledge
directory (``bot.policy.knowledge.DATA_DIR``) points at a copy of the real one plus ``topics/test_relief.yml``.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from bot import programmes
from bot.policy import knowledge
from bot.programmes import Programme

TEST_RELIEF = Programme(
    key="test_relief",
    name="测试救助",
    full_name="测试救助（演示项目）",
    english="test relief",
    aliases=("测救", "测试救助金"),
    search_words=("测试",),
    home_topic="test_relief",
    case_code="CS",
    decided_by="县测试局",  # another department decides it: the general 民政 topics do not apply
    menu_label="测试救助",
    menus=(("main", 0), ("help", 1), ("policy", 0)),
    dictionary=(("测试救助", 4000), ("测救", 3000)),
)

TOPIC_FILE = """\
# 测试救助: a made-up programme for tests
topics:
  - key: test_relief
    intent: ask_dibao_eligibility
    title: 测试救助是什么、谁能申请
    programme: 测试救助
    family: eligibility
    keywords: [测试救助, 测救]
    resident:
      short: 测试救助由县测试局负责，帮助测试中遇到困难的家庭。
      detail: 申请人向户籍所在地的镇（街道）提出，县测试局审核决定。
    script:
      opening: 您好，我跟您说一下测试救助。
      key_points: [县测试局审核决定。]
      questions_to_ask: [您家里遇到了什么困难？]
      where_to_send: 户籍所在地镇（街道）。
      closing: 还有不清楚的可以再问我。
    citations:
      - {doc: sa_measures, article: 第二条, effective_from: 2014-05-01}
  - key: test_relief_apply
    intent: ask_dibao_apply
    title: 怎么申请测试救助
    programme: 测试救助
    family: [apply, timeline]
    keywords: [申请测试救助]
    resident:
      short: 测试救助向镇（街道）书面申请，县测试局决定。
      detail: 带上身份证和户口簿。
    script:
      opening: 您好，我跟您说一下怎么申请测试救助。
      key_points: [书面申请。]
      questions_to_ask: [您的户籍在哪个镇？]
      where_to_send: 户籍所在地镇（街道）。
      closing: 还有不清楚的可以再问我。
    citations:
      - {doc: sa_measures, article: 第二条, effective_from: 2014-05-01}
"""


@pytest.fixture()
def knowledge_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A copy of the policy knowledge files plus the made-up programme's topic file, used by default."""
    directory = tmp_path / "policy-data"
    shutil.copytree(knowledge.DATA_DIR, directory)
    (directory / "topics" / "test_relief.yml").write_text(TOPIC_FILE, encoding="utf-8")
    monkeypatch.setattr(knowledge, "DATA_DIR", directory)
    knowledge.clear_cache()
    yield directory
    knowledge.clear_cache()


@contextmanager
def with_programme(programme: Programme = TEST_RELIEF) -> Iterator[Programme]:
    knowledge.clear_cache()
    try:
        with programmes.temporary(programme):
            yield programme
    finally:
        knowledge.clear_cache()


@pytest.fixture()
def test_relief(knowledge_dir: Path) -> Iterator[Programme]:
    """测试救助 registered, with its topics in the knowledge directory."""
    with with_programme(TEST_RELIEF) as programme:
        yield programme
