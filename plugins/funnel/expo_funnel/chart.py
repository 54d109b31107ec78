"""The funnel chart's geometry: one horizontal bar per step, as long as the engagements that
entered it, split into passed, in progress and dropped, with the drop written beside it.

Horizontal, so a long Russian step title reads on one line left of its bar; drawn by the
template ``funnel/_chart.svg`` as plain SVG (no script: it prints in PDFs and mails too).
"""
from __future__ import annotations

from dataclasses import dataclass

from expo_funnel.queries import StepCounts

WIDTH, LABEL, BAR, ROW, NOTE = 760, 230, 330, 34, 190  # px: chart, titles, longest bar, row, annotation


@dataclass
class Bar:
    step: StepCounts
    y: int
    passed: float  # the segments' lengths in px, left to right
    in_progress: float
    dropped: float


def bars(counts: list[StepCounts]) -> list[Bar]:
    """The bars, scaled to the step most engagements entered; none when nobody entered any."""
    widest = max((c.entered for c in counts), default=0)
    if not widest:
        return []
    scale = BAR / widest
    return [Bar(c, 10 + i * ROW, c.passed * scale, c.in_progress * scale, c.dropped * scale)
            for i, c in enumerate(counts)]


def height(counts: list[StepCounts]) -> int:
    return 20 + len(counts) * ROW
