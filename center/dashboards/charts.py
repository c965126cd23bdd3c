"""Small server-rendered SVG charts for the dashboards: no JavaScript, no CDN, printable.

Every value is escaped through ``format_html``; each bar carries a ``<title>`` with its exact
figure (shown as a tooltip and read by screen readers), and the page shows the same numbers in a
table beside the chart.
"""
from __future__ import annotations

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

COLOURS = {"red": "#c0392b", "yellow": "#e0a800", "green": "#2e8b57", "overdue": "#e67e22",
           "escalated": "#8e1b1b", "rate": "#2f6fae", "extended": "#8cb4dc", "empty": "#d9d9d9"}
LABEL_WIDTH, BAR_WIDTH, ROW_HEIGHT, LEGEND_WIDTH = 170, 380, 24, 210


def stacked_bars(rows: list[tuple[str, list[tuple[int, str, str]]]], *, title: str) -> SafeString:
    """Horizontal stacked bars: one row per ``(label, [(value, colour key, legend), ...])``, all rows
    on one scale (the largest row total fills the width)."""
    if not rows:
        return SafeString("")
    largest = max(sum(value for value, _, _ in parts) for _, parts in rows) or 1
    height = ROW_HEIGHT * len(rows) + 28
    width = LABEL_WIDTH + BAR_WIDTH + 60
    shapes = []
    for index, (label, parts) in enumerate(rows):
        y = index * ROW_HEIGHT + 4
        shapes.append(format_html('<text x="{}" y="{}" text-anchor="end" class="chart-label">{}</text>',
                                  LABEL_WIDTH - 8, y + 15, label))
        x = LABEL_WIDTH
        for value, colour, legend in parts:
            if not value:
                continue
            length = round(BAR_WIDTH * value / largest, 1)
            shapes.append(format_html(
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}" data-value="{}"><title>{}: {} {}</title></rect>',
                x, y, length, ROW_HEIGHT - 8, COLOURS[colour], value, label, legend, value))
            x += length
        total = sum(value for value, _, _ in parts)
        shapes.append(format_html('<text x="{}" y="{}" class="chart-value">{}</text>', round(x + 6, 1), y + 15, total))
    legend_y = height - 8
    seen, legend = [], []
    for _, parts in rows:
        for _, colour, name in parts:
            if (colour, name) not in seen:
                seen.append((colour, name))
    for index, (colour, name) in enumerate(seen):
        x = LABEL_WIDTH + index * 110
        legend.append(format_html('<rect x="{}" y="{}" width="12" height="12" fill="{}"></rect>'
                                  '<text x="{}" y="{}" class="chart-label">{}</text>',
                                  x, legend_y - 11, COLOURS[colour], x + 16, legend_y, name))
    return format_html(
        '<svg class="chart" role="img" viewBox="0 0 {} {}" width="{}" height="{}" xmlns="http://www.w3.org/2000/svg">'
        '<title>{}</title>{}{}</svg>',
        width, height, width, height, title, format_html_join("", "{}", ((s,) for s in shapes)),
        format_html_join("", "{}", ((s,) for s in legend)))


def grouped_columns(points: list[tuple[str, list[float | None]]], *, series: list[tuple[str, str]], title: str,
                    maximum: float = 100, unit: str = "%") -> SafeString:
    """Vertical columns on a 0..maximum scale: for each ``(label, [value, ...])`` a group of columns
    side by side, one per ``series`` entry ``(colour key, legend)``, with the legend below when there is
    more than one series. A missing value draws an empty grey stub, so a month without figures is
    not mistaken for 0 %."""
    if all(value is None for _, values in points for value in values):
        return SafeString("")
    column, gap, chart_height, top = (34 if len(series) == 1 else 30), 10, 160, 18
    group = column * len(series)
    legend_height = 22 if len(series) > 1 else 0
    width = max(40 + len(points) * (group + gap), 40 + LEGEND_WIDTH * len(series))
    height = chart_height + top + 34 + legend_height
    shapes = [format_html('<line x1="36" y1="{}" x2="{}" y2="{}" stroke="#999"></line>', top + chart_height,
                          width, top + chart_height),
              format_html('<text x="32" y="{}" text-anchor="end" class="chart-label">{}</text>', top + 4,
                          f"{maximum:g}{unit}"),
              format_html('<text x="32" y="{}" text-anchor="end" class="chart-label">0</text>', top + chart_height)]
    for index, (label, values) in enumerate(points):
        start = 40 + index * (group + gap)
        for offset, ((colour, legend), value) in enumerate(zip(series, values)):
            x = start + offset * column
            name = f"{label} {legend}" if len(series) > 1 else label
            if value is None:
                shapes.append(format_html(
                    '<rect x="{}" y="{}" width="{}" height="3" fill="{}"><title>{}: —</title></rect>',
                    x, top + chart_height - 3, column, COLOURS["empty"], name))
                continue
            bar = round(chart_height * min(float(value), maximum) / maximum, 1)
            shapes.append(format_html(
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}" data-value="{}"><title>{}: {}{}</title></rect>'
                '<text x="{}" y="{}" text-anchor="middle" class="chart-value">{}</text>',
                x, round(top + chart_height - bar, 1), column, bar, COLOURS[colour], value, name, value, unit,
                x + column / 2, round(top + chart_height - bar - 4, 1), f"{float(value):g}"))
        shapes.append(format_html('<text x="{}" y="{}" text-anchor="middle" class="chart-label">{}</text>',
                                  start + group / 2, top + chart_height + 16, label))
    if len(series) > 1:
        legend_y = height - 8
        for index, (colour, legend) in enumerate(series):
            x = 40 + index * LEGEND_WIDTH
            shapes.append(format_html('<rect x="{}" y="{}" width="12" height="12" fill="{}"></rect>'
                                      '<text x="{}" y="{}" class="chart-label">{}</text>',
                                      x, legend_y - 11, COLOURS[colour], x + 16, legend_y, legend))
    return format_html(
        '<svg class="chart" role="img" viewBox="0 0 {} {}" width="{}" height="{}" xmlns="http://www.w3.org/2000/svg">'
        '<title>{}</title>{}</svg>', width, height, width, height, title,
        format_html_join("", "{}", ((s,) for s in shapes)))
