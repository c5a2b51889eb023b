"""Accessibility checks in the browser tests: axe-core, vendored under tests/browser/vendor/axe-core/.

    from .axe import assert_no_axe_violations

    page.goto("/filtering/checks/")
    assert_no_axe_violations(page)                        # the whole page
    assert_no_axe_violations(page, context="#grid")       # one part of it (a CSS selector)
    assert_no_axe_violations(page, disable=["region"])    # a rule switched off, for a reason written beside it

axe runs the WCAG 2.0, 2.1 and 2.2 A and AA rules and Deque's best practices, colour contrast included, on
the page as it is drawn now (so set the viewport first: a phone layout is checked at phone width). A
failure lists every violation with its rule, its impact, what to fix and the elements concerned, for example:

    2 accessibility violations on /filtering/checks/ at 390 px:
    - color-contrast (serious): Elements must meet minimum color contrast ratio thresholds
        td[data-testid="cell-personal-guest_wifi-visitors"] > a
          Fix any of the following: Element has insufficient color contrast of 4.1 (...)

axe-core is test-only: it is never served by the portal. It is injected through the DevTools protocol
(``page.evaluate``), which the pages' Content-Security-Policy does not govern, so the CSP stays as strict in
the tests as in production. To update it: ``npm pack axe-core@VERSION``, copy ``axe.min.js``, ``LICENSE``
and ``LICENSE-3RD-PARTY.txt`` from the package into the vendor folder and change ``AXE_VERSION``.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

AXE_VERSION = "4.14.1"  # npm axe-core, MPL-2.0 (vendor/axe-core/LICENSE)
AXE_JS = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice")


@cache
def _source() -> str:
    return AXE_JS.read_text(encoding="utf-8")


def axe_violations(page, *, context: str | None = None, disable: Iterable[str] = ()) -> list[dict[str, Any]]:
    """axe-core's violations on ``page`` now (within ``context``, a CSS selector, if given)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_source())
        version = page.evaluate("() => window.axe.version")
        assert version == AXE_VERSION, f"vendored axe-core is {version}, expected {AXE_VERSION}"
    options = {
        "runOnly": {"type": "tag", "values": list(TAGS)},
        "rules": {rule: {"enabled": False} for rule in disable},
        "resultTypes": ["violations"],
    }
    return page.evaluate(
        "async ([context, options]) => (await window.axe.run(context || document, options)).violations",
        [context, options],
    )


def describe(violations: list[dict[str, Any]]) -> str:
    """One readable paragraph per violation: rule, impact, help text, then each element and what to fix."""
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v.get('impact') or 'minor'}): {v['help']}  [{v['helpUrl']}]")
        for node in v["nodes"]:
            target = " ".join(" >> ".join(t) if isinstance(t, list) else t for t in node["target"])
            lines.append(f"    {target}")
            summary = (node.get("failureSummary") or "").replace("\n", "\n      ")
            if summary:
                lines.append(f"      {summary}")
    return "\n".join(lines)


def assert_no_axe_violations(page, *, context: str | None = None, disable: Iterable[str] = ()) -> None:
    """Fail with a readable list when axe-core finds any violation on ``page`` (or within ``context``)."""
    violations = axe_violations(page, context=context, disable=disable)
    if violations:
        width = page.viewport_size["width"] if page.viewport_size else "?"
        where = page.url.split("//", 1)[-1].split("/", 1)[-1]
        count = len(violations)
        raise AssertionError(
            f"{count} accessibility violation{'s' if count != 1 else ''} on /{where} at {width} px:\n"
            + describe(violations)
        )
