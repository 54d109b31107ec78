"""The production entry point: gunicorn's ``wsgi:app`` makes the app, then freezes the start-up heap."""
from __future__ import annotations

import os
import subprocess
import sys

from expo import ROOT


def test_wsgi_makes_the_app_and_puts_the_start_up_heap_out_of_the_collector_s_sight(tmp_path):
    env = dict(os.environ, EXPO_DATABASE_URL=f"sqlite:///{tmp_path / 'expo.db'}", EXPO_INSTANCE_DIR=str(tmp_path),
               EXPO_SECRET_KEY="test")
    probe = "import gc, wsgi; print(type(wsgi.app).__name__, gc.get_freeze_count())"
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    name, frozen = out.stdout.split()
    assert name == "Flask" and int(frozen) > 10_000, out.stderr
