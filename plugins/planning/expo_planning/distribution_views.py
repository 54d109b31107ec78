"""The distribution page (helper: being written)."""


def register(bp) -> None:
    """Add the distribution routes to the plugin's blueprint."""
