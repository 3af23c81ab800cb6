"""E-mail to the people a report concerns. Sent after the transaction commits, never before."""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from .models import STAFF_GROUP, language_of

logger = logging.getLogger(__name__)


def site_url(path):
    """The absolute address of a path on the site, for links sent outside it."""
    return settings.SITE_URL.rstrip("/") + path


def _send(*, subject_template, body_template, context, recipients):
    if not recipients:
        return
    subject = render_to_string(subject_template, context).strip()
    body = render_to_string(body_template, context)
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
    except Exception:
        # A mail server outage must not undo a submitted or reviewed report; it is logged instead.
        logger.exception("Could not send the notification %r to %s", subject, recipients)


def notify_report_submitted(report):
    """Tell the committee's staff that a report waits for review."""
    with translation.override(settings.LANGUAGE_CODE):
        _send(
            subject_template="tracker/email/report_submitted_subject.txt",
            body_template="tracker/email/report_submitted.txt",
            context={"report": report, "url": site_url(reverse("tracker:review_detail", args=[report.pk]))},
            recipients=_staff_emails(),
        )


def notify_report_reviewed(report):
    """Tell the liaison what became of their report, in their language."""
    if not report.author.email:
        return
    with translation.override(language_of(report.author)):
        _send(
            subject_template="tracker/email/report_reviewed_subject.txt",
            body_template="tracker/email/report_reviewed.txt",
            context={"report": report, "url": site_url(reverse("tracker:liaison_report", args=[report.pk]))},
            recipients=[report.author.email],
        )


def _staff_emails():
    staff = get_user_model().objects.filter(groups__name=STAFF_GROUP, is_active=True).exclude(email="")
    return list(staff.values_list("email", flat=True))


def notify_round_report_submitted(report):
    """Tell the committee's staff that a round report awaits review."""
    with translation.override(settings.LANGUAGE_CODE):
        _send(
            subject_template="tracker/email/round_report_submitted_subject.txt",
            body_template="tracker/email/round_report_submitted.txt",
            context={"report": report, "url": site_url(reverse("tracker:round_review", args=[report.pk]))},
            recipients=_staff_emails(),
        )


def notify_round_report_reviewed(report):
    """Tell the actor's liaisons what became of their round report, each in their language."""
    url = site_url(reverse("tracker:liaison_round", args=[report.round_id]))
    for liaison in report.actor.liaisons.select_related("user__preferences").filter(user__is_active=True):
        if not liaison.user.email:
            continue
        with translation.override(language_of(liaison.user)):
            _send(
                subject_template="tracker/email/round_report_reviewed_subject.txt",
                body_template="tracker/email/round_report_reviewed.txt",
                context={"report": report, "url": url},
                recipients=[liaison.user.email],
            )
