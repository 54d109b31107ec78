"""WSGI entry point: ``gunicorn 'wsgi:app'`` (settings come from EXPO_* variables)."""
from expo import create_app, freeze_heap

app = create_app()
freeze_heap()  # each worker imports this after gunicorn forks it (no --preload)
