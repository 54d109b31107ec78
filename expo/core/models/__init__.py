"""The core's data model. Import models from here."""
from .base import Base, UTCDateTime, utcnow
from .clients import CATEGORIES, PICK_LIST_FIELDS, Client, Contact, PickListItem
from .imports import IMPORT_KINDS, IMPORT_STATES, ROW_STATUSES, Import, ImportMapping, ImportRow, Sale
from .exhibitions import ENGAGEMENT_STATES, RESULT_KINDS, Engagement, EngagementCount, Exhibition
from .jobs import PendingJob
from .reports import FREQUENCIES, REPORT_STATES, Report, ReportDelivery, ReportSubscription
from .scenarios import (ESCALATION_ROLES, Scenario, ScenarioAction, ScenarioOutcome, ScenarioResult,
                        ScenarioStep, StepLog)
from .users import CORE_PERMISSIONS, ROLES, SYSTEM, ApiToken, LoginSession, PermissionGrant, SystemActor, User
from .work import ACTIVITY_KINDS, Activity, AuditEvent, Notification, Task

__all__ = [
    "ACTIVITY_KINDS", "CATEGORIES", "CORE_PERMISSIONS", "ENGAGEMENT_STATES", "RESULT_KINDS", "ROLES",
    "IMPORT_KINDS", "IMPORT_STATES", "ROW_STATUSES", "Import", "ImportMapping", "ImportRow", "Sale",
    "Activity", "ApiToken", "AuditEvent", "Base", "Client", "Contact", "Engagement", "EngagementCount", "Exhibition",
    "ESCALATION_ROLES", "FREQUENCIES", "REPORT_STATES", "Report", "ReportDelivery", "ReportSubscription",
    "LoginSession", "Notification", "PendingJob", "PermissionGrant", "PICK_LIST_FIELDS", "PickListItem", "Scenario", "ScenarioAction", "ScenarioOutcome",
    "ScenarioResult", "ScenarioStep", "StepLog", "SYSTEM", "SystemActor", "Task", "User", "UTCDateTime", "utcnow",
]
