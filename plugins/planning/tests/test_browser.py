"""In a real Chromium, in Russian: a planner assigns three clients to a manager in one action
(HTMX, the page swapped in place), then a planned client refuses and the planner sees the gap
grow on the period page and the replacement candidates, and opens an engagement for one."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from expo.hooks import commit, db_session, models
from expo.testing import log_in, new_client, new_exhibition, new_scenario, walk
from expo_planning import services

pytestmark = pytest.mark.plugins("planning")

SCENARIO = {"name": "Участие", "steps": [{"key": "talk", "title": "Переговоры", "actions": [], "outcomes": [
    {"key": "signed", "title": "Подписали", "result": "contract"},
    {"key": "price", "title": "Дорого", "result": "refused_price"}]}],
    "results": [{"key": "contract", "title": "Договор", "kind": "won"},
                {"key": "refused_price", "title": "Отказ: цена", "kind": "lost", "reason": "price"}]}


def test_a_planner_assigns_three_clients_then_replaces_a_refusal(page, live_app):
    with live_app.app_context():
        session = db_session()
        planner = session.scalar(select(models.User).where(models.User.email == "p@firm.ru"))
        ann = models.User(email="ann@firm.ru", name="Анна Менеджерова", role="manager",
                          password_hash="!", active=True)  # never logs in here
        session.add(ann)
        commit()
        new_scenario(planner, SCENARIO)
        show = new_exhibition(planner, name="Иннопром")
        clients = [new_client(planner, name=f"ООО «Клиент {i}»") for i in range(1, 5)]
        spare = new_client(planner, name="АО «Запасной»")
        commit()
        show_id, ann_id, spare_id = show.id, ann.id, spare.id
        chosen = [client.id for client in clients[:3]]
    log_in(page)
    page.goto(f"/planning/exhibitions/{show_id}/distribution")
    page.evaluate("document.body.dataset.marker = 'same page'")
    for client_id in chosen:
        page.check(f"#item-c-{client_id}")
    page.select_option("#distribution-form select[name=manager_id]", str(ann_id))
    page.locator("#distribution-form button[type=submit]").first.click()
    expect(page.locator("#distribution-done")).to_be_visible()
    assert page.evaluate("document.body.dataset.marker") == "same page"  # swapped in place
    expect(page.locator(f"#load-{ann_id}-engagements")).to_have_text("3")
    with live_app.app_context():
        engagements = db_session().scalars(select(models.Engagement).where(models.Engagement.exhibition_id == show_id)
                                           .order_by(models.Engagement.client_id)).all()
        assert [(e.client_id, e.manager_id) for e in engagements] == [(c, ann_id) for c in chosen]
        notes = db_session().scalars(select(models.Notification).where(models.Notification.user_id == ann_id)).all()
        assert len(notes) == 1
        planner = db_session().scalar(select(models.User).where(models.User.email == "p@firm.ru"))
        services.set_target("2026-09", {"target": "300"}, planner)
        for engagement in engagements:
            services.set_planned(engagement, {"amount": "100", "period": "2026-09"}, planner)
        commit()
        walk(engagements[0], db_session().get(models.User, ann_id), "price")  # a planned client refuses
        commit()
    page.goto(f"/planning/periods/2026-09?exhibition_id={show_id}")
    expect(page.locator("#plan-gap")).to_contain_text("100")
    candidates = page.locator("#candidates-table")
    expect(candidates).to_contain_text("АО «Запасной»")  # loaded by HTMX into the period page
    expect(page.locator(f"#candidate-{spare_id}")).to_be_checked()  # needed to cover the gap
    page.locator("#candidates-form button[type=submit]").click()
    page.wait_for_url(f"**/planning/periods/2026-09?exhibition_id={show_id}")
    with live_app.app_context():
        opened = db_session().scalar(select(models.Engagement).where(models.Engagement.client_id == spare_id))
        assert opened is not None and services.budget_of(opened.id).period == "2026-09"
