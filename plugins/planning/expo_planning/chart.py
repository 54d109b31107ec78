"""The planning error's trend as a small SVG line chart: one point per month, the mean as a
dashed line. Plain SVG markup with no script, so it prints in PDF reports and e-mails too."""
from __future__ import annotations

from markupsafe import Markup, escape

from expo_planning.queries import Trend

WIDTH, HEIGHT, PAD = 640, 180, 32


def error_trend(trend: Trend, title: str) -> Markup:
    """The chart of ``trend`` (months without an error are skipped); empty when there is none."""
    points = [(month, fact.error) for month, fact in trend.points if fact.error is not None]
    if not points:
        return Markup("")
    values = [float(error) for _, error in points] + ([float(trend.mean)] if trend.mean is not None else [])
    low, high = min(values + [0.0]), max(values + [0.0])
    span = (high - low) or 1.0
    step = (WIDTH - 2 * PAD) / max(len(points) - 1, 1)

    def y(value: float) -> float:
        return round(HEIGHT - PAD - (value - low) / span * (HEIGHT - 2 * PAD), 1)

    xy = [(round(PAD + i * step, 1), y(float(error))) for i, (_, error) in enumerate(points)]
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="planning-trend" viewBox="0 0 {WIDTH} {HEIGHT}" '
             f'width="{WIDTH}" height="{HEIGHT}" role="img" aria-label="{escape(title)}">',
             f'<line x1="{PAD}" y1="{y(0.0)}" x2="{WIDTH - PAD}" y2="{y(0.0)}" stroke="#999" stroke-width="1"/>',
             '<polyline fill="none" stroke="#1f5fa8" stroke-width="2" points="'
             + " ".join(f"{px},{py}" for px, py in xy) + '"/>']
    if trend.mean is not None:
        parts.append(f'<line x1="{PAD}" y1="{y(float(trend.mean))}" x2="{WIDTH - PAD}" y2="{y(float(trend.mean))}" '
                     'stroke="#c0392b" stroke-dasharray="6 4" stroke-width="1.5"/>')
    for (px, py), (month, error) in zip(xy, points):
        parts.append(f'<circle cx="{px}" cy="{py}" r="3.5" fill="#1f5fa8"><title>{month}: {float(error) * 100:.1f} %'
                     '</title></circle>')
        parts.append(f'<text x="{px}" y="{HEIGHT - 8}" font-size="10" text-anchor="middle">{month[2:]}</text>')
        parts.append(f'<text x="{px}" y="{py - 7}" font-size="10" text-anchor="middle">{float(error) * 100:.0f}%</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
