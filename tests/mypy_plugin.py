"""A mypy plugin: calling a factory_boy factory class (``HireFactory(confirmed=True)``) gives its model.

factory_boy types ``HireFactory.create()`` as the factory's type parameter (``DjangoModelFactory[Hire]``), but a
call of the class itself goes through its metaclass, which mypy does not follow: it would take the call for an
instance of the factory. This plugin gives such a call the type parameter instead. Registered in pyproject.toml,
``[tool.mypy] plugins``; used only by the type check, never imported by the tests.
"""

from __future__ import annotations

from collections.abc import Callable

from mypy.maptype import map_instance_to_supertype
from mypy.nodes import TypeInfo
from mypy.plugin import FunctionContext, Plugin
from mypy.types import Instance, Type, get_proper_type

BASE_FACTORY = "factory.base.BaseFactory"


def _model_of_factory_call(ctx: FunctionContext) -> Type:
    called = get_proper_type(ctx.default_return_type)
    if not isinstance(called, Instance):
        return ctx.default_return_type
    base = next((info for info in called.type.mro if info.fullname == BASE_FACTORY), None)
    if base is None:
        return ctx.default_return_type
    return map_instance_to_supertype(called, base).args[0]


class FactoryCallPlugin(Plugin):
    def get_function_hook(self, fullname: str) -> Callable[[FunctionContext], Type] | None:
        symbol = self.lookup_fully_qualified(fullname)
        if symbol is not None and isinstance(symbol.node, TypeInfo) and symbol.node.has_base(BASE_FACTORY):
            return _model_of_factory_call
        return None


def plugin(version: str) -> type[Plugin]:
    return FactoryCallPlugin
