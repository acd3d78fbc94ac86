"""Small text helpers shared by the parsers (stdlib only).

Every helper here is length-preserving, so spans found in the normalised text are valid spans of the
original text too.
"""

from __future__ import annotations

from typing import NamedTuple

# Full-width ASCII variants (U+FF01..U+FF5E) -> ASCII, ideographic space -> space.
_HALFWIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_HALFWIDTH[0x3000] = 0x20


class Mention(NamedTuple):
    """A normalised value found in a text, with its span (``text[start:end] == raw``)."""

    value: str
    start: int
    end: int
    raw: str


def to_halfwidth(text: str) -> str:
    """Map full-width letters, digits and punctuation to ASCII; keeps the length unchanged."""
    return text.translate(_HALFWIDTH)


# Separators people put inside identifiers: spaces, hyphens, dashes, underscores, dots.
SEPARATOR_CHARS = " \t\u00a0-_\u2010\u2011\u2012\u2013\u2014\u2015\u00b7."


def strip_separators(text: str) -> str:
    """Half-width ``text`` without whitespace or separator characters."""
    text = to_halfwidth(text)
    return "".join(ch for ch in text if ch not in SEPARATOR_CHARS and not ch.isspace())


# Traditional -> simplified for the characters that matter to the parsers (programmes, towns, numerals, money,
# identifiers and the words around them). One character to one character, so spans stay valid.
_TRADITIONAL = "臨時濟難請養緣邊戶鎮縣陽興橫現兩硤驛馬灣樂龍觀壩臺寶雞隴漢鄭鄉強寧證號碼萬塊錢個幾來沒無資費醫藥後話電機兒孫媽爺點億貳陸圓雙單獨裡裏麼們給會這說還錯對門東區鄰歲閒幫測關於庫辦貼補務際長親屬僅從過撥認審調網絡戰災報處層齡顧護勞動殘貧農衛員總數營驗價帳賬銀貸債虧損賠賺紙業場廠內約餘與專筆"
_SIMPLIFIED = "临时济难请养缘边户镇县阳兴横现两硖驿马湾乐龙观坝台宝鸡陇汉郑乡强宁证号码万块钱个几来没无资费医药后话电机儿孙妈爷点亿贰陆圆双单独里里么们给会这说还错对门东区邻岁闲帮测关于库办贴补务际长亲属仅从过拨认审调网络战灾报处层龄顾护劳动残贫农卫员总数营验价账账银贷债亏损赔赚纸业场厂内约余与专笔"
_FOLD = {**_HALFWIDTH, **str.maketrans(_TRADITIONAL, _SIMPLIFIED)}


def fold(text: str) -> str:
    """``to_halfwidth`` plus traditional -> simplified for the parsers' vocabulary; keeps the length unchanged."""
    return text.translate(_FOLD)
