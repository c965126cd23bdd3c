"""The red round seal of a department, drawn as SVG: the Chinese name along the upper arc, a
five-pointed star in the centre, the seal text below. Each character is placed and turned on its
own (no textPath), so that browsers and WeasyPrint draw it the same."""
from __future__ import annotations

import math
from html import escape

RED = "#d0021b"


def seal_svg(name: str, text: str = "", size: int = 160) -> str:
    c = size / 2
    ring = size * 0.47
    radius = size * 0.36  # where the name's characters stand
    chars = list(name)[:16]
    # Spread the name over up to 240 degrees of the upper arc, centred on the top.
    span = min(240.0, 22.0 * max(len(chars) - 1, 1))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" viewBox="0 0 {size} {size}" '
        f'role="img" aria-label="{escape(name)}">',
        f'<circle cx="{c}" cy="{c}" r="{ring}" fill="none" stroke="{RED}" stroke-width="{size * 0.035:.2f}"/>',
    ]
    font = size * 0.115
    for index, char in enumerate(chars):
        angle = -span / 2 + (span * index / (len(chars) - 1) if len(chars) > 1 else 0)
        theta = math.radians(angle - 90)
        x, y = c + radius * math.cos(theta), c + radius * math.sin(theta)
        parts.append(
            f'<text x="{x:.2f}" y="{y:.2f}" fill="{RED}" font-size="{font:.2f}" text-anchor="middle" '
            f'dominant-baseline="central" font-family="WenQuanYi Micro Hei, Noto Sans CJK SC, sans-serif" '
            f'transform="rotate({angle:.2f} {x:.2f} {y:.2f})">{escape(char)}</text>'
        )
    star_r, inner = size * 0.14, size * 0.055
    points = []
    for k in range(10):
        r = star_r if k % 2 == 0 else inner
        theta = math.radians(-90 + 36 * k)
        points.append(f"{c + r * math.cos(theta):.2f},{c + size * 0.02 + r * math.sin(theta):.2f}")
    parts.append(f'<polygon points="{" ".join(points)}" fill="{RED}"/>')
    if text:
        text = text[:14]
        # Fit the line inside the ring: about 55% of the diameter wide.
        line_font = min(size * 0.085, size * 0.55 / max(len(text), 1))
        parts.append(
            f'<text x="{c}" y="{c + size * 0.3:.2f}" fill="{RED}" font-size="{line_font:.2f}" text-anchor="middle" '
            f'font-family="WenQuanYi Micro Hei, Noto Sans CJK SC, sans-serif">{escape(text)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
