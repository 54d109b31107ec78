"""The ``planning`` plugin for Expo: Client-by-client budget planning: planned, refined, actual, planning error.

Its features arrive in their own issue; until then it registers no hooks, so it adds nothing
to the pages. Its migrations live in ``migrations/versions`` with the version table
``alembic_version_planning``; its tables are prefixed ``planning_``.
"""
