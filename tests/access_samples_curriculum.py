"""Access-walk samples for the curriculum app's URL kwargs (merged into ``tests/access_samples.py``)."""

from __future__ import annotations

from .access_samples import Sample, SampleContext  # noqa: F401

KWARG_SAMPLES: dict[str, Sample] = {}

URL_SAMPLES: dict[str, dict[str, Sample]] = {}
