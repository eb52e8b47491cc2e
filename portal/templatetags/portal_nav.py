"""The menu in templates: after ``{% load portal_nav %}``, ``{% nav_items menu.work %}`` writes what
``{% include "portal/_nav_items.html" with items=menu.work %}`` does, built in Python
(``portal.web.navigation.nav_items_html``)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString

from portal.web.navigation import nav_items_html

register = template.Library()


@register.simple_tag(takes_context=True)
def nav_items(context: template.Context, items: Any) -> SafeString:
    return nav_items_html(tuple(items or ()), context.get("request"))
