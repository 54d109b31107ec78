"""The client search: a substring of the name (any case, any script) or the start of the tax id,
answered from trigram indexes where the database has them (PostgreSQL's pg_trgm, SQLite's FTS5,
migration 0015) and by reading the names where it cannot (fewer than three characters)."""
from __future__ import annotations

import pytest
from sqlalchemy import select, text

from expo.core import db
from expo.core.models import Client, User
from expo.core.queries.clients import search_condition
from expo.core.services import clients as client_service
from expo.testing import new_client

NAMES = ["ООО «Северная Звезда»", "АО «Южный Ветер»", 'ИП "Кавычкин"', "Сто % надёжно", "Under_score Ltd",
         "ЗАО «Центр-Плюс»", "ООО «ЦЕНТРАЛЬНЫЙ»"]


@pytest.fixture
def firm(app, make_user):
    planner = make_user("planner")
    with app.app_context():
        me = db.session().get(User, planner.id)
        ids = {name: new_client(me, name=name, tax_id=tax).id
               for name, tax in zip(NAMES, ("7701234567", "7702000001", "500100732259", None, None, "7801000002", None))}
        return ids


def found(app, q: str) -> list[str]:
    with app.app_context():
        return sorted(db.session().scalars(select(Client.name).where(Client.deleted_at.is_(None), search_condition(q))))


@pytest.mark.parametrize("q, expected", [
    ("северн", ["ООО «Северная Звезда»"]),
    ("ЮЖН", ["АО «Южный Ветер»"]),
    ("ветер»", ["АО «Южный Ветер»"]),  # across the quote
    ("центр", ["ЗАО «Центр-Плюс»", "ООО «ЦЕНТРАЛЬНЫЙ»"]),
    ("нтр-п", ["ЗАО «Центр-Плюс»"]),
    ('"кав', ['ИП "Кавычкин"']),  # a double quote: a character like any other
    ("% н", ["Сто % надёжно"]),  # wildcards are literal
    ("r_s", ["Under_score Ltd"]),
    ("_", ["Under_score Ltd"]),  # one character: the names are read
    ("ст", ["Сто % надёжно"]),  # two
    ("770123", ["ООО «Северная Звезда»"]),  # the start of a tax id
    ("50010073", ['ИП "Кавычкин"']),
    ("0123", []),  # not the start of one
    ("звезда южный", []),
    ("ничего такого", []),
])
def test_the_search_finds_substrings_of_the_name_and_starts_of_the_tax_id(app, firm, q, expected):
    assert found(app, q) == expected


def test_the_index_follows_renames_and_deletions(app, firm, make_user):
    with app.app_context():
        me = db.session().scalar(select(User).where(User.role == "planner"))
        client = db.session().get(Client, firm["АО «Южный Ветер»"])
        client_service.update_client(client, {"name": "АО «Северный Полюс»"}, me)
        db.commit()
        db.session().execute(text("DELETE FROM clients WHERE id = :id"), {"id": firm["ЗАО «Центр-Плюс»"]})
        db.commit()
    assert found(app, "южн") == []
    assert found(app, "полюс") == ["АО «Северный Полюс»"]
    assert found(app, "северн") == ["АО «Северный Полюс»", "ООО «Северная Звезда»"]
    assert found(app, "центр") == ["ООО «ЦЕНТРАЛЬНЫЙ»"]


def test_sqlite_answers_from_its_trigram_index(app, firm):
    """Migration 0015 made the FTS5 index and its triggers: a search of three characters reads it,
    and the tax id is a range of its index."""
    with app.app_context():
        if db.engine().dialect.name != "sqlite":
            assert search_condition("центр") is not None  # PostgreSQL: pg_trgm, checked by its plan elsewhere
            return
        triggers = set(db.session().scalars(text("SELECT name FROM sqlite_master WHERE type = 'trigger'")))
        assert {"clients_name_trigrams_insert", "clients_name_trigrams_delete",
                "clients_name_trigrams_update"} <= triggers
        def plan(q: str) -> str:
            statement = select(Client.id).where(search_condition(q))
            compiled = statement.compile(db.engine(), compile_kwargs={"literal_binds": True})
            return " ".join(str(row[-1]) for row in db.session().execute(text(f"EXPLAIN QUERY PLAN {compiled}")))

        assert "clients_name_trigrams VIRTUAL TABLE" in plan("центр")
        assert "clients_name_trigrams VIRTUAL TABLE" in plan("7701") and "uq_clients_tax_id" in plan("7701")
        assert "clients_name_trigrams" not in plan("це")  # two characters: no trigram to look up
