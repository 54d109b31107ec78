"""The JSON API at /api/v1/planning (being written)."""
from expo.hooks import api_blueprint

api = api_blueprint("planning", __name__)


def docs():
    return {}, {}
