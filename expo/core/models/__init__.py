"""The core's data model. Import models from here."""
from .base import Base, utcnow
from .clients import CATEGORIES, Client, Contact
from .exhibitions import ENGAGEMENT_STATES, RESULT_KINDS, Engagement, Exhibition
from .users import CORE_PERMISSIONS, ROLES, ApiToken, PermissionGrant, User
from .work import ACTIVITY_KINDS, Activity, AuditEvent, Task

__all__ = [
    "ACTIVITY_KINDS", "CATEGORIES", "CORE_PERMISSIONS", "ENGAGEMENT_STATES", "RESULT_KINDS", "ROLES",
    "Activity", "ApiToken", "AuditEvent", "Base", "Client", "Contact", "Engagement", "Exhibition",
    "PermissionGrant", "Task", "User", "utcnow",
]
