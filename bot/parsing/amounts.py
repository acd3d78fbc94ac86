"""Amounts of money as people type them: 1800, 1,800元, 两千五, 2.5万, 1.2w, 三百来块, 一两万, 没有收入.

``find_amounts(text)`` returns every money mention of a message (with spans); ``parse_amount(text)`` the
first one. A number counts as money only with some evidence: a currency word (块/元), a magnitude (百/千/万/w/k),
an approximation marker (来/把/多), a money word before it in the same clause (收入, 工资, 花了, 医药费 ...), a
period (每月, 一年), or when the message is nothing but the number. Numbers followed by a non-money unit
(3口人, 65岁, 5月, 3号, 2个) are never money.

Stdlib only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache

from bot.errors import AmountError
from bot.parsing.text import fold

__all__ = ["Amount", "chinese_to_int", "find_amounts", "parse_amount", "require_amount", "format_yuan"]

_DIGITS = {
    "零": 0, "〇": 0, "一": 1, "壹": 1, "幺": 1, "二": 2, "贰": 2, "两": 2, "俩": 2, "三": 3, "叁": 3, "仨": 3,
    "四": 4, "肆": 4, "五": 5, "伍": 5, "六": 6, "陆": 6, "七": 7, "柒": 7, "八": 8, "捌": 8, "九": 9, "玖": 9,
}  # fmt: skip
_SMALL_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000, "k": 1000, "K": 1000}
_BIG_UNITS = {"万": 10_000, "w": 10_000, "W": 10_000, "亿": 100_000_000}
_CN_CHARS = "".join(_DIGITS) + "十拾百佰千仟万亿点"
_MAX_YUAN = Decimal(10) ** 12


@dataclass(frozen=True)
class Amount:
    """An amount of money found in a text.

    ``yuan`` is the (lower bound of the) amount; ``upper`` the upper bound of a range (一两万 -> 10000..20000);
    ``approximate`` is true for ranges and for 三百来块 / 一千多 / 大概 ...; ``period`` is 'month', 'year' or None.
    """

    yuan: Decimal
    period: str | None
    span: tuple[int, int]
    raw: str
    approximate: bool = False
    upper: Decimal | None = None

    @property
    def value(self) -> str:
        """The amount as a plain number string (``"2500"``, ``"1800.5"``), as used for the ``amount`` entity."""
        return format_yuan(self.yuan)


def format_yuan(yuan: Decimal) -> str:
    """``Decimal('25000.0')`` -> ``'25000'``; ``Decimal('1800.50')`` -> ``'1800.5'``."""
    text = format(yuan.normalize(), "f")
    return text


# ---------------------------------------------------------------------------------------------- numerals


def _bad(text: str) -> AmountError:
    return AmountError(f"没有看懂这个数字：“{text}”。请直接写数字，例如 2500 或 两千五。", value=text)


def _tokenize(run: str) -> list[tuple[str, Decimal, bool]]:
    """Split a numeral run into tokens: ('num', value, is_single_digit) / ('unit', factor, is_big) / ('zero', 0, _)."""
    tokens: list[tuple[str, Decimal, bool]] = []
    i, n = 0, len(run)
    while i < n:
        ch = run[i]
        if ch.isdigit() and ch.isascii():
            j = i
            while j < n and (run[j].isascii() and run[j].isdigit() or run[j] == ","):
                j += 1
            if j < n and run[j] == "." and j + 1 < n and run[j + 1].isascii() and run[j + 1].isdigit():
                j += 1
                while j < n and run[j].isascii() and run[j].isdigit():
                    j += 1
            literal = run[i:j].replace(",", "")
            try:
                value = Decimal(literal)
            except InvalidOperation as exc:  # pragma: no cover - the regex only lets digits through
                raise _bad(run) from exc
            tokens.append(("num", value, "." not in literal and len(literal) == 1))
            i = j
        elif ch in _DIGITS:
            digit = _DIGITS[ch]
            if digit == 0:
                tokens.append(("zero", Decimal(0), False))
            else:
                tokens.append(("num", Decimal(digit), True))
            i += 1
            if i < n and run[i] == "点":  # 二点五 -> 2.5
                j = i + 1
                frac = ""
                while j < n and run[j] in _DIGITS:
                    frac += str(_DIGITS[run[j]])
                    j += 1
                if not frac:
                    raise _bad(run)
                tokens[-1] = ("num", Decimal(f"{digit}.{frac}"), False)
                i = j
        elif ch in _SMALL_UNITS:
            tokens.append(("unit", Decimal(_SMALL_UNITS[ch]), False))
            i += 1
        elif ch in _BIG_UNITS:
            tokens.append(("unit", Decimal(_BIG_UNITS[ch]), True))
            i += 1
        else:
            raise _bad(run)
    return tokens


def _evaluate(run: str) -> Decimal:
    """Value of a numeral run mixing Arabic and Chinese numerals: 两千五, 一百零五, 2.5万, 2万5, 1,800, 二〇二三."""
    run = fold(run.strip())
    if not run:
        raise _bad(run)
    tokens = _tokenize(run)
    has_unit = any(kind == "unit" for kind, _, _ in tokens)
    if not has_unit:
        nums = [tok for tok in tokens if tok[0] in ("num", "zero")]
        if len(nums) == 1:
            return nums[0][1]
        # A chain of single Chinese digits reads digit by digit (二〇二三 -> 2023).
        if all(kind == "zero" or single for kind, _, single in tokens) and all(ch in _DIGITS for ch in run):
            return Decimal("".join(str(_DIGITS[ch]) for ch in run))
        raise _bad(run)

    total = Decimal(0)  # everything above the current 万 section
    section = Decimal(0)  # the current section below 万
    number: Decimal | None = None
    number_single = False
    last_small: Decimal | None = None
    last_big: Decimal | None = None
    prev_kind = ""
    after_zero = False
    for kind, value, flag in tokens:
        if kind == "zero":
            if number is not None:
                raise _bad(run)
            after_zero = True
            prev_kind = kind
            continue
        if kind == "num":
            if number is not None:
                raise _bad(run)
            number, number_single = value, flag
            prev_kind = kind
            continue
        # unit
        if not flag:  # 十 百 千
            if number is None:
                if section != 0 or total != 0 or after_zero:
                    if not (value == 10 and after_zero):  # 一百零十? no; but 一千零十 = 1010
                        raise _bad(run)
                number = Decimal(1)
            if last_small is not None and value >= last_small:
                raise _bad(run)
            section += number * value
            last_small = value
        else:  # 万 亿
            if number is not None:
                section += number
            elif section == 0:
                if total != 0:
                    raise _bad(run)
                section = Decimal(1)  # 万把块
            if value == 100_000_000:
                if last_big is not None:
                    raise _bad(run)
                total = (total + section) * value
            else:
                if last_big == value:
                    raise _bad(run)
                total += section * value
            section = Decimal(0)
            last_small = None
            last_big = value
        number = None
        after_zero = False
        prev_kind = kind
    if number is not None:
        if prev_kind == "num" and not after_zero and number_single and len(tokens) >= 2:
            # Colloquial abbreviation: 两千五 = 2500, 一万二 = 12000, 一百五 = 150.
            unit = last_small if last_small is not None else last_big
            if unit is not None and unit >= 100:
                number *= unit / 10
        section += number
    total += section
    return total


def chinese_to_int(text: str) -> int:
    """Plain numerals to int: 三 -> 3, 十二 -> 12, 一百零五 -> 105, 两千五百 -> 2500, 两千五 -> 2500, 二〇二三 -> 2023.

    Arabic digits are accepted too (``"1,800"`` -> 1800). Raises AmountError (Chinese reason) when the text is not
    a whole number.
    """
    value = _evaluate(text)
    if value != value.to_integral_value():
        raise AmountError(f"“{text}”不是整数。", value=text)
    return int(value)


# ----------------------------------------------------------------------------------------- money mentions

_AR = r"(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?(?![0-9])"  # the lookahead keeps digit runs unsplittable
_CN = f"[{_CN_CHARS}]"
# At most 24 tokens: longer runs are never amounts, and the bound keeps matching linear on hostile input.
_RUN = rf"(?:{_AR}|{_CN})(?:{_AR}|{_CN}|[wWkK](?![A-Za-z])){{0,23}}"
_CURRENCY = r"(?:\s*(?:块钱|块儿|元钱|块|元|圆|人民币|rmb|RMB))"
_APPROX_AFTER = r"(?:来|多|余|把)(?:一点|点儿|点|些)?"
_PERIOD_AFTER = r"\s*(?:/|每一?个?|一个?)\s*(月|年)"
_NON_MONEY_AFTER = re.compile(
    r"\s*(?:个|人|口|位|名|岁|周岁|年|月|日|号|天|周|星期|礼拜|点|时|小时|分|秒|次|回|遍|趟|亩|间|斤|公斤|克|吨|"
    r"平|米|公里|里|楼|层|户|家|套|头|只|条|辆|台|张|本|项|%|倍|级|期|胎|代|孩|儿|女|子|号|届|批|组|门|科|床|"
    r"[A-Za-z0-9]|[-/.:][0-9])"
)
_PERIOD_BEFORE = re.compile(r"(月|年)")
_MONEY_WORDS = re.compile(
    r"收入|工资|薪|挣|赚|收|花|用了|费|钱|补助|补贴|救助金|低保金|养老金|退休金|存款|存了|积蓄|开支|支出|金额|领|拿|"
    r"欠|债|贷款|医药|看病|住院|治疗|药|损失|租|报销|自付|赔|收益|利润|卖了|价|块|元|每月|每个月|一个月|每年|一年|"
    r"月入|年入|月均|年均|标准|多少"
)
_CHAT_NUMBERS = frozenset({"88", "886", "520", "521", "1314", "666", "233", "2333", "555", "5555"})
_CLAUSE_BREAK = re.compile(r"[,;!?。，；！？、\n]")
_ORDINAL_BEFORE = ("第", "周", "星期", "礼拜", "编号", "号码", "尾号", "后六位", "后6位", "末六位", "末6位")
_APPROX_BEFORE = re.compile(
    r"(?:大概|大约|大致|约|差不多|将近|接近|估计|不到|不足|不超过|顶多|最多)\s*(?:是|有|就|在|也就)?\s*$"
)
_FILLER = re.compile(
    r"[\s,.;!?~。，；！？、…~～]|大概|大约|大致|约|差不多|将近|左右|上下|估计|吧|啊|呀|哦|哈|嗯|的样子|这样|是|有|就|只有|"
    r"一共|总共|大约|收入|工资"
)

_ZERO_PHRASE = (
    r"(?:没有|没得|莫得|木有|冇得?|毫无|没)\s*(?:任何|什么|啥|固定|稳定|一点)?\s*(?:收入|工资|进项|经济来源|收入来源|存款|积蓄)"
    r"(?!证明|材料|证)"
    r"|无收入(?!证明|材料|证)|零收入|(?:收入|工资|存款|积蓄)\s*(?:为|是)?\s*(?:零|0)(?![0-9.])"
    r"|(?:收入|存款|积蓄)\s*(?:也|都|一分)?\s*(?:没有|莫得|没得|木有)"
    r"|一分钱?\s*(?:收入|存款)?\s*(?:都|也)?\s*(?:没有|没|莫得|没得)"
)
_RANGE_SEP = r"\s*(?:-|~|～|—|–|到|至)\s*"


@cache
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    zero = re.compile(_ZERO_PHRASE)
    range_ = re.compile(rf"(?<![A-Za-z0-9.])({_RUN}){_RANGE_SEP}({_RUN})")
    run = re.compile(rf"(?<![A-Za-z0-9.])({_RUN})")
    return zero, range_, run


def _quantize(value: Decimal) -> Decimal:
    if value == value.to_integral_value():
        return Decimal(int(value))
    return value.quantize(Decimal("0.01")).normalize()


_CN_RANGE = re.compile(r"^([一两二三四五六七八九])([两二三四五六七八九])([十百千万wWkK].*)$")
_CN_DIGIT_VALUE = {"一": 1, "两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def _value_or_range(run: str) -> tuple[Decimal, Decimal | None]:
    """Value of a run; 一两万 / 三四千 give (lower, upper)."""
    match = _CN_RANGE.match(run)
    if match and _CN_DIGIT_VALUE[match.group(2)] == _CN_DIGIT_VALUE[match.group(1)] + 1:
        rest = match.group(3)
        return _evaluate(match.group(1) + rest), _evaluate(match.group(2) + rest)
    return _evaluate(run), None


def _trim_run(text: str, start: int, end: int) -> int:
    """Drop a trailing 一/每 that starts a period word (三千一个月 -> 三千 + 一个月)."""
    run = text[start:end]
    if len(run) >= 2 and run[-1] in "一" and re.match(r"个?(月|年)", text[end:]):
        return end - 1
    return end


def _period_before(text: str, start: int) -> str | None:
    """Income period said before the number in the same clause: 月收入 / 每月 / 一年 / 去年收入 ..."""
    prefix = _clause_prefix(text, start)
    best = None
    for m in _PERIOD_BEFORE.finditer(prefix):
        best = m
    if best is None:
        return None
    idx = best.start()
    word = best.group(1)
    before = prefix[:idx]
    if word == "月":
        if before.endswith("个"):
            count = before[:-1][-1:]
            return "month" if count in ("", "一", "每", "1") else None
        return "month"
    # 年
    after = prefix[idx + 1 : idx + 2]
    if after in ("龄", "纪", "级"):
        return None
    prev = before[-1:]
    if prev and (prev in _DIGITS or prev.isdigit()) and prev not in ("一",):
        if prev.isdigit() and re.search(r"(?:19|20)[0-9][0-9]$", before):
            return "year"
        return None
    return "year"


def _clause_prefix(text: str, start: int, width: int = 12) -> str:
    """Up to ``width`` characters before ``start``, not crossing a clause break (，。；! ...)."""
    window = text[max(0, start - width) : start]
    breaks = list(_CLAUSE_BREAK.finditer(window))
    return window[breaks[-1].end() :] if breaks else window


def _money_context(text: str, start: int) -> bool:
    return bool(_MONEY_WORDS.search(_clause_prefix(text, start)))


def _only_fillers(text: str, start: int, end: int) -> bool:
    if len(text) - (end - start) > 30:
        return False  # a long message is never "just a number"
    rest = text[:start] + " " + text[end:]
    return not _FILLER.sub("", rest).strip()


def find_amounts(text: str) -> list[Amount]:
    """Every money mention in ``text``, in order, with spans into ``text``."""
    if not text:
        return []
    norm = fold(text)
    zero_re, range_re, run_re = _patterns()
    found: list[Amount] = []
    taken: list[tuple[int, int]] = []

    def free(s: int, e: int) -> bool:
        return all(e <= ts or s >= te for ts, te in taken)

    for m in zero_re.finditer(norm):
        found.append(Amount(Decimal(0), None, (m.start(), m.end()), text[m.start() : m.end()]))
        taken.append((m.start(), m.end()))

    candidates: list[
        tuple[int, int, Decimal, Decimal | None, bool]
    ] = []  # start, run_end, lo, hi, unit_in_run
    for m in range_re.finditer(norm):
        lo_run, hi_run = m.group(1), m.group(2)
        try:
            lo, _ = _value_or_range(lo_run)
            hi, _ = _value_or_range(hi_run)
        except AmountError:
            continue
        unit_tail = re.search(r"[十百千万亿拾佰仟wWkK]+$", hi_run)
        if unit_tail and not re.search(r"[十百千万亿拾佰仟wWkK]", lo_run):
            try:
                scaled = _evaluate(lo_run + unit_tail.group(0))
            except AmountError:
                scaled = None
            if scaled is not None and scaled <= hi:
                lo = scaled
        if lo >= hi or not free(m.start(), m.end()):
            continue
        magnitude = bool(re.search(r"[百千万亿佰仟wWkK]", m.group(0)))
        candidates.append((m.start(), m.end(), lo, hi, magnitude))
        taken.append((m.start(), m.end()))

    for m in run_re.finditer(norm):
        start, end = m.start(1), _trim_run(norm, m.start(1), m.end(1))
        if not free(start, end):
            continue
        run = norm[start:end]
        if run[0] in "百佰千仟万亿" and not norm.startswith("把", end) and not norm.startswith("来", end):
            continue  # 万一, 千万别, 百分之 ...
        ar_digits = re.sub(r"\D", "", run.split(".")[0])
        if len(ar_digits) > 9 and "," not in run:
            continue  # phone numbers, ID numbers, other long codes
        try:
            lo, hi = _value_or_range(run)
        except AmountError:
            continue
        candidates.append((start, end, lo, hi, bool(re.search(r"[百千万亿佰仟wWkK]", run))))

    candidates.sort()
    for start, end, lo, hi, has_unit in candidates:
        pos = end
        approx = hi is not None
        arabic = any(ch.isascii() and ch.isdigit() for ch in norm[start:end])
        strong = has_unit  # 百/千/万/w/k: numbers this big are money unless a non-money unit follows
        m_approx = _APPROX_AFTER_RE().match(norm, pos)
        if m_approx and not (m_approx.group(0) == "把" and not has_unit):
            approx, pos = True, m_approx.end()
        if start and norm[start - 1] in "¥￥":
            strong = True
        m_cur = _CURRENCY_RE().match(norm, pos)
        if m_cur:
            strong, pos = True, m_cur.end()
            m_more = _TAIL_APPROX_RE().match(norm, pos)
            if m_more:
                approx, pos = True, m_more.end()
        elif _NON_MONEY_AFTER.match(norm, pos) and not _PERIOD_AFTER_RE().match(norm, pos):
            continue
        m_more = _TAIL_APPROX_RE().match(norm, pos)
        if m_more:
            approx, pos = True, m_more.end()
        period = None
        m_period = _PERIOD_AFTER_RE().match(norm, pos)
        if m_period:
            period = "month" if m_period.group(1) == "月" else "year"
            strong, pos = True, m_period.end()
        prefix = norm[max(0, start - 4) : start]
        if any(prefix.endswith(word) for word in _ORDINAL_BEFORE):
            continue
        if _APPROX_BEFORE.search(norm[max(0, start - 6) : start]):
            approx = True
        if period is None:
            period = _period_before(norm, start)
        if strong:
            pass
        elif _only_fillers(norm, start, pos):
            if norm[start:end] in _CHAT_NUMBERS:
                continue  # 886 = "bye-bye", 520 = "I love you" ...
        elif not (arabic and _money_context(norm, start)):
            continue  # bare Chinese numerals (一样, 一下) need a currency word or a magnitude
        if lo > _MAX_YUAN or (hi is not None and hi > _MAX_YUAN):
            continue
        found.append(
            Amount(
                yuan=_quantize(lo),
                period=period,
                span=(start, pos),
                raw=text[start:pos],
                approximate=approx,
                upper=_quantize(hi) if hi is not None else None,
            )
        )
    found.sort(key=lambda a: a.span)
    return found


@cache
def _PERIOD_AFTER_RE() -> re.Pattern[str]:  # noqa: N802 - lazily compiled constants
    return re.compile(_PERIOD_AFTER)


@cache
def _APPROX_AFTER_RE() -> re.Pattern[str]:  # noqa: N802
    return re.compile(_APPROX_AFTER)


@cache
def _CURRENCY_RE() -> re.Pattern[str]:  # noqa: N802
    return re.compile(_CURRENCY)


@cache
def _TAIL_APPROX_RE() -> re.Pattern[str]:  # noqa: N802
    return re.compile(r"\s*(?:多|左右|上下|出头)")


def parse_amount(text: str) -> Amount | None:
    """The first money mention of ``text`` (see ``find_amounts``), or None."""
    amounts = find_amounts(text)
    return amounts[0] if amounts else None


def require_amount(text: str) -> Amount:
    """Like ``parse_amount`` but raises AmountError with a Chinese reason when no amount can be read."""
    amount = parse_amount(text)
    if amount is None:
        raise AmountError("没有看懂金额，请直接写数字，例如“每月1800元”或“一年2.5万”。", value=text)
    return amount
