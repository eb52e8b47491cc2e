"""Money as Chinese offices print it: 45,000.00 — the zh-hans locale has no thousands separator, so not floatformat."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django import template

register = template.Library()


@register.filter
def yuan(value: object, places: int = 2) -> str:
    """``Decimal("45000")|yuan`` → ``45,000.00``; ``|yuan:0`` → ``45,000``. Empty for None."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    return f"{amount:,.{int(places)}f}"


_MONEY_TEXT = re.compile(r"-?\d+\.\d{2}")


@register.filter
def figure(value: object) -> str:
    """A table cell's figure as the portal writes money everywhere: ``"30000.00"`` (the amounts a table carries as
    two-place strings, as its CSV writes them) → ``30,000.00``; counts and days unchanged."""
    text = str(value)
    return yuan(text) if _MONEY_TEXT.fullmatch(text) else text
