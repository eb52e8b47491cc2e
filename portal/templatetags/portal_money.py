"""Money as Chinese offices print it: 45,000.00 — the zh-hans locale has no thousands separator, so not floatformat."""

from __future__ import annotations

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
