from __future__ import annotations

from django import forms


class ObjectionForm(forms.Form):
    hire = forms.IntegerField()
    name = forms.CharField(label="异议人真实姓名", max_length=64)
    phone = forms.CharField(label="联系电话", max_length=32)
    statement = forms.CharField(label="异议事实和理由", widget=forms.Textarea(attrs={"rows": 4}), max_length=2000)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control")
