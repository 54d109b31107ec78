"""Tasks: made from a step's actions, done by hand, and escalated when a hard deadline is missed."""
from __future__ import annotations

from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, delete, exists, select, update

from expo.core import access, clock, db, validation as v
from expo.core.errors import Conflict, Forbidden, NotFound, ValidationError
from expo.core.models import Activity, AuditEvent, Client, Engagement, ScenarioStep, StepLog, Task, User
from expo.core.services import audit, notifications


def create_from_actions(engagement: Engagement, step: ScenarioStep, log: StepLog) -> list[Task]:
    """One task per action of the step, for the engagement's manager, due ``deadline_days`` later."""
    today = clock.today()
    made = [
        Task(assignee_id=engagement.manager_id, client_id=engagement.client_id, engagement_id=engagement.id,
             action_id=action.id, step_log_id=log.id, title=action.title, instructions=action.instructions,
             due_on=today + timedelta(days=action.deadline_days), hard_deadline=action.hard,
             escalate_to=action.escalate_to)
        for action in step.actions
    ]
    db.session().add_all(made)
    db.session().flush()
    return made


TASK_FIELDS = {"title": v.text(300, required=True), "instructions": v.text(5000, multiline=True),
               "due_on": v.iso_date(required=True), "assignee_id": v.identifier()}


def create_task(client: Client, data, user: access.Actor) -> Task:
    """A task by hand about ``client`` (for its manager unless ``assignee_id`` says otherwise), audited."""
    access.require_write(user)
    values = v.clean(TASK_FIELDS, data)
    if values.get("assignee_id") is None:
        values["assignee_id"] = client.manager_id
    elif values["assignee_id"] not in (client.manager_id, user.id):
        # Someone else's to-do list is a planner's to fill; the person must be an active user.
        access.require_assign(user)
        assignee = db.session().get(User, values["assignee_id"])
        if assignee is None or not assignee.active:
            raise ValidationError(fields={"assignee_id": str(_l("No such user."))})
    task = Task(client_id=client.id, **values)
    db.session().add(task)
    db.session().flush()
    audit.record("create", "task", task.id, user, client_id=client.id, title=task.title)
    return task


def cancel_open(log: StepLog) -> None:
    """Leaving a step makes its unfinished tasks moot."""
    db.session().execute(update(Task).where(Task.step_log_id == log.id, Task.done_at.is_(None),
                                            Task.cancelled_at.is_(None)).values(cancelled_at=clock.now()))


def reassign_open(engagement: Engagement, manager_id: int | None) -> None:
    db.session().execute(update(Task).where(Task.engagement_id == engagement.id, Task.done_at.is_(None),
                                            Task.cancelled_at.is_(None)).values(assignee_id=manager_id))


def visible_task(user: User, task_id: int) -> Task:
    task = db.session().get(Task, task_id)
    if task is None or (task.client is not None and task.client.deleted_at is not None) \
            or not (user.sees_all_clients or task.assignee_id == user.id):
        raise NotFound()
    return task


def complete(task: Task, user: User) -> Activity | None:
    """Mark a task done; the client's history records it as an activity."""
    access.require_write(user)
    if task.assignee_id != user.id and not user.can_assign:
        raise Forbidden()
    if not task.is_open:
        raise Conflict(_l("This task is already closed."))
    task.done_at = clock.now()
    activity = None
    if task.client_id is not None:
        activity = Activity(client_id=task.client_id, engagement_id=task.engagement_id, author_id=user.id,
                            kind="note", occurred_at=task.done_at,
                            text=str(_l("Task done: %(title)s", title=task.title)))
        db.session().add(activity)
    if task.engagement_id is not None:
        db.session().execute(update(Engagement).where(Engagement.id == task.engagement_id)
                             .values(stalled_at=None))
    db.session().flush()
    # the activity's id lets an undo take back exactly the history line this completion wrote
    audit.record("complete", "task", task.id, user, activity_id=activity.id if activity else None)
    return activity


UNDO_WINDOW = timedelta(minutes=10)


def reopen_completed(task: Task, user: User) -> None:
    """Undo a completion: only by the person who completed it, only within ``UNDO_WINDOW``, audited.

    Completing a task has no scenario effect (no step or result changes), so undoing it only
    reopens the task and removes the "Task done" line it wrote. The engagement's stalled flag it
    cleared stays cleared: the stalled check sets it again if nothing else happens.
    """
    access.require_write(user)
    if task.done_at is None or task.cancelled_at is not None:
        raise Conflict(_l("This task is not done."))
    completion = db.session().execute(
        select(AuditEvent.user_id, AuditEvent.details)
        .where(AuditEvent.object_type == "task", AuditEvent.object_id == task.id, AuditEvent.action == "complete")
        .order_by(AuditEvent.id.desc()).limit(1)).first()
    if completion is None or completion.user_id != user.id:
        raise Forbidden()
    if clock.now() - task.done_at > UNDO_WINDOW:
        raise Conflict(_l("Too late to undo: a completion can be undone within %(minutes)d minutes.",
                          minutes=int(UNDO_WINDOW.total_seconds() // 60)))
    activity_id = (completion.details or {}).get("activity_id")
    if activity_id is not None:
        db.session().execute(delete(Activity).where(Activity.id == activity_id, Activity.author_id == user.id))
    task.done_at = None
    db.session().flush()
    audit.record("reopen", "task", task.id, user)


def open_tasks_query(user: User):
    """The user's open tasks; planners and admins also see unassigned ones."""
    return open_tasks_of(user.id, with_unassigned=user.can_assign)


def open_tasks_of(assignee_id, with_unassigned: bool):
    """Open tasks of ``assignee_id`` (an id, or a bound parameter: a statement built once), and the
    unassigned ones too if asked."""
    query = select(Task).where(Task.done_at.is_(None), Task.cancelled_at.is_(None), access.not_deleted(Task.client_id))
    if with_unassigned:
        return query.where((Task.assignee_id == assignee_id) | Task.assignee_id.is_(None))
    return query.where(Task.assignee_id == assignee_id)


def escalate_missed_deadlines() -> int:
    """Tell each missed hard deadline's ``escalate_to`` people, once per miss; returns how many."""
    today = clock.today()
    missed = db.session().scalars(
        select(Task).where(Task.hard_deadline, Task.done_at.is_(None), Task.cancelled_at.is_(None),
                           Task.escalated_at.is_(None), Task.due_on < today, access.not_deleted(Task.client_id))
        .order_by(Task.id).with_for_update(skip_locked=True, of=Task)
    ).all()
    for task in missed:
        recipients = notifications.people_for(task.escalate_to or "planner", task.assignee_id)
        client_name = task.client.name if task.client else ""
        notifications.notify(
            recipients, "escalation",
            _l("Missed deadline: “%(task)s” for %(client)s was due %(due)s.", task=task.title, client=client_name,
               due=task.due_on.isoformat()),
            f"/engagements/{task.engagement_id}" if task.engagement_id else None,
        )
        task.escalated_at = clock.now()
    db.session().flush()
    return len(missed)


def flag_stalled_engagements(days: int) -> int:
    """Tell planners about open engagements with no activity or step change for ``days``; once each."""
    cutoff = clock.now() - timedelta(days=days)
    recent_activity = exists().where(and_(Activity.engagement_id == Engagement.id, Activity.occurred_at >= cutoff))
    recent_step = exists().where(and_(StepLog.engagement_id == Engagement.id, StepLog.entered_at >= cutoff))
    stalled = db.session().scalars(
        select(Engagement).where(Engagement.state == "open", Engagement.stalled_at.is_(None),
                                 Engagement.opened_at < cutoff, ~recent_activity, ~recent_step,
                                 access.not_deleted(Engagement.client_id))
        .order_by(Engagement.id)
    ).all()
    planners = notifications.people_for("planner", None)
    for engagement in stalled:
        notifications.notify(
            planners, "stalled",
            _l("Stalled for %(days)d days: %(client)s — %(exhibition)s.", days=days, client=engagement.client.name,
               exhibition=engagement.exhibition.name),
            f"/engagements/{engagement.id}",
        )
        # A bulk UPDATE: flagging is not a change of the engagement a manager is editing.
        db.session().execute(update(Engagement).where(Engagement.id == engagement.id)
                             .values(stalled_at=clock.now()))
    return len(stalled)


def run_deadline_checks() -> dict:
    """The scheduled job: escalations and stalled engagements (also ``expo tasks check``)."""
    from flask import current_app

    return {"escalated": escalate_missed_deadlines(),
            "stalled": flag_stalled_engagements(current_app.config["STALLED_DAYS"])}
