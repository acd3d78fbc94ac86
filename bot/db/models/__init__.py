"""All models, one module per area. Importing this package registers every table on ``Base.metadata``.

Later areas (tickets, outbox, subscriptions, audit) add their own module here and import it below.
"""

from bot.db.base import Base
from bot.db.models.applicants import Applicant
from bot.db.models.audit import AuditEntry as AuditEntry
from bot.db.models.cases import Case, StatusChange
from bot.db.models.handoff import HandoffTicket as HandoffTicket
from bot.db.models.handoff import TicketMessage as TicketMessage
from bot.db.models.monitoring import MonitoringMonth, MonitoringTask, MonitoringWarning
from bot.db.models.notifications import OutboxMessage as OutboxMessage
from bot.db.models.notifications import Subscription as Subscription
from bot.db.models.pending import PendingMessage
from bot.db.models.precheck import PrecheckRecord as PrecheckRecord
from bot.db.models.security import VerificationAttempt
from bot.db.models.staff import BindCode, Staff, StaffChannel
from bot.db.models.visits import CareAgreement, Caregiver, CaregiverEvaluation, CareRecipient, CareVisit

__all__ = [
    "Applicant",
    "Base",
    "BindCode",
    "CareAgreement",
    "CareRecipient",
    "CareVisit",
    "Caregiver",
    "CaregiverEvaluation",
    "Case",
    "MonitoringMonth",
    "MonitoringTask",
    "MonitoringWarning",
    "PendingMessage",
    "Staff",
    "StaffChannel",
    "StatusChange",
    "VerificationAttempt",
]
