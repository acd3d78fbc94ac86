"""What staff read about monitoring warnings: task lists, the result form's questions and answers, the report."""

from __future__ import annotations

from bot.monitoring.rules import HEADINGS

INCLUDE, EXCLUDE, REFER = "纳入", "不纳入", "转其他部门"
OUTCOME_BUTTONS = (INCLUDE, EXCLUDE, REFER)
CONFIRM = "确认保存"
CANCEL = "取消"
HEADINGS_TEXT = "、".join(h.label for h in HEADINGS)

REFUSED = (
    "核查结果登记只对镇（街道）民政工作人员开放，并且只能在与助手的私聊中使用。"
    "如果您是想了解自己家申请的审核（核查）结果，请发 /status 或说“查询办理进度”，我来帮您查。"
)
REFUSED_NO_TOWNS = (
    "您的工作人员账号还没有分管的镇（街道），暂时不能登记核查结果。请联系管理员在账号上设置镇（街道）。"
)
INTRO = (
    "好的，登记一户监测预警的核查结果。我会依次问：哪个核查任务、核查结论（纳入、不纳入、转其他部门）和具体情况，"
    "最后请您确认。想停下说“取消”。"
)
ASK_TASK = "请发核查任务编号（/tasks 可以查看您的任务），或者户主姓名。"
ASK_OUTCOME = "核查结论是什么？"
ASK_INCLUDE = (
    "纳入哪个救助项目？请写项目，有案件编号的一并写上，例如“低保 LY2024DB00012”；"
    "还没有案件编号可以只写项目，以后再补。"
)
ASK_EXCLUDE = (
    "请写明不纳入的原因，按五个方面（至少写一项）：" + HEADINGS_TEXT + "。有数字的请写上，例如：\n"
    "“收入情况：家庭年收入3.6万元，人均超过低保标准；财产情况：有小轿车一辆”"
)
ASK_REFER = "转给哪个部门？例如“乡村振兴局”“医保局”“残联”。"
ASK_CONFIRM = "请核对以下内容，无误请点“确认保存”；要改请直接重新说，或说“取消”。"
UNCLEAR_OUTCOME = "请点“纳入”“不纳入”或“转其他部门”。"
UNCLEAR_PROGRAMME = (
    "没有看懂是哪个救助项目。请写低保、特困供养、临时救助或低保边缘家庭，有案件编号的一并写上。"
)
CASE_PROGRAMME_MISMATCH = "案件编号 {case_no} 是{case_programme}案件，和“{programme}”不一致，请核对。"
DEPARTMENT_EMPTY = "请写上转交的部门名称。"
DEPARTMENT_TOO_LONG = "部门名称太长了（最多 {limit} 字）。"
UNCLEAR_CONFIRM = "请点“确认保存”，或者说“取消”。"
TASK_NOT_FOUND = (
    "在您分管的镇（街道）没有找到“{query}”这个核查任务。请发任务编号（/tasks 可查看），或户主姓名。"
)
TASK_AMBIGUOUS = "有 {n} 个同名户主的核查任务，请点选或直接发任务编号："
TASK_OUT_OF_TOWN = "核查任务 {task_id} 不在您分管的镇（街道），不能登记。"
TASK_CLOSED_MONTH = "核查任务 {task_id} 所在的 {month} 已经关闭，结果不能再修改。如需更正，请联系县民政局。"
TASK_CHOSEN = "核查任务：{label}。"
TASK_ALREADY = "这户已登记过结果（{result}），再次登记会更正原来的结果。"
SAVED = "已保存核查结果（任务 {task_id}，{label}）：{result}。"
SAVE_FAILED = "抱歉，系统繁忙，这次没有保存成功。请稍后再说“核查结果”重新登记。"
CANCELLED = "好的，已取消，没有保存。"
NOT_STAFF_TASKS = "核查任务只对民政工作人员开放（私聊）。"
DB_BUSY = "抱歉，系统繁忙，暂时查不到核查任务，请稍后再试。"
UNVERIFIED_NOTE = "（核查时限是示例值，待县民政局确认）"

NO_TASKS = "您分管的镇（街道）目前没有待核查的监测预警。"
TASKS_HEAD = "待核查的监测预警（共 {n} 户，其中逾期 {overdue} 户，最早到期的在前）："
TASKS_MORE = "……另有 {n} 户，完整名单请用 `lueyang monitoring tasks` 导出。"
TASKS_HELP = (
    "登记结果：说“核查结果”或发 /check 任务编号。\n"
    "/tasks 报表 [2024-06] —— 本月（或指定月份）各镇（街道）核查情况图表；/tasks 三类人群 [月份] —— 三类人群汇总"
)
REMINDER = (
    "【监测预警核查提醒】您分管的镇（街道）有 {n} 户监测预警逾期未登记核查结果，最久的已逾期 {days} 个工作日。"
    "发送 /tasks 查看名单。"
)
REPORT_CAPTION = (
    "{month} 各镇（街道）监测预警核查完成比例（截至 {date}，图中编号见下）：\n{legend}\n"
    "详细报表（XLSX）：lueyang monitoring report --month {month} --xlsx 文件名"
)
REPORT_EMPTY = "{month} 还没有导入监测预警，无法生成报表。"
