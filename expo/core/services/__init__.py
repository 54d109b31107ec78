"""Core services: every state change goes through here.

Each service validates, writes, audits and fires the lifecycle hook in one transaction; the
caller (a view, CLI command or job) commits with ``expo.core.db.commit()``.
"""
