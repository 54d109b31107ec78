"""Outcomes that close an engagement are asked first and explained (issue 14, item 2): a comment
kept in the step log and shown in the history, the contract amount a result may require; the
client card and the engagement page name steps and results by their titles; removing a contact
asks first."""
from __future__ import annotations

import re
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from expo.core import db
from expo.core.errors import ValidationError
from expo.core.models import AuditEvent, Contact, Engagement, ScenarioResult, StepLog, User
from expo.core.services import clients, process
from expo.testing import count_queries, new_client, new_engagement, new_exhibition, new_scenario


@pytest.fixture
def world(app, make_user):
    """A manager's engagement on DESIGN.md's example scenario, its won result needing the amount."""
    planner_row, manager_row, other_row = make_user("planner"), make_user("manager"), make_user("manager")
    with app.app_context():
        planner = db.session().get(User, planner_row.id)
        scenario = new_scenario(planner)
        db.session().scalars(select(ScenarioResult).where(ScenarioResult.scenario_id == scenario.id,
                                                          ScenarioResult.key == "contract")).one().requires_amount = True
        db.commit()
        client = new_client(planner, name="ООО «Итог»", manager_id=manager_row.id)
        engagement = new_engagement(planner, client, new_exhibition(planner), scenario_id=scenario.id,
                                    expected_amount="100000")
        return {"planner": planner_row, "manager": manager_row, "other": other_row, "engagement_id": engagement.id,
                "client_id": client.id}


def _engagement(world) -> Engagement:
    return db.session().get(Engagement, world["engagement_id"])


def _to_offer(app, world):
    """Walk the engagement to the offer step, where «Signed» closes it as won."""
    with app.app_context():
        manager = db.session().get(User, world["manager"].id)
        for outcome in ("interested", "ok"):
            process.choose_outcome(_engagement(world), outcome, manager)
        db.commit()


def _state(world):
    """Everything a closing outcome would change (compared before and after a refused one)."""
    engagement = _engagement(world)
    db.session().refresh(engagement)
    rows = db.session().execute(select(StepLog.step, StepLog.left_at, StepLog.outcome, StepLog.comment,
                                       StepLog.result).where(StepLog.engagement_id == engagement.id)
                                .order_by(StepLog.id)).all()
    return (engagement.state, engagement.step, engagement.result, engagement.contract_amount, engagement.version,
            [tuple(row) for row in rows], db.session().scalar(select(func.count(AuditEvent.id))))


# --- the service --------------------------------------------------------------------------------------------


def test_the_comment_is_kept_on_the_row_the_engagement_closed_from(app, world):
    with app.app_context():
        manager = db.session().get(User, world["manager"].id)
        process.choose_outcome(_engagement(world), "no", manager, comment="  Бюджет урезали до осени.  ")
        db.commit()
        closing = db.session().scalars(select(StepLog).where(StepLog.closing)).one()
        assert (closing.step, closing.outcome, closing.result, closing.comment) == (
            "contact", "no", "refused", "Бюджет урезали до осени.")
        assert _engagement(world).state == "lost"


@pytest.mark.parametrize("amount, stored", [("2 359 000,00", Decimal("2359000.00")),
                                            ("2359000.00", Decimal("2359000.00")), (150000, Decimal("150000.00"))])
def test_a_result_that_requires_the_amount_writes_it_onto_the_engagement(app, world, amount, stored):
    _to_offer(app, world)
    with app.app_context():
        manager = db.session().get(User, world["manager"].id)
        process.choose_outcome(_engagement(world), "signed", manager, contract_amount=amount)
        db.commit()
        engagement = _engagement(world)
        assert (engagement.state, engagement.contract_amount) == ("won", stored)
        # through the engagement service: the change is audited like one made on the form
        changes = db.session().scalar(select(AuditEvent.details).where(AuditEvent.action == "update"))
        assert changes["changes"]["contract_amount"][1] == str(stored)


@pytest.mark.parametrize("amount, message", [
    (None, "needs the contract amount"), ("", "needs the contract amount"), ("  ", "needs the contract amount"),
    ("-5", "Not an amount"), ("много", "Not an amount"), ("1e5", "Not an amount"), ("12.345", "two decimal"),
    (1.5, "decimal string"), ("0", "more than zero"),
])
def test_a_missing_or_bad_amount_is_refused_and_changes_nothing(app, world, amount, message):
    _to_offer(app, world)
    with app.app_context():
        before = _state(world)
        manager = db.session().get(User, world["manager"].id)
        with pytest.raises(ValidationError) as refused:
            process.choose_outcome(_engagement(world), "signed", manager, contract_amount=amount, comment="ok")
        db.rollback()
        assert message in refused.value.fields["contract_amount"]
        assert _state(world) == before


def test_an_amount_recorded_before_satisfies_the_result(app, world):
    """The amount may come from the engagement's form (or an API PATCH) before the outcome."""
    _to_offer(app, world)
    with app.app_context():
        manager = db.session().get(User, world["manager"].id)
        _engagement(world).contract_amount = Decimal("90000.00")
        db.commit()
        process.choose_outcome(_engagement(world), "signed", manager)
        db.commit()
        assert (_engagement(world).state, _engagement(world).contract_amount) == ("won", Decimal("90000.00"))


def test_only_a_closing_outcome_takes_an_amount_and_comments_are_checked(app, world):
    with app.app_context():
        manager = db.session().get(User, world["manager"].id)
        before = _state(world)
        with pytest.raises(ValidationError) as refused:
            process.choose_outcome(_engagement(world), "interested", manager, contract_amount="100")
        assert "closes" in refused.value.fields["contract_amount"]
        with pytest.raises(ValidationError) as refused:
            process.choose_outcome(_engagement(world), "no", manager, comment="x" * 2001)
        assert "2000" in refused.value.fields["comment"]
        with pytest.raises(ValidationError) as refused:
            process.choose_outcome(_engagement(world), "no", manager, comment="\x07bell")
        assert "control" in refused.value.fields["comment"]
        db.rollback()
        assert _state(world) == before


# --- the pages ----------------------------------------------------------------------------------------------


def _page(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_data(as_text=True)


def _version(html):
    return re.search(r'name="version" value="(\d+)"', html).group(1)


def test_a_step_to_step_outcome_is_one_click_and_a_closing_one_a_link_to_its_confirmation(app, world, login_as):
    page = login_as(world["manager"])
    url = f"/engagements/{world['engagement_id']}"
    html = _page(page, url)
    assert '<button type="submit" name="outcome" value="interested">Interested</button>' in html
    assert 'value="no"' not in html  # the refusal is no submit button
    assert f'href="{url}/outcomes/no?version={_version(html)}"' in html
    moved = page.submit(f"{url}/outcome", {"outcome": "interested", "version": _version(html)})
    assert moved.status_code == 302
    with app.app_context():
        assert _engagement(world).step == "presentation"


def test_the_confirmation_writes_nothing_until_confirmed(app, world, login_as):
    page = login_as(world["manager"])
    url = f"/engagements/{world['engagement_id']}"
    version = _version(_page(page, url))
    with app.app_context():
        before = _state(world)
    # the link's page (no JavaScript) …
    confirm = _page(page, f"{url}/outcomes/no?version={version}")
    assert "Close the engagement: «Not interested»?" in confirm and "«Client refused»" in confirm
    assert "<html" in confirm and 'name="comment"' in confirm and 'name="contract_amount"' not in confirm
    assert 'name="confirmed" value="1"' in confirm and f'name="version" value="{version}"' in confirm
    # … and a closing outcome posted without confirmation (an old page, a plain form) only ask
    asked = page.submit(f"{url}/outcome", {"outcome": "no", "version": version})
    assert asked.status_code == 200 and "Close the engagement: «Not interested»?" in asked.get_data(as_text=True)
    with app.app_context():
        assert _state(world) == before
    closed = page.submit(f"{url}/outcome", {"outcome": "no", "version": version, "confirmed": "1",
                                             "comment": "Ушли к конкуренту <b>навсегда</b>"})
    assert closed.status_code == 302
    with app.app_context():
        assert _engagement(world).state == "lost"
        assert db.session().scalar(select(StepLog.comment).where(StepLog.closing)) == \
            "Ушли к конкуренту <b>навсегда</b>"
    history = _page(page, url)
    history = history[history.index('id="step-history"'):]
    assert "Result: Client refused" in history
    assert '<blockquote class="comment">Ушли к конкуренту &lt;b&gt;навсегда&lt;/b&gt;</blockquote>' in history


def test_the_won_result_requires_a_valid_amount_on_the_page(app, world, login_as):
    _to_offer(app, world)
    page = login_as(world["manager"])
    url = f"/engagements/{world['engagement_id']}"
    version = _version(_page(page, url))
    confirm = _page(page, f"{url}/outcomes/signed?version={version}")
    assert re.search(r'<input name="contract_amount"[^>]*required', confirm)
    with app.app_context():
        before = _state(world)
    for amount, message in (("", "needs the contract amount"), ("-1 000", "Not an amount"),
                            ("сто", "Not an amount")):
        refused = page.submit(f"{url}/outcome", {"outcome": "signed", "version": version, "confirmed": "1",
                                                  "contract_amount": amount, "comment": "подписали"})
        body = refused.get_data(as_text=True)
        assert refused.status_code == 422 and message in body and 'id="error-contract_amount"' in body
        assert "подписали" in body  # what was typed is kept
        with app.app_context():
            assert _state(world) == before
    signed = page.submit(f"{url}/outcome", {"outcome": "signed", "version": version, "confirmed": "1",
                                             "contract_amount": "2 359 000,00"})
    assert signed.status_code == 302
    with app.app_context():
        assert (_engagement(world).state, _engagement(world).contract_amount) == ("won", Decimal("2359000.00"))
    assert "Result: Contract signed" in _page(page, url)


def test_with_htmx_the_confirmation_is_an_inline_dialog(app, world, login_as):
    page = login_as(world["manager"])
    page.fetch_csrf(f"/engagements/{world['engagement_id']}")
    url = f"/engagements/{world['engagement_id']}"
    version = _version(_page(page, url))
    dialog = page.get(f"{url}/outcomes/no?version={version}", headers={"HX-Request": "true"})
    html = dialog.get_data(as_text=True)
    assert dialog.status_code == 200 and "<html" not in html
    assert 'role="dialog"' in html and 'hx-target="#outcome-dialog"' in html and "<h3" in html
    too_long = page.submit(f"{url}/outcome", {"outcome": "no", "version": version, "confirmed": "1",
                                               "comment": "x" * 2001}, htmx=True)
    assert too_long.status_code == 422 and "<html" not in too_long.get_data(as_text=True)
    assert "At most 2000 characters." in too_long.get_data(as_text=True)
    done = page.submit(f"{url}/outcome", {"outcome": "no", "version": version, "confirmed": "1",
                                          "comment": "нет"}, htmx=True)
    assert done.status_code == 204 and done.headers["HX-Redirect"] == url
    with app.app_context():
        assert _engagement(world).state == "lost"


def test_a_stale_confirmation_is_a_conflict(app, world, login_as):
    page = login_as(world["manager"])
    url = f"/engagements/{world['engagement_id']}"
    old = _version(_page(page, url))
    assert page.submit(f"{url}/outcome", {"outcome": "interested", "version": old}).status_code == 302
    assert page.submit(f"{url}/outcome", {"outcome": "no", "version": old, "confirmed": "1"}).status_code == 409
    with app.app_context():
        assert _engagement(world).state == "open"


def test_csrf_roles_and_ownership_guard_the_confirmation(app, world, login_as, make_user):
    url = f"/engagements/{world['engagement_id']}"
    form = {"outcome": "no", "confirmed": "1", "comment": "чужое"}
    other = login_as(world["other"])  # another manager does not see the engagement at all
    assert other.get(f"{url}/outcomes/no").status_code == 404
    assert other.submit(f"{url}/outcome", form).status_code == 404
    viewer = login_as(make_user("viewer"))
    assert viewer.get(f"{url}/outcomes/no").status_code == 403
    assert viewer.submit(f"{url}/outcome", form).status_code == 403
    owner = login_as(world["manager"])
    assert owner.http.post(f"{url}/outcome", data=form).status_code == 400  # no CSRF token
    assert owner.get(f"{url}/outcomes/interested").status_code == 404  # nothing to confirm there
    assert owner.get(f"{url}/outcomes/nonsense").status_code == 422
    with app.app_context():
        assert _engagement(world).state == "open"
        assert db.session().scalar(select(func.count(StepLog.id)).where(StepLog.comment.is_not(None))) == 0


# --- the API ------------------------------------------------------------------------------------------------


def test_the_api_closes_with_a_comment_and_the_required_amount(app, world, api):
    _to_offer(app, world)
    as_manager = api(world["manager"])
    url = f"/engagements/{world['engagement_id']}/outcome"
    missing = as_manager.post(url, json={"outcome": "signed", "comment": "подписан"})
    assert missing.status_code == 422 and "contract_amount" in missing.json["error"]["fields"]
    assert as_manager.post(url, json={"outcome": "signed", "contract_amount": 1.5}).status_code == 422
    assert as_manager.get(f"/engagements/{world['engagement_id']}").json["state"] == "open"
    done = as_manager.post(url, json={"outcome": "signed", "contract_amount": "2359000.00", "comment": "подписан"})
    assert done.status_code == 200, done.get_data(as_text=True)
    assert (done.json["state"], done.json["contract_amount"]) == ("won", "2359000.00")
    history = as_manager.get(f"/engagements/{world['engagement_id']}/history").json["items"]
    assert [h["comment"] for h in history] == [None, None, "подписан"]
    schema = as_manager.get("/openapi.json").json["components"]["schemas"]["OutcomeInput"]["properties"]
    assert {"comment", "contract_amount"} <= set(schema)


# --- titles, not keys ---------------------------------------------------------------------------------------


def test_the_card_and_the_engagement_page_show_titles_not_keys(app, world, login_as):
    with app.app_context():
        planner = db.session().get(User, world["planner"].id)
        client = _engagement(world).client
        lost = new_engagement(planner, client, new_exhibition(planner, name="Вторая"),
                              scenario_id=_engagement(world).scenario_id)
        for outcome in ("interested", "ok", "price"):
            process.choose_outcome(lost, outcome, planner)
        db.commit()
        lost_id = lost.id
    page = login_as(world["planner"])
    card = _page(page, f"/clients/{world['client_id']}")
    engagements = card[card.index("<h2>Engagements</h2>"):card.index("</table>", card.index("<h2>Engagements</h2>"))]
    assert "<td>Establish contact</td>" in engagements and ">contact<" not in engagements
    assert "lost: Refused: price" in engagements and "refused_price" not in engagements
    assert "(reason: price too high)" in engagements
    show = _page(page, f"/engagements/{lost_id}")
    assert "Result: Refused: price" in show and "reason: price too high" in show and "refused_price" not in show
    with app.app_context():  # a title that says the reason already: not said twice
        db.session().scalars(select(ScenarioResult).where(ScenarioResult.key == "refused_price")).one().title = \
            "Refused: price too high"
        db.commit()
    card = _page(page, f"/clients/{world['client_id']}")
    assert "lost: Refused: price too high" in card and "reason:" not in card
    show = _page(page, f"/engagements/{lost_id}")
    assert "Result: Refused: price too high" in show and "reason:" not in show


def test_the_card_reads_titles_in_a_bounded_number_of_statements(app, world, login_as):
    page = login_as(world["planner"])
    url = f"/clients/{world['client_id']}"
    with count_queries(app) as few:
        _page(page, url)
    with app.app_context():
        planner = db.session().get(User, world["planner"].id)
        client = _engagement(world).client
        for i in range(4):
            new_engagement(planner, client, new_exhibition(planner, name=f"Ещё {i}"))
    with count_queries(app) as many:
        _page(page, url)
    assert len(few) == len(many)


# --- removing a contact asks first --------------------------------------------------------------------------


def test_removing_a_contact_asks_first(app, world, login_as):
    with app.app_context():
        planner = db.session().get(User, world["planner"].id)
        contact = clients.add_contact(db.session().get(Engagement, world["engagement_id"]).client,
                                      {"name": "Анна Контактова"}, planner)
        db.commit()
        contact_id = contact.id
    page = login_as(world["manager"])
    card = _page(page, f"/clients/{world['client_id']}")
    remove = f"/clients/{world['client_id']}/contacts/{contact_id}/delete"
    assert re.search(rf'<a href="{remove}"[^>]*hx-post="{remove}"[^>]*hx-confirm="Remove Анна Контактова', card, re.S)
    asked = _page(page, remove)
    assert "Remove Анна Контактова from the contacts of ООО «Итог»?" in asked
    with app.app_context():
        assert db.session().get(Contact, contact_id) is not None
    assert login_as(world["other"]).get(remove).status_code == 404
    assert page.submit(remove).status_code == 302
    with app.app_context():
        assert db.session().get(Contact, contact_id) is None
