"""The client list's work columns (current step, last contact, next task) and the firm's
pick-lists: the admin page, the client form's drop-downs, the refused value, the filters."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from expo.core import clock, db
from expo.core.models import AuditEvent, Client, PickListItem, User
from expo.core.services import activities, tasks
from expo.testing import new_client, new_engagement, new_exhibition, new_scenario


def _row(html: str, name: str) -> str:
    """The table row of the client called ``name``."""
    return next(row for row in re.findall(r"<tr>(.*?)</tr>", html, re.S) if f">{name}</a>" in row)


def _cell(row: str, css: str) -> str:
    return re.sub(r"<[^>]+>|\s+", " ", re.search(rf'<td class="{css}"[^>]*>(.*?)</td>', row, re.S).group(1)).strip()


def test_the_list_shows_the_current_step_the_last_contact_and_the_next_task(app, client, planner):
    with app.app_context():
        me = db.session().get(User, planner.id)
        new_scenario(me)
        busy = new_client(me, name="Занятой")
        new_client(me, name="Тихий")
        new_engagement(me, busy, new_exhibition(me))  # opens on «Establish contact», with its task
        activities.log_activity(busy, {"kind": "call", "text": "Позвонили"}, me)
        later = clock.today() + timedelta(days=30)
        tasks.create_task(busy, {"title": "Отправить КП", "due_on": later.isoformat()}, me)
        db.commit()
    html = client.get("/clients/").get_data(as_text=True)
    busy_row, quiet_row = _row(html, "Занятой"), _row(html, "Тихий")
    assert _cell(busy_row, "work-step") == "Establish contact"  # the step's title, not its key
    assert _cell(busy_row, "work-contact") not in ("", "—")
    # the earliest open task: the step's «Call the client» (due in 2 days), not the one in a month
    assert "Call the client" in _cell(busy_row, "work-task") and "Отправить КП" not in busy_row
    assert [_cell(quiet_row, css) for css in ("work-step", "work-contact", "work-task")] == ["—", "—", "—"]
    assert 'class="list one-line"' in html


def test_a_manager_sees_the_work_of_their_own_engagements_only(app, login_as, make_user, planner):
    manager, other = make_user("manager"), make_user("manager")
    with app.app_context():
        me = db.session().get(User, planner.id)
        new_scenario(me)
        theirs = new_client(me, name="Свой", manager_id=manager.id)
        new_engagement(me, theirs, new_exhibition(me), manager_id=other.id)  # someone else's engagement
    row = _row(login_as(manager).get("/clients/").get_data(as_text=True), "Свой")
    assert _cell(row, "work-step") == "—" and _cell(row, "work-task") == "—"


def test_only_admins_edit_the_pick_lists(app, login_as, make_user):
    admin, planner = make_user("admin"), make_user("planner")
    assert login_as(planner).get("/admin/pick-lists").status_code == 403
    page = login_as(admin)
    assert page.submit("/admin/pick-lists", {"field": "region", "value": "Казань"}).status_code == 302
    assert page.submit("/admin/pick-lists", {"field": "region", "value": "Москва"}).status_code == 302
    refused = page.submit("/admin/pick-lists", {"field": "region", "value": "Казань"})
    assert refused.status_code == 422 and "This value is on the list already." in refused.get_data(as_text=True)
    assert page.submit("/admin/pick-lists", {"field": "colour", "value": "x"}).status_code == 422
    assert page.post("/admin/pick-lists", data={"field": "region", "value": "Без CSRF"}).status_code == 400
    with app.app_context():
        items = db.session().scalars(select(PickListItem).where(PickListItem.field == "region")
                                     .order_by(PickListItem.position)).all()
        assert [i.value for i in items] == ["Казань", "Москва"]
        moscow = items[1].id
    assert page.submit(f"/admin/pick-lists/{moscow}/move", {"direction": "up"}).status_code == 302
    html = page.get("/admin/pick-lists").get_data(as_text=True)
    assert html.index("Москва") < html.index("Казань")
    assert page.submit(f"/admin/pick-lists/{moscow}/move", {"direction": "sideways"}).status_code == 422
    assert page.submit(f"/admin/pick-lists/{moscow}/delete").status_code == 302
    assert page.submit("/admin/pick-lists/999999/delete").status_code == 404
    with app.app_context():
        assert db.session().scalars(select(PickListItem.value)).all() == ["Казань"]
        actions = db.session().scalars(select(AuditEvent.action).where(AuditEvent.object_type == "pick_list_item")
                                       .order_by(AuditEvent.id)).all()
        assert actions == ["create", "create", "move", "delete"]


def _fill_lists(app):
    with app.app_context():
        db.session().add_all([PickListItem(field="region", value="Казань", position=1),
                              PickListItem(field="region", value="Москва", position=2),
                              PickListItem(field="industry", value="IT", position=1)])
        db.commit()


def test_the_client_form_offers_the_lists_and_refuses_a_value_off_them(app, client, planner):
    _fill_lists(app)
    form = client.get("/clients/new").get_data(as_text=True)
    region = re.search(r'<select name="region">(.*?)</select>', form, re.S).group(1)
    assert re.findall(r"<option value=\"([^\"]*)\"", region) == ["", "Казань", "Москва"]
    assert 'name="channel"' in form and '<select name="channel">' not in form  # no list: free text
    refused = client.submit("/clients/new", {"name": "ООО «Тест»", "category": "potential", "region": "Тверь"},
                            htmx=True)
    assert refused.status_code == 422
    assert "Choose a value from the list" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session().scalar(select(Client.id).where(Client.name == "ООО «Тест»")) is None
    saved = client.submit("/clients/new", {"name": "ООО «Тест»", "category": "potential", "region": "Казань",
                                           "channel": "что угодно"})
    assert saved.status_code == 302


def test_a_client_keeps_its_value_off_the_list(app, client, planner):
    """A value from before the list (or from an import) is offered on the form and saved again as is."""
    _fill_lists(app)
    with app.app_context():
        old = new_client(db.session().get(User, planner.id), name="Старый", region="Тверь").id
    form = client.get(f"/clients/{old}/edit").get_data(as_text=True)
    region = re.search(r'<select name="region">(.*?)</select>', form, re.S).group(1)
    assert '<option value="Тверь" selected>' in region
    assert client.submit(f"/clients/{old}/edit", {"name": "Старый", "category": "potential",
                                                  "region": "Тверь"}).status_code == 302


def test_the_list_filters_read_the_pick_lists(app, client, planner):
    _fill_lists(app)
    with app.app_context():
        me = db.session().get(User, planner.id)
        new_client(me, name="Из Твери", region="Тверь", industry="Строительство", channel="Сайт")
    html = client.get("/clients/").get_data(as_text=True)
    region = re.search(r'<select name="region"[^>]*>(.*?)</select>', html, re.S).group(1)
    assert "Казань" in region and "Москва" in region and "Тверь" not in region
    # a field without a list still offers the values the clients hold
    channel = re.search(r'<select name="channel"[^>]*>(.*?)</select>', html, re.S).group(1)
    assert "Сайт" in channel


def test_imports_and_the_api_keep_accepting_any_value(app, api, planner):
    _fill_lists(app)
    answer = api(planner).post("/clients", json={"name": "Через API", "region": "Тверь"})
    assert answer.status_code == 201, answer.get_json()


def test_sorting_by_name_leaves_the_legal_form_and_quotes_aside(app, client, planner):
    with app.app_context():
        me = db.session().get(User, planner.id)
        for name in ("ООО «Яблоко»", "АО \"Берёза\"", "ИП Алексеев", "Вишня"):
            new_client(me, name=name)
    order = ["ИП Алексеев", "АО &#34;Берёза&#34;", "Вишня", "ООО «Яблоко»"]

    def names(url):
        html = client.get(url).get_data(as_text=True)
        return sorted(order, key=lambda name: html.index(f">{name}</a>"))

    assert names("/clients/") == order  # the default: by name
    assert names("/clients/?sort=-name") == order[::-1]
