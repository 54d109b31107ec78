"""``expo funnel rebuild``: the count tables from the step log again, here and now."""
from __future__ import annotations

import time

import click
from flask.cli import with_appcontext

from expo_funnel import jobs

funnel_group = click.Group("funnel", help="The funnel.")


@funnel_group.command("rebuild")
@with_appcontext
def rebuild_command():
    """Count the funnel again from the step log (after a bulk load, or a time with the plugin off)."""
    began = time.perf_counter()
    jobs.rebuild_all()
    click.echo(f"rebuilt in {time.perf_counter() - began:.1f} s")
