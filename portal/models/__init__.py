"""The shared core's models, one module per concern; import from here."""

from portal.models.accounts import SecondFactorDevice, User
from portal.models.audit import PersonalDataAccess
from portal.models.base import TimeStampedModel
from portal.models.calendar import CalendarYear, WorkingDayOverride
from portal.models.documents import StoredDocument
from portal.models.idempotency import IdempotencyKey
from portal.models.imports import ImportJob
from portal.models.money import AnnualTarget, SubsidyCap
from portal.models.notifications import DigestLog, Notification, NotificationPreference, OutboxMessage
from portal.models.places import District, Employer, ThirdParty
from portal.models.policies import Policy, PolicyCategory
from portal.models.retention import AnonymisationRun, RetentionPolicy

__all__ = [
    "AnnualTarget",
    "AnonymisationRun",
    "CalendarYear",
    "DigestLog",
    "District",
    "Employer",
    "IdempotencyKey",
    "ImportJob",
    "Notification",
    "NotificationPreference",
    "OutboxMessage",
    "PersonalDataAccess",
    "Policy",
    "PolicyCategory",
    "RetentionPolicy",
    "SecondFactorDevice",
    "StoredDocument",
    "SubsidyCap",
    "ThirdParty",
    "TimeStampedModel",
    "User",
    "WorkingDayOverride",
]
