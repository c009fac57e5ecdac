"""A mypy plugin: calling a factory-boy factory gives its model.

`UserFactory(...)` returns a saved `User`: factory-boy's metaclass turns the call into
`UserFactory.create(...)`, which its types cannot say (mypy reads the call as making a
`UserFactory`). With each factory declared as `DjangoModelFactory[Model]`, this plugin types the
call as `create()` is typed.
"""

from __future__ import annotations

from collections.abc import Callable

from mypy.maptype import map_instance_to_supertype
from mypy.nodes import TypeInfo
from mypy.plugin import FunctionContext, Plugin
from mypy.types import AnyType, Instance, Type, get_proper_type

BASE_FACTORY = "factory.base.BaseFactory"


class FactoryCallPlugin(Plugin):
    def get_function_hook(self, fullname: str) -> Callable[[FunctionContext], Type] | None:
        symbol = self.lookup_fully_qualified(fullname)
        if symbol and isinstance(symbol.node, TypeInfo) and symbol.node.has_base(BASE_FACTORY):
            return _model_of_factory
        return None


def _model_of_factory(ctx: FunctionContext) -> Type:
    made = get_proper_type(ctx.default_return_type)
    if not isinstance(made, Instance):
        return ctx.default_return_type
    base = next(info for info in made.type.mro if info.fullname == BASE_FACTORY)
    (model,) = map_instance_to_supertype(made, base).args
    if isinstance(get_proper_type(model), AnyType):  # a factory without its model's type
        return ctx.default_return_type
    return model


def plugin(version: str) -> type[Plugin]:
    return FactoryCallPlugin
