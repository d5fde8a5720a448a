"""The model classes read by path: which model sits where, and its keys in order.

Why it exists: ``fmt`` (key order), ``export`` (files that pass ``fmt --check``)
and the tests of the compiled model walk the pydantic classes the same way,
one path step at a time. This is that walk, in one public place; validate's
hot path never comes here (it reads ``hmsconf.model.compiled``), so pydantic
is imported only when a function below is called.
"""

from __future__ import annotations

import typing
from functools import cache
from typing import Any, Hashable, Mapping


def step(annotation: Any, part: Any) -> Any:
    """The annotation one path step below ``annotation``; None where the model says nothing.

    Looked up once per (annotation, key): fmt and export step through it for every key of
    every file. Every list index reads the same."""
    if annotation is None:
        return None
    if isinstance(part, int):
        part = 0
    if not isinstance(part, Hashable):  # a YAML key that is a list or a map: nothing in the model
        return None
    return _step(annotation, part)


@cache
def _step(annotation: Any, part: Any) -> Any:
    from pydantic import BaseModel

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        field = next((f for n, f in annotation.model_fields.items() if (f.alias or n) == part), None)
        return field.annotation if field else None
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin in (dict,) and len(args) == 2:
        return args[1]
    if origin in (list,) and args:
        return args[0] if isinstance(part, int) else None
    for arg in args:  # Optional / Union: the first branch that can take the step
        if arg is type(None):
            continue
        found = _step(arg, part)
        if found is not None:
            return found
    return None


def model_inside(annotation: Any) -> Any:
    """The model class inside Optional[...] (not inside a list or dict); None when there is none."""
    from pydantic import BaseModel

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if typing.get_origin(annotation) in (dict, list):
        return None
    for arg in typing.get_args(annotation):
        found = model_inside(arg)
        if found is not None:
            return found
    return None


def field_order(annotation: Any) -> list[str]:
    """The keys of the model at ``annotation``, in the model's (the reference's) order."""
    model = model_inside(annotation)
    if model is None:
        return []
    return [f.alias or name for name, f in model.model_fields.items()]


def allowed_keys(model: Any, path: tuple[Any, ...]) -> list[str]:
    """The keys allowed where ``path`` points below ``model`` (did-you-mean suggestions)."""
    annotation: Any = model
    for part in path:
        annotation = step(annotation, part)
        if annotation is None:
            return []
    return field_order(annotation)


def ordered_keys(keys: list[Any], annotation: Any, front: tuple[str, ...] = (), back: tuple[str, ...] = ()) -> list[Any]:
    """``keys`` in the model's order below ``annotation`` (``front`` first, ``back`` last, keys the
    model does not know after them, each group in its given order); as given where the model says nothing."""
    rank, unknown = _key_rank(annotation, front, back)
    if not rank:
        return list(keys)
    given = {k: i for i, k in enumerate(keys)}
    return sorted(keys, key=lambda k: (rank.get(k, unknown), given[k]))


@cache
def _key_rank(annotation: Any, front: tuple[str, ...], back: tuple[str, ...]) -> tuple[Mapping[str, int], int]:
    known = field_order(annotation) if annotation is not None else []
    order = [*front, *[k for k in known if k not in front], *back] if known else []
    return {k: i for i, k in enumerate(order)}, len(order)
