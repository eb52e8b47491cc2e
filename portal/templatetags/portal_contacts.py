"""The city's contacts in templates, read from their one source (``portal.contacts``): after
``{% load portal_contacts %}``, ``{% city_contacts as contacts %}`` gives both offices in the notice's order and
``{% city_contact "centre" as centre %}`` one of them ("bureau", 流动处, or "centre", 市人才交流服务中心), whose
``inline`` is the office and its phone inside a sentence."""

from __future__ import annotations

from django import template

from portal.contacts import CITY_CONTACTS, CONTACTS_BY_KEY, Contact

register = template.Library()


@register.simple_tag
def city_contacts() -> tuple[Contact, ...]:
    return CITY_CONTACTS


@register.simple_tag
def city_contact(key: str) -> Contact:
    """An unknown key is a template's mistake: it fails loudly rather than print no phone."""
    return CONTACTS_BY_KEY[key]
