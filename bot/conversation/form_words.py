"""Words that mean the same in every staff chat form (visits, monitoring results): cancel and confirm.

Plain functions on the raw text (the forms read answers as text, whatever the classifier made of them).
"""

from __future__ import annotations

import re
import unicodedata

CANCEL_RE = re.compile(
    r"^/?(cancel|stop)$|^(算了|算了吧|取消|取消吧|退出|停|停止|先停下|不用了|不要了|暂停|先这样)[。！!,，]*$|"
    r"不登了|不登记了|不填了|先不填|不录了|取消登记|暂停登记|退出登记|以后再填|回头再填"
)
CONFIRM_RE = re.compile(
    r"^(确认保存|确认|保存|确定|对|对的|没问题|无误|可以|好的|是的|是|ok|yes)[。！!,，.]*$", re.IGNORECASE
)


def clean(text: str) -> str:
    """NFKC-normalised and stripped (full-width digits and letters become ASCII)."""
    return unicodedata.normalize("NFKC", text or "").strip()


def is_cancel(text: str) -> bool:
    return bool(CANCEL_RE.search(clean(text).lower()))


def is_confirm(text: str) -> bool:
    return bool(CONFIRM_RE.match(clean(text)))
