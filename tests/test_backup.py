"""`expo backup` and `expo restore` round-trip the database (SQLite backup API, pg_dump/pg_restore)."""
from __future__ import annotations

from sqlalchemy import func, select

from expo.core import db
from expo.core.models import Client, User
from expo.testing import new_client


def _names(app) -> list[str]:
    with app.app_context():
        return sorted(db.session().scalars(select(Client.name)))


def test_a_backup_restores_the_database_as_it_was(app, runner, make_user, tmp_path):
    planner = make_user("planner")
    with app.app_context():
        p = db.session().get(User, planner.id)
        kept = new_client(p, name="ООО «Сохранённый»")
        new_client(p, name="ООО «Второй»")
    target = tmp_path / "backups" / "expo.backup"
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    assert target.stat().st_size > 0 and not target.with_name("expo.backup.part").exists()

    with app.app_context():  # life goes on: a deletion and a new client after the backup
        db.session().delete(db.session().get(Client, kept.id))
        new_client(db.session().get(User, planner.id), name="ООО «После копии»")
    assert _names(app) == ["ООО «Второй»", "ООО «После копии»"]

    result = runner.invoke(args=["restore", str(target), "--yes"])
    assert result.exit_code == 0, result.output
    assert _names(app) == ["ООО «Второй»", "ООО «Сохранённый»"]
    with app.app_context():  # the restored database works on: ids continue after the restored rows
        created = new_client(db.session().get(User, planner.id), name="ООО «Новый»")
        assert created.id > kept.id and db.session().scalar(select(func.count(Client.id))) == 3


def test_restore_refuses_a_file_that_is_not_a_backup(runner, tmp_path):
    junk = tmp_path / "junk.backup"
    junk.write_bytes(b"hello")
    result = runner.invoke(args=["restore", str(junk), "--yes"])
    assert result.exit_code != 0 and "not a" in result.output


def test_restore_asks_before_replacing_everything(runner, tmp_path):
    target = tmp_path / "expo.backup"
    assert runner.invoke(args=["backup", str(target)]).exit_code == 0
    result = runner.invoke(args=["restore", str(target)], input="n\n")
    assert result.exit_code != 0 and "Aborted" in result.output
