"""The follow-up of the forum's recommendations: who is responsible, where each stands, what was done.

Nothing here is ever hard-deleted (`on_delete=PROTECT`, and the admin offers no delete): the record
from 2008 onwards must stay whole.
"""

# Migrations 0001 and 0003 name the validator by this path.
from ..validators import not_in_future
from .actions import Action, Evidence
from .actors import STAFF_GROUP, AccountPreferences, Actor, Liaison, language_of
from .classification import MeasureType, PopulationGroup, RecommendationClassification, SdgTarget, Theme
from .follow_up import OverallAssessment, Responsibility, StatusChange, StatusMonth
from .record import RecordVersion
from .reports import Report, ReportProposal
from .rounds import Reminder, ReportingRound, RoundReport, RoundReportEntry, RoundStatus
from .status import FLAGGED, STATUS_ABBREVIATIONS, STATUS_RANK, STATUS_WEIGHTS, Movement, Status, counts_as, movement

__all__ = [
    "FLAGGED",
    "STAFF_GROUP",
    "STATUS_ABBREVIATIONS",
    "STATUS_RANK",
    "STATUS_WEIGHTS",
    "AccountPreferences",
    "Action",
    "Actor",
    "Evidence",
    "Liaison",
    "MeasureType",
    "Movement",
    "OverallAssessment",
    "PopulationGroup",
    "RecommendationClassification",
    "RecordVersion",
    "Reminder",
    "Report",
    "ReportProposal",
    "ReportingRound",
    "Responsibility",
    "RoundReport",
    "RoundReportEntry",
    "RoundStatus",
    "SdgTarget",
    "Status",
    "StatusChange",
    "StatusMonth",
    "Theme",
    "counts_as",
    "language_of",
    "movement",
    "not_in_future",
]
