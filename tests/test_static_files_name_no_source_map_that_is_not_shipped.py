"""Production's static storage (whitenoise's manifest) refuses to collect a script or stylesheet that names a
file it cannot find, so a vendored library's ``sourceMappingURL`` to a map we do not ship would stop
``collectstatic`` and with it every deploy."""

import pathlib
import re

from django.conf import settings

STATIC = pathlib.Path(settings.BASE_DIR) / "static"
SOURCE_MAP = re.compile(r"sourceMappingURL=([^\s*]+)")


def test_every_source_map_a_static_file_names_is_there():
    named = []
    for path in sorted(STATIC.rglob("*")):
        if path.suffix in {".js", ".css"}:
            for target in SOURCE_MAP.findall(path.read_text(encoding="utf-8", errors="replace")):
                if not target.startswith("data:"):
                    named.append((path, path.parent / target))
    missing = [f"{p.relative_to(STATIC)} -> {t.name}" for p, t in named if not t.exists()]
    assert missing == []
