"""The rows the core would have written for a walked engagement: engagement, step log, tasks, activities.

Each table's row is built in one function here, with the same values the services write
(``process.enter_step``/``choose_outcome``/``_close``, ``tasks.create_from_actions``/``cancel_open``/
``complete``, ``activities.log_activity``), so analytics see bulk data exactly as they see real work.
A new column of the step log is one more line in :func:`step_log_row`.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime
from itertools import count

from flask_babel import lazy_gettext as _l

from expo.core.bulk.calendar import DAY, WorkCalendar
from expo.core.bulk.names import pick
from expo.core.bulk.walk import Action, Visit, Walk

ESCALATION_TIME = 7 * 60  # the morning check (expo tasks check) runs at 7:00
# what managers log at each step of the standard scenario; other steps get the generic kinds
ACTIVITY_KINDS_BY_STEP = {
    "contact": ["call", "call", "email"], "materials": ["email", "call"],
    "presentation": ["presentation", "meeting", "call"], "offer": ["offer", "call", "email", "meeting"],
}
GENERIC_KINDS = ["call", "email", "note"]
ACTIVITY_TEXTS = {
    "call": ["Дозвонились до лица, принимающего решения", "Клиент просит перезвонить через неделю",
             "Обсудили участие и площадь стенда", "Не дозвонились, секретарь обещала передать",
             "Уточнили бюджет на выставку", "Обсудили сроки оплаты"],
    "email": ["Отправлены материалы о выставке", "Ответили на вопросы по застройке стенда",
              "Выслали план павильона", "Напомнили о сроках раннего бронирования"],
    "meeting": ["Встреча в офисе клиента", "Встреча на площадке выставки",
                "Обсудили концепцию стенда с маркетингом клиента"],
    "presentation": ["Провели презентацию выставки", "Онлайн-презентация для руководства клиента",
                     "Показали портфолио стендов прошлых лет"],
    "offer": ["Выслано коммерческое предложение", "Отправлена скорректированная смета",
              "Согласовали скидку за раннее бронирование"],
    "note": ["Клиент в отпуске до конца месяца", "Сменился контакт по закупкам",
             "Бюджет согласуют на следующей неделе"],
}
ACTIVITIES_PER_VISIT = [0, 1, 1, 1]  # besides the notes of done tasks
# the share of tasks done before their step was left (onward or to a result), or by today
DONE_SHARE = {"onward": 0.6, "closed": 0.3, "current": 0.25, "current, overdue": 0.9}


@dataclass(frozen=True)
class Deal:
    """What is fixed when an engagement is opened."""

    id: int
    client_id: int
    exhibition_id: int
    manager_id: int | None
    opened_by_id: int
    scenario_id: int
    expected_amount: int | None


class History:
    """Appends an engagement's rows to ``rows[table]`` (a sink's buffers); ids are counted here, from 1."""

    def __init__(self, calendar: WorkCalendar, rng: random.Random, rows: dict[str, list[dict]], stalled_days: int,
                 done_notes: dict[str, str]):
        self.calendar, self.rng, self.stalled_days, self.done_notes = calendar, rng, stalled_days, done_notes
        self.engagements, self.step_log = rows["engagements"].append, rows["step_log"].append
        self.tasks, self.activities = rows["tasks"].append, rows["activities"].append
        self.next_log_id, self.next_task_id = count(1).__next__, count(1).__next__
        self.next_activity_id = count(1).__next__

    def record(self, deal: Deal, walk: Walk, contract_amount: int | None) -> None:
        utc, last_touch, left_at = self.calendar.utc, walk.visits[-1].entered, None
        for visit in walk.visits:  # a step is entered when the one before is left
            visit.entered_at = left_at or utc(visit.entered)
            left_at = visit.left_at = utc(visit.left) if visit.left is not None else None
        seen: set[str] = set()
        for visit in walk.visits:
            log_id = self.next_log_id()
            self.step_log(step_log_row(log_id, deal, visit, walk, first_entry=visit.step.key not in seen))
            seen.add(visit.step.key)
            last_touch = max(last_touch, self._tasks(deal, visit, log_id), self._activities(deal, visit))
        stalled = self._stalled(walk, last_touch)
        self.engagements(engagement_row(deal, walk, contract_amount, utc(stalled) if stalled else None))

    def _stalled(self, walk: Walk, last_touch: int) -> int | None:
        """When the stalled-engagement check flagged an open engagement nobody touched since ``last_touch``."""
        flagged = (last_touch // DAY + self.stalled_days + 1) * DAY + ESCALATION_TIME
        return flagged if walk.result is None and flagged < self.calendar.now else None

    def _tasks(self, deal: Deal, visit: Visit, log_id: int) -> int:
        """The step's tasks (create_from_actions): done, cancelled on leaving, or still open; the last touch."""
        calendar, rng, entered, left = self.calendar, self.rng, visit.entered, visit.left
        ends = left if left is not None else calendar.now
        if visit.outcome is not None:
            share = DONE_SHARE["onward" if visit.outcome.next_step else "closed"]
        touched = entered
        for action in visit.step.actions:
            due_day = entered // DAY + action.deadline_days
            if visit.outcome is None:  # on the current step a task long past due was mostly done
                share = DONE_SHARE["current, overdue" if due_day < calendar.today else "current"]
            done = None
            if rng.random() < share:  # mostly on time, sometimes late
                done = calendar.between(entered, min(due_day * DAY + DAY, ends) if rng.random() < 0.85 else ends, rng)
                if done >= ends:
                    done = None
            cancelled = left if done is None else None  # leaving the step cancels it (tasks.cancel_open)
            closed = done if done is not None else left if left is not None else calendar.now
            escalated = due_day * DAY + DAY + ESCALATION_TIME  # the morning check after a missed hard deadline
            if not action.hard or escalated >= closed:
                escalated = None
            self.tasks(task_row(self.next_task_id(), deal, action, log_id, visit, due_day, done, cancelled is not None,
                                escalated, calendar))
            if done is not None:
                self.activities(activity_row(self.next_activity_id(), deal, "note", self.done_notes[action.title],
                                             done, calendar.utc))
                touched = done if done > touched else touched
        return touched

    def _activities(self, deal: Deal, visit: Visit) -> int:
        """Calls, e-mails, meetings… logged while on the step; returns the last one's minute."""
        calendar, rng, entered = self.calendar, self.rng, visit.entered
        ends = visit.left if visit.left is not None else calendar.now
        kinds = ACTIVITY_KINDS_BY_STEP.get(visit.step.key, GENERIC_KINDS)
        last = entered
        for _ in range(pick(rng, ACTIVITIES_PER_VISIT)):
            kind = pick(rng, kinds)
            when = calendar.between(entered, ends, rng)
            self.activities(activity_row(self.next_activity_id(), deal, kind, pick(rng, ACTIVITY_TEXTS[kind]),
                                         when, calendar.utc))
            last = when if when > last else last
        return last


def done_note(title: str) -> str:
    """The note tasks.complete writes when a task is done, in the firm's language."""
    return str(_l("Task done: %(title)s", title=title))


def step_log_row(log_id: int, deal: Deal, visit: Visit, walk: Walk, first_entry: bool) -> dict:
    """One step-log row as enter_step writes it, left by choose_outcome, its result set by _close."""
    result = walk.result
    return {
        "id": log_id, "engagement_id": deal.id, "scenario_id": deal.scenario_id,
        "exhibition_id": deal.exhibition_id, "manager_id": deal.manager_id, "step": visit.step.key,
        "entered_at": visit.entered_at,
        "entered_by_id": deal.opened_by_id if visit is walk.visits[0] else deal.manager_id,
        "left_at": visit.left_at,
        "left_by_id": deal.manager_id if visit.left is not None else None,
        "outcome": visit.outcome.key if visit.outcome is not None else None,
        "result": result.key if result else None, "result_kind": result.kind if result else None,
        "result_reason": result.reason if result else None,
        "first_entry": first_entry,
        "closing": result is not None and visit is walk.visits[-1],
    }


def engagement_row(deal: Deal, walk: Walk, contract_amount: int | None, stalled_at: datetime | None) -> dict:
    current = walk.current
    # the version counter: 1 on insert, +1 entering the first step, +1 per onward move, +2 closing
    # (the outcome, then the result), +1 when the contract amount is entered
    version = 2 + walk.onward_moves + (2 if walk.result else 0) + (1 if contract_amount is not None else 0)
    return {
        "id": deal.id, "client_id": deal.client_id, "exhibition_id": deal.exhibition_id,
        "manager_id": deal.manager_id, "scenario_id": deal.scenario_id,
        "step": current.step.key if current else None, "state": walk.result.kind if walk.result else "open",
        "result": walk.result.key if walk.result else None, "expected_amount": deal.expected_amount,
        "contract_amount": contract_amount, "opened_at": walk.visits[0].entered_at,
        "closed_at": walk.visits[-1].left_at if walk.result else None, "stalled_at": stalled_at, "version": version,
    }


def task_row(task_id: int, deal: Deal, action: Action, log_id: int, visit: Visit, due_day: int,
             done: int | None, cancelled: bool, escalated: int | None, calendar: WorkCalendar) -> dict:
    """A task of the step's action as create_from_actions makes it; done, cancelled (on leaving) or open."""
    utc = calendar.utc
    return {
        "id": task_id, "assignee_id": deal.manager_id, "client_id": deal.client_id, "engagement_id": deal.id,
        "action_id": action.id, "step_log_id": log_id, "title": action.title, "instructions": action.instructions,
        "due_on": calendar.date(due_day), "hard_deadline": action.hard, "escalate_to": action.escalate_to,
        "done_at": utc(done) if done is not None else None,
        "cancelled_at": visit.left_at if cancelled else None,
        "escalated_at": utc(escalated) if escalated is not None else None, "created_at": visit.entered_at,
    }


def activity_row(activity_id: int, deal: Deal | None, kind: str, text: str, when: int, utc,
                 client_id: int | None = None, author_id: int | None = None) -> dict:
    return {
        "id": activity_id, "client_id": deal.client_id if deal else client_id,
        "engagement_id": deal.id if deal else None, "author_id": deal.manager_id if deal else author_id,
        "kind": kind, "occurred_at": utc(when), "text": text,
    }


def contract_amount(rng: random.Random, expected: int | None, client_budget: int) -> int:
    """A won engagement's contract: near the expected amount (or the client's usual budget), in thousands."""
    base = expected if expected is not None else client_budget
    return max(1, round(base * (0.8 + 0.32 * rng.random()) / 1000)) * 1000

