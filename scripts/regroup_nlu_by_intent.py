"""One-off (issue 13): regroup nlu_data/nlu/ from files named by writing round into one file per intent.

    .venvs/app/bin/python scripts/regroup_nlu_by_intent.py

Every example line is copied verbatim (text and annotation markup); the examples of an intent keep the order in
which they were written (first-round files, then more_*, more2_*, more3_*). inform.yml keeps its header (the
annotation conventions); the other files get the header below, which carries the conventions written in the
old files' headers. The multiset of (intent, example line) is checked before anything is written or deleted.
"""

from __future__ import annotations

import sys
from collections import Counter, defaultdict
from pathlib import Path

import yaml

NLU = Path(__file__).resolve().parents[1] / "nlu_data" / "nlu"
ANNOTATIONS = "# Entity annotations follow the conventions at the top of nlu_data/nlu/inform.yml (docs/nlu_labelling.md)."
FOLLOW_UPS = (
    '# Includes the follow-up questions about this programme after an answer about another one ("{example}"):\n'
    "# the policy action keeps the last topic family (policy_family) and answers the same question for the\n"
    "# programme named."
)
HEADERS = {
    "greet": '# greet: greetings, and "is anyone there?" (有没有人在, 在吗, 人在不在嘛). Asking for a staff member is\n'
    "# request_human. Short replies in dialect, with typos, 繁體, pinyin and English.",
    "goodbye": '# goodbye: leaving the conversation. Thanks together with goodbye (谢了 拜) and "that\'s all" (好了就这些)\n'
    "# are goodbye; stopping the current form is cancel.",
    "thank": "# thank: thanks on their own (thanks together with goodbye is goodbye).",
    "affirm": '# affirm: "yes" answers to the pre-check, save-result, status-lookup and reminder questions; dialect (要得,\n'
    "# 对头, 嗯嗯), typos, 繁體, pinyin, English.",
    "deny": '# deny: "no" answers to a yes/no question (莫得, 不消), including declining the notification offer (不用订阅).\n'
    "# Stopping the current process or existing reminders is cancel.",
    "cancel": "# cancel: stopping the current questionnaire, lookup, call-back request or reminders (不测了, 退出, 退订),\n"
    '# not a plain "no" (deny) and not leaving (goodbye).',
    "bot_challenge": '# bot_challenge: "are you a person or a machine?" and questions about the assistant itself (who are\n'
    "# you, what can you do). Personal chit-chat aimed at the bot is out_of_scope.",
    "out_of_scope": "# out_of_scope: anything outside social assistance: other government services (医保/社保卡/养老保险/户口/\n"
    "# 不动产/公积金/税务/交警/营业执照/教育/就业/退役军人/计生/农业补贴/林权), utilities, banks, post, transport, weather,\n"
    "# farming, health, shopping, phone help, news, chit-chat aimed at the bot, maths/translation and scams. Many\n"
    "# borrow the question words of in-scope intents (查一下/进度/到哪了/电话多少/几点上班/在哪办/要带啥材料/投诉/\n"
    "# 够不够条件/帮我测/能领多少/补贴/申请/审批/救命/着火/转人工) so that the topic, not the question words, decides\n"
    "# the intent.",
    "request_human": "# request_human: wants a person: a staff member, a call back, a visit, an appointment (转人工,\n"
    "# 让工作人员给我打电话). Asking for a number, an address or office hours is ask_contact.",
    "report_emergency": "# report_emergency: a crisis happening now: danger to life or health, no food or shelter tonight, fire or\n"
    "# flood in progress, self-harm, violence. A past hardship given as an answer in a form is inform.",
    "ask_dibao_eligibility": "# ask_dibao_eligibility: who qualifies for 低保: income, property and household conditions, 单人保.\n"
    + FOLLOW_UPS.format(example="那低保呢?"),
    "ask_dibao_standard": "# ask_dibao_standard: how much 低保 pays, the standards, how the amount is calculated, 提标.\n"
    "# County totals and averages are ask_statistics.",
    "ask_dibao_apply": "# ask_dibao_apply: where and how to apply for 低保: the steps, time limits, 公示, online application.\n"
    "# Where one's OWN application is, is check_status.",
    "ask_tekun": "# ask_tekun: 特困供养 (五保): conditions, 集中/分散供养, care subsidy, 敬老院, orphans, its amounts, funeral\n"
    "# allowance. County counts are ask_statistics; household changes of recipients are ask_review.\n"
    + FOLLOW_UPS.format(example="那特困呢?"),
    "ask_temp_relief": "# ask_temp_relief: 临时救助: what it is, who can get it, 急难型/支出型, 事前/事后, amounts, non-local people.\n"
    "# Wanting to check now whether one qualifies is start_precheck.\n"
    + FOLLOW_UPS.format(example="那临时救助呢?"),
    "ask_materials": "# ask_materials: what documents or proofs to bring, for any programme.",
    "ask_edge_family": "# ask_edge_family: 低保边缘家庭, the 三类人群 (边缘易致贫户 etc.) and 防返贫监测, for one household or in\n"
    "# general: conditions, help, identification, differences with 低保. County counts are ask_statistics.\n"
    + FOLLOW_UPS.format(example="那低边嘞?"),
    "ask_illness_poverty": "# ask_illness_poverty: 因病致贫重病患者认定 and 医疗救助 (not 医保报销, which is out_of_scope).",
    "ask_appeal": "# ask_appeal: disagreeing with a decision, 复核, 行政复议, complaints, reporting fraud (举报骗保).\n"
    "# A benefit cut or stopped, or a household change, without disagreement is ask_review.",
    "ask_review": "# ask_review: 复审, 动态管理, benefits cut or stopped, 渐退期, changes in the household (what happens, what to\n"
    "# report), also of 特困/五保 recipients (death, moving, remarriage, yearly care assessment). Disagreeing is\n"
    "# ask_appeal.",
    "ask_contact": "# ask_contact: phone numbers, addresses, office hours, which office, 股 or 窗口 handles what. Wanting a\n"
    "# person to talk to or a call back is request_human.",
    "ask_statistics": "# ask_statistics: the county's or a town's own figures, whatever the programme: how many people or\n"
    "# households, how much money in total, averages and rates, 人次, 认定人数, 户数, 敬老院 入住, rankings,\n"
    "# comparisons, per quarter or year.",
    "start_precheck": "# start_precheck: wants to check now whether they qualify for temporary relief (做个自测, 预审, 帮我测一下).",
    "check_status": "# check_status: where the sender's OWN application or payment is, with or without a case number (residents\n"
    '# and caseworkers); a case number sent on its own is check_status. General "how long does approval take" is\n'
    "# the programme's intent.",
}
ROUNDS = {"more3_": 3, "more2_": 2, "more_": 1}


def written_order(path: Path) -> tuple[int, str]:
    """First-round files, then more_*, more2_*, more3_* (the order the examples were written in)."""
    return next((r for prefix, r in ROUNDS.items() if path.name.startswith(prefix)), 0), path.name


def blocks(text: str) -> list[tuple[str, list[str]]]:
    doc = yaml.safe_load(text)
    if set(doc) != {"version", "nlu"} or any(set(b) != {"intent", "examples"} for b in doc["nlu"]):
        raise SystemExit("unexpected structure: this script moves intent examples only")
    return [(b["intent"], b["examples"].splitlines()) for b in doc["nlu"]]


def header_of(text: str) -> str:
    """The comment lines between ``version`` and ``nlu:``."""
    head = text.split("\nnlu:", 1)[0].splitlines()[1:]
    return "\n".join(line for line in head if line.strip()).strip()


def render(intent: str, header: str, lines: list[str]) -> str:
    out = ['version: "3.1"', "", header, "", "nlu:", f"- intent: {intent}", "  examples: |"]
    out += [f"    {line}" for line in lines]
    return "\n".join(out) + "\n"


def multiset(texts: list[str]) -> Counter[tuple[str, str]]:
    return Counter((intent, line) for text in texts for intent, lines in blocks(text) for line in lines)


def main() -> int:
    old = {p: p.read_text(encoding="utf-8") for p in sorted(NLU.glob("*.yml"), key=written_order)}
    by_intent: dict[str, list[str]] = defaultdict(list)
    for text in old.values():
        for intent, lines in blocks(text):
            by_intent[intent].extend(lines)
    inform_header = header_of(old[NLU / "inform.yml"])
    new = {
        NLU / f"{intent}.yml": render(
            intent,
            inform_header if intent == "inform" else HEADERS[intent] + "\n" + ANNOTATIONS,
            lines,
        )
        for intent, lines in sorted(by_intent.items())
    }
    if multiset(list(new.values())) != multiset(list(old.values())):
        raise SystemExit("the regrouped files do not hold exactly the same examples: nothing written")
    for path in old:
        if path not in new:
            path.unlink()
    for path, text in new.items():
        path.write_text(text, encoding="utf-8")
    if multiset([p.read_text(encoding="utf-8") for p in sorted(NLU.glob("*.yml"))]) != multiset(
        list(old.values())
    ):
        raise SystemExit("after writing: the examples differ (restore nlu_data/nlu from git)")
    print(f"{len(old)} files -> {len(new)} files, {sum(multiset(list(new.values())).values())} example lines")
    return 0


if __name__ == "__main__":
    sys.exit(main())
