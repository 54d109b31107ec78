"""The ``funnel`` plugin for Expo: The funnel: where and why clients drop, per scenario, exhibition and manager.

Its features arrive in their own issue; until then it registers no hooks, so it adds nothing
to the pages. Its migrations live in ``migrations/versions`` with the version table
``alembic_version_funnel``; its tables are prefixed ``funnel_``.
"""
