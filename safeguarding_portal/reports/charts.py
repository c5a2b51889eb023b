"""Hand-written SVG charts for the governor report: vector, so WeasyPrint prints them crisply at any zoom,
and no JavaScript. Every label is escaped; counts of 1 or 2 are drawn as one hatched stub and labelled
"fewer than 3", so a bar's length never tells a governor more than the figure beside it would."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .privacy import SMALL_COUNT_LIMIT, small_count

# Colour-blind-safe series colours (Okabe-Ito), oldest period palest so "this term" stands out.
SERIES = ("#c9d6e3", "#9fb6cc", "#6f93b3", "#1f4e79")
INK, MUTED, GRID = "#1b1b1b", "#555", "#d9d9d9"
FONT = "DejaVu Sans, Arial, sans-serif"


def _shown(n: int) -> float:
    # 1 and 2 draw the same stub: the length must not reveal which.
    return 1.5 if 0 < n < SMALL_COUNT_LIMIT else float(n)


def _label(n: int) -> str:
    value = small_count(n)
    return "&lt;3" if isinstance(value, str) else str(value)


_pattern_ids = itertools.count(1)


def _new_pattern_id() -> str:
    # Inline SVGs share the page's id namespace: each chart needs its own pattern id.
    return f"small-{next(_pattern_ids)}"


def _defs(pattern_id: str) -> str:
    return (
        f'<defs><pattern id="{pattern_id}" width="4" height="4" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="4" height="4" fill="#fff"/>'
        '<line x1="0" y1="0" x2="0" y2="4" stroke="#777" stroke-width="2"/></pattern></defs>'
    )


@dataclass
class Series:
    label: str
    values: Sequence[int]


def _measure(title: str) -> str:
    """What a chart counts, from its title ("Referrals by agency" counts referrals), for its value axis."""
    head = title.split(" by ", 1)[0].strip()
    return head if head and head != title else "Number"


def grouped_columns(
    *,
    groups: Sequence[str],
    series: Sequence[Series],
    width: int = 640,
    height: int = 230,
    title: str,
    value_label: str | None = None,
) -> SafeString:
    """Columns per group (e.g. the 4 Cs), one per period, with a legend. ``title`` is the accessible name.

    The value axis has a scale and a title (``value_label``, by default what the title says is counted), each
    column its figure and each group its name."""
    value_label = value_label or _measure(title)
    left, right, top, bottom = 48, 10, 28, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value = max([_shown(v) for s in series for v in s.values] + [3.0])
    step = _nice_step(top_value)
    axis_max = step * (int(top_value // step) + 1)
    pattern_id = _new_pattern_id()
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="{escape(title)}" font-family="{FONT}">',
        _defs(pattern_id),
    ]
    for i in range(int(axis_max // step) + 1):
        y = top + plot_h - plot_h * (i * step) / axis_max
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{GRID}" stroke-width="0.6"/>'
        )
        parts.append(
            f'<text x="{left - 4}" y="{y + 3:.1f}" font-size="8" text-anchor="end" fill="{MUTED}">'
            f"{int(i * step)}</text>"
        )
    group_w = plot_w / max(len(groups), 1)
    bar_w = min(22.0, (group_w - 14) / max(len(series), 1))
    for g, name in enumerate(groups):
        x0 = left + g * group_w + (group_w - bar_w * len(series)) / 2
        for s_index, s in enumerate(series):
            n = s.values[g]
            h = plot_h * _shown(n) / axis_max
            x, y = x0 + s_index * bar_w, top + plot_h - h
            fill = f"url(#{pattern_id})" if 0 < n < SMALL_COUNT_LIMIT else SERIES[-len(series) + s_index]
            parts.append(
                f'<rect x="{x + 1:.1f}" y="{y:.1f}" width="{bar_w - 2:.1f}" height="{h:.1f}" '
                f'fill="{fill}" stroke="{SERIES[-1] if fill.startswith("url") else "none"}" '
                'stroke-width="0.6"/>'
            )
            if n:
                parts.append(
                    f'<text x="{x + bar_w / 2:.1f}" y="{y - 2:.1f}" font-size="7" text-anchor="middle" '
                    f'fill="{INK}">{_label(n)}</text>'
                )
        parts.append(
            f'<text x="{left + g * group_w + group_w / 2:.1f}" y="{height - bottom + 13}" font-size="9" '
            f'text-anchor="middle" fill="{INK}" font-weight="bold">{escape(name)}</text>'
        )
    lx = left
    for s_index, s in enumerate(series):
        colour = SERIES[-len(series) + s_index]
        parts.append(f'<rect x="{lx}" y="8" width="9" height="9" fill="{colour}"/>')
        parts.append(f'<text x="{lx + 12}" y="16" font-size="8" fill="{INK}">{escape(s.label)}</text>')
        lx += 12 + 5.2 * len(s.label) + 14
    parts.append(
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" stroke="{INK}" '
        'stroke-width="0.8"/>'
    )
    parts.append(f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="{INK}" stroke-width="0.8"/>')
    mid = top + plot_h / 2
    parts.append(
        f'<text x="11" y="{mid:.1f}" font-size="8" text-anchor="middle" fill="{INK}" '
        f'transform="rotate(-90 11 {mid:.1f})">{escape(value_label)}</text>'
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))


def horizontal_bars(
    *,
    rows: Sequence[tuple[str, int]],
    width: int = 640,
    title: str,
    colour: str = SERIES[-1],
    value_label: str | None = None,
) -> SafeString:
    """One bar per row, label on the left, figure at the end of the bar, and a value axis with a scale and a
    title underneath (``value_label``, by default what the title says is counted).

    The scale's steps are never smaller than 5, so no tick reads 1 or 2: a hatched stub (a count of one or
    two) sits below the first step whichever it is."""
    value_label = value_label or _measure(title)
    label_w, row_h, top, axis_h = 230, 18, 4, 30
    plot_w = width - label_w - 40
    height = top + row_h * max(len(rows), 1) + axis_h
    top_value = max([_shown(n) for _, n in rows] + [3.0])
    step = _nice_step(top_value, minimum=5)
    axis_max = step * (int(top_value // step) + 1)
    base = top + row_h * max(len(rows), 1)
    pattern_id = _new_pattern_id()
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="{escape(title)}" font-family="{FONT}">',
        _defs(pattern_id),
    ]
    for i in range(int(axis_max // step) + 1):
        x = label_w + plot_w * (i * step) / axis_max
        parts.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{base + 3}" stroke="{GRID}" stroke-width="0.6"/>')
        parts.append(
            f'<text x="{x:.1f}" y="{base + 12}" font-size="8" text-anchor="middle" fill="{MUTED}">'
            f"{int(i * step)}</text>"
        )
    for i, (label, n) in enumerate(rows):
        y = top + i * row_h
        w = plot_w * _shown(n) / axis_max
        fill = f"url(#{pattern_id})" if 0 < n < SMALL_COUNT_LIMIT else colour
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 12}" font-size="8.5" text-anchor="end" fill="{INK}">'
            f"{escape(label)}</text>"
        )
        parts.append(
            f'<rect x="{label_w}" y="{y + 3}" width="{max(w, 0.5):.1f}" height="{row_h - 6}" '
            f'fill="{fill}" stroke="{colour if fill.startswith("url") else "none"}" stroke-width="0.6"/>'
        )
        parts.append(f'<text x="{label_w + w + 4:.1f}" y="{y + 12}" font-size="8.5" fill="{INK}">{_label(n)}</text>')
    parts.append(f'<line x1="{label_w}" y1="{top}" x2="{label_w}" y2="{base}" stroke="{INK}" stroke-width="0.8"/>')
    parts.append(
        f'<line x1="{label_w}" y1="{base}" x2="{label_w + plot_w}" y2="{base}" stroke="{INK}" stroke-width="0.8"/>'
    )
    parts.append(
        f'<text x="{label_w + plot_w / 2:.1f}" y="{base + 25}" font-size="8" text-anchor="middle" '
        f'fill="{INK}">{escape(value_label)}</text>'
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))


def sparkline(values: Sequence[int], *, width: int = 64, height: int = 16) -> SafeString:
    """Four tiny columns (oldest to newest) for a table row: the trend at a glance."""
    top_value = max([_shown(v) for v in values] + [3.0])
    bar_w = width / max(len(values), 1)
    pattern_id = _new_pattern_id()
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="trend over the last {len(values)} periods">',
        _defs(pattern_id),
    ]
    for i, n in enumerate(values):
        h = max((height - 2) * _shown(n) / top_value, 0.8 if n else 0.4)
        fill = f"url(#{pattern_id})" if 0 < n < SMALL_COUNT_LIMIT else SERIES[-len(values) + i]
        parts.append(
            f'<rect x="{i * bar_w + 1:.1f}" y="{height - h:.1f}" width="{bar_w - 2:.1f}" height="{h:.1f}" '
            f'fill="{fill if n else GRID}" stroke="{SERIES[-1] if fill.startswith("url") else "none"}" '
            'stroke-width="0.5"/>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))


def _nice_step(top: float, *, minimum: int = 1) -> float:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000):
        if step >= minimum and top / step <= 6:
            return float(step)
    return 10000.0
