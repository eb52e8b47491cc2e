"""How the portal's form widgets look and render: Bootstrap classes (one rule for every form) and a form renderer
that builds ``<select>``, ``<input>`` and ``<textarea>`` in Python."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.forms import BoundField
from django.forms.renderers import DjangoTemplates
from django.http import HttpRequest
from django.utils.functional import Promise
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeData, SafeString, mark_safe


class DateInput(forms.DateInput):
    """``<input type="date">``, whose value browsers accept only as ``YYYY-MM-DD`` (RFC 3339), whatever the
    locale's display format: with zh-hans's ``2026/11/20`` the browser shows an empty field, and saving the form
    unchanged would erase the date."""

    input_type = "date"
    ISO_FORMAT = "%Y-%m-%d"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format=self.ISO_FORMAT)


def browser_text(value: object) -> object:
    """A textarea's text as the browser sent it, with its line breaks as stored (LF). HTML's form submission turns
    every line break of a ``<textarea>`` into CRLF: text that came from the database with LF (an import, a fixture,
    the API) would come back different on every save, though nobody touched it."""
    return value.replace("\r\n", "\n").replace("\r", "\n") if isinstance(value, str) else value


class LineBreaksAsStored:
    """For a ``Textarea`` (or the admin's): line breaks read back as LF (see ``browser_text``)."""

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        return browser_text(super().value_from_datadict(data, files, name))  # type: ignore[misc]


class Textarea(LineBreaksAsStored, forms.Textarea):
    """The portal's ``<textarea>``: saved unchanged, its text is unchanged."""


#: Filled with Django's ``MaxLengthValidator`` parameters: the limit and the length of what was typed.
MAX_LENGTH_MESSAGE = "最多%(limit_value)d个字，当前%(show_value)d个字。"


def bootstrap(form: forms.BaseForm) -> None:
    """Check boxes and radios get ``form-check-input``, selects ``form-select``, the rest ``form-control``; every
    widget gets a stable ``id_<name>``. A class a field already set is kept. A text too long is told in the portal's
    words (Django's own says 「确保该变量包含不超过…」), unless the field words it itself."""
    for name, field in form.fields.items():
        widget = field.widget
        if isinstance(field, forms.CharField):
            field.error_messages.setdefault("max_length", MAX_LENGTH_MESSAGE)
        if isinstance(widget, forms.Textarea) and not isinstance(widget, LineBreaksAsStored):
            raise TypeError(f"{type(form).__name__}.{name}: use portal.web.widgets.Textarea (line breaks as stored)")
        if isinstance(widget, forms.DateInput) and widget.input_type == "date":
            # Whatever declared it, a date picker is fed ISO dates (see DateInput).
            widget.format = DateInput.ISO_FORMAT
        if isinstance(widget, forms.RadioSelect | forms.CheckboxInput):
            widget.attrs["class"] = "form-check-input"
        elif isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select")
        else:
            widget.attrs.setdefault("class", "form-control")
        widget.attrs.setdefault("id", f"id_{name}")


SELECT_TEMPLATE = "django/forms/widgets/select.html"
OPTION_TEMPLATE = "django/forms/widgets/select_option.html"
TEXTAREA_TEMPLATE = "django/forms/widgets/textarea.html"
#: One radio or check box of a ``RadioSelect`` or ``CheckboxSelectMultiple`` (``BoundWidget.tag``): each only
#: ``input_option.html``, which is ``input.html``, its label wrapped around it on request.
OPTION_INPUT_TEMPLATES = frozenset(
    f"django/forms/widgets/{name}.html" for name in ("input_option", "radio_option", "checkbox_option")
)
#: Django's widget templates that are ``input.html`` and nothing else (each one line: its ``{% include %}``).
INPUT_TEMPLATES = frozenset(
    f"django/forms/widgets/{name}.html"
    for name in (
        "input",
        "text",
        "number",
        "email",
        "url",
        "password",
        "hidden",
        "date",
        "datetime",
        "time",
        "checkbox",
        "tel",
        "search",
        "color",
    )
)


class PortalBoundField(BoundField):
    """Django's bound field, whose widget also gets Bootstrap's ``is-invalid`` when its value was refused (Django
    marks it ``aria-invalid`` only, which draws nothing): the red border beside the message under it."""

    def build_widget_attrs(self, attrs: Any, widget: forms.Widget | None = None) -> dict[str, Any]:
        attrs = super().build_widget_attrs(attrs, widget)
        if attrs.get("aria-invalid") == "true":
            classes = attrs.get("class", (widget or self.field.widget).attrs.get("class", ""))
            attrs["class"] = f"{classes} is-invalid".strip()
        return attrs


class PortalFormRenderer(DjangoTemplates):
    """Django's form renderer (``FORM_RENDERER``), except that a ``<select>`` is built here rather than from
    Django's templates, to the byte (``tests/portal/test_widgets.py`` compares them).

    Why: the templates include two more templates for every option (the option, then its attributes), about a
    quarter of a millisecond each. The Annex 3 form's posts and third parties made its page the costliest a clerk
    opens (``bench/load.py``), and such lists grow with the district's posts and the city's third parties.

    ``<input>`` (every type whose template is only ``input.html``) and ``<textarea>`` are built here too, for the
    same reason: two templates each (the widget's, then its attributes'), a tenth of a millisecond or more per field,
    and a clerk's Annex 1 and Annex 3 forms have a dozen and more (``bench/write_cpu.py``).

    Every form's fields are ``PortalBoundField``s: a refused value's widget is drawn as invalid."""

    bound_field_class = PortalBoundField

    def render(self, template_name: str, context: dict[str, Any], request: HttpRequest | None = None) -> str:
        widget = context.get("widget")
        if widget is not None:
            if template_name in INPUT_TEMPLATES and _plain_value(widget):
                return input_html(widget)
            if template_name == TEXTAREA_TEMPLATE and _plain_value(widget):
                return textarea_html(widget)
            if template_name in OPTION_INPUT_TEMPLATES and _plain_value(widget) and _plain_label(widget):
                return option_input_html(widget)
            if template_name == SELECT_TEMPLATE and _plain_options(widget):
                return select_html(widget)
        return str(super().render(template_name, context, request))


def _plain_value(widget: Mapping[str, Any]) -> bool:
    """A value the templates would write as its ``str`` (what ``format_value`` gives: None or a string)."""
    return widget.get("value") is None or type(widget["value"]) is str or isinstance(widget["value"], SafeData)


def _plain_label(widget: Mapping[str, Any]) -> bool:
    """A label the templates would write as its text (a string, lazy or not; a number would be localized)."""
    return not widget.get("wrap_label") or isinstance(widget.get("label"), str | Promise)


def _plain_options(widget: Mapping[str, Any]) -> bool:
    return all(
        option["template_name"] == OPTION_TEMPLATE for _, options, _ in widget["optgroups"] for option in options
    )


def _text(value: object) -> str:
    """``{{ value|stringformat:'s' }}`` with autoescaping, as Django's widget templates write it."""
    try:
        text = "%s" % value  # noqa: UP031 (the filter's own formatting, tuples and all)
    except (TypeError, ValueError):
        text = ""
    # The filter keeps a safe value safe (unescaped); anything else is escaped on output.
    return text if isinstance(value, SafeData) else str(escape(text))


def _attrs(attrs: Mapping[str, object]) -> str:
    """``django/forms/widgets/attrs.html``."""
    return "".join(
        f" {conditional_escape(name)}" if value is True else f' {conditional_escape(name)}="{_text(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def input_html(widget: Mapping[str, Any]) -> str:
    """``django/forms/widgets/input.html`` (the renderer strips the whole, as it does a template's output)."""
    value = widget["value"]
    shown = "" if value is None else f' value="{_text(value)}"'
    html = f'<input type="{conditional_escape(widget["type"])}" name="{conditional_escape(widget["name"])}"{shown}'
    return f"{html}{_attrs(widget['attrs'])}>".strip()


def option_input_html(widget: Mapping[str, Any]) -> str:
    """``django/forms/widgets/input_option.html`` (also what ``radio_option.html`` and ``checkbox_option.html`` are)."""
    html = input_html(widget)
    if widget.get("wrap_label"):
        id_ = widget["attrs"].get("id")
        opening = f'<label for="{conditional_escape(id_)}">' if id_ else "<label>"
        # input.html's own line break stays in: the include writes the file whole.
        html = f"{opening}{html}\n {conditional_escape(widget['label'])}</label>"
    return html.strip()


def textarea_html(widget: Mapping[str, Any]) -> str:
    """``django/forms/widgets/textarea.html``."""
    value = widget["value"]
    text = conditional_escape(value) if value else ""
    return f'<textarea name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>\n{text}</textarea>'.strip()


def select_html(widget: Mapping[str, Any]) -> str:
    """``django/forms/widgets/select.html`` with ``select_option.html`` for each option (the renderer strips the
    whole, as it does a template's output)."""
    parts = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _ in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
        for option in options:
            label = conditional_escape(option["label"])
            parts.append(f'\n  <option value="{_text(option["value"])}"{_attrs(option["attrs"])}>{label}</option>\n')
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def _errors_html(field: BoundField) -> str:
    return "".join(
        f'<div class="invalid-feedback d-block">{conditional_escape(str(error))}</div>' for error in field.errors
    )


def field_html(field: BoundField) -> SafeString:
    """``templates/positions/_field.html`` (label, widget, help text, errors), byte for byte, built here: the include
    costs a template lookup, a context push and a dozen variable lookups for each of a form's fields
    (``{% field_block %}`` of ``portal_forms``; ``tests/portal/test_widgets.py`` compares the two)."""
    required = " portal-required" if field.field.required else ""
    # The ids the widget's aria-describedby names (Django's BoundField.aria_describedby).
    auto_id = conditional_escape(field.auto_id)
    help_text = (
        f'<div class="form-text" id="{auto_id}_helptext">{conditional_escape(field.help_text)}</div>'
        if field.help_text
        else ""
    )
    errors = f'<div id="{auto_id}_error">{_errors_html(field)}</div>' if field.errors else ""
    return mark_safe(  # noqa: S308 (every value above is escaped; the widget's HTML is Django's, already safe)
        f'<div class="mb-3">\n  <label class="form-label{required}" for="{conditional_escape(field.id_for_label)}">'
        f"{conditional_escape(field.label)}</label>\n  {field}\n  {help_text}\n  {errors}\n</div>\n"
    )


def radio_html(field: BoundField) -> SafeString:
    """``templates/positions/_radio.html`` (a required choice as inline radios, then its errors), byte for byte, as
    ``field_html`` is ``_field.html``: ``{% radio_block %}`` of ``portal_forms``. Choice labels are text (a number
    would be localized by the template)."""
    choices = "".join(
        f'\n    <div class="form-check form-check-inline">\n      {choice.tag()}\n      <label class="form-check-label"'
        f' for="{conditional_escape(choice.id_for_label)}">{conditional_escape(choice.choice_label)}</label>\n'
        "    </div>\n  "
        for choice in field
    )
    return mark_safe(  # noqa: S308 (escaped as above; the radios' HTML is Django's, already safe)
        f'<fieldset class="mb-3">\n  <legend class="form-label fs-6 portal-required">{conditional_escape(field.label)}'
        f"</legend>\n  {choices}\n  {_errors_html(field)}\n</fieldset>\n"
    )
