"""Bulk generation of a large, believable firm (``bench/make_firm.py``, ``expo demo-data --scale large``).

``firm`` orchestrates; ``names`` makes Russian companies and people; ``calendar`` keeps times in
office hours; ``walk`` moves engagements through the firm's scenario; ``records`` builds the rows
the services would have written; ``sinks`` writes them (COPY on PostgreSQL).
"""
from expo.core.bulk.firm import FirmSize, load_firm

__all__ = ["FirmSize", "load_firm"]
