"""Dataclasses that cross between processes, pickled as the call that builds them.

An import's reader process sends the writer ten thousand comments a batch, each
with its author and its listening signals. Python pickles a slotted dataclass
through ``copyreg`` with a dict of its fields per object (and a frozen one through
the dataclass's own Python ``__getstate__``/``__setstate__``): measured on 20,000
comments of the benchmark's corpus, 32 µs to write and 29 µs to read back each
one, against 8 and 12.5 µs as ``cls(*values)``. The reader, the slower side of an
import, writes every comment it reads; the writer reads every one back.
"""

from __future__ import annotations

from dataclasses import fields
from operator import attrgetter
from typing import Any, TypeVar

T = TypeVar("T")


def pickled_as_call(cls: type[T]) -> type[T]:
    """Make instances of the dataclass ``cls`` pickle (and copy) as ``cls(*values)``.

    Every field must be an ``__init__`` argument that can be given by position,
    so that the call rebuilds the object as it was.
    """
    names = []
    for field in fields(cls):  # type: ignore[arg-type]
        if not field.init or field.kw_only:
            raise TypeError(f"{cls.__name__}.{field.name} cannot be passed by position")
        names.append(field.name)
    getter = attrgetter(*names)
    # attrgetter of one name gives the value itself, of several a tuple of them.
    values = getter if len(names) > 1 else lambda self: (getter(self),)

    def __reduce__(self: Any) -> tuple[type[T], tuple[Any, ...]]:
        return cls, values(self)

    cls.__reduce__ = __reduce__  # type: ignore[method-assign,assignment]
    return cls
