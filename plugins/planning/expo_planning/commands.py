"""``expo planning resync``: the budgets' copies of their engagements again, here and now."""
from __future__ import annotations

import time

import click
from flask.cli import with_appcontext

from expo_planning import jobs

planning_group = click.Group("planning", help="Budget planning.")


@planning_group.command("resync")
@with_appcontext
def resync_command():
    """Copy each planned engagement's manager, state and contract amount again (after a bulk load)."""
    began = time.perf_counter()
    count = jobs.resync_all()
    click.echo(f"{count} budgets resynced in {time.perf_counter() - began:.1f} s")
