"""Reminders: which are due on which day, for whom, sent once, in the recipient's language, and what a
failing mail server leaves behind (nothing recorded, a non-zero exit naming what was not sent)."""

import contextlib
import datetime
import email
import email.policy
import io
import socket
import threading
import time

import pytest
from aiosmtpd.controller import Controller
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from tests.factories import (
    ActorFactory,
    BodyFactory,
    LiaisonFactory,
    RecommendationFactory,
    ResponsibilityFactory,
    UserFactory,
)
from tracker import reminders, services
from tracker.models import AccountPreferences, Reminder, ReportingRound, Status
from tracker.notifications import site_url

# Rounds are dated around the real today, since the services refuse to start a report in a round that
# has not opened yet; the command is then run "as of" any day around them with --today.
TODAY = timezone.localdate()
DUE = TODAY + datetime.timedelta(days=20)


def day(offset: int, *, base: datetime.date = DUE) -> datetime.date:
    return base + datetime.timedelta(days=offset)


@pytest.fixture
def record(db, staff):
    """Mexico and Canada answer for recommendations 1 and 2, a body (without a liaison) for 3."""
    recommendations = [
        RecommendationFactory(number=1, short_title="Consular protection"),
        RecommendationFactory(number=2, short_title="Labour rights"),
        RecommendationFactory(number=3, short_title="Regional dialogue"),
    ]
    mexico, canada = ActorFactory(code="MEX", name="Mexico"), ActorFactory(code="CAN", name="Canada")
    body = BodyFactory(code="RCM", name="Regional Conference on Migration")
    for recommendation in recommendations[:2]:
        ResponsibilityFactory(recommendation=recommendation, actor=mexico, status=Status.PARTIAL)
        ResponsibilityFactory(recommendation=recommendation, actor=canada)
    ResponsibilityFactory(recommendation=recommendations[2], actor=body)
    return {
        "recommendations": recommendations,
        "mexico": mexico,
        "canada": canada,
        "body": body,
        "liaison_mex": LiaisonFactory(user=UserFactory(username="liaison-mex"), actor=mexico).user,
        "liaison_can": LiaisonFactory(user=UserFactory(username="liaison-can"), actor=canada).user,
    }


def make_round(staff, *, opens: int = -30, due: datetime.date = DUE, name="Round 2025", **scope) -> ReportingRound:
    """A round due on `due`, opening `opens` days from it."""
    round_ = ReportingRound(name=name, opens_on=due + datetime.timedelta(days=opens), due_on=due)
    return services.round_save(round_=round_, by=staff, **scope)


def run(today: datetime.date, **options) -> str:
    out = io.StringIO()
    call_command("send_reminders", today=today, stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue()


def sent_to(user) -> list[str]:
    return [message.subject for message in mail.outbox if message.to == [user.email]]


def kinds(user) -> list[str]:
    return list(Reminder.objects.filter(recipient=user).order_by("sent_on", "pk").values_list("kind", flat=True))


def submit(report, liaison):
    entries = {
        entry.pk: {"proposed_status": Status.PARTIAL, "progress": "A plan was adopted.", "links": ""}
        for entry in report.entries.all()
    }
    report = services.round_report_save(report=report, by=liaison, entries=entries, expected_version=report.version)
    return services.round_report_submit(report=report, by=liaison, expected_version=report.version)


# Which reminder is current on which day.


@pytest.mark.parametrize(
    ("offset", "expected"),
    [
        (-31, None),  # planned
        (-30, "opened"),
        (-15, "opened"),
        (-14, "due_in_14"),
        (-4, "due_in_14"),
        (-3, "due_in_3"),
        (0, "due_in_3"),  # the due date itself is still "due soon"
        (1, "overdue_1"),
        (7, "overdue_1"),
        (8, "overdue_2"),
        (15, "overdue_3"),
        (365, "overdue_53"),
    ],
)
def test_the_current_reminder_is_the_one_whose_day_came_last(offset, expected):
    round_ = ReportingRound(name="R", opens_on=day(-30), due_on=DUE)
    assert reminders.current_kind(round_, day(offset), [14, 3]) == expected


@pytest.mark.parametrize(
    ("opens", "offset", "expected"),
    [
        (-2, -2, "opened"),  # created 2 days before the due date: one e-mail, not three
        (-2, 0, "opened"),
        (-3, -3, "opened"),  # "due_in_3" falls on the opening day: "opened" says it all
        (-10, -10, "opened"),  # "due_in_14" came before the round opened: never sent
        (-10, -3, "due_in_3"),
        (0, 0, "opened"),
    ],
)
def test_a_late_round_sends_opened_and_never_the_reminders_before_it(opens, offset, expected):
    round_ = ReportingRound(name="R", opens_on=day(opens), due_on=DUE)
    assert reminders.current_kind(round_, day(offset), [14, 3]) == expected


def test_the_days_before_come_from_the_setting(settings):
    settings.REMINDER_DAYS_BEFORE = [7, 30, 7]
    assert reminders.reminder_days_before() == [30, 7]
    round_ = ReportingRound(name="R", opens_on=day(-60), due_on=DUE)
    assert reminders.current_kind(round_, day(-30), reminders.reminder_days_before()) == "due_in_30"
    assert reminders.current_kind(round_, day(-7), reminders.reminder_days_before()) == "due_in_7"
    assert reminders.current_kind(round_, day(-3), reminders.reminder_days_before()) == "due_in_7"


def test_a_negative_number_of_days_is_refused(record, staff, settings):
    settings.REMINDER_DAYS_BEFORE = [14, -1]
    make_round(staff)
    with pytest.raises(CommandError, match="REMINDER_DAYS_BEFORE"):
        run(DUE)


# Which reminders a daily run sends, over a round's life.


def test_a_daily_run_sends_opened_14_and_3_days_before_the_day_after_and_weekly_while_overdue(record, staff):
    make_round(staff, opens=-30)
    sent_on = {}
    for offset in range(-32, 31):
        run(day(offset))
        for reminder in Reminder.objects.filter(sent_on=day(offset), recipient=record["liaison_mex"]):
            sent_on[offset] = reminder.kind
    assert sent_on == {
        -30: "opened",
        -14: "due_in_14",
        -3: "due_in_3",
        1: "overdue_1",
        8: "overdue_2",
        15: "overdue_3",
        22: "overdue_4",
        29: "overdue_5",
    }
    assert kinds(record["liaison_can"]) == list(sent_on.values())
    assert len(mail.outbox) == 2 * len(sent_on)


def test_a_round_created_two_days_before_its_due_date_sends_one_reminder_not_three(record, staff):
    make_round(staff, opens=-2)
    for offset in range(-2, 1):
        run(day(offset))
    assert kinds(record["liaison_mex"]) == ["opened"]
    assert len(sent_to(record["liaison_mex"])) == 1


def test_runs_missed_for_weeks_send_only_the_current_reminder(record, staff):
    make_round(staff, opens=-30)
    run(day(-2))  # the first run in a month: not "opened", "due_in_14" and "due_in_3"
    assert kinds(record["liaison_mex"]) == ["due_in_3"]
    run(day(20))  # then nothing for three weeks: one overdue reminder, not three
    assert kinds(record["liaison_mex"]) == ["due_in_3", "overdue_3"]


def test_nothing_is_sent_once_the_report_is_submitted_and_again_when_it_is_returned(record, staff):
    round_ = make_round(staff, opens=-30)
    liaison = record["liaison_mex"]
    report = services.round_report_start(round_=round_, actor=record["mexico"], by=liaison)
    run(day(-14))  # a draft is still owed
    assert kinds(liaison) == ["due_in_14"]
    report = submit(report, liaison)
    run(day(-3))
    assert kinds(liaison) == ["due_in_14"]
    assert kinds(record["liaison_can"]) == ["due_in_14", "due_in_3"]
    entries = list(report.entries.all())
    report = services.round_report_review(
        report=report,
        by=staff,
        decisions={entries[0].pk: ("accepted", ""), entries[1].pk: ("returned", "Give the decree's number.")},
        expected_version=report.version,
    )
    run(day(-2))  # returned for changes: owed again, and reminded of the current one
    assert kinds(liaison) == ["due_in_14", "due_in_3"]
    returned_mail = mail.outbox[-1]
    assert "returned the report for changes" in returned_mail.body
    report = services.round_report_save(
        report=report,
        by=liaison,
        entries={entries[1].pk: {"proposed_status": Status.FULL, "progress": "Decree 5 of 2024."}},
        expected_version=report.version,
    )
    report = services.round_report_submit(report=report, by=liaison, expected_version=report.version)
    report = services.round_report_review(
        report=report, by=staff, decisions={entries[1].pk: ("accepted", "")}, expected_version=report.version
    )
    assert report.state == "accepted"
    run(day(1))
    run(day(8))
    assert kinds(liaison) == ["due_in_14", "due_in_3"]
    assert kinds(record["liaison_can"]) == ["due_in_14", "due_in_3", "overdue_1", "overdue_2"]


def test_nothing_is_sent_for_a_planned_round_until_it_opens(record, staff):
    make_round(staff, opens=-30, due=TODAY + datetime.timedelta(days=40))  # opens in 10 days
    assert run(TODAY).splitlines() == ["0 reminders sent"]
    assert mail.outbox == []
    run(TODAY + datetime.timedelta(days=10))
    assert kinds(record["liaison_mex"]) == ["opened"]


def test_nothing_is_sent_for_a_closed_round(record, staff):
    round_ = make_round(staff, opens=-25)  # opened 5 days ago
    services.round_close(round_=round_, by=staff)
    for offset in (-25, -3, 1, 8):
        assert run(day(offset)).splitlines() == ["0 reminders sent"]
    assert Reminder.objects.count() == 0 and mail.outbox == []


def test_actors_out_of_the_rounds_scope_are_not_reminded(record, staff):
    make_round(staff, actors=[record["mexico"]])
    run(day(-30))
    assert kinds(record["liaison_mex"]) == ["opened"]
    assert kinds(record["liaison_can"]) == []


def test_an_actor_with_no_responsibility_in_the_asked_recommendations_is_not_reminded(record, staff):
    make_round(staff, recommendations=[record["recommendations"][2]])  # only the body answers for 3
    assert run(day(-30)).splitlines() == ["0 reminders sent"]
    assert mail.outbox == []


def test_every_active_liaison_with_an_address_is_reminded_and_no_one_else(record, staff):
    second = LiaisonFactory(user=UserFactory(username="second-mex"), actor=record["mexico"]).user
    LiaisonFactory(user=UserFactory(username="gone-mex", is_active=False), actor=record["mexico"])
    LiaisonFactory(user=UserFactory(username="silent-mex", email=""), actor=record["mexico"])
    make_round(staff)
    output = run(day(-30))
    assert sorted(message.to[0] for message in mail.outbox) == [
        "liaison-can@example.org",
        "liaison-mex@example.org",
        "second-mex@example.org",
    ]
    assert Reminder.objects.filter(recipient=second, actor=record["mexico"], kind="opened", sent_on=day(-30)).exists()
    assert output.splitlines()[-1] == "3 reminders sent"


# Once, and only once.


def test_two_runs_on_the_same_day_send_each_reminder_once(record, staff):
    round_ = make_round(staff)
    first = run(day(-3))
    assert first.splitlines() == [
        f"Round 2025 (round {round_.pk}) · CAN · liaison-can <liaison-can@example.org> · due_in_3",
        f"Round 2025 (round {round_.pk}) · MEX · liaison-mex <liaison-mex@example.org> · due_in_3",
        "2 reminders sent",
    ]
    second = run(day(-3))
    assert second.splitlines() == ["0 reminders sent"]
    run(day(-2))
    assert len(mail.outbox) == 2
    assert Reminder.objects.count() == 2


def test_a_reminder_claimed_by_another_run_meanwhile_is_skipped(record, staff):
    """Two machines plan the same reminders; the one that claims a reminder first sends it, the other
    finds the row when it tries to claim it, and neither sends it twice."""
    make_round(staff)
    planned = reminders.reminders_due(day(-3))
    assert len(planned) == 2
    taken = planned[0]
    Reminder.objects.create(
        round=taken.round, actor=taken.actor, recipient=taken.recipient, kind=taken.kind, sent_on=day(-3)
    )
    result = reminders.send_reminders(planned, today=day(-3))
    assert result.taken == [taken] and result.sent == [planned[1]] and result.failed == []
    assert [message.to for message in mail.outbox] == [[planned[1].recipient.email]]
    assert Reminder.objects.count() == 2


def test_a_dry_run_lists_what_is_due_and_sends_and_records_nothing(record, staff):
    round_ = make_round(staff)
    output = run(day(-30), dry_run=True)
    assert output.splitlines() == [
        f"would send: Round 2025 (round {round_.pk}) · CAN · liaison-can <liaison-can@example.org> · opened",
        f"would send: Round 2025 (round {round_.pk}) · MEX · liaison-mex <liaison-mex@example.org> · opened",
        "2 reminders would be sent (dry run: none sent or recorded)",
    ]
    assert mail.outbox == [] and Reminder.objects.count() == 0
    assert run(day(-30)).splitlines()[-1] == "2 reminders sent"
    assert run(day(-30), dry_run=True).splitlines() == ["0 reminders would be sent (dry run: none sent or recorded)"]


def test_the_date_can_be_given_as_text(record, staff):
    make_round(staff)
    call_command("send_reminders", "--today", day(-30).isoformat(), stdout=io.StringIO())
    assert kinds(record["liaison_mex"]) == ["opened"]
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("send_reminders", "--today", "yesterday", stdout=io.StringIO())


# The e-mail itself.


def test_the_email_has_a_text_and_an_html_part_with_what_is_owed_the_deadline_and_the_link(record, staff):
    round_ = make_round(staff, name="Round <b>2025</b> & co")
    run(day(-3))
    message = next(m for m in mail.outbox if m.to == ["liaison-mex@example.org"])
    link = site_url(reverse("tracker:liaison_round", args=[round_.pk]))
    deadline = date_format(DUE, "DATE_FORMAT")
    assert message.subject == f"Reminder: your report in “Round <b>2025</b> & co” is due on {deadline}"
    assert message.extra_headers["Auto-Submitted"] == "auto-generated"
    for text in (
        "Round <b>2025</b> & co",
        f"is due on {deadline}, in 3 days.",
        "Recommendation 1: Consular protection",
        "Recommendation 2: Labour rights",
        "Current status: Partial compliance",
        "No report has been started yet.",
        link,
    ):
        assert text in message.body
    assert "Regional dialogue" not in message.body  # recommendation 3 is the body's, not Mexico's
    assert "&lt;" not in message.body and "&amp;" not in message.body
    ((html, mimetype),) = message.alternatives
    assert mimetype == "text/html"
    assert "Round &lt;b&gt;2025&lt;/b&gt; &amp; co" in html and "<b>2025" not in html
    assert f'<a href="{link}"' in html
    assert "Recommendation 1: Consular protection" in html and "Partial compliance" in html
    assert '<html lang="en">' in html
    # Self-contained: nothing for the mail reader to fetch.
    for external in ("<img", "<link", "<script", "src=", "url(", "@import"):
        assert external not in html


def test_the_subject_says_whether_the_round_opened_is_due_soon_or_is_overdue(record, staff):
    make_round(staff, name="Round 2025")
    deadline = date_format(DUE, "DATE_FORMAT")
    subjects = []
    for offset in (-30, -3, 1):
        run(day(offset))
        subjects.append(sent_to(record["liaison_mex"])[-1])
    assert subjects == [
        f"Reporting round “Round 2025” is open: please report by {deadline}",
        f"Reminder: your report in “Round 2025” is due on {deadline}",
        f"Overdue: your report in “Round 2025” was due on {deadline}",
    ]
    assert "was due on" in mail.outbox[-1].body and "1 day ago" in mail.outbox[-1].body


def test_the_committees_request_is_in_both_parts_and_its_markdown_is_sanitised(record, staff):
    round_ = make_round(staff)
    round_.request = "Report on **consular** measures. <img src=https://tracker.example/pixel.png>"
    services.round_save(round_=round_, by=staff, expected_version=round_.version)
    run(day(-30))
    message = mail.outbox[0]
    assert "Report on **consular** measures." in message.body
    html = message.alternatives[0][0]
    assert "<strong>consular</strong>" in html and "<img" not in html and "pixel.png" not in html


def test_the_email_is_in_the_recipients_language(record, staff):
    AccountPreferences.objects.create(user=record["liaison_mex"], language="es")
    make_round(staff)
    run(day(-3))
    spanish = next(m for m in mail.outbox if m.to == ["liaison-mex@example.org"])
    english = next(m for m in mail.outbox if m.to == ["liaison-can@example.org"])
    with translation.override("es"):
        deadline_es = date_format(DUE, "DATE_FORMAT")
    deadline_en = date_format(DUE, "DATE_FORMAT")
    assert deadline_es != deadline_en  # the month's name, and the order, are Spanish
    html = spanish.alternatives[0][0]
    for part in (spanish.body, html):
        assert "Recomendación 1" in part and "Cumplimiento parcial" in part and deadline_es in part
        assert "Partial compliance" not in part and deadline_en not in part
    assert deadline_es in spanish.subject
    assert '<html lang="es">' in html
    assert "Recommendation 1" in english.body and deadline_en in english.body
    assert translation.get_language() == "en"  # the command leaves the active language alone


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_progress_shows_on_a_terminal_and_nothing_else_is_said_off_one(record, staff):
    make_round(staff)
    quiet = io.StringIO()
    call_command("send_reminders", today=day(-30), stdout=io.StringIO(), stderr=quiet)
    assert quiet.getvalue() == ""
    out, terminal = io.StringIO(), Terminal()
    call_command("send_reminders", today=day(-14), stdout=out, stderr=terminal)
    assert "sending: 0 of 2 reminders" in terminal.getvalue() and "sending: 2 of 2 reminders" in terminal.getvalue()
    assert terminal.getvalue().endswith(" \r")  # the counter is wiped, not left on the screen
    assert out.getvalue().splitlines()[-1] == "2 reminders sent"


# A failing mail server.


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def use_smtp(settings, port: int):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5


class Collector:
    """An SMTP server's handler that keeps what it receives, and refuses the addresses it is told to."""

    def __init__(self, refuse=()):
        self.refuse = set(refuse)
        self.envelopes = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


@contextlib.contextmanager
def smtp_server(handler):
    controller = Controller(handler, hostname="127.0.0.1", port=closed_port())
    controller.start()
    try:
        yield controller.port
    finally:
        controller.stop()


def test_an_unreachable_mail_server_records_nothing_and_the_command_fails_naming_the_reminders(record, staff, settings):
    round_ = make_round(staff)
    use_smtp(settings, closed_port())
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("send_reminders", today=day(-3), stdout=out, stderr=err)
    message = str(raised.value)
    assert message.startswith("2 reminders were not sent")
    assert f"Round 2025 (round {round_.pk}) · MEX · liaison-mex <liaison-mex@example.org> · due_in_3" in message
    assert f"Round 2025 (round {round_.pk}) · CAN · liaison-can <liaison-can@example.org> · due_in_3" in message
    assert out.getvalue().splitlines() == ["0 reminders sent"]
    assert "not sent: Round 2025" in err.getvalue()
    assert Reminder.objects.count() == 0
    # The server is back: the next run sends them.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert run(day(-3)).splitlines()[-1] == "2 reminders sent"
    assert Reminder.objects.count() == 2


def test_a_mail_server_that_never_answers_times_out_instead_of_holding_the_run(record, staff, settings, monkeypatch):
    monkeypatch.setattr(reminders, "SMTP_TIMEOUT_SECONDS", 0.5)
    # Without the command's own limit the test would wait for this one (not forever) and fail on time.
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(10)
    try:
        with socket.socket() as silent:  # accepts connections (the backlog) and never says a word
            silent.bind(("127.0.0.1", 0))
            silent.listen(8)
            use_smtp(settings, silent.getsockname()[1])
            settings.EMAIL_TIMEOUT = None
            make_round(staff)
            started = time.monotonic()
            with pytest.raises(CommandError, match="2 reminders were not sent"):
                run(day(-3))
            elapsed = time.monotonic() - started
    finally:
        socket.setdefaulttimeout(previous)
    assert elapsed < 5
    assert Reminder.objects.count() == 0


def test_a_refused_address_costs_only_its_own_reminder(record, staff, settings):
    handler = Collector(refuse={"liaison-can@example.org"})
    with smtp_server(handler) as port:
        use_smtp(settings, port)
        make_round(staff)
        out = io.StringIO()
        with pytest.raises(CommandError) as raised:
            call_command("send_reminders", today=day(-3), stdout=out, stderr=io.StringIO())
    assert "1 reminders were not sent" in str(raised.value)
    assert "liaison-can@example.org" in str(raised.value) and "liaison-mex" not in str(raised.value)
    assert out.getvalue().splitlines()[-1] == "1 reminders sent"
    assert [envelope.rcpt_tos for envelope in handler.envelopes] == [["liaison-mex@example.org"]]
    assert list(Reminder.objects.values_list("recipient__username", "kind")) == [("liaison-mex", "due_in_3")]


def test_a_reminder_goes_through_a_real_smtp_server(record, staff, settings):
    AccountPreferences.objects.create(user=record["liaison_mex"], language="es")
    round_ = make_round(staff, actors=[record["mexico"]])
    handler = Collector()
    with smtp_server(handler) as port:
        use_smtp(settings, port)
        output = run(day(1))
    assert output.splitlines()[-1] == "1 reminders sent"
    (envelope,) = handler.envelopes
    assert envelope.rcpt_tos == ["liaison-mex@example.org"]
    received = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
    with translation.override("es"):
        deadline = date_format(DUE, "DATE_FORMAT")
    assert received["To"] == "liaison-mex@example.org"
    assert deadline in received["Subject"] and "Round 2025" in received["Subject"]
    assert received["Auto-Submitted"] == "auto-generated"
    assert received.get_content_type() == "multipart/alternative"
    text = received.get_body(preferencelist=("plain",)).get_content()
    html = received.get_body(preferencelist=("html",)).get_content()
    link = site_url(reverse("tracker:liaison_round", args=[round_.pk]))
    assert "Cumplimiento parcial" in text and link in text and deadline in text
    assert "Cumplimiento parcial" in html and f'href="{link}"' in html
    assert Reminder.objects.get().kind == "overdue_1"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_copies_started_at_once_send_each_reminder_once(staff, monkeypatch):
    """Both copies plan the same reminders before either claims one (the barrier); on PostgreSQL the
    second claim waits for the first transaction and then fails, so each is sent exactly once."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite's in-memory test database cannot be written by two threads at once")
    recommendation = RecommendationFactory(number=1)
    actors = [ActorFactory(code=f"C{n:02d}") for n in range(5)]
    for actor in actors:
        ResponsibilityFactory(recommendation=recommendation, actor=actor)
        LiaisonFactory(user=UserFactory(username=f"liaison-{actor.code.lower()}"), actor=actor)
    make_round(staff)
    planned = reminders.reminders_due
    barrier = threading.Barrier(2)

    def plan_then_wait(today, **kwargs):
        due = planned(today, **kwargs)
        barrier.wait(timeout=10)
        return due

    monkeypatch.setattr(reminders, "reminders_due", plan_then_wait)
    outputs, errors = [], []

    def copy():
        try:
            outputs.append(run(day(-3)))
        except Exception as error:  # reported by the main thread
            errors.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=copy) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(message.to[0] for message in mail.outbox) == sorted(f"liaison-c{n:02d}@example.org" for n in range(5))
    assert Reminder.objects.filter(kind="due_in_3").count() == 5
    assert sum(int(output.splitlines()[-1].split()[0]) for output in outputs) == 5
