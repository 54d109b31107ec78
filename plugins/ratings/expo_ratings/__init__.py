"""The ``ratings`` plugin for Expo: Client ratings: status, exhibition and personal ratings, ranked lists.

Its features arrive in their own issue; until then it registers no hooks, so it adds nothing
to the pages. Its migrations live in ``migrations/versions`` with the version table
``alembic_version_ratings``; its tables are prefixed ``ratings_``.
"""
