"""Walking an engagement through its scenario, the way managers would have, with believable odds.

The scenario is read from the database (the firm's default: the core's standard one unless the firm
chose another), so step, outcome and result keys are the real ones. Each outcome gets a weight from
what it leads to: onward to the next step, a signed contract, a refusal (weighted by its reason: price
is the commonest), or the firm declining. Time spent on a step grows with its actions' deadlines,
with a long tail of stuck engagements. An engagement still on a step today is open; one whose
exhibition stopped selling before a step ended closes there with one of the step's results.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime

from expo.core.bulk.calendar import DAY, WorkCalendar
from expo.core.bulk.names import Weighted
from expo.core.models import Scenario

ONWARD_WEIGHT = 14.0
WON_WEIGHT = 10.0
DECLINED_WEIGHT = 0.7
LOST_WEIGHT_BY_REASON = {"price": 3.0, "competitor": 2.5, "no_budget": 2.0, "timing": 1.5, "quality": 1.0}
LOST_WEIGHT = 2.0  # a refusal with a reason not listed above, or none
STUCK_SHARE, STUCK_FACTOR = 0.1, 4  # some engagements sit on a step far longer than the rest
MAX_VISITS_PER_STEP = 3  # a scenario may loop back; a walk stops going round after this


@dataclass(frozen=True)
class Action:
    id: int
    title: str
    instructions: str | None
    deadline_days: int
    hard: bool
    escalate_to: str | None


@dataclass(frozen=True)
class Result:
    key: str
    kind: str
    reason: str | None


@dataclass(frozen=True)
class Outcome:
    key: str
    next_step: str | None
    result: Result | None

    @property
    def weight(self) -> float:
        if self.next_step is not None:
            return ONWARD_WEIGHT
        if self.result.kind == "won":
            return WON_WEIGHT
        if self.result.kind == "declined":
            return DECLINED_WEIGHT
        return LOST_WEIGHT_BY_REASON.get(self.result.reason, LOST_WEIGHT)


@dataclass
class Step:
    key: str
    actions: list[Action]
    outcomes: list[Outcome]

    def __post_init__(self):
        # a step with a week's deadline takes about three weeks; one due tomorrow about six days
        self.mean_days = 3 + 3 * max((a.deadline_days for a in self.actions), default=2)
        self.any = Weighted([(o, o.weight) for o in self.outcomes])
        ending = [(o, o.weight) for o in self.outcomes if o.result is not None]
        self.ending = Weighted(ending) if ending else None


class ScenarioMap:
    """A plain-Python copy of one scenario version, read once, for millions of walks."""

    def __init__(self, scenario: Scenario):
        self.id = scenario.id
        results = {r.key: Result(r.key, r.kind, r.reason) for r in scenario.results}
        self.steps = {
            s.key: Step(s.key,
                        [Action(a.id, a.title, a.instructions, a.deadline_days, a.hard, a.escalate_to)
                         for a in s.actions],
                        [Outcome(o.key, o.next_step, results.get(o.result) if o.result else None)
                         for o in s.outcomes])
            for s in scenario.steps
        }
        self.first = self.steps[scenario.steps[0].key]  # the entry step


@dataclass
class Visit:
    """One stay on a step: one step-log row. ``left``/``outcome`` are None on the current step."""

    step: Step
    entered: int  # minutes (see calendar)
    left: int | None = None
    outcome: Outcome | None = None
    entered_at: datetime | None = None  # the same moments in UTC, made once for all rows that need them
    left_at: datetime | None = None


@dataclass
class Walk:
    visits: list[Visit]
    result: Result | None  # None while open
    closed: int | None  # minute of closing

    @property
    def current(self) -> Visit | None:
        return self.visits[-1] if self.result is None else None

    @property
    def onward_moves(self) -> int:
        return sum(1 for v in self.visits if v.outcome is not None and v.outcome.next_step is not None)


def walk(scenario: ScenarioMap, calendar: WorkCalendar, rng: random.Random, opened: int, sales_end: int) -> Walk:
    """The steps an engagement opened at ``opened`` went through until today; ``sales_end`` is a minute."""
    visits: list[Visit] = []
    seen: dict[str, int] = {}
    step, entered = scenario.first, opened
    while True:
        visit = Visit(step, entered)
        visits.append(visit)
        seen[step.key] = seen.get(step.key, 0) + 1
        days = rng.expovariate(1 / step.mean_days) * (STUCK_FACTOR if rng.random() < STUCK_SHARE else 1)
        leaves = calendar.moment(entered // DAY + int(days), rng)
        if leaves <= entered:
            leaves = entered + 15 + int(rng.random() * 120)
        if leaves >= calendar.now and sales_end >= calendar.now:
            return Walk(visits, None, None)  # still on this step today
        if leaves >= sales_end:  # the exhibition stopped selling first: the step ends with a result
            if step.ending is None:
                return Walk(visits, None, None)  # no result from here: left open, as a busy manager would
            outcome = step.ending.pick(rng)
            leaves = max(sales_end, entered + 1)
        else:
            outcome = step.any.pick(rng)
            if step.ending and outcome.next_step and seen.get(outcome.next_step, 0) >= MAX_VISITS_PER_STEP:
                outcome = step.ending.pick(rng)
        visit.left, visit.outcome = leaves, outcome
        if outcome.result is not None:
            return Walk(visits, outcome.result, leaves)
        step, entered = scenario.steps[outcome.next_step], leaves
