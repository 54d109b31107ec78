"""WSGI entry point: ``gunicorn 'wsgi:app'`` (settings come from EXPO_* variables)."""
from expo import create_app

app = create_app()
