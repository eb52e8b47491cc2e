"""``portal.web.api.copy_unbound``: the copies ``FieldsBuiltOnce`` gives each serializer are what DRF's deep copy
would give, and their inner fields (a list's child) belong to the copy, not to the field it was copied from."""

from __future__ import annotations

import copy
from typing import Any

from rest_framework import serializers
from rest_framework.fields import Field

import subsidies.serializers
from portal.web.api import FieldsBuiltOnce, copy_unbound


def _state(field: Field[Any, Any, Any, Any]) -> dict[str, Any]:
    """What a field holds, comparable between two copies: inner fields by their own state, the parent by its type,
    validators by their types (DRF's deep copy shares validators as well). The creation counter (the order of
    declaration on a class, read only when the class is made) is left out."""
    state: dict[str, Any] = {}
    for name, value in vars(field).items():
        if name == "_creation_counter":
            continue
        if name == "parent":
            state[name] = type(value)
        elif isinstance(value, Field):
            state[name] = _state(value)
        elif name in ("_validators", "validators"):
            state[name] = [type(validator) for validator in value]
        elif name == "queryset":
            state[name] = str(value.query)
        elif name == "_kwargs":
            state[name] = sorted(value)
        else:
            state[name] = repr(value)
    return state


def _serializers() -> list[type[serializers.Serializer[Any]]]:
    return [
        value
        for value in vars(subsidies.serializers).values()
        if isinstance(value, type)
        and issubclass(value, serializers.Serializer)
        and value.__module__ == subsidies.serializers.__name__
    ]


def test_a_copy_of_an_unbound_field_is_what_a_deep_copy_makes() -> None:
    compared = 0
    for serializer_class in _serializers():
        instance = serializer_class()
        # DRF's own fields, not the copies of those built once.
        own: Any = super(FieldsBuiltOnce, instance) if isinstance(instance, FieldsBuiltOnce) else instance
        built = own.get_fields()
        for name, field in built.items():
            copied = copy_unbound(field)
            assert type(copied) is type(field)
            assert _state(copied) == _state(copy.deepcopy(field)), f"{serializer_class.__name__}.{name}"
            for inner in ("child", "child_relation"):
                if inner in vars(field):
                    assert vars(copied)[inner] is not vars(field)[inner]
                    assert vars(copied)[inner].parent is copied
            compared += 1
    assert compared > 100


def test_each_serializer_gets_fields_of_its_own() -> None:
    first, second = subsidies.serializers.ClaimDetailSerializer(), subsidies.serializers.ClaimDetailSerializer()
    for name, field in first.fields.items():
        other = second.fields[name]
        assert field is not other and field.parent is first and other.parent is second
    lines, others = first.fields["lines"], second.fields["lines"]
    assert isinstance(lines, serializers.ListSerializer) and isinstance(others, serializers.ListSerializer)
    assert lines.child is not None and lines.child is not others.child
    assert lines.child.parent is lines and lines.child.root is first
