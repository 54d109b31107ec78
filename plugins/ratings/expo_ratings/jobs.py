"""Background jobs (``"expo_ratings.jobs:<function>"``): given ids, they load fresh data."""
from expo_ratings import recompute as recomputation


def recompute(recomputation_id: int) -> None:
    """Recompute every status rating (queued by a rule change, the button, or the first enabling)."""
    recomputation.run(recomputation_id)
