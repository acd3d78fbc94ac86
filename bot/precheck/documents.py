"""The document checklist, tailored to the answers of a pre-check."""

from __future__ import annotations

from bot.precheck.model import Answers, Category, EventKind, Residency, Status

_BY_EVENT: dict[EventKind, tuple[str, ...]] = {
    EventKind.FIRE: ("火灾证明（消防救援机构出具的火灾事故认定书，或村（社区）出具的情况证明）", "受损房屋、财物的照片"),
    EventKind.ACCIDENT: (
        "交通事故认定书或公安机关出具的事故证明",
        "受伤的：医院诊断证明、医疗费用票据",
        "赔偿协议、保险理赔材料（如有）",
    ),
    EventKind.ILLNESS_SUDDEN: (
        "医院诊断证明、住院病历或出院小结",
        "医疗费用票据和医保报销结算单",
    ),
    EventKind.DISASTER: ("村（社区）出具的受灾情况证明", "受损房屋、财物的照片"),
    EventKind.OTHER_EMERGENCY: ("能说明突发困难情况的证明（村（社区）出具的情况说明等）",),
    EventKind.MEDICAL_SPENDING: (
        "医院诊断证明、出院小结",
        "医疗费用票据和医保、大病保险报销结算单",
    ),
    EventKind.EDUCATION_SPENDING: (
        "录取通知书或在读证明",
        "学费、住宿费缴费票据，已获得的资助或助学金证明",
    ),
    EventKind.OTHER_SPENDING: ("相关支出的票据或证明",),
}


def checklist(answers: Answers) -> list[str]:
    """What to bring to the township office, given the answers (most specific first, no duplicates)."""
    items: list[str] = ["申请人身份证、户口簿"]
    if answers.residency is Residency.LOCAL_PERMIT:
        items[0] = "申请人身份证、居住证"
    elif answers.residency is Residency.NONLOCAL:
        items[0] = "申请人身份证（户口簿、居住证如有也请带上）"
    if answers.event is not None:
        items.extend(_BY_EVENT[answers.event])
    else:
        items.append("能说明困难情况的证明和票据")
    if answers.compensation is not None and answers.compensation > 0:
        items.append("已获得的赔偿、保险金或捐助的证明（协议、理赔单等）")
    if answers.status in (Status.DIBAO, Status.TEKUN):
        items.append(f"{answers.status.label}证（或告诉工作人员您家的{answers.status.label}情况，由乡镇查询）")
    if answers.residency is not Residency.NONLOCAL:
        items.append("家庭成员收入、财产情况的书面说明（可按告知承诺制签字承诺）")
        items.append("本人银行卡或社保卡（用于发放救助金）")
    if answers.category is Category.EMERGENCY:
        items.append("情况紧急时先去申请，证明材料可以事后补充")
    items.append("能通过政务平台查到的证明，乡镇不会再让您另开")
    seen: set[str] = set()
    return [x for x in items if not (x in seen or seen.add(x))]
