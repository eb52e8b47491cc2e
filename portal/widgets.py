"""Bootstrap classes on Django form widgets: one rule for every form of the portal."""

from __future__ import annotations

from django import forms


def bootstrap(form: forms.BaseForm) -> None:
    """Check boxes and radios get ``form-check-input``, selects ``form-select``, the rest ``form-control``; every
    widget gets a stable ``id_<name>``. A class a field already set is kept."""
    for name, field in form.fields.items():
        widget = field.widget
        if isinstance(widget, forms.RadioSelect | forms.CheckboxInput):
            widget.attrs["class"] = "form-check-input"
        elif isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select")
        else:
            widget.attrs.setdefault("class", "form-control")
        widget.attrs.setdefault("id", f"id_{name}")
