"""The scenario engine: branching paths, the step log, reopening, stale and concurrent moves."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from expo.core import clock, db
from expo.core.errors import Conflict, Forbidden, ValidationError
from expo.core.models import Engagement, StepLog, Task, User
from expo.core.services import engagements, process
from expo.testing import new_client, new_engagement, new_exhibition, new_scenario


@pytest.fixture
def setup(app, make_user):
    """A planner, a manager, and an engagement of the manager's on the DESIGN.md example scenario."""
    planner_row, manager_row = make_user("planner"), make_user("manager")
    with app.app_context():
        planner = db.session().get(User, planner_row.id)
        scenario = new_scenario(planner)
        client = new_client(planner, manager_id=manager_row.id)
        engagement = new_engagement(planner, client, new_exhibition(planner), scenario_id=scenario.id,
                                    expected_amount="100000")
        return {"planner": planner_row, "manager": manager_row, "engagement_id": engagement.id}


def _load(setup):
    session = db.session()
    return (session.get(Engagement, setup["engagement_id"]), session.get(User, setup["planner"].id),
            session.get(User, setup["manager"].id))


def _log(engagement_id):
    return [(row.step, row.outcome, row.result_kind, row.result_reason, row.manager_id) for row in
            db.session().scalars(select(StepLog).where(StepLog.engagement_id == engagement_id).order_by(StepLog.id))]


def test_opening_enters_the_first_step_and_makes_its_tasks(app, setup):
    with app.app_context():
        engagement, _planner, manager = _load(setup)
        assert (engagement.state, engagement.step) == ("open", "contact")
        assert _log(engagement.id) == [("contact", None, None, None, manager.id)]
        task = db.session().scalar(select(Task))
        assert (task.title, task.assignee_id, task.escalate_to, task.hard_deadline) == (
            "Call the client", manager.id, "planner", False)
        # Deadlines count in the firm's days (EXPO_TIMEZONE), not in UTC dates.
        assert (task.due_on - clock.today()).days == 2


def test_a_path_to_a_won_result(app, setup):
    with app.app_context():
        engagement, _planner, manager = _load(setup)
        for outcome in ("interested", "ok", "signed"):
            process.choose_outcome(engagement, outcome, manager)
        db.commit()
        assert (engagement.state, engagement.result, engagement.step) == ("won", "contract", None)
        assert engagement.closed_at is not None
        assert _log(engagement.id) == [("contact", "interested", "won", None, manager.id),
                                       ("presentation", "ok", "won", None, manager.id),
                                       ("offer", "signed", "won", None, manager.id)]
        # the contact step's task was left unfinished: cancelled, not overdue forever
        assert db.session().scalar(select(Task.cancelled_at)) is not None


def test_branches_end_in_different_results_with_their_reasons(app, setup):
    with app.app_context():
        engagement, _planner, manager = _load(setup)
        process.choose_outcome(engagement, "interested", manager)
        process.choose_outcome(engagement, "ok", manager)
        process.choose_outcome(engagement, "price", manager)
        db.commit()
        assert (engagement.state, engagement.result) == ("lost", "refused_price")
        assert {row[3] for row in _log(engagement.id)} == {"price"}


def test_an_early_refusal_skips_the_rest(app, setup):
    with app.app_context():
        engagement, _planner, manager = _load(setup)
        process.choose_outcome(engagement, "no", manager)
        db.commit()
        assert (engagement.state, engagement.result) == ("lost", "refused")
        assert _log(engagement.id) == [("contact", "no", "lost", None, manager.id)]


def test_an_outcome_of_another_step_or_a_closed_engagement_changes_nothing(app, setup):
    with app.app_context():
        engagement, _planner, manager = _load(setup)
        with pytest.raises(ValidationError) as problem:
            process.choose_outcome(engagement, "signed", manager)
        assert "interested, no" in problem.value.fields["outcome"]
        db.rollback()
        process.choose_outcome(engagement, "no", manager)
        db.commit()
        with pytest.raises(Conflict):
            process.choose_outcome(engagement, "no", manager)
        db.rollback()
        assert len(_log(engagement.id)) == 1


def test_a_stale_version_is_refused(app, setup):
    with app.app_context():
        engagement, _planner, manager = _load(setup)
        seen = engagement.version
        process.choose_outcome(engagement, "interested", manager, expected_version=seen)
        db.commit()
        with pytest.raises(Conflict):
            process.choose_outcome(engagement, "ok", manager, expected_version=seen)


def test_reopen_is_for_planners_and_returns_to_the_last_step(app, setup):
    with app.app_context():
        engagement, planner, manager = _load(setup)
        process.choose_outcome(engagement, "interested", manager)
        process.choose_outcome(engagement, "no", manager)
        db.commit()
        with pytest.raises(Forbidden):
            process.reopen(engagement, manager)
        process.reopen(engagement, planner)
        db.commit()
        assert (engagement.state, engagement.step, engagement.result, engagement.closed_at) == (
            "open", "presentation", None, None)
        assert _log(engagement.id) == [("contact", "interested", None, None, manager.id),
                                       ("presentation", "no", None, None, manager.id),
                                       ("presentation", None, None, None, manager.id)]


def test_reassigning_moves_the_step_log_and_open_tasks(app, setup, make_user):
    other = make_user("manager")
    with app.app_context():
        engagement, planner, _manager = _load(setup)
        engagements.update_engagement(engagement, {"manager_id": other.id}, planner)
        db.commit()
        assert {row[4] for row in _log(engagement.id)} == {other.id}
        assert db.session().scalar(select(Task.assignee_id)) == other.id


def test_two_managers_pressing_at_once_make_exactly_one_transition(app, setup):
    barrier = threading.Barrier(2)
    outcomes, winner = [], []

    def press(outcome):
        with app.app_context():
            engagement, _planner, manager = _load(setup)
            barrier.wait()
            try:
                process.choose_outcome(engagement, outcome, manager)
                db.commit()
                outcomes.append("moved")
                winner.append(outcome)
            except Exception as error:  # the loser: a conflict, never a second transition
                db.rollback()
                outcomes.append(type(error).__name__)

    threads = [threading.Thread(target=press, args=(o,)) for o in ("interested", "no")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(outcomes) == 2 and outcomes.count("moved") == 1
    assert outcomes[1 - outcomes.index("moved")] in ("StaleDataError", "OperationalError", "Conflict")
    with app.app_context():
        # "interested" adds the presentation row; "no" closes the engagement on the contact row
        assert db.session().scalar(select(func.count(StepLog.id))) == (2 if winner == ["interested"] else 1)
        assert db.session().scalar(select(func.count(StepLog.id)).where(StepLog.left_at.is_not(None))) == 1
        assert db.session().scalar(select(StepLog.outcome).where(StepLog.left_at.is_not(None))) == winner[0]
