"""What applying a plan returns, and the batching the bulk writes share."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db import models

_CHUNK = 500


@dataclass
class Outcome:
    created: int = 0
    updated: int = 0
    left: int = 0
    unchanged: int = 0
    details: dict[str, Any] = field(default_factory=dict)


_T = TypeVar("_T")


def _chunks(items: Sequence[_T], size: int = _CHUNK) -> Iterator[Sequence[_T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _fill_missing_pks(objs: Sequence[models.Model], model: type[models.Model], key: str, **scope: Any) -> None:
    # PostgreSQL and SQLite 3.35+ return ids from bulk_create; this covers older databases.
    missing = [o for o in objs if o.pk is None]
    for chunk in _chunks(missing):
        manager = model.objects  # type: ignore[attr-defined]  # Pupil and User keep Django's "objects"
        ids = dict(manager.filter(**scope, **{f"{key}__in": [getattr(o, key) for o in chunk]}).values_list(key, "pk"))
        for obj in chunk:
            obj.pk = ids[getattr(obj, key)]
