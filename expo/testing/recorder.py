"""A plugin object for tests: records every lifecycle hook call with its arguments.

Register it with ``make_app(plugins=[recorder])`` (the ``recorder`` fixture gives a fresh one) and
read ``recorder.names()`` or ``recorder.of("engagement_closed")``. Values are copied out (ids,
keys), so they stay readable after the session that made them is gone.
"""
from __future__ import annotations

from expo.hooks import hookimpl

LIFECYCLE = ("client_created", "client_updated", "client_deleted", "client_assigned", "engagement_opened",
             "engagement_assigned", "step_entered", "step_completed", "engagement_closed", "engagement_reopened",
             "amounts_changed", "import_committed")


class Recorder:
    def __init__(self):
        self.calls: list[tuple[str, dict]] = []

    def names(self):
        return [name for name, _ in self.calls]

    def of(self, name):
        return [kwargs for hook, kwargs in self.calls if hook == name]

    def _record(self, hook, **kwargs):
        self.calls.append((hook, kwargs))

    @hookimpl
    def client_created(self, client, user):
        self._record("client_created", client_id=client.id, name=client.name, user=user.id)

    @hookimpl
    def client_updated(self, client, changes, user):
        self._record("client_updated", client_id=client.id, changes=dict(changes), user=user.id)

    @hookimpl
    def client_deleted(self, client_id, name, user):
        self._record("client_deleted", client_id=client_id, name=name, user=user.id)

    @hookimpl
    def client_assigned(self, client, old_manager_id, new_manager_id, user):
        self._record("client_assigned", client_id=client.id, old=old_manager_id, new=new_manager_id)

    @hookimpl
    def engagement_opened(self, engagement, user):
        self._record("engagement_opened", engagement_id=engagement.id, client_id=engagement.client_id,
                     exhibition_id=engagement.exhibition_id)

    @hookimpl
    def engagement_assigned(self, engagement, old_manager_id, new_manager_id, user):
        self._record("engagement_assigned", engagement_id=engagement.id, old=old_manager_id, new=new_manager_id)

    @hookimpl
    def step_entered(self, engagement, step, user):
        self._record("step_entered", engagement_id=engagement.id, step=step, current=engagement.step)

    @hookimpl
    def step_completed(self, engagement, step, outcome, user):
        self._record("step_completed", engagement_id=engagement.id, step=step, outcome=outcome)

    @hookimpl
    def engagement_closed(self, engagement, result, kind, user):
        self._record("engagement_closed", engagement_id=engagement.id, result=result, kind=kind,
                     state=engagement.state, closed=engagement.closed_at is not None)

    @hookimpl
    def engagement_reopened(self, engagement, previous_result, previous_kind, user):
        self._record("engagement_reopened", engagement_id=engagement.id, previous_result=previous_result,
                     previous_kind=previous_kind, state=engagement.state, user=user.id)

    @hookimpl
    def amounts_changed(self, engagement, changes, user):
        self._record("amounts_changed", engagement_id=engagement.id, changes=dict(changes))

    @hookimpl
    def import_committed(self, import_id, kind, counts, user):
        self._record("import_committed", import_id=import_id, kind=kind, counts=dict(counts), user=user.id)
