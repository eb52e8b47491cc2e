"""Form fields in templates: after ``{% load portal_forms %}``, ``{% field_block form.name %}`` writes what
``{% include "positions/_field.html" with field=form.name %}`` does (label, widget, help text, errors), built in
Python (``portal.web.widgets.field_html``); ``{% radio_block form.channel %}`` what ``positions/_radio.html`` does
(``radio_html``)."""

from __future__ import annotations

from django import template
from django.forms import BoundField
from django.utils.safestring import SafeString

from portal.web.widgets import field_html, radio_html

register = template.Library()


@register.simple_tag
def field_block(field: BoundField) -> SafeString:
    return field_html(field)


@register.simple_tag
def radio_block(field: BoundField) -> SafeString:
    return radio_html(field)
