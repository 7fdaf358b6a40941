# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""One registry mechanism for everything chosen by name: front-ends, backbones, dataset corpora,
benchmark sections, CLI subcommands and shipped models.

    FRONTENDS = Registry('front-end')

    @FRONTENDS.register('sincgram')
    class SincGram(nn.Module): ...

    FRONTENDS.get('sincgram')      # the class; an unknown name raises KeyError naming the choices
    FRONTENDS.names()              # registration order
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

T = TypeVar('T')


class RegistryError(KeyError, ValueError):
    """An unknown or duplicate name; the message lists the registered names."""

    def __str__(self) -> str:  # KeyError would print the message quoted
        return str(self.args[0])


class Registry(Generic[T]):
    """Name → object, in registration order. ``kind`` names the entries in error messages."""

    def __init__(self, kind: str):
        self.kind = kind
        self._entries: dict[str, T] = {}

    def register(self, name: str, obj: T | None = None) -> Callable[[T], T] | T:
        """``register(name, obj)`` or, as a decorator, ``@register(name)``."""
        def add(item: T) -> T:
            if name in self._entries and self._entries[name] is not item:
                raise RegistryError(f'{self.kind} {name!r} is registered already')
            self._entries[name] = item
            return item

        return add if obj is None else add(obj)

    def get(self, name: str) -> T:
        try:
            return self._entries[name]
        except KeyError:
            raise RegistryError(f'unknown {self.kind} {name!r}; choose from {self.names()}') from None

    def names(self) -> list[str]:
        return list(self._entries)

    def items(self) -> list[tuple[str, T]]:
        return list(self._entries.items())

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __getitem__(self, name: str) -> T:
        return self.get(name)

    def __repr__(self) -> str:
        return f'Registry({self.kind!r}, {self.names()})'
