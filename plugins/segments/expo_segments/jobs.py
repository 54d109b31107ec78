"""Jobs: the nightly recomputation of every client's category and classes (idempotent)."""
from expo_segments.queries import recompute


def recompute_all() -> None:
    recompute()


def recompute_client(client_id: int) -> None:
    recompute(client_id)
