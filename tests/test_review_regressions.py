"""Regressions from reviewing scenarios, documents and reports: each was a 500 or a wrong result."""
from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from expo.core import clock, db
from expo.core.models import ReportDelivery, ReportSubscription, Scenario, User
from expo.core.reports import subscriptions as subs
from expo.core.scenarios import store
from expo.testing import PageClient
from expo.testing import DESIGN_EXAMPLE, new_client, new_engagement, new_exhibition, new_scenario
from tests.test_reports import NOW, firm, smtp, _subscription  # noqa: F401  (fixtures)


@pytest.mark.parametrize("template", ["{{ 1/0 }}", "{{ 'x' * 10**10 }}", "{{ 2 ** 100000 }}",
                                      "{{ engagement.contract_amount + 1 }}", "{{ range(10**9)|list }}"])
def test_a_failing_document_template_is_a_clear_422(app, make_user, template):
    planner = make_user("planner", email="p@firm.ru")
    definition = json.loads(json.dumps(DESIGN_EXAMPLE))
    definition["steps"][0]["actions"][0]["document_template"] = template
    with app.app_context():
        p = db.session().get(User, planner.id)
        scenario = new_scenario(p, definition)
        engagement = new_engagement(p, new_client(p), new_exhibition(p), scenario_id=scenario.id)
        action_id = scenario.steps[0].actions[0].id
    page = PageClient(app)
    page.login("p@firm.ru")
    response = page.get(f"/engagements/{engagement.id}/documents/{action_id}.html")
    assert response.status_code == 422 and "document_template" in response.get_data(as_text=True)


def test_odd_editor_posts_and_imports_are_not_errors(app, make_user):
    make_user("planner", email="p@firm.ru")
    page = PageClient(app)
    page.login("p@firm.ru")
    for fields in ({"steps-0-key": "a", "steps-0-actions": "x", "steps-0-outcomes": "y"},
                   {"steps-0-key": "a", "steps-0-actions-0-title": "t", "steps-0-actions-0-deadline_days": "²"},
                   {"steps-" + "1" * 5000 + "-key": "a"}):
        assert page.submit("/scenarios/validate", fields, htmx=True).status_code == 200
        assert page.submit("/scenarios/new", {**fields, "op": "save"}).status_code == 422
    deep = b"[" * 100_000 + b"]" * 100_000
    assert page.submit("/scenarios/import", {"file": (io.BytesIO(deep), "x.json")},
                       content_type="multipart/form-data").status_code == 422


@pytest.mark.parametrize("changes", [{"name": "n\u0000"}, {"name": "   "}])
def test_scenario_names_must_be_real_text(api, make_user, changes):
    response = api(make_user("planner")).post("/scenarios", json=dict(DESIGN_EXAMPLE, **changes))
    assert response.status_code == 422 and "name" in response.json["error"]["fields"]


@pytest.mark.parametrize("title", ["x\u0000", "   "])
def test_report_titles_must_be_real_text(api, make_user, title):
    response = api(make_user("planner")).post("/reports", json={"sections": ["summary"], "period": "2026-11",
                                                                "title": title})
    assert response.status_code == 422 and "title" in response.json["error"]["fields"]


def test_making_an_old_version_default_means_its_lineage(app, make_user):
    planner = make_user("planner")
    with app.app_context():
        p = db.session().get(User, planner.id)
        standard = store.default_scenario()
        v1 = new_scenario(p)
        new_engagement(p, new_client(p), new_exhibition(p), scenario_id=v1.id)
        v2 = store.publish(store.save_scenario(dict(DESIGN_EXAMPLE, name="v2"), p, v1), p)
        store.make_default(v1, p)
        db.commit()
        assert store.default_scenario().id == v2.id != standard.id
        count = db.session().scalar(select(func.count(Scenario.id)))
        new_engagement(p, new_client(p, name="Ещё"), new_exhibition(p, name="Ещё"))
        assert db.session().scalar(select(func.count(Scenario.id))) == count  # no new template copy


@pytest.mark.parametrize("payload", [{"recipient_user_ids": 5}, {"recipient_emails": 5}, {"recipient_user_ids": True}])
def test_recipient_lists_of_the_wrong_type_are_422(api, firm, payload):  # noqa: F811
    as_planner = api(firm["planner"])
    response = as_planner.post("/reports/subscriptions", json={"name": "S", "sections": ["summary"],
                                                               "frequency": "monthly", "day": 1, **payload})
    assert response.status_code == 422


def test_changing_the_schedule_never_mails_a_past_occurrence(make_app, firm, smtp, monkeypatch):  # noqa: F811
    app = make_app(SMTP_URL=smtp.url)
    subscription_id = _subscription(app, firm, frequency="weekly", weekday=0, day=None, at_time="08:00")
    with app.app_context():
        subs.run_due_subscriptions()
        db.commit()
        assert len(smtp.messages) == 1
        subscription = db.session().get(ReportSubscription, subscription_id)
        subs.update_subscription(subscription, {"at_time": "09:00"}, db.session().get(User, firm["planner"].id))
        db.commit()
        assert subs.run_due_subscriptions() == 0  # last Monday 09:00 is before the change
        monkeypatch.setattr(clock, "now", lambda: NOW + timedelta(days=3))  # next Monday 09:00 has passed
        assert subs.run_due_subscriptions() == 1


def test_a_recipient_who_left_does_not_block_other_changes(app, api, firm):  # noqa: F811
    subscription_id = _subscription(app, firm, recipient_user_ids=[firm["masha"].id, firm["planner"].id])
    with app.app_context():
        db.session().get(User, firm["masha"].id).active = False
        db.commit()
    response = api(firm["planner"]).patch(f"/reports/subscriptions/{subscription_id}", json={"active": False})
    assert response.status_code == 200 and response.json["recipient_user_ids"] == [firm["planner"].id]


def test_a_delivery_another_worker_is_sending_is_not_sent_again(make_app, firm, smtp):  # noqa: F811
    app = make_app(SMTP_URL=smtp.url)
    subscription_id = _subscription(app, firm)
    with app.app_context():
        db.session().add(ReportDelivery(subscription_id=subscription_id, occurrence="manual-x", period="2026-11",
                                        state="sending", claimed_at=clock.now()))
        db.commit()
        assert subs.deliver(subscription_id, "manual-x") == "sent or being sent"
    assert smtp.messages == []
