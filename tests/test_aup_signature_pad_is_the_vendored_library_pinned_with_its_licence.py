"""The drawn signature is made by signature_pad (MIT), vendored with its licence at a pinned version and served
from the portal itself, loaded before the page script that uses it; the hand-written canvas code is gone.
(tests/browser/test_aup_parent_draws_a_signature_and_signs_for_two_children_on_a_phone.py draws with it.)"""

import hashlib
import pathlib
import re

from django.conf import settings

ROOT = pathlib.Path(settings.BASE_DIR)
VENDOR = ROOT / "static" / "vendor" / "signature_pad"
PINNED = "5.1.4"
# The release file less its last line, "//# sourceMappingURL=signature_pad.umd.min.js.map": the map is not shipped,
# and production's manifest storage refuses to collect a script that names a missing file.
SHA256 = "e1db78319f1425946133c902252ef20d39b14ea4257e890764d4400c03a924d6"


def test_the_library_is_the_pinned_release_with_its_licence():
    library = VENDOR / "signature_pad.umd.min.js"
    assert hashlib.sha256(library.read_bytes()).hexdigest() == SHA256
    assert f"Signature Pad v{PINNED}" in library.read_text(encoding="utf-8")[:200]
    assert (VENDOR / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
    assert f"signature_pad {PINNED}" in (VENDOR / "VERSION").read_text(encoding="utf-8")


def test_the_signing_pages_load_it_before_the_script_that_uses_it():
    assets = (ROOT / "templates" / "aup" / "_assets.html").read_text(encoding="utf-8")
    scripts = re.findall(r"static '([^']+\.js)'", assets)
    assert scripts == ["vendor/signature_pad/signature_pad.umd.min.js", "js/aup.js"]
    page_script = (ROOT / "static" / "js" / "aup.js").read_text(encoding="utf-8")
    assert "new window.SignaturePad(canvas" in page_script
    assert "pointermove" not in page_script  # no hand-drawn strokes beside the library
