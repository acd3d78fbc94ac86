"""What staff read about visits: the form's questions and answers, lists, history, flags, the report caption."""

from __future__ import annotations

from bot.visits.rules import RATING_LABELS

NOT_APPLICABLE = "不适用"
RATING_BUTTONS = tuple(RATING_LABELS[r] for r in sorted(RATING_LABELS, reverse=True))
NO_PHOTO = "没有照片"
NO_NOTES = "无"
CONFIRM = "确认保存"
CANCEL = "取消"

REFUSED = "探访登记只对镇（街道）民政工作人员开放，并且只能在与助手的私聊中使用。"
REFUSED_NO_TOWNS = (
    "您的工作人员账号还没有分管的镇（街道），暂时不能登记探访。请联系管理员在账号上设置镇（街道）。"
)
INTRO = (
    "好的，开始登记一次探访。我会依次问：探访对象、5个清单项的评分、情况说明和照片，最后请您确认。\n"
    "说错了可以直接改，例如“个人卫生改为一般”；想停下说“取消”，已填的内容会保留，再说“登记探访”就能接着填。"
)
RESUMED = "接着上次没填完的探访登记（对象：{person}，已填 {done} 项）。想从头开始请说“重新登记探访”。"
RESTARTED = "好的，我们从头开始登记。"
PAUSED = "好的，先停在这里，已填的内容会保留。再说“登记探访”或发 /visit 就能接着填；要放弃这次登记，说“重新登记探访”。"
NOTHING_TO_RESUME = "好的，已取消。"
ASK_PERSON = "第 1 步：请告诉我探访对象的案件编号或姓名（限您分管的镇（街道））。"
ASK_ITEM = "第 {n}/{total} 项：{label}怎么样？"
ASK_ITEM_CARE_HINT = "（照料人：{caregiver}）"
ASK_NOTES = "请简要写下探访情况说明（发现的问题、需要跟进的事）。没有要说明的，点“无”。"
ASK_PHOTO = "有现场照片吗？请直接在这里发送照片（多张的话，保存前可以接着发）；没有就点“没有照片”。"
ASK_CONFIRM = "请核对以下内容，无误请点“确认保存”。要改某一项直接说，例如“居住环境改为较差”；不是今天探访的，说“日期改为6月3日”。"
DATE_AFTER_PERSON = "请先告诉我探访对象，探访日期可以在最后核对时修改。"
DATE_TOO_OLD = "只能补登一年以内的探访，请核对日期。"
UNCLEAR_RATING = "请点下面的按钮选择评分（好、较好、一般、较差、差），也可以直接回复 1 到 5 分。"
UNCLEAR_CONFIRM = "请点“确认保存”，或者说要修改哪一项（例如“健康改为一般”），或者说“取消”。"
UNCLEAR_PHOTO = "请直接发送照片，或点“没有照片”。"
NOTES_TOO_LONG = "情况说明太长了（超过 {limit} 字），请简要一些，或分几点写。"
NOTES_EMPTY = "请写几句情况说明，或点“无”。"
CHANGED = "好的，已把“{label}”改为：{value}。"
NOT_YET_ASKED = "还没问到“{label}”这一项，到时再填。请先回答下面这一项。"
RATING_NOTED = "好的，记下了：{label} {value}。"
REASK_PERSON = "好的，请重新告诉我探访对象的案件编号或姓名。"
PHOTO_SAVED = "收到照片，已记下。"
PHOTO_ADDED = "收到照片，已记下（这次探访共 {n} 张）。"
PHOTOS_FULL = "一次探访最多记 {limit} 张照片，这张没有记下。其余照片请按单位规定另行存档。"
PHOTO_NOT_YET = "收到照片。还没问到照片这一步，请在情况说明之后再发送。请先回答下面这一项。"
IN_FORM_NOTE = "正在登记探访。要先做别的事，请说“取消”（已填内容会保留）。"
PERSON_NOT_FOUND = "在您分管的镇（街道）没有找到“{query}”这位分散供养对象。请核对案件编号或姓名。"
PERSON_OUT_OF_TOWN = "案件 {case_no} 不在您分管的镇（街道），不能登记。"
PERSON_NOT_DISPERSED = "{label} 是集中供养对象，探访评价只针对分散供养对象。"
PERSON_AMBIGUOUS = "有 {n} 位同名的分散供养对象，请点选或直接发案件编号："
PERSON_CHOSEN = "探访对象：{label}。"
SAVED = "已保存这次探访（{person}，{date}，得分 {score}）。记录编号 {visit_id}。"
SAVED_LOW = "这次探访得分低于 {threshold} 分，请关注照料人是否按协议照护；季度评价时会计入。"
SAVE_FAILED = "抱歉，系统繁忙，这次没有保存成功。已填的内容还在，请稍后再说“登记探访”并确认保存。"
NO_TOWNS_FOR_LISTS = (
    "您的工作人员账号还没有分管的镇（街道），看不到探访名单。请联系管理员在账号上设置镇（街道）。"
)
NOT_STAFF_VISITS = "探访名单和报表只对民政工作人员开放（私聊）。"
UNVERIFIED_NOTE = "（探访间隔、评分和标记标准是示例值，待县民政局确认）"

VISITS_HELP = (
    "探访相关命令：\n"
    "/visits —— 我分管镇（街道）到期和逾期未探访的对象（最久的在前）\n"
    "/visits 历史 <案件编号或姓名> —— 某人的探访记录\n"
    "/visits 标记 —— 被标记需要更换照料人或转集中供养的对象\n"
    "/visits 报表 —— 全县（或我分管镇）的探访情况图表\n"
    "/visit —— 登记一次探访"
)
NONE_DUE = "您分管的镇（街道）目前没有到期或逾期未探访的分散供养对象。"
DUE_HEAD = "到期和逾期未探访的分散供养对象（共 {n} 人，最久的在前）："
DUE_MORE = "……另有 {n} 人，完整名单请用 `lueyang visits due` 导出。"
NO_HISTORY = "{label} 还没有探访记录。"
HISTORY_HEAD = "{label} 的探访记录（最近 {n} 次）："
NO_FLAGS = "目前没有被标记的照料人。"
FLAGS_HEAD = "被标记的照料人（连续评价不合格，建议更换照料护理人或转为集中供养，由评价会议决定）："
REPORT_CAPTION = "各镇（街道）按时探访比例（截至 {date}，图中编号见下）：\n{legend}\n详细报表（XLSX）：lueyang visits report --xlsx 文件名"
REPORT_EMPTY = "还没有分散供养对象的数据，无法生成报表。"
REMINDER = "【探访提醒】您分管的镇（街道）有 {n} 位分散供养特困人员逾期未探访，最久的已逾期 {days} 天。发送 /visits 查看名单。"
