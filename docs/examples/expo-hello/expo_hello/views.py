"""The plugin's pages: /hello, and the client-card panel with its "Greet" button."""
from flask import render_template, request, url_for
from sqlalchemy import func, select

from expo.hooks import (commit, current_user, db_session, enqueue_after_commit, get_client, log_activity, models,
                        protected_blueprint, redirect_after_post, scope_clients)

GREETING = "Hello from expo-hello!"

# Named and mounted after the plugin; every view needs a logged-in user.
bp = protected_blueprint("hello", __name__, url_prefix="/hello", template_folder="templates")


@bp.get("/")
def index():
    # Only greetings of clients this user may see: managers see their own clients only.
    greetings = scope_clients(
        select(func.count(models.Activity.id)).join(models.Client, models.Client.id == models.Activity.client_id),
        current_user).where(models.Activity.text == GREETING)
    return render_template("hello/index.html", greetings=db_session().scalar(greetings))


@bp.get("/panel/<int:client_id>")
def panel(client_id):
    # Panel URLs are plain URLs anyone logged in can request: get_client answers 404 for a
    # client this user may not see.
    return render_template("hello/_panel.html", client=get_client(current_user, client_id))


@bp.post("/clients/<int:client_id>/greet")
def greet(client_id):
    client = get_client(current_user, client_id)
    # Through the core's service: validated, audited, refused for viewers (403), hooks fired.
    log_activity(client, {"kind": "note", "text": GREETING}, current_user)
    # Runs once the transaction commits (in-process, or on an RQ worker); dropped on rollback.
    enqueue_after_commit("expo_hello.jobs:tell_manager", client_id=client.id, greeter_id=current_user.id)
    commit()
    if request.htmx:  # the panel swaps itself; other panels refresh on the event
        return render_template("hello/_panel.html", client=client, greeted=True), 200, {"HX-Trigger": "expo:changed"}
    return redirect_after_post(url_for("clients.card", client_id=client.id))
