"""``expo ratings recompute``: the recomputation from the command line, run here and now."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from expo.hooks import commit, db_session, now
from expo_ratings import recompute
from expo_ratings.models import Recomputation

ratings_group = click.Group("ratings", help="Client ratings.")


@ratings_group.command("recompute")
@with_appcontext
def recompute_command():
    """Set every status rating again from the current rules (idempotent), showing progress.

    Also does the backfill the first enabling left pending, if no request has started it yet.
    """
    run = recompute.claim_pending(trigger="command")
    if run is None:
        run = Recomputation(trigger="command", state="queued", created_at=now())
        db_session().add(run)
    commit()

    def progress(current: Recomputation) -> None:
        click.echo(f"{current.percent:3d}%  {current.changed} changed")

    done = recompute.run(run.id, progress)
    click.echo(f"done: {done.changed} status ratings changed")
