"""Recording the result of a monitoring warning over the real REST channel (trained model + action server):
an inclusion, a refusal with reasons under the five headings, a resident refused, /tasks."""

from __future__ import annotations

import csv
import random
import uuid

import pytest
from sqlalchemy import select

from bot import clock
from bot.cases.staff import add_staff
from bot.db.models import AuditEntry, MonitoringTask, MonitoringWarning
from bot.monitoring.importer import import_warnings
from bot.parsing.identity import generate_id_number
from tests.auxil.casedb import CaseDb

pytestmark = pytest.mark.rasa

BUTTON = {"button": True}
TOWN = "金家河镇"


@pytest.fixture(scope="module")
def warned(assistant, tmp_path_factory):
    """Three warned households of ``TOWN`` nobody applied for, and a caseworker of that town on a terminal
    session of their own."""
    url = assistant.cluster.settings.database_url
    tag = uuid.uuid4().hex[:6]
    rng = random.Random(tag)
    today = clock.today()
    path = tmp_path_factory.mktemp("monitoring") / "warnings.csv"
    heads = [f"预警{tag}{i}" for i in range(3)]
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(["户主姓名", "身份证号码", "乡镇（街道）", "人群类别", "预警类型", "家庭人口", "预警日期"])
        for head in heads:
            w.writerow(
                [head, generate_id_number(rng), TOWN, "边缘易致贫户", "收入骤减", "3", today.isoformat()]
            )
    name = f"mon-{tag}"
    with CaseDb(url) as s:
        add_staff(s, "会话核查经办", "caseworker", [TOWN], [f"term:{name}"])
        report = import_warnings(s, path, today=today)
        assert report.imported and report.tasks_created == 3
        tasks = dict(
            s.execute(select(MonitoringWarning.head_name, MonitoringTask.id).join(MonitoringTask))
            .tuples()
            .all()
        )
    return {"url": url, "sender": f"term-{name}", "tasks": [tasks[h] for h in heads], "heads": heads}


def saved(url: str, task_id: int) -> MonitoringTask:
    with CaseDb(url) as s:
        task = s.get(MonitoringTask, task_id)
        s.expunge(task)
        return task


def test_record_an_inclusion(assistant, warned):
    sender, url, task_id = warned["sender"], warned["url"], warned["tasks"][0]
    first = assistant.texts(sender, "核查结果")
    assert "登记一户监测预警的核查结果" in first and "任务编号" in first
    chosen = assistant.texts(sender, str(task_id))
    assert f"任务{task_id}：预*" in chosen and warned["heads"][0] not in chosen
    assert "核查结论是什么" in chosen and "[纳入]" in chosen and "[不纳入]" in chosen
    assert "纳入哪个救助项目" in assistant.texts(sender, "纳入", BUTTON)
    summary = assistant.texts(sender, "低保")
    assert "核查结论：纳入低保（案件编号待补）" in summary and "[确认保存]" in summary
    done = assistant.texts(sender, "确认保存", BUTTON)
    assert "已保存核查结果" in done and "纳入低保" in done
    task = saved(url, task_id)
    assert (task.outcome, task.programme, task.recorded_by) == ("included", "低保", "会话核查经办")
    with CaseDb(url) as s:
        assert s.scalar(select(AuditEntry.id).where(AuditEntry.action == "monitoring_result"))


def test_record_a_refusal_with_reasons(assistant, warned):
    sender, url, task_id = warned["sender"], warned["url"], warned["tasks"][1]
    start = assistant.texts(sender, "/record_check_result", {"command": "check", "args": str(task_id)})
    assert f"任务{task_id}" in start and "核查结论是什么" in start
    ask = assistant.texts(sender, "不纳入", BUTTON)
    assert "基本情况、收入情况、财产情况、刚性支出情况、家庭年人均纯收入情况" in ask
    again = assistant.texts(sender, "家里条件还可以")
    assert "五个方面" in again
    summary = assistant.texts(sender, "收入情况：家庭年收入6万元，人均高于低保标准；财产情况：有小轿车一辆")
    assert "不纳入。原因：收入情况：家庭年收入6万元，人均高于低保标准；财产情况：有小轿车一辆" in summary
    assert "已保存核查结果" in assistant.texts(sender, "确认保存", BUTTON)
    task = saved(url, task_id)
    assert task.outcome == "not_included"
    assert task.reasons == {
        "income": {"text": "家庭年收入6万元，人均高于低保标准", "figure": "60000"},
        "property": {"text": "有小轿车一辆", "figure": None},
    }


def test_tasks_lists_the_open_ones(assistant, warned):
    text = assistant.texts(warned["sender"], "/inform", {"command": "tasks", "args": ""})
    assert f"任务{warned['tasks'][2]}：预*" in text and warned["heads"][2] not in text and "/check" in text


def test_a_resident_is_refused(assistant, warned):
    user = uuid.uuid4().int % 10**9 + 10**9  # a private Telegram chat of a user who is not staff
    sender = f"tg-{user}-{user}"
    refused = assistant.texts(sender, "核查结果")
    assert "只对镇（街道）民政工作人员开放" in refused and "任务编号" not in refused
    assert "/status" in refused  # a resident asking about their own 核查结果 is pointed to the status lookup
    assert "只对民政工作人员开放" in assistant.texts(sender, "/inform", {"command": "tasks", "args": ""})
    assert "只对镇（街道）" not in assistant.texts(sender, "低保申请需要什么条件")
