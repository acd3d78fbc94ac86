"""User-facing texts of the web channel (plain, polite Simplified Chinese)."""

from __future__ import annotations

TITLE = "略阳县社会救助助手"
CONSOLE_TITLE = "略阳县社会救助助手 · 工作人员控制台"

WELCOME_NOTE = "您可以直接输入问题，也可以点按钮选择。页面上的身份证号、手机号会隐去部分数字；在公用电脑上用完请关闭页面。"
BIND_ON_WEB = "网页版不能绑定工作人员账号。工作人员请使用工作人员控制台（/staff）登录。"
SESSION_EXPIRED = "页面已过期，请刷新页面后再发送。您之前的对话不会丢失。"
CSRF_FAILED = "请求无法验证（页面可能已过期）。请刷新页面后再试。"
TOO_BIG = "您发送的内容太长了，请分成几条较短的消息再发送。"
TOO_MANY_SESSIONS = "访问太频繁，请稍等一分钟再打开页面。"
NOT_FOUND = "没有这个页面。"
SERVER_ERROR = "抱歉，页面出了点问题，请稍后再试。"
BUTTON_CHOSEN = "（已选择：{title}）"
BUTTON_UNKNOWN = "（已选择）"

# staff console
LOGIN_FAILED = "姓名或密码不正确。"
LOGIN_LOCKED = "登录失败次数过多，请在 {until} 之后再试，或联系系统管理员。"
LOGIN_REQUIRED = "请先登录工作人员控制台。"
LOGGED_OUT = "您已退出登录。"
NOT_STAFF = "这个账号不能使用工作人员控制台（账号已停用或未开通网页登录）。"
TICKET_NOT_FOUND = "没有这张工单。"
TICKET_DENIED = "这张工单不在您负责的镇（街道）范围内。"
CASE_DENIED = "这件案件不在您负责的镇（街道）范围内，无法查看。"
EMPTY_REPLY = "请写上要回复居民的内容。"
DB_DOWN = "抱歉，工单系统暂时无法使用，请稍后再试。"
CASE_QUERY_HINT = "请输入案件编号、申请人姓名或完整身份证号码。"
SCRIPT_QUERY_HINT = "请输入关键词，例如：边缘、材料、临时救助。"

STATUS_LABELS = {"open": "待领取", "taken": "处理中", "closed": "已办结"}
KIND_LABELS = {"callback": "回电", "emergency": "紧急", "crisis": "危机"}
DIRECTION_LABELS = {"resident": "居民", "staff": "工作人员", "system": "系统"}
