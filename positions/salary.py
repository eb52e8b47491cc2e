"""Salary text as a person wrote it → a yearly range in yuan, where it can be understood.

'15-25万元/年' → (150000, 250000); '1.5万/月' → (180000, 180000); '20万以上' → (200000, None);
'8000-12000元/月' → (96000, 144000); '面议' → (None, None). Text that cannot be understood is kept as
written and parses to (None, None); the post is still valid (the notice asks for a range, not a number).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

_NUMBER = r"(\d+(?:\.\d+)?)"
_RANGE = re.compile(
    rf"^{_NUMBER}(?:\s*(?:-|~|至|到)\s*{_NUMBER})?\s*(万|千|k|w)?\s*(元)?\s*(以上|以下|起)?\s*(?:/|每)?\s*(年|月)?$"
)
#: A yearly figure this large is a typo, whatever the unit; it also bounds the 12-digit database columns.
_IMPLAUSIBLE = Decimal(10) ** 9
_NEGOTIABLE = ("面议", "薪资面议", "待遇面议", "协商", "面谈")


@dataclass(frozen=True)
class SalaryRange:
    minimum: Decimal | None
    maximum: Decimal | None

    @property
    def understood(self) -> bool:
        return self.minimum is not None or self.maximum is not None


def normalise_text(value: str) -> str:
    text = unicodedata.normalize("NFKC", value or "").strip().lower()
    text = text.replace("－", "-").replace("—", "-").replace("–", "-").replace("～", "~").replace("／", "/")
    return re.sub(r"\s+", "", text)


@functools.lru_cache(maxsize=4096)  # pure, and a sheet repeats its few salary texts down the rows
def parse_salary(value: str) -> SalaryRange:
    text = normalise_text(value).rstrip("。;；,，")
    if not text or any(word in text for word in _NEGOTIABLE):
        return SalaryRange(None, None)
    text = text.replace("年薪", "").replace("月薪", "")
    match = _RANGE.match(text)
    if not match:
        return SalaryRange(None, None)
    low_text, high_text, unit, _yuan, bound, per = match.groups()
    try:
        low = Decimal(low_text)
        high = Decimal(high_text) if high_text else None
    except InvalidOperation:
        return SalaryRange(None, None)
    multiplier = {"万": Decimal(10000), "w": Decimal(10000), "千": Decimal(1000), "k": Decimal(1000)}.get(
        unit or "", Decimal(1)
    )
    if per is None:
        # '15-25万' without a period is yearly (the notice's own example says 万元/年); a bare small
        # number of yuan such as '8000' is monthly in every Chinese job ad.
        per = "年" if multiplier >= 10000 or low >= 50000 else "月"
    months = Decimal(12) if per == "月" else Decimal(1)
    factor = multiplier * months
    if max(low, high or low) * factor >= _IMPLAUSIBLE:
        # Beyond any salary (and the database column): a typo, not a range.
        return SalaryRange(None, None)
    low_yuan = (low * factor).quantize(Decimal(1))
    high_yuan = (high * factor).quantize(Decimal(1)) if high is not None else None
    if high_yuan is not None and high_yuan < low_yuan:
        return SalaryRange(None, None)
    if bound in ("以上", "起"):
        return SalaryRange(low_yuan, None)
    if bound == "以下":
        return SalaryRange(None, low_yuan)
    return SalaryRange(low_yuan, high_yuan if high_yuan is not None else low_yuan)
