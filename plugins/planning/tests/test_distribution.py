"""The distribution page of an exhibition: what is not distributed yet and the managers' loads,
bulk assignment through the core's services (hooks, tasks, notifications), reassignment with a
reason, the balancing suggestion, who may use it, and bad input refused with nothing changed."""
from __future__ import annotations

import re
from datetime import datetime, timezone

from sqlalchemy import func, select

from expo.hooks import SYSTEM, commit, create_task, db_session, models
from expo.testing import DESIGN_EXAMPLE, count_queries, new_client, new_engagement, new_scenario
from expo_planning import distribution

Engagement, Notification, AuditEvent, Task = models.Engagement, models.Notification, models.AuditEvent, models.Task


def url(firm, tail="", exhibition=None):
    return f"/planning/exhibitions/{(exhibition or firm.show).id}/distribution{tail}"


def unassigned_engagement(app, firm, kit, name, planned=None, **fields):
    """A client with no client-manager and an open engagement in ``show`` without a manager."""
    with app.app_context():
        planner = kit.user(firm.planner.id)
        e = new_engagement(planner, new_client(planner, name=name), firm.show, **fields)
        assert e.manager_id is None
        if planned is not None:
            kit.planned(e.id, planned, "2026-09", planner)
        return e.id


def state(app, firm):
    """What an assignment would change: engagements and their managers, clients' managers,
    notifications and audit rows."""
    with app.app_context():
        session = db_session()
        return (sorted(session.execute(select(Engagement.id, Engagement.client_id, Engagement.manager_id)).all()),
                sorted(session.execute(select(models.Client.id, models.Client.manager_id)).all()),
                session.scalar(select(func.count(Notification.id))),
                session.scalar(select(func.count(AuditEvent.id))),
                sorted(session.execute(select(Task.id, Task.assignee_id)).all()))


def notes_of(app, user_id):
    with app.app_context():
        return db_session().scalars(select(Notification).where(Notification.user_id == user_id)
                                    .order_by(Notification.id)).all()


def preselected(html: str) -> dict[str, int | None]:
    """``{item: the manager id preselected}`` of a suggestion form."""
    found = {}
    for item, options in re.findall(r'<select name="manager_for:([ce]:\d+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r'<option value="(\d+)" selected>', options)
        found[item] = int(chosen.group(1)) if chosen else None
    return found


def test_the_page_lists_the_work_not_distributed_and_the_loads(app, firm, kit, login_as):
    loose = unassigned_engagement(app, firm, kit, "ООО «Свободный»", planned="70")
    with app.app_context():
        planner = kit.user(firm.planner.id)
        kit.planned(firm.e["a1"], "100.10", "2026-09", planner)
        kit.planned(firm.e["a2"], "50.45", "2026-09", planner)
        kit.planned(firm.e["b1"], "30", "2026-09", planner)
        kit.lost(firm.e["a3"], kit.user(firm.ann.id))  # closed: not a load any more
        new_engagement(planner, firm.clients["spare2"], firm.fair)  # engaged elsewhere: still unengaged here
        a1 = firm.clients["a1"]
        create_task(a1, {"title": "Late", "due_on": "2020-01-01"}, planner)
        create_task(a1, {"title": "Late too", "due_on": "2020-01-02"}, planner)
        done = create_task(a1, {"title": "Done", "due_on": "2020-01-01"}, planner)
        done.done_at = datetime.now(timezone.utc)
        create_task(a1, {"title": "Later", "due_on": "2099-01-01"}, planner)
        create_task(firm.clients["b1"], {"title": "Bob's", "due_on": "2099-01-01"}, planner)
        gone = new_client(planner, name="ООО «Удалённый»")
        gone.deleted_at = datetime.now(timezone.utc)
        commit()
    page = login_as(firm.planner).get(url(firm))
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "HX-Request" in page.headers["Vary"]
    # loads: open engagements here, Σ planned of them, overdue tasks anywhere
    assert f'id="load-{firm.ann.id}-engagements">2<' in html
    assert f'id="load-{firm.ann.id}-planned">RUB150.55<' in html
    assert f'id="load-{firm.ann.id}-overdue">2<' in html
    assert f'id="load-{firm.bob.id}-engagements">1<' in html and f'id="load-{firm.bob.id}-planned">RUB30.00<' in html
    assert f'id="load-{firm.bob.id}-overdue">0<' in html
    assert f'id="load-{firm.planner.id}-engagements">0<' in html  # planners and admins can be given work too
    assert f'id="load-{firm.viewer.id}-' not in html
    # the engagement without a manager, the clients without an engagement here (the deleted one hidden)
    unassigned = html.split('id="unassigned-table"')[1].split("</table>")[0]
    assert f'value="e:{loose}"' in unassigned and "ООО «Свободный»" in unassigned and "RUB70.00" in unassigned
    assert "<td>Talk</td>" in unassigned  # the step's title
    assert 'value="e:' not in unassigned.replace(f'value="e:{loose}"', "")
    unengaged = html.split('id="unengaged-table"')[1].split("</table>")[0]
    ids = re.findall(r'value="c:(\d+)"', unengaged)
    assert ids == [str(firm.clients["spare1"].id), str(firm.clients["spare2"].id)]
    assert "Удалённый" not in html
    assert 'name="manager_id"' in html and 'name="csrf_token"' in html


def test_the_lists_filter_by_name_and_are_paged(app, firm, kit, login_as, monkeypatch):
    planner = login_as(firm.planner)
    found = planner.get(url(firm, "?q=SPARE2")).get_data(as_text=True)
    assert f'value="c:{firm.clients["spare2"].id}"' in found and f'value="c:{firm.clients["spare1"].id}"' not in found
    monkeypatch.setattr(distribution, "PAGE", 1)
    first = planner.get(url(firm)).get_data(as_text=True)
    assert f'value="c:{firm.clients["spare1"].id}"' in first and f'value="c:{firm.clients["spare2"].id}"' not in first
    assert "page=2" in first
    second = planner.get(url(firm, "?page=2")).get_data(as_text=True)
    assert f'value="c:{firm.clients["spare2"].id}"' in second and f'value="c:{firm.clients["spare1"].id}"' not in second


def test_assigning_three_clients_opens_their_engagements_through_the_core(app, firm, kit, make_app, recorder,
                                                                           login_as):
    rapp = make_app(plugins=[recorder])
    planner = login_as(firm.planner, rapp)
    with rapp.app_context():
        boss = kit.user(firm.planner.id)
        calling = new_scenario(boss, DESIGN_EXAMPLE)  # its first step has an action: a task per engagement
        third = new_client(boss, name="ООО «Третий»", manager_id=firm.bob.id)
    assert planner.submit(f"/scenarios/{calling.id}/default").status_code == 302
    chosen = [firm.clients["spare1"].id, firm.clients["spare2"].id, third.id]
    response = planner.submit(url(firm, "/assign"), {"item": [f"c:{c}" for c in chosen], "manager_id": firm.ann.id})
    assert response.status_code == 302
    assert response.headers["Location"].startswith(url(firm)) and "assigned=3" in response.headers["Location"]
    with rapp.app_context():
        session = db_session()
        opened = session.scalars(select(Engagement).where(Engagement.client_id.in_(chosen),
                                                          Engagement.exhibition_id == firm.show.id)).all()
        assert sorted(e.client_id for e in opened) == sorted(chosen)
        assert {e.manager_id for e in opened} == {firm.ann.id} and {e.step for e in opened} == {"contact"}
        tasks = session.scalars(select(Task).where(Task.engagement_id.in_([e.id for e in opened]))).all()
        assert len(tasks) == 3 and {(t.title, t.assignee_id) for t in tasks} == {("Call the client", firm.ann.id)}
        managers = dict(session.execute(select(models.Client.id, models.Client.manager_id)
                                        .where(models.Client.id.in_(chosen))).all())
        # a client nobody had goes to the manager; one with a client-manager keeps them
        assert managers == {chosen[0]: firm.ann.id, chosen[1]: firm.ann.id, chosen[2]: firm.bob.id}
    assert sorted(call["client_id"] for call in recorder.of("engagement_opened")) == sorted(chosen)
    given = [call["client_id"] for call in recorder.of("client_assigned") if call["new"] == firm.ann.id]
    assert sorted(given) == sorted(chosen[:2])
    assert len(recorder.of("step_entered")) == 3
    notes = notes_of(rapp, firm.ann.id)
    assert len(notes) == 1 and notes[0].kind == "planning.assigned"
    assert notes[0].text == "You were given 3 clients for Иннопром." and notes[0].url.startswith("/")
    assert notes_of(rapp, firm.bob.id) == []
    page = planner.get(response.headers["Location"]).get_data(as_text=True)
    assert 'id="distribution-done"' in page and f'id="load-{firm.ann.id}-engagements">6<' in page


def test_an_engagement_without_a_manager_is_handed_over_with_its_tasks(app, firm, kit, login_as):
    with app.app_context():
        calling = new_scenario(kit.user(firm.planner.id), DESIGN_EXAMPLE)
    loose = unassigned_engagement(app, firm, kit, "ООО «Свободный»", scenario_id=calling.id)
    with app.app_context():
        assert db_session().scalars(select(Task.assignee_id).where(Task.engagement_id == loose)).all() == [None]
    response = login_as(firm.admin).submit(url(firm, "/assign"), {"item": f"e:{loose}", "manager_id": firm.bob.id},
                                           htmx=True)
    assert response.status_code == 200 and response.headers["HX-Trigger"] == "expo:changed"
    fragment = response.get_data(as_text=True)
    assert "<html" not in fragment and 'id="distribution-done"' in fragment
    with app.app_context():
        e = kit.engagement(loose)
        assert e.manager_id == firm.bob.id and e.client.manager_id == firm.bob.id
        assert db_session().scalars(select(Task.assignee_id).where(Task.engagement_id == loose)).all() == [firm.bob.id]
    assert [n.text for n in notes_of(app, firm.bob.id)] == ["You were given 1 client for Иннопром."]


def test_a_suggestion_applied_gives_each_item_its_own_manager(app, firm, kit, login_as):
    spare1, spare2 = firm.clients["spare1"].id, firm.clients["spare2"].id
    response = login_as(firm.planner).submit(url(firm, "/assign"), {
        "item": [f"c:{spare1}", f"c:{spare2}"], "manager_id": firm.ann.id, f"manager_for:c:{spare2}": firm.bob.id})
    assert response.status_code == 302
    with app.app_context():
        managers = dict(db_session().execute(select(Engagement.client_id, Engagement.manager_id)
                                             .where(Engagement.client_id.in_([spare1, spare2]))).all())
    assert managers == {spare1: firm.ann.id, spare2: firm.bob.id}
    assert len(notes_of(app, firm.ann.id)) == 1 and len(notes_of(app, firm.bob.id)) == 1


def test_reassigning_needs_a_reason_which_is_audited_and_told(app, firm, kit, login_as):
    planner = login_as(firm.planner)
    listed = planner.get(url(firm, f"?from_manager={firm.ann.id}")).get_data(as_text=True)
    handed = listed.split('id="handed-table"')[1].split("</table>")[0]
    assert sorted(re.findall(r'value="(e:\d+)"', handed)) == sorted(f"e:{firm.e[k]}" for k in ("a1", "a2", "a3"))
    items = [f"e:{firm.e['a1']}", f"e:{firm.e['a2']}"]
    before = state(app, firm)
    refused = planner.submit(url(firm, "/assign"), {"item": items, "manager_id": firm.bob.id, "reason": "  ",
                                                    "from_manager": firm.ann.id})
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert "A reason is required to reassign." in html
    assert f'value="e:{firm.e["a1"]}" id="item-e-{firm.e["a1"]}" aria-label="ООО «a1»" checked' in html  # still ticked
    assert state(app, firm) == before
    moved = planner.submit(url(firm, "/assign"), {"item": items, "manager_id": firm.bob.id, "reason": "Анна в отпуске",
                                                  "from_manager": firm.ann.id})
    assert moved.status_code == 302 and f"from_manager={firm.ann.id}" in moved.headers["Location"]
    with app.app_context():
        assert kit.engagement(firm.e["a1"]).manager_id == firm.bob.id
        assert kit.engagement(firm.e["a2"]).manager_id == firm.bob.id
        assert kit.engagement(firm.e["a3"]).manager_id == firm.ann.id
        audits = db_session().scalars(select(AuditEvent).where(AuditEvent.action == "reassign")
                                      .order_by(AuditEvent.object_id)).all()
        assert [(a.object_type, a.object_id, a.user_id) for a in audits] == \
            [("engagement", firm.e["a1"], firm.planner.id), ("engagement", firm.e["a2"], firm.planner.id)]
        assert audits[0].details == {"reason": "Анна в отпуске", "old_manager_id": firm.ann.id,
                                     "new_manager_id": firm.bob.id}
    notes = notes_of(app, firm.bob.id)
    assert len(notes) == 1 and "2 of them were reassigned from Анна: Анна в отпуске" in notes[0].text
    assert notes[0].text.startswith("You were given 2 clients for Иннопром.")


def test_bad_items_or_managers_change_nothing(app, firm, kit, login_as, make_user):
    with app.app_context():
        planner = kit.user(firm.planner.id)
        elsewhere = new_engagement(planner, firm.clients["spare1"], firm.fair).id
        closed = firm.e["b1"]
        kit.lost(closed, kit.user(firm.bob.id))
    gone = make_user("manager", name="Ушедший")
    with app.app_context():
        kit.user(gone.id).active = False
        commit()
    spare2 = f"c:{firm.clients['spare2'].id}"
    cases = [
        ({}, "Choose at least one client or engagement."),
        ({"item": ["", " "]}, "Choose at least one client or engagement."),
        ({"item": "x:1"}, "Not a client or an engagement"),
        ({"item": "c:abc"}, "Not a client or an engagement"),
        ({"item": [spare2, "c:999999"]}, "Not in this exhibition"),
        ({"item": [spare2, f"c:{firm.clients['a1'].id}"]}, "Already engaged for this exhibition"),
        ({"item": [spare2, f"e:{elsewhere}"]}, "Not in this exhibition"),
        ({"item": [spare2, f"e:{closed}"]}, "Closed"),
        ({"item": spare2, "manager_id": ""}, "Choose a manager."),
        ({"item": spare2, "manager_id": "999999"}, "No such manager."),
        ({"item": spare2, "manager_id": str(gone.id)}, "No such manager."),
        ({"item": spare2, "manager_id": str(firm.viewer.id)}, "No such manager."),
        ({"item": spare2, "manager_id": firm.bob.id, f"manager_for:{spare2}": ""}, "Choose a manager."),
        ({"item": [spare2, f"e:{firm.e['a1']}"], "reason": "why not"}, "Already with that manager"),
    ]
    page = login_as(firm.planner)
    before = state(app, firm)
    for data, message in cases:
        data.setdefault("manager_id", firm.ann.id)
        response = page.submit(url(firm, "/assign"), data)
        assert response.status_code == 422, data
        assert message in response.get_data(as_text=True), (data, message)
        assert state(app, firm) == before, data
    fragment = page.submit(url(firm, "/assign"), {"item": "c:999999", "manager_id": firm.ann.id}, htmx=True)
    assert fragment.status_code == 422 and 'role="alert"' in fragment.get_data(as_text=True)
    assert "<html" not in fragment.get_data(as_text=True)
    applied = page.submit(url(firm, "/assign"), {"item": [spare2, "c:999999"], f"manager_for:{spare2}": firm.bob.id},
                          htmx=True)  # a suggestion applied: shown again as the planner left it
    html = applied.get_data(as_text=True)
    assert applied.status_code == 422 and 'id="suggestion-errors"' in html and "Not in this exhibition" in html
    assert preselected(html) == {spare2: firm.bob.id}
    assert page.get(url(firm, "?from_manager=abc")).status_code == 422
    assert page.get(url(firm, "?from_manager=999999")).status_code == 404
    assert state(app, firm) == before


def test_only_planners_and_admins_distribute(app, firm, kit, login_as):
    spare = {"item": f"c:{firm.clients['spare1'].id}", "manager_id": firm.ann.id}
    before = state(app, firm)
    for who in (firm.ann, firm.viewer):
        page = login_as(who)
        assert page.get(url(firm)).status_code == 403
        assert page.submit(url(firm, "/assign"), spare).status_code == 403
        assert page.submit(url(firm, "/suggest"), dict(spare, mode="count")).status_code == 403
    assert state(app, firm) == before
    assert login_as(firm.admin).get(url(firm)).status_code == 200
    planner = login_as(firm.planner)
    assert planner.get("/planning/exhibitions/999999/distribution").status_code == 404
    assert planner.submit("/planning/exhibitions/999999/distribution/assign", spare).status_code == 404
    assert planner.post(url(firm, "/assign"), data=spare).status_code == 400  # no CSRF token
    assert planner.post(url(firm, "/suggest"), data=dict(spare, mode="count")).status_code == 400
    assert state(app, firm) == before


def test_the_suggestion_by_count_balances_the_open_engagements(app, firm, kit, login_as):
    with app.app_context():
        boss = kit.user(firm.planner.id)
        third, fourth = new_client(boss, name="ООО «spare3»").id, new_client(boss, name="ООО «spare4»").id
    items = [f"c:{firm.clients['spare1'].id}", f"c:{firm.clients['spare2'].id}", f"c:{third}", f"c:{fourth}"]
    planner = login_as(firm.planner)
    before = state(app, firm)
    # ann has 3 open engagements, bob 1: bob, bob, then a tie (3–3) goes by name (Анна), then bob
    response = planner.submit(url(firm, "/suggest"), {"item": items, "mode": "count",
                                                      "manager_id": [firm.ann.id, firm.bob.id]}, htmx=True)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<html" not in html and 'id="suggestion-form"' in html
    assert preselected(html) == dict(zip(items, [firm.bob.id, firm.bob.id, firm.ann.id, firm.bob.id]))
    assert f'id="after-{firm.ann.id}-engagements">4<' in html and f'id="after-{firm.bob.id}-engagements">4<' in html
    assert "/distribution/assign" in html
    # by default among everyone assignable: the planner and the admin have nothing yet
    everyone = preselected(planner.submit(url(firm, "/suggest"), {"item": items[:2], "mode": "count"}).get_data(
        as_text=True))
    assert sorted(everyone.values()) == sorted([firm.planner.id, firm.admin.id])
    # an engagement to reassign never goes back to its manager
    again = planner.submit(url(firm, "/suggest"), {"item": f"e:{firm.e['b1']}", "mode": "count",
                                                   "manager_id": [firm.ann.id, firm.bob.id]})
    assert again.status_code == 200 and preselected(again.get_data(as_text=True)) == {f"e:{firm.e['b1']}": firm.ann.id}
    assert 'name="reason"' in again.get_data(as_text=True)
    assert state(app, firm) == before  # a suggestion writes nothing
    bad = planner.submit(url(firm, "/suggest"), {"item": items, "mode": "sideways"})
    assert bad.status_code == 422 and "Balance by count or by amount." in bad.get_data(as_text=True)
    assert planner.submit(url(firm, "/suggest"), {"item": "c:999999", "mode": "count"}).status_code == 422
    assert planner.submit(url(firm, "/suggest"), {"item": items, "mode": "count", "manager_id": "999999"}
                          ).status_code == 422


def test_the_suggestion_by_amount_gives_the_largest_first_to_the_least_planned(app, firm, kit, login_as):
    with app.app_context():
        boss = kit.user(firm.planner.id)
        kit.planned(firm.e["a1"], "100", "2026-09", boss)
        kit.planned(firm.e["b1"], "50", "2026-09", boss)
    big = unassigned_engagement(app, firm, kit, "ООО «Большой»", planned="70")
    middle = unassigned_engagement(app, firm, kit, "ООО «Средний»", planned="40")
    small = unassigned_engagement(app, firm, kit, "ООО «Малый»", planned="30")
    spare = f"c:{firm.clients['spare1'].id}"
    items = [spare, f"e:{small}", f"e:{big}", f"e:{middle}"]
    before = state(app, firm)
    response = login_as(firm.planner).submit(url(firm, "/suggest"), {
        "item": items, "mode": "amount", "manager_id": [firm.ann.id, firm.bob.id]})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    # 70 → bob (50 → 120), 40 → ann (100 → 140), 30 → bob (120 → 150), the client without a budget (0) → ann
    assert preselected(html) == {f"e:{big}": firm.bob.id, f"e:{middle}": firm.ann.id, f"e:{small}": firm.bob.id,
                                 spare: firm.ann.id}
    assert f'id="after-{firm.ann.id}-planned">RUB140.00<' in html
    assert f'id="after-{firm.bob.id}-planned">RUB150.00<' in html
    assert "<html" in html  # without HTMX: the whole page, the suggestion in it
    assert state(app, firm) == before


def test_the_page_issues_the_same_statements_for_3_and_for_30_clients(app, firm, kit, login_as):
    unassigned_engagement(app, firm, kit, "ООО «Свободный 0»", planned="10")
    planner = login_as(firm.planner)
    page = url(firm, f"?from_manager={firm.ann.id}")
    planner.get(page)
    with count_queries(app) as few:
        assert planner.get(page).status_code == 200
    with app.app_context():
        boss = kit.user(firm.planner.id)
        for i in range(27):
            new_client(boss, name=f"ООО «Новый {i}»", manager_id=firm.ann.id if i % 3 else None)
        for i in range(1, 6):
            e = new_engagement(boss, new_client(boss, name=f"ООО «Свободный {i}»"), firm.show)
            kit.planned(e.id, "10", "2026-09", boss)
            create_task(firm.clients["a1"], {"title": f"Late {i}", "due_on": "2020-01-01"}, SYSTEM)
        commit()
    with count_queries(app) as many:
        html = planner.get(page).get_data(as_text=True)
    assert html.count('value="c:') == 29 and html.count('value="e:') == 6 + 3
    assert len(few) == len(many)
