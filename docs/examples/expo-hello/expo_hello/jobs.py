"""Background jobs: given ids, they load fresh data; the job runner commits what they write."""
from expo.hooks import db_session, models, notify


def tell_manager(client_id: int, greeter_id: int) -> None:
    """Tell the client's manager that someone else greeted their client (idempotent enough: a
    second run sends a second note, which is harmless)."""
    client = db_session().get(models.Client, client_id)
    if client is None or client.manager_id in (None, greeter_id):
        return
    manager = db_session().get(models.User, client.manager_id)
    notify([manager], "hello", f"{client.name} was greeted.", f"/clients/{client.id}")
