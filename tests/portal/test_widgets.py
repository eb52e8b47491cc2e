"""portal.web.widgets.PortalFormRenderer builds <select>, <input> and <textarea> in Python: the same HTML as Django's
templates, to the byte."""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.datastructures import MultiValueDict
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from portal.admin import AdminTextarea
from portal.web.widgets import (
    DateInput,
    PortalBoundField,
    PortalFormRenderer,
    Textarea,
    bootstrap,
    input_html,
    select_html,
    textarea_html,
)
from positions.forms import PositionForm
from referrals.forms import HireForm
from tests.factories import EmployerFactory, PositionFactory, ThirdPartyFactory


class DjangosTemplates(DjangoTemplates):
    """Django's templates for every widget, with the portal's bound field (whose attributes both sides share)."""

    bound_field_class = PortalBoundField


DJANGO, PORTAL = DjangosTemplates(), PortalFormRenderer()


class Everything(forms.Form):
    plain = forms.ChoiceField(choices=[("1", "A&B"), ("2", "<b>“引号”</b>"), ("", "（请选择）")])
    grouped = forms.ChoiceField(choices=[("组一", [("a", "一"), ("b", "二")]), ("c", "三"), ("组二", [("d", 4)])])
    many = forms.MultipleChoiceField(choices=[("1", "A"), ("2", "B"), ("3", "C")], required=False)
    lazy = forms.ChoiceField(choices=[("m", gettext_lazy("硕士")), ("s", mark_safe("<i>安全</i>"))])
    numbers = forms.TypedChoiceField(choices=[(1, 1), (2, 2)], coerce=int)
    yes_no = forms.NullBooleanField()
    odd_attrs = forms.ChoiceField(
        choices=[("x", "X")],
        widget=forms.Select(
            attrs={"data-x": 'a"b', "disabled": True, "hidden": False, "data-safe": mark_safe("&amp;")}
        ),
    )


def _both(form_class: type[forms.BaseForm], **kwargs: Any) -> tuple[list[str], list[str]]:
    rendered = []
    for renderer in (DJANGO, PORTAL):
        form = form_class(renderer=renderer, **kwargs)
        bootstrap(form)
        rendered.append([str(form[name]) for name in form.fields])
    return rendered[0], rendered[1]


@pytest.mark.parametrize(
    "data", [None, {"plain": "2", "grouped": "d", "many": ["1", "3"], "lazy": "s", "numbers": "2", "yes_no": "true"}]
)
def test_every_kind_of_select_renders_as_django_renders_it(data: dict[str, object] | None) -> None:
    with mock.patch("portal.web.widgets.select_html", wraps=select_html) as built:
        expected, got = _both(Everything, data=data)
    assert built.call_count == len(Everything.base_fields)  # each one was built in Python, none by the templates
    assert got == expected
    assert "<select" in got[0] and "&lt;b&gt;" in got[0]


@pytest.mark.django_db
def test_the_portal_forms_render_as_before() -> None:
    post = PositionFactory(published=True)
    EmployerFactory(district=post.district, name="重庆<某>公司")
    ThirdPartyFactory(name="荐才“A&B”机构")
    for form_class, initial in (
        (PositionForm, PositionForm.initial_from(post)),
        (HireForm, {"position": post.pk, "mode": "full_time", "education": "master"}),
    ):
        expected, got = _both(form_class, initial=initial, district=post.district)
        assert got == expected


class Inputs(forms.Form):
    text = forms.CharField(max_length=20, help_text="说明")
    optional = forms.CharField(required=False)
    number = forms.IntegerField(min_value=1, max_value=9)
    decimal = forms.DecimalField(max_digits=8, decimal_places=2)
    email = forms.EmailField()
    url = forms.URLField(assume_scheme="https")
    day = forms.DateField(widget=DateInput())
    stamp = forms.DateTimeField()
    hour = forms.TimeField()
    agreed = forms.BooleanField(required=False)
    secret = forms.CharField(widget=forms.PasswordInput(render_value=True))
    hidden = forms.CharField(widget=forms.HiddenInput)
    odd = forms.CharField(
        widget=forms.TextInput(
            attrs={"data-x": 'a"b<', "readonly": True, "hidden": False, "data-s": mark_safe("&amp;")}
        )
    )
    notes = forms.CharField(widget=Textarea(attrs={"rows": 3}))
    empty_notes = forms.CharField(required=False, widget=Textarea())


@pytest.mark.parametrize(
    "data",
    [
        None,
        {
            "text": 'A&B "引号" <b>',
            "number": "3",
            "decimal": "12.50",
            "email": "a@b.cn",
            "url": "https://x.cn/?a=1&b=2",
            "day": "2026-07-01",
            "stamp": "2026-07-01 08:30",
            "hour": "08:30",
            "agreed": "on",
            "secret": "p<w",
            "hidden": "h&",
            "odd": "",
            "notes": "第一行\n<第二行>&",
            "empty_notes": "",
        },
        {"number": "x", "agreed": "", "notes": mark_safe("<i>安全</i>")},
    ],
)
def test_inputs_and_textareas_render_as_django_renders_them(data: dict[str, object] | None) -> None:
    with (
        mock.patch("portal.web.widgets.input_html", wraps=input_html) as inputs,
        mock.patch("portal.web.widgets.textarea_html", wraps=textarea_html) as textareas,
    ):
        expected, got = _both(Inputs, data=data)
    assert (inputs.call_count, textareas.call_count) == (len(Inputs.base_fields) - 2, 2)
    assert got == expected


class Options(forms.Form):
    radio = forms.ChoiceField(
        choices=[("1", "一"), ("2", "<b>二</b>"), ("3", gettext_lazy("硕士"))], widget=forms.RadioSelect
    )
    boxes = forms.MultipleChoiceField(
        choices=[("a", "A&B"), ("b", mark_safe("<i>安全</i>"))], widget=forms.CheckboxSelectMultiple, required=False
    )
    numbers = forms.TypedChoiceField(choices=[(1, 1), (2, 2)], coerce=int, widget=forms.RadioSelect)


@pytest.mark.parametrize("data", [None, {"radio": "2", "boxes": ["a", "b"], "numbers": "2"}])
def test_radios_and_check_boxes_render_as_django_renders_them(data: dict[str, object] | None) -> None:
    for wrap in (False, True):
        rendered: list[list[list[str]]] = []
        for renderer in (DJANGO, PORTAL):
            form = Options(renderer=renderer, data=data)
            bootstrap(form)
            rendered.append([[str(choice.tag(wrap_label=wrap)) for choice in form[name]] for name in form.fields])
            rendered[-1].append([str(form[name]) for name in form.fields])
        assert rendered[0] == rendered[1]


def test_initial_values_of_other_types_render_as_django_renders_them() -> None:
    initial = {"number": 7, "decimal": "3.50", "day": "2026-07-01", "agreed": True, "notes": "a\nb", "text": 5}
    expected, got = _both(Inputs, initial=initial)
    assert got == expected


def test_other_templates_are_left_to_django() -> None:
    class Radios(forms.Form):
        choice = forms.ChoiceField(choices=[("1", "一")], widget=forms.RadioSelect)
        text = forms.CharField()

    expected, got = _both(Radios)
    assert got == expected


class Notes(forms.Form):
    notes = forms.CharField(widget=Textarea())


@pytest.mark.parametrize("widget", [Textarea(), AdminTextarea()])
def test_a_textarea_reads_line_breaks_back_as_stored(widget: forms.Widget) -> None:
    # HTML's form submission sends every line break of a <textarea> as CRLF, whatever the text held.
    sent = {"notes": "1. 熟悉工业控制；\r\n2. 有项目经验。\r\n\r\n旧式换行\r结尾"}
    assert (
        widget.value_from_datadict(sent, MultiValueDict(), "notes")
        == "1. 熟悉工业控制；\n2. 有项目经验。\n\n旧式换行\n结尾"
    )
    assert widget.value_from_datadict({}, MultiValueDict(), "notes") is None


def test_a_form_saved_unchanged_gives_back_its_text() -> None:
    stored = "第一行\n\n  第三行缩进"
    html = str(Notes(initial={"notes": stored})["notes"])
    assert html.endswith(f">\n{stored}</textarea>")  # the newline after <textarea> is the parser's, not the text's
    form = Notes({"notes": stored.replace("\n", "\r\n")})
    assert form.is_valid() and form.cleaned_data["notes"] == stored


def test_bootstrap_refuses_a_textarea_that_would_rewrite_line_breaks() -> None:
    class Plain(forms.Form):
        notes = forms.CharField(widget=forms.Textarea())

    with pytest.raises(TypeError, match=r"portal\.web\.widgets\.Textarea"):
        bootstrap(Plain())


def test_a_text_too_long_is_told_in_the_portals_words() -> None:
    from referrals.forms import ObjectionForm

    form = ObjectionForm(data={"hire": "1", "name": "张" * 70, "phone": "13800000000", "statement": "事实"})
    assert form.errors["name"] == ["最多64个字，当前70个字。"]


def test_a_field_that_words_its_own_limit_keeps_it() -> None:
    class Own(forms.Form):
        code = forms.CharField(max_length=4, error_messages={"max_length": "编码为4位。"})
        note = forms.CharField(max_length=4, widget=Textarea())

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            bootstrap(self)

    form = Own(data={"code": "12345", "note": "一二三四五六"})
    assert form.errors == {"code": ["编码为4位。"], "note": ["最多4个字，当前6个字。"]}


class Labelled(forms.Form):
    plain = forms.CharField(label="名<称>", help_text=gettext_lazy("说明 & 例子"))
    optional = forms.CharField(required=False, label=mark_safe("<i>安全</i>"), help_text=mark_safe("<b>粗</b>"))
    number = forms.IntegerField(min_value=1)
    notes = forms.CharField(widget=Textarea(), required=False)
    choice = forms.ChoiceField(choices=[("", "（请选择）"), ("a", "A&B")])
    no_id = forms.CharField(widget=forms.TextInput(attrs={"id": 'x"y'}), required=False)

    def clean(self) -> dict[str, Any]:
        self.add_error("optional", mark_safe("<b>安全的错误</b>"))
        self.add_error("optional", "不<安全>的错误")
        return self.cleaned_data


@pytest.mark.django_db
@pytest.mark.parametrize("bound", [False, True])
def test_a_field_block_writes_what_the_field_include_writes(bound: bool) -> None:
    """``{% field_block %}`` (``portal.web.widgets.field_html``) and ``positions/_field.html``, to the byte: labels,
    help texts and errors escaped unless safe, the required mark, the label's target."""
    from django.template import engines

    post = PositionFactory(published=True)
    EmployerFactory(district=post.district, name="重庆<某>公司")
    ThirdPartyFactory(name="荐才“A&B”机构")
    data = {"plain": "A&B", "number": "x", "choice": "zz", "name": "<岗位>", "headcount": "0"} if bound else None
    forms_ = [
        Labelled(data, auto_id="id_%s"),
        Labelled(data, auto_id=False),
        PositionForm(data, initial=PositionForm.initial_from(post), district=post.district),
        HireForm(data, initial={"position": post.pk, "mode": "full_time"}, district=post.district),
    ]
    engine = engines["django"]
    include = engine.from_string('{% for field in form %}{% include "positions/_field.html" %}|{% endfor %}')
    block = engine.from_string("{% load portal_forms %}{% for field in form %}{% field_block field %}|{% endfor %}")
    for form in forms_:
        expected, got = include.render({"form": form}), block.render({"form": form})
        assert got == expected
        assert not bound or "invalid-feedback" in got


@pytest.mark.django_db
@pytest.mark.parametrize("bound", [False, True])
def test_a_radio_block_writes_what_the_radio_include_writes(bound: bool) -> None:
    """``{% radio_block %}`` (``portal.web.widgets.radio_html``) and ``positions/_radio.html``, to the byte."""
    from django.template import engines

    class Radios(forms.Form):
        odd = forms.ChoiceField(
            label="<类>", choices=[("a", "A&B"), ("b", mark_safe("<i>安全</i>"))], widget=forms.RadioSelect
        )

    post = PositionFactory(published=True)
    data = {"odd": "zz", "channel": "nowhere"} if bound else None
    radios = [
        form[name]
        for form in (
            Radios(data),
            Radios(data, auto_id=False),
            PositionForm(data, initial=PositionForm.initial_from(post), district=post.district),
            HireForm(data, initial={"mode": "full_time"}, district=post.district),
        )
        for name, field in form.fields.items()
        if isinstance(field.widget, forms.RadioSelect)
    ]
    assert len(radios) == 5
    engine = engines["django"]
    include = engine.from_string('{% for field in radios %}{% include "positions/_radio.html" %}|{% endfor %}')
    block = engine.from_string("{% load portal_forms %}{% for field in radios %}{% radio_block field %}|{% endfor %}")
    expected, got = include.render({"radios": radios}), block.render({"radios": radios})
    assert got == expected
    assert not bound or "invalid-feedback" in got


def test_a_refused_value_is_drawn_invalid_and_described_by_its_message_and_help() -> None:
    """The widget's aria-describedby names the help text and the messages by ids the page has, and the widget gets
    Bootstrap's red border, on the clerk's forms (``{% field_block %}``) as with the include."""
    import re

    from django.template import Context, Template

    from portal.web.widgets import field_html

    class Sheet(forms.Form):
        name = forms.CharField(label="名称", help_text="单位全称", max_length=4)

    form = Sheet(data={"name": "太长的单位名称"}, renderer=PORTAL)
    bootstrap(form)
    built = str(field_html(form["name"]))
    included = Template('{% include "positions/_field.html" %}').render(Context({"field": form["name"]}))
    assert built == included
    widget = re.search(r"<input [^>]*>", built)
    assert widget is not None
    assert 'class="form-control is-invalid"' in widget.group() and 'aria-invalid="true"' in widget.group()
    described = re.search(r'aria-describedby="([^"]+)"', widget.group())
    assert described is not None
    for target in described.group(1).split():
        assert f'id="{target}"' in built, target
    assert "最多4个字" in built

    clean = Sheet(data={"name": "单位"}, renderer=PORTAL)
    bootstrap(clean)
    assert clean.is_valid() and "is-invalid" not in str(field_html(clean["name"]))
