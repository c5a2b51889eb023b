"""Looking at a page as its users do: on a 390 px phone and on a 1280 px laptop.

    from .widths import check_at_both_widths

    check_at_both_widths(page, "/filtering/checks/", "filtering-checks")

For each width: load the page, check that nothing is cut off sideways (neither the page nor any table in a
scrolling box is wider than the screen, so no column hides off-screen), run axe-core (tests/browser/axe.py),
and save a full-page screenshot as artifacts/screenshots/<name>-<width>.png to look at.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from .axe import assert_no_axe_violations
from .conftest import screenshot

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 800}
WIDTHS = (PHONE, LAPTOP)

# Elements wider than the box that scrolls them: a table in .table-responsive whose last columns need a
# sideways scroll. A pixel of rounding is allowed.
_CUT_OFF = """() => {
  const out = [];
  const root = document.documentElement;
  if (root.scrollWidth > root.clientWidth + 1) {
    out.push(`the page is ${root.scrollWidth} px wide on a ${root.clientWidth} px screen`);
  }
  for (const el of document.querySelectorAll("body *")) {
    const style = getComputedStyle(el);
    if (!["auto", "scroll"].includes(style.overflowX)) continue;
    if (el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0) {
      const classes = String(el.className).trim().split(/\\s+/).join(".");
      const name = el.id ? `#${el.id}` : el.className ? `.${classes}` : el.tagName;
      out.push(`${name} needs a sideways scroll: ${el.scrollWidth} px of content in ${el.clientWidth} px`);
    }
  }
  return out;
}"""


def cut_off(page) -> list[str]:
    """What on the page needs a sideways scroll to be seen (empty when nothing does)."""
    return page.evaluate(_CUT_OFF)


def assert_nothing_cut_off(page) -> None:
    problems = cut_off(page)
    width = page.viewport_size["width"]
    assert not problems, f"At {width} px, part of {page.url} is off-screen:\n" + "\n".join(problems)


def check_at_both_widths(
    page,
    url: str,
    name: str,
    *,
    widths: Iterable[dict] = WIDTHS,
    then: Callable[[object, int], None] | None = None,
    disable: Iterable[str] = (),
) -> None:
    """Load ``url`` at each width, check nothing is cut off and axe finds nothing, and take a screenshot.

    ``then(page, width)`` runs after the checks at each width, for page-specific assertions.
    """
    for size in widths:
        page.set_viewport_size(size)
        page.goto(url)
        page.wait_for_load_state("load")
        screenshot(page, f"{name}-{size['width']}")  # first, so a failure below can be looked at
        assert_nothing_cut_off(page)
        assert_no_axe_violations(page, disable=disable)
        if then is not None:
            then(page, size["width"])
    assert page.console_errors == [], page.console_errors
