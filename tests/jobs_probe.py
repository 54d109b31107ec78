"""A job for the job tests: writes an audit row so the test can see it ran, and where."""
from expo.core.models import SYSTEM
from expo.core.services import audit


def note(text: str) -> str:
    audit.record("probe_job", "probe", None, SYSTEM, text=text)
    return text
