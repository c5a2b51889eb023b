"""What applying a plan returns, and the batching the bulk writes share."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

_CHUNK = 500


@dataclass
class Outcome:
    created: int = 0
    updated: int = 0
    left: int = 0
    unchanged: int = 0
    details: dict[str, Any] = field(default_factory=dict)


def _chunks(items: list, size: int = _CHUNK):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _fill_missing_pks(objs: list, model, key: str, **scope) -> None:
    # PostgreSQL and SQLite 3.35+ return ids from bulk_create; this covers older databases.
    missing = [o for o in objs if o.pk is None]
    for chunk in _chunks(missing):
        ids = dict(model.objects.filter(**scope, **{f"{key}__in": [getattr(o, key) for o in chunk]})
                   .values_list(key, "pk"))
        for obj in chunk:
            obj.pk = ids[getattr(obj, key)]
