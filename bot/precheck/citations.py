"""The documents and articles the pre-check cites (texts in /work/shared/policy/sources/)."""

from __future__ import annotations

_MEASURES = "《社会救助暂行办法》"
_OPINION_2020 = "《关于改革完善社会救助制度的意见》（2020）"
_OPINION_2023 = "《关于加强低收入人口动态监测做好分层分类社会救助工作的意见》（2023）"
_NOTICE_2022 = "《关于进一步做好最低生活保障等社会救助兜底工作的通知》（2022）"
_DIBAO_MEASURES = "《最低生活保障审核确认办法》（2021）"
_RIGID = "《刚性支出困难家庭认定办法》（2025年起施行）"

# 社会救助暂行办法 第九章 临时救助
ART_13 = f"{_MEASURES}第十三条"  # 低保家庭情况变化应当告知乡镇
ART_47 = f"{_MEASURES}第四十七条"  # who gets 临时救助 (意外事件、突发重大疾病、支出突然增加、其他特殊困难)
ART_48 = f"{_MEASURES}第四十八条"  # apply at 乡镇/街道; county approves; small amounts by 乡镇; urgent: simplified
ART_49 = f"{_MEASURES}第四十九条"  # standards set and published locally
ART_50 = f"{_MEASURES}第五十条"  # 生活无着的流浪、乞讨人员: 救助管理机构

# 关于改革完善社会救助制度的意见 (2020)
OPINION_2020_RESIDENCE = f"{_OPINION_2020}二、（一）4"  # 持居住证人员在居住地申办
OPINION_2020_DISASTER = f"{_OPINION_2020}二、（三）12"  # 受灾人员救助
OPINION_2020_EMERGENCY = f"{_OPINION_2020}二、（四）14"  # 急难: 靠自身和家庭无力解决; 急难发生地
OPINION_2020_TYPES = f"{_OPINION_2020}二、（四）15"  # 急难型 (小金额先行救助) / 支出型 (审核审批程序)
OPINION_2020_PAPERS = f"{_OPINION_2020}二、（六）24"  # 取消可在线查询的证明材料

# 关于加强低收入人口动态监测做好分层分类社会救助工作的意见 (2023)
OPINION_2023_LOW_INCOME = f"{_OPINION_2023}二"  # 低保边缘家庭 1.5 倍; 刚性支出困难家庭
OPINION_2023_WHERE = f"{_OPINION_2023}四、（三）"  # 取消户籍地、居住地申请限制, 在急难发生地救助

# 关于进一步做好最低生活保障等社会救助兜底工作的通知 (2022)
NOTICE_2022_EDGE = f"{_NOTICE_2022}一、（四）"
NOTICE_2022_PROMISE = f"{_NOTICE_2022}一、（二）"  # 证明事项告知承诺制
NOTICE_2022_WHERE = f"{_NOTICE_2022}四、（三）"  # 由急难发生地直接实施救助

DIBAO_PROPERTY = f"{_DIBAO_MEASURES}第十四条"  # 家庭财产 = 存款、证券 ...
DIBAO_CHANGES = f"{_DIBAO_MEASURES}第三十条"  # 低保家庭情况变化应当及时告知
RIGID_CONDITIONS = f"{_RIGID}第四条"


def join(*citations: str) -> str:
    return "；".join(citations)
