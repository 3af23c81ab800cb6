"""Every write to the follow-up record goes through these functions.

The admin, the bulk actions, the liaison and review pages, the spreadsheet imports and the management
commands call them; none writes around them. Each runs in one transaction and records what it did in
the same transaction: a `StatusChange` row for each assessment, and a django-simple-history row (with
the user) for every saved version.
"""

from .accounts import account_create, actor_save
from .actions import action_publish, action_save, action_withdraw, evidence_save
from .assessments import (
    assessment_step,
    check_assessment,
    recommendation_set_status,
    responsibilities_set_status,
    responsibility_assign,
    responsibility_set_role,
    responsibility_set_status,
    responsibility_update,
)
from .classification import recommendation_classify, term_save
from .common import StaleEdit, refuse_if_stale
from .record import TranslationRow, TranslationsLoaded, record_translations_load
from .reports import (
    report_approve,
    report_check,
    report_reject,
    report_request_changes,
    report_save,
    report_submit,
)
from .rounds import (
    round_close,
    round_report_review,
    round_report_save,
    round_report_start,
    round_report_submit,
    round_save,
)

__all__ = [
    "StaleEdit",
    "TranslationRow",
    "TranslationsLoaded",
    "account_create",
    "action_publish",
    "action_save",
    "action_withdraw",
    "actor_save",
    "assessment_step",
    "check_assessment",
    "evidence_save",
    "recommendation_classify",
    "recommendation_set_status",
    "record_translations_load",
    "refuse_if_stale",
    "report_approve",
    "report_check",
    "report_reject",
    "report_request_changes",
    "report_save",
    "report_submit",
    "responsibilities_set_status",
    "responsibility_assign",
    "responsibility_set_role",
    "responsibility_set_status",
    "responsibility_update",
    "round_close",
    "round_report_review",
    "round_report_save",
    "round_report_start",
    "round_report_submit",
    "round_save",
    "term_save",
]
