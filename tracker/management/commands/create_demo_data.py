"""Fill the database with a realistic, synthetic follow-up, for demonstrations and the benchmark.

    manage.py create_demo_data --actions 100000 --seed 1

What it writes, on top of the forum's record (loaded first with `load_record` when it is missing):

- assessments of the responsibilities along the whole scale, some left "not yet assessed", each one a
  `StatusChange` row (from, to, date, reason, recorded by the demo staff user) in a continuous chain,
  with the responsibility's current status, date, reasoning and version left consistent with it;
- the committee's overall assessment of each recommendation, the same way;
- `--actions` implementation actions across the actors and the recommendations they answer for (one to
  three each), dated from 2008-05-01 to today, with a Markdown description and a source of the
  information; about 10 % drafts, 2 % withdrawn with a reason, the rest published (`published_at`
  set); about a quarter with one or two evidence links;
- three reporting rounds (`tracker.demo.rounds`): two closed, each with its snapshot and most actors'
  reports accepted, and one open, under way;
- a django-simple-history row for every version it creates, including the actions' recommendations.

Written in bulk, not through the services. The services write one assessment or one action per
transaction, with a row lock and several queries each: right for people, far too slow for 100,000
synthetic rows (hours rather than a minute). This command writes the same rows the services would, in
bulk (`write_rows`: COPY on PostgreSQL, `bulk_create` in batches elsewhere), all in one transaction,
and writes the history rows itself (bulk inserts send no signals, so simple-history records nothing on
its own). For the same reason it raises the page cache's data version itself at the end. A large load
on PostgreSQL sends its COPYs from a thread while it makes the next rows, and builds the tables'
indexes and foreign keys once at the end (`tracker.demo.bulk`).

Running it again adds more: another set of actions, and a further round of assessments that carries
each chain on from the current status (the reporting rounds are written once). Nothing is deleted,
as everywhere in this record; for a clean dataset, start from an empty database. Deterministic: the
same `--seed` on the same starting database on the same day gives the same rows (the dates run up to
today).
"""

import datetime
import io
import random
import time

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from forum.models import Forum, Recommendation
from tracker.caching import bump_data_version
from tracker.demo.bulk import BATCH_SIZE, copied_behind, indexes_rebuilt_after, maker, write_rows
from tracker.demo.bulk import tracked as _tracked
from tracker.demo.rounds import add_rounds
from tracker.demo.texts import ACTION_TITLES, LIST_ITEMS, REASONS, SOURCES, WITHDRAWAL_REASONS
from tracker.models import (
    STAFF_GROUP,
    Action,
    Actor,
    Evidence,
    MeasureType,
    OverallAssessment,
    Responsibility,
    Status,
    StatusChange,
)
from tracker.progress import TerminalProgress
from tracker.services import assessment_step, status_months

DEMO_USERNAME = "demo-staff"
FIRST_ACTION_DATE = datetime.date(2008, 5, 1)
FIRST_ASSESSMENT_DATE = datetime.date(2009, 1, 15)
# Actions are generated and written this many at a time, so memory stays flat at any --actions.
CHUNK_SIZE = 5000

ASSESSED = [
    Status.PENDING,
    Status.PARTIAL,
    Status.SUBSTANTIAL,
    Status.FULL,
    Status.NON_COMPLIANCE,
    Status.NOT_APPLICABLE,
]
# How often each status is drawn; partial and pending are the commonest in the Commission's reports.
ASSESSED_WEIGHTS = [22, 30, 18, 12, 10, 8]


def _aware(day: datetime.date, minutes: int) -> datetime.datetime:
    moment = datetime.datetime.combine(day, datetime.time(9, 0)) + datetime.timedelta(minutes=minutes)
    return timezone.make_aware(moment)


def _random_day(rng: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
    if end <= start:
        return start
    return start + datetime.timedelta(days=rng.randrange((end - start).days + 1))


class Command(BaseCommand):
    help = "Add a realistic synthetic follow-up (assessments, actions, history) in bulk, for demos and benchmarks."

    def add_arguments(self, parser):
        parser.add_argument("--actions", type=int, default=1000, help="How many actions to add (default 1000).")
        parser.add_argument("--seed", type=int, default=1, help="Seed of the random choices (default 1).")
        parser.add_argument(
            "--if-empty", action="store_true", help="Add nothing when the database already holds actions."
        )

    def handle(self, *args, actions, seed, verbosity=1, if_empty=False, **options):
        if actions < 0:
            raise CommandError("--actions cannot be negative.")
        if if_empty and Action.objects.exists():
            if verbosity:
                self.stdout.write("The database already holds actions: no demo data added.")
            return
        started = time.monotonic()
        if not Forum.objects.exists():
            call_command("load_record", stdout=self.stdout if verbosity else io.StringIO())
        self.rng = random.Random(seed)  # noqa: S311 - synthetic data, reproducible by design
        # The types of measure are drawn apart, so the rest of the record is what it was for each seed.
        self.measure_rng = random.Random(seed + 1)  # noqa: S311 - as above
        self.measure_types = list(MeasureType.objects.order_by("position", "slug"))
        self.today = timezone.localdate()
        self.counts = dict.fromkeys(["status_changes", "actions", "links", "evidence", "history"], 0)
        with transaction.atomic():
            self.user = self._demo_user()
            self.recommendations = list(Recommendation.objects.order_by("forum__date", "number"))
            self.actors = list(Actor.objects.order_by("code"))
            # Read once: an actor's name is a translated field, read through a descriptor each time.
            self.names = {actor.pk: actor.name for actor in self.actors}
            self.codes = {actor.pk: actor.code.lower() for actor in self.actors}
            self._assess_responsibilities(rounds=2 + actions // 25000)
            self._assess_recommendations()
            self._prepare_actors()
            progress = TerminalProgress(self.stdout, unit="actions") if verbosity else None
            loaded = [Action, Evidence, Action.recommendations.through, Action.history.model, Evidence.history.model]
            loaded.append(apps.get_model("tracker", "HistoricalAction_recommendations"))
            with indexes_rebuilt_after(loaded, actions), copied_behind(actions) as self.copier:
                for start in range(0, actions, CHUNK_SIZE):
                    self._add_actions(min(CHUNK_SIZE, actions - start))
                    if progress:
                        progress("adding", min(start + CHUNK_SIZE, actions), actions)
                if progress:
                    progress("building the indexes", actions, actions)
            if progress:
                progress.clear()
            rounds = add_rounds(rng=self.rng, today=self.today, user=self.user)
            # The status changes were written in bulk, around the service that counts them by month.
            status_months.rebuild()
            self.counts["history"] += rounds.pop("history", 0)
            self.counts.update(rounds)
        # Bulk inserts send no signals: tell the page cache that the record changed.
        bump_data_version()
        if verbosity:
            c = self.counts
            self.stdout.write(
                f"Demo data added in {time.monotonic() - started:.1f} s: {c['actions']} actions "
                f"({c['links']} links to recommendations, {c['evidence']} evidence links), "
                f"{c['status_changes']} status changes, {c.get('rounds', 0)} reporting rounds with "
                f"{c.get('round_reports', 0)} reports, {c['history']} history rows (seed {seed})."
            )

    # The user the demo rows are recorded by.

    def _demo_user(self):
        user, created = get_user_model().objects.get_or_create(
            username=DEMO_USERNAME, defaults={"is_staff": True, "email": "demo-staff@example.org"}
        )
        if created:
            # Nobody signs in as the demo user: it only names who recorded the synthetic rows.
            user.set_unusable_password()
            user.save(update_fields=["password"])
            group = Group.objects.filter(name=STAFF_GROUP).first()
            if group is not None:
                user.groups.add(group)
        return user

    # Assessments.

    def _walk(self, current: str, count: int, *, since: datetime.date, after: datetime.datetime | None):
        """`count` successive assessments, each to a status other than the one before, as
        (from, to, date, recorded at), recorded in order after `after` (the chain's last change)."""
        last_day = self.today - datetime.timedelta(days=1)
        moments = sorted((_random_day(self.rng, since, last_day), self.rng.randrange(600)) for _ in range(count))
        steps = []
        for day, minutes in moments:
            when = _aware(day, minutes)
            if after is not None and when <= after:
                when = after + datetime.timedelta(minutes=1)
            choices = [s for s in ASSESSED if s != current]
            weights = [w for s, w in zip(ASSESSED, ASSESSED_WEIGHTS, strict=True) if s != current]
            status = self.rng.choices(choices, weights)[0]
            steps.append((current, status, day, when))
            current, after = status, when
        return steps

    def _last_changes(self, *, overall: bool) -> dict:
        """When each chain was last changed: by responsibility, or by recommendation for overall ones."""
        key = "recommendation_id" if overall else "responsibility_id"
        rows = StatusChange.objects.filter(responsibility__isnull=overall).values(key).annotate(last=Max("changed_at"))
        return {row[key]: row["last"] for row in rows}

    def _reason(self, actor_name: str, day: datetime.date) -> str:
        return self.rng.choice(REASONS).format(actor=actor_name, year=day.year)

    def _assess(self, records, *, left_alone: float, most: int, last: dict, key, whose) -> None:
        """Walk each record's status along the scale, one assessment a step, through the services'
        own step (`assessment_step`), then write the changes, the records and their history in bulk.

        `left_alone` is the chance a record is not assessed this time; `most` the most steps;
        `last[key(record)]` when its chain last changed; `whose(record)` the name its reasons give."""
        history = type(records[0]).history.model if records else None
        changes, historical = [], []
        for record in records:
            if self.rng.random() < left_alone:
                continue
            since = max(record.last_assessed or FIRST_ASSESSMENT_DATE, FIRST_ASSESSMENT_DATE)
            walk = self._walk(record.status, self.rng.randint(1, most), since=since, after=last.get(key(record)))
            for _from_status, to_status, day, when in walk:
                reason = self._reason(whose(record), day)
                changes.append(
                    assessment_step(
                        record, status=to_status, reason=reason, assessed_on=day, by=self.user, changed_at=when
                    )
                )
                record.updated_at = when
                historical.append(
                    history(
                        **_tracked(history, record),
                        history_date=when,
                        history_type="~",
                        history_user=self.user,
                        history_change_reason="",
                    )
                )
        if not records:
            return
        write_rows(StatusChange, changes)
        type(records[0]).objects.bulk_update(
            records, ["status", "last_assessed", "reasoning", "version", "updated_at"], batch_size=BATCH_SIZE
        )
        write_rows(history, historical)
        self.counts["status_changes"] += len(changes)
        self.counts["history"] += len(historical)

    def _assess_responsibilities(self, *, rounds: int):
        # About one in seven is left where it is ("not yet assessed" on a fresh record).
        self._assess(
            list(Responsibility.objects.order_by("recommendation_id", "actor__code")),
            left_alone=0.15,
            most=rounds,
            last=self._last_changes(overall=False),
            key=lambda responsibility: responsibility.pk,
            whose=lambda responsibility: self.names[responsibility.actor_id],
        )

    def _assess_recommendations(self):
        existing = {a.recommendation_id: a for a in OverallAssessment.objects.all()}
        missing = [OverallAssessment(recommendation=r) for r in self.recommendations if r.pk not in existing]
        for assessment in OverallAssessment.objects.bulk_create(missing):
            existing[assessment.recommendation_id] = assessment
        self._assess(
            [existing[r.pk] for r in self.recommendations],
            left_alone=0.1,
            most=2,
            last=self._last_changes(overall=True),
            key=lambda assessment: assessment.recommendation_id,
            whose=lambda assessment: "the member states",
        )

    # Actions.

    def _prepare_actors(self):
        """Which recommendations each actor answers for, and how likely it is to act."""
        self.responsible = {actor.pk: [] for actor in self.actors}
        for actor_id, recommendation_id in Responsibility.objects.values_list("actor_id", "recommendation_id"):
            self.responsible[actor_id].append(recommendation_id)
        for ids in self.responsible.values():
            ids.sort()
        # Member states act far more often than bodies; actors without responsibilities rarely.
        self.actor_weights = [
            (6 if actor.is_member_state else 2) if self.responsible[actor.pk] else 1 for actor in self.actors
        ]

    def _description(self, actor, title):
        items = self.rng.sample(LIST_ITEMS, self.rng.randint(2, 4))
        lines = [
            f"{self.names[actor.pk]}: **{title.lower()}**, as reported to the committee.",
            "",
            "The measure includes:",
            "",
            *[f"- {item}" for item in items],
        ]
        if self.rng.random() < 0.4:
            lines += ["", f"See the [official announcement](https://example.org/{self.codes[actor.pk]}/news)."]
        return "\n".join(lines)

    def _add_actions(self, count: int):
        all_recommendations = [r.pk for r in self.recommendations]
        make_action, make_link = maker(Action), maker(Action.recommendations.through)
        now = timezone.now()
        actions, addressed = [], []
        for _ in range(count):
            actor = self.rng.choices(self.actors, self.actor_weights)[0]
            pool = self.responsible[actor.pk] or all_recommendations
            addressed.append(sorted(self.rng.sample(pool, min(len(pool), self.rng.randint(1, 3)))))
            taken_on = _random_day(self.rng, FIRST_ACTION_DATE, self.today)
            entered_at = min(_aware(taken_on + datetime.timedelta(days=self.rng.randrange(30)), 60), now)
            roll = self.rng.random()
            state = (
                Action.State.DRAFT if roll < 0.10 else Action.State.WITHDRAWN if roll < 0.12 else Action.State.PUBLISHED
            )
            title = self.rng.choice(ACTION_TITLES)
            actions.append(
                make_action(
                    actor_id=actor.pk,
                    taken_on=taken_on,
                    title=f"{title} ({taken_on.year})",
                    description=self._description(actor, title),
                    information_source=self.rng.choice(SOURCES).format(actor=self.names[actor.pk]),
                    measure_type_id=self._measure_type(),
                    state=state,
                    withdrawal_reason=self.rng.choice(WITHDRAWAL_REASONS) if state == Action.State.WITHDRAWN else "",
                    published_at=(
                        None
                        if state == Action.State.DRAFT
                        else min(entered_at + datetime.timedelta(days=self.rng.randrange(15)), now)
                    ),
                    entered_by_id=self.user.pk,
                    entered_at=entered_at,
                    version=2 if state == Action.State.WITHDRAWN else 1,
                )
            )
        write_rows(Action, actions, copier=self.copier)

        through = Action.recommendations.through
        links = write_rows(
            through,
            [
                make_link(action_id=action.pk, recommendation_id=recommendation_id)
                for action, ids in zip(actions, addressed, strict=True)
                for recommendation_id in ids
            ],
            copier=self.copier,
        )
        links_by_action = {}
        for link in links:
            links_by_action.setdefault(link.action_id, []).append(link)

        self._action_history(actions, links_by_action)
        self._evidence(actions)
        self.counts["actions"] += len(actions)
        self.counts["links"] += len(links)

    def _measure_type(self):
        """The key of a type of measure for most actions, none for about one in five (not every report
        says)."""
        if not self.measure_types or self.measure_rng.random() < 0.2:
            return None
        return self.measure_rng.choice(self.measure_types).pk

    def _action_history(self, actions, links_by_action):
        """A "+" row per action as entered; a withdrawn one was published first, then withdrawn ("~")."""
        history = Action.history.model
        make = maker(history)
        by = {"history_user_id": self.user.pk, "history_change_reason": ""}
        rows = []
        for action in actions:
            if action.state == Action.State.WITHDRAWN:
                withdrawn_at = min(action.published_at + datetime.timedelta(days=1), timezone.now())
                first = _tracked(history, action) | {
                    "state": Action.State.PUBLISHED,
                    "withdrawal_reason": "",
                    "version": 1,
                }
                rows.append((action, make(**first, **by, history_date=action.entered_at, history_type="+")))
                rows.append(
                    (action, make(**_tracked(history, action), **by, history_date=withdrawn_at, history_type="~"))
                )
            else:
                rows.append(
                    (action, make(**_tracked(history, action), **by, history_date=action.entered_at, history_type="+"))
                )
        write_rows(history, [row for _, row in rows], copier=self.copier)

        m2m_history = apps.get_model("tracker", "HistoricalAction_recommendations")
        make = maker(m2m_history)
        m2m_rows = [
            make(id=link.pk, action_id=link.action_id, recommendation_id=link.recommendation_id, history_id=row.pk)
            for action, row in rows
            for link in links_by_action.get(action.pk, [])
        ]
        write_rows(m2m_history, m2m_rows, copier=self.copier)
        self.counts["history"] += len(rows) + len(m2m_rows)

    def _evidence(self, actions):
        make = maker(Evidence)
        evidence = []
        for action in actions:
            if self.rng.random() < 0.25:
                code = self.codes[action.actor_id]
                for number in range(1, self.rng.randint(1, 2) + 1):
                    evidence.append(
                        make(
                            action_id=action.pk,
                            title=self.rng.choice(["Official gazette", "Ministry's announcement", "National report"]),
                            url=f"https://example.org/{code}/{action.taken_on:%Y}/{self.rng.randrange(10**6):06d}-{number}",
                        )
                    )
        write_rows(Evidence, evidence, copier=self.copier)
        history = Evidence.history.model
        make = maker(history)
        entered_at = {action.pk: action.entered_at for action in actions}
        rows = [
            make(
                **_tracked(history, item),
                history_date=entered_at[item.action_id],
                history_type="+",
                history_user_id=self.user.pk,
                history_change_reason="",
            )
            for item in evidence
        ]
        write_rows(history, rows, copier=self.copier)
        self.counts["evidence"] += len(evidence)
        self.counts["history"] += len(rows)
