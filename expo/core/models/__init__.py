"""The core's data model. Import models from here."""
from .base import Base, utcnow
from .clients import CATEGORIES, Client, Contact
from .exhibitions import ENGAGEMENT_STATES, RESULT_KINDS, Engagement, Exhibition
from .reports import FREQUENCIES, REPORT_STATES, Report, ReportDelivery, ReportSubscription
from .scenarios import (ESCALATION_ROLES, Scenario, ScenarioAction, ScenarioOutcome, ScenarioResult,
                        ScenarioStep, StepLog)
from .users import CORE_PERMISSIONS, ROLES, ApiToken, PermissionGrant, User
from .work import ACTIVITY_KINDS, Activity, AuditEvent, Notification, Task

__all__ = [
    "ACTIVITY_KINDS", "CATEGORIES", "CORE_PERMISSIONS", "ENGAGEMENT_STATES", "RESULT_KINDS", "ROLES",
    "Activity", "ApiToken", "AuditEvent", "Base", "Client", "Contact", "Engagement", "Exhibition",
    "ESCALATION_ROLES", "FREQUENCIES", "REPORT_STATES", "Report", "ReportDelivery", "ReportSubscription",
    "Notification", "PermissionGrant", "Scenario", "ScenarioAction", "ScenarioOutcome",
    "ScenarioResult", "ScenarioStep", "StepLog", "Task", "User", "utcnow",
]
