"""Typed SQLAlchemy 2.0 models, one module per aggregate."""

from tempo.models.base import Base, utcnow
from tempo.models.booking import (
    Availability,
    AvailabilityException,
    AvailabilityRule,
    Booking,
    BookingStatus,
)
from tempo.models.catalogue import CatalogueVersion
from tempo.models.cohort import Cohort, CohortDay, CohortStatus, DismissedAlert, cohort_counsellor
from tempo.models.diagnostic import DiagnosticAnswer, DiagnosticSession
from tempo.models.mail import MailStatus, OutboundAttachment, OutboundEmail
from tempo.models.media import MediaImage, VersionImage
from tempo.models.message import Message, MessageRead
from tempo.models.recap import PlayerRecap, RecapDigest, TeamRecap
from tempo.models.scenario import (
    CurrentVersion,
    DraftRevision,
    ScenarioDraft,
    ScenarioPatch,
    ScenarioVersion,
)
from tempo.models.staff import LoginFailure, Role, StaffAccount, StaffSession
from tempo.models.team import (
    ClientAction,
    MissionProgress,
    MissionStatus,
    Player,
    PlayerSession,
    ShardEntry,
    Team,
    TeamEvent,
    UnlockedOffer,
    WrongAttempt,
)

__all__ = [
    "Availability",
    "AvailabilityException",
    "AvailabilityRule",
    "Base",
    "Booking",
    "BookingStatus",
    "CatalogueVersion",
    "ClientAction",
    "Cohort",
    "CohortDay",
    "CohortStatus",
    "CurrentVersion",
    "DiagnosticAnswer",
    "DiagnosticSession",
    "DismissedAlert",
    "DraftRevision",
    "LoginFailure",
    "MailStatus",
    "MediaImage",
    "Message",
    "MessageRead",
    "MissionProgress",
    "MissionStatus",
    "OutboundAttachment",
    "OutboundEmail",
    "Player",
    "PlayerRecap",
    "PlayerSession",
    "RecapDigest",
    "Role",
    "ScenarioDraft",
    "ScenarioPatch",
    "ScenarioVersion",
    "ShardEntry",
    "StaffAccount",
    "StaffSession",
    "Team",
    "TeamEvent",
    "TeamRecap",
    "UnlockedOffer",
    "VersionImage",
    "WrongAttempt",
    "cohort_counsellor",
    "utcnow",
]
