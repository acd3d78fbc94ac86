"""The emergency reply never depends on the database, and says what is unverified."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from bot.db.session import make_engine, set_engine
from bot.handoff import service
from bot.handoff.crisis import CrisisKind
from bot.handoff.emergency import emergency_text, self_harm_text
from bot.policy.parameters import load_parameters


@pytest.fixture
def database_down():
    set_engine(make_engine("postgresql://postgres@127.0.0.1:1/none", connect_args={"connect_timeout": 1}))
    yield
    set_engine(None)


def test_reply_without_a_database_still_has_every_number(database_down):
    reply = service.emergency_reply("tg-1-1", text="家里着火了")
    assert reply.ticket_id is None and reply.kind is CrisisKind.FIRE
    assert "119" in reply.text and "0916-4822453" in reply.text and "紧急工单" not in reply.text


@pytest.mark.parametrize(
    ("kind", "lead"),
    [
        (CrisisKind.FIRE, "119"),
        (CrisisKind.MEDICAL, "120"),
        (CrisisKind.VIOLENCE, "110"),
        (CrisisKind.DISASTER, "119"),
        (CrisisKind.GENERAL, "报警110、火警119、急救120"),
    ],
)
def test_each_kind_leads_with_the_right_number(kind, lead):
    text = emergency_text(kind, load_parameters())
    assert lead in text.splitlines()[0]
    assert "尚未核实" in text  # the relief station's phone comes from an old public list
    # the bureau's phone is unknown to the assistant: no placeholder number, and no claim that it is unpublished
    assert "略阳县民政局：本助手暂无核实的电话号码" in text
    assert "尚未公布" not in text


def test_destitute_points_to_the_relief_station():
    text = emergency_text(CrisisKind.DESTITUTE, load_parameters(), town="接官亭镇")
    assert "临时食宿" in text and "社会救助暂行办法》第五十条" in text and "接官亭镇人民政府民政办" in text
    assert "接官亭镇人民政府民政办：本助手暂无核实的电话号码" in text  # issue 15 item 13


def test_self_harm_text_with_a_verified_hotline():
    real = load_parameters()

    class Params:
        def __contains__(self, key):
            return key in real

        def get(self, key):
            p = real.get(key)
            if key == "hotline.psychological":
                return replace(p, value="0916-0000000", verified=True, effective_from=date(2024, 1, 1))
            return p

    assert "心理援助热线0916-0000000" in self_harm_text(Params())
    assert "心理援助热线" not in self_harm_text(real)


def test_relief_howto_cites_the_sections_and_makes_help_where_it_happens_general():
    """Issue 15 item 12: 意见 二、（四）14/15 (not "第14/15条"); 2022 通知 四、（三） and 2023 意见 四、（三） make help where
    the emergency happens the rule, not an experiment; the application goes to the 乡镇, the 村 helps."""
    text = emergency_text(CrisisKind.GENERAL, load_parameters())
    assert "二、（四）15" in text and "二、（四）14" in text
    assert "第14条" not in text and "第15条" not in text and "探索" not in text
    assert (
        "兜底工作的通知》（2022）四、（三）" in text
        and "分层分类社会救助工作的意见》（2023）四、（三）" in text
    )
    assert "不受户籍地、居住地限制" in text
    assert "向所在乡镇（街道）申请急难型临时救助，村（社区）可以帮您联系、协助申请" in text
    assert "民政办或村（社区）申请" not in text


def test_disaster_reply_names_disaster_relief_and_housing_assistance():
    """Issue 15: "我家房子塌了，住房救助怎么申请" is a crisis to the guard; its reply still says where the help for the
    house comes from (受灾人员救助 第二十二、二十四、二十五条; 住房救助 第三十七、三十八条)."""
    text = emergency_text(CrisisKind.DISASTER, load_parameters())
    assert "过渡性安置" in text and "住房恢复重建补助" in text and "第二十四条" in text
    assert "住房救助" in text and "第三十七条" in text
    assert "过渡性安置" not in emergency_text(CrisisKind.FIRE, load_parameters())
