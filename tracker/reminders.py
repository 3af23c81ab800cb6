"""Reminders to the liaisons of the states and bodies that owe a report in an open reporting round.

Who: in every open round (not closed, opened on or before the day), each actor in the round's scope
that still owes its report (none started, a draft, or returned for changes; not once it is submitted
or accepted), and each of that actor's liaisons whose account is active and has an e-mail address.

When: a round's reminders have a day each from which they are due —

- "opened": the day the round opens;
- "due_in_N": N days before the due date, for each N in `settings.REMINDER_DAYS_BEFORE`;
- "overdue_1": the day after the due date; "overdue_K": 7 × (K - 1) days after that, every week the
  report stays owed.

Only one is ever sent on a run, the *current* one: of those whose day has come, the one whose day came
last; on the opening day itself, "opened" (the first e-mail about a round announces it, and gives the
deadline). The ones it supersedes are not needed and never sent afterwards: the current reminder says all
they would (the deadline, what is owed, the link), and a round created two days before its due date, or
a machine where the command did not run for a week, must not flood a liaison with "opened", "due_in_14"
and "due_in_3" at once. So a round that opens 2 days before its due date sends "opened" and then, if
still owed, the overdue ones; a "due_in_N" whose day is on or before the opening day is never sent.
Nothing is written for the superseded ones: a `Reminder` row means that an e-mail went out. A recipient
thus receives at most one reminder per round and day, each kind at most once, and no "due_in_N" after
the due date (the overdue ones supersede them).

Once: each reminder sent is a `Reminder` row, unique per (round, actor, recipient, kind). The row is
claimed first and the e-mail sent inside the same transaction: a second run, on this machine or another,
either finds the row (and skips it) or waits on the first run's uncommitted row and then skips it; if
sending fails the transaction rolls back, and the reminder stays due for the next run.
"""

import contextlib
import datetime
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.text import Truncator

from .models import Actor, Liaison, Reminder, ReportingRound, Responsibility, RoundReport, language_of
from .notifications import site_url
from .selectors.rounds import Standing, completeness

logger = logging.getLogger(__name__)

OPENED = "opened"
DUE_SOON = "due"
OVERDUE = "overdue"
# Where an actor stands while it owes its report: nothing submitted yet (before or after the due date),
# or returned by staff for changes.
OWING = frozenset({Standing.DUE, Standing.OVERDUE, Standing.RETURNED})
# Overdue reminders come at most this often while the report stays owed.
OVERDUE_EVERY_DAYS = 7
# How long a mail server may leave a reminder unanswered, when EMAIL_TIMEOUT sets no limit (EMAIL_URL
# cannot carry one): a server that never answers must not hold the run, and the row it claimed, forever.
SMTP_TIMEOUT_SECONDS = 60


def reminder_days_before() -> list[int]:
    """`settings.REMINDER_DAYS_BEFORE`, largest first, each once. A negative number of days would be a
    reminder after the due date, which the overdue reminders are for: refused rather than guessed at."""
    days = settings.REMINDER_DAYS_BEFORE
    if any(not isinstance(n, int) or isinstance(n, bool) or n < 0 for n in days):
        raise ImproperlyConfigured(f"REMINDER_DAYS_BEFORE must be whole numbers of days, 0 or more: {days!r}")
    return sorted(set(days), reverse=True)


def current_kind(round_: ReportingRound, today: datetime.date, days_before: Sequence[int]) -> str | None:
    """The one reminder of this round that is current on `today`, or None before the round opens.

    The reminder whose day came last wins ("opened" on the day the round opens, "due_in_N" from N days
    before the due date, "overdue_K" weekly from the day after it); a "due_in_N" falling on the opening
    day gives way to "opened". The superseded ones are never sent: see the module's docstring.
    """
    if today < round_.opens_on:
        return None
    if today > round_.due_on:
        weeks = (today - round_.due_on - datetime.timedelta(days=1)).days // OVERDUE_EVERY_DAYS
        return f"overdue_{weeks + 1}"
    current = OPENED
    for n in sorted(days_before, reverse=True):
        starts_on = round_.due_on - datetime.timedelta(days=n)
        if round_.opens_on < starts_on <= today:
            current = f"due_in_{n}"
    return current


def category_of(kind: str) -> str:
    """ "opened", "due" or "overdue": what the e-mail says and its subject line."""
    if kind == OPENED:
        return OPENED
    return OVERDUE if kind.startswith("overdue_") else DUE_SOON


@dataclass(frozen=True)
class DueReminder:
    """One reminder to send: which round, for which actor, to which liaison, and which kind."""

    round: ReportingRound
    actor: Actor
    recipient: AbstractBaseUser  # the liaison's account
    kind: str
    responsibilities: tuple[Responsibility, ...] = field(default=(), compare=False)
    report: RoundReport | None = field(default=None, compare=False)

    def describe(self) -> str:
        """The line the command prints for it: round, actor code, recipient, kind."""
        recipient = f"{self.recipient.get_username()} <{self.recipient.email}>"
        return f"{self.round.name} (round {self.round.pk}) · {self.actor.code} · {recipient} · {self.kind}"


def reminders_due(today: datetime.date, *, days_before: Sequence[int] | None = None) -> list[DueReminder]:
    """Every reminder due on `today` and not yet sent, by round (earliest due date first), actor (in the
    one order of actors) and recipient.

    A few queries per open round, whatever the number of actors and liaisons: the round's completeness
    (its scope and reports), its owing actors' liaisons, and the reminders of the current kind already
    sent. Those already sent are left out, so that a dry run lists what a real run would send; a run
    that races this one is caught when the reminder is claimed (`send_reminder`).
    """
    days_before = reminder_days_before() if days_before is None else list(days_before)
    rounds = (
        ReportingRound.objects.filter(closed_at__isnull=True, opens_on__lte=today)
        .prefetch_related("recommendations", "actors")
        .order_by("due_on", "pk")
    )
    due = []
    for round_ in rounds:
        kind = current_kind(round_, today, days_before)
        if kind is None:
            continue
        owing = [row for row in completeness(round_, today) if row.standing in OWING]
        if not owing:
            continue
        liaisons = defaultdict(list)
        for liaison in (
            Liaison.objects.filter(actor__in=[row.actor.pk for row in owing], user__is_active=True)
            .exclude(user__email="")
            .select_related("user__preferences")
            .order_by("user__username", "pk")
        ):
            liaisons[liaison.actor_id].append(liaison.user)
        sent = set(Reminder.objects.filter(round=round_, kind=kind).values_list("actor_id", "recipient_id"))
        for row in owing:
            for user in liaisons[row.actor.pk]:
                if (row.actor.pk, user.pk) in sent:
                    continue
                due.append(
                    DueReminder(
                        round=round_,
                        actor=row.actor,
                        recipient=user,
                        kind=kind,
                        responsibilities=tuple(row.responsibilities),
                        report=row.report,
                    )
                )
    return due


def _in_language(obj, field_name: str) -> str:
    """A translatable field in the active language, else the English: e-mails are plain text, with no
    room for the pages' `lang="en"` marks."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    return (
        getattr(obj, f"{field_name}_{language}", None)
        or getattr(obj, f"{field_name}_{settings.LANGUAGE_CODE}", None)
        or getattr(obj, field_name, "")
        or ""
    )


def _recommendation_title(recommendation) -> str:
    # The short title is the committee's label; a recommendation without one is named by its first words.
    return _in_language(recommendation, "short_title") or Truncator(_in_language(recommendation, "text")).words(12)


def build_message(reminder: DueReminder, *, today: datetime.date, connection=None) -> EmailMultiAlternatives:
    """The reminder as an e-mail in the recipient's language, in plain text with an HTML alternative.

    Rendered before the reminder is claimed, so that the transaction that claims it holds its lock only
    while the mail server is spoken to.
    """
    user = reminder.recipient
    round_ = reminder.round
    with translation.override(language_of(user)):
        context = {
            "kind": reminder.kind,
            "category": category_of(reminder.kind),
            "round": round_,
            "round_name": _in_language(round_, "name"),
            "request": _in_language(round_, "request"),
            "actor_name": _in_language(reminder.actor, "name"),
            "recipient_name": user.get_full_name() or user.get_username(),
            "due_on": round_.due_on,
            "days_left": (round_.due_on - today).days,
            "days_overdue": (today - round_.due_on).days,
            "report_state": reminder.report.state if reminder.report else None,
            "owed": [
                {
                    "number": responsibility.recommendation.number,
                    "title": _recommendation_title(responsibility.recommendation),
                    "status": str(responsibility.get_status_display()),
                }
                for responsibility in reminder.responsibilities
            ],
            "url": site_url(reverse("tracker:liaison_round", args=[round_.pk])),
        }
        # A header cannot hold a line break: a round's name with one must not break the subject.
        subject = " ".join(render_to_string("tracker/email/reminder_subject.txt", context).split())
        context["subject"] = subject
        text = render_to_string("tracker/email/reminder_body.txt", context)
        html = render_to_string("tracker/email/reminder_body.html", context)
    message = EmailMultiAlternatives(
        subject,
        text,
        settings.DEFAULT_FROM_EMAIL,
        [user.email],
        connection=connection,
        # RFC 3834: sent by a program, so that out-of-office replies are not sent back to it.
        headers={"Auto-Submitted": "auto-generated"},
    )
    message.attach_alternative(html, "text/html")
    return message


def send_reminder(reminder: DueReminder, *, today: datetime.date, connection=None) -> bool:
    """Claim the reminder and send it, in one transaction. False when another run holds it already.

    The `Reminder` row is written first: the database's uniqueness then makes any other run (another
    machine, a second cron entry) fail to claim it — at once if this run has committed, or once it
    commits, since a concurrent insert of the same key waits for this transaction. The e-mail goes out
    inside the transaction, so that a mail server failure, which is raised to the caller, rolls the claim
    back and leaves the reminder due for the next run. (Should the commit itself fail after the server
    took the e-mail, it would be sent again by the next run: twice is better than never.)
    """
    message = build_message(reminder, today=today, connection=connection)
    try:
        with transaction.atomic():
            Reminder.objects.create(
                round=reminder.round,
                actor=reminder.actor,
                recipient=reminder.recipient,
                kind=reminder.kind,
                sent_on=today,
            )
            message.send()
    except IntegrityError:
        return False
    return True


@dataclass
class RunResult:
    """What a run did: reminders sent, taken by another run meanwhile, and not sent (with the error)."""

    sent: list[DueReminder] = field(default_factory=list)
    taken: list[DueReminder] = field(default_factory=list)
    failed: list[tuple[DueReminder, Exception]] = field(default_factory=list)


def send_reminders(
    reminders: Iterable[DueReminder],
    *,
    today: datetime.date,
    on_sent: Callable[[DueReminder], None] | None = None,
    on_failed: Callable[[DueReminder, Exception], None] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> RunResult:
    """Send each reminder once, carrying on past failures: one refused address or a mail server outage
    must not cost the other liaisons their reminders. The failed ones stay unrecorded, for the next run.

    One connection to the mail server serves the run; after a failure it is closed, so that the next
    reminder starts on a fresh one rather than on a connection left in an unknown state.
    """
    reminders = list(reminders)
    result = RunResult()
    connection = get_connection()
    if isinstance(connection, SMTPBackend) and connection.timeout is None:
        connection.timeout = SMTP_TIMEOUT_SECONDS
    try:
        for number, reminder in enumerate(reminders, start=1):
            if progress:
                progress(number - 1, len(reminders))
            try:
                claimed = send_reminder(reminder, today=today, connection=connection)
            except Exception as error:
                # Whatever the mail backend raises (refused, unreachable, timed out) is this reminder's
                # failure only: logged with its traceback, reported by the caller, retried next run.
                logger.warning("Could not send the reminder %s", reminder.describe(), exc_info=True)
                result.failed.append((reminder, error))
                if on_failed:
                    on_failed(reminder, error)
                with contextlib.suppress(Exception):
                    connection.close()
                continue
            if claimed:
                result.sent.append(reminder)
                if on_sent:
                    on_sent(reminder)
            else:
                result.taken.append(reminder)
        if progress:
            progress(len(reminders), len(reminders))
    finally:
        with contextlib.suppress(Exception):
            connection.close()
    return result
