"""What the spreadsheet imports read: status updates (the matrix download, edited) and actions."""

import re

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export.fields import Field

from .. import selectors, services
from ..columns import ACTION_COLUMNS, MATRIX_COLUMNS
from ..models import Action, Actor, MeasureType, Responsibility, Status
from ..spreadsheets import Column
from .imports import SpreadsheetResource, choices_by_text, folded, in_every_language


class ResponsibilityStatusResource(SpreadsheetResource):
    """Status updates: the status matrix download, edited and uploaded back.

    A row is one responsibility, found by recommendation number and actor code. A row whose status,
    reasoning, date of assessment or role differs from the record is applied as a new assessment
    (with the row's reasoning as its reason, and its date when changed, else today); rows that are
    unchanged are skipped. The other columns are there to read and are ignored.
    """

    columns = MATRIX_COLUMNS
    required_columns = ("recommendation", "actor", "status")

    recommendation = Field(attribute="recommendation__number", column_name="recommendation")
    short_title = Field(attribute="recommendation__short_title", column_name="short_title", readonly=True)
    actor = Field(attribute="actor__code", column_name="actor")
    actor_name = Field(attribute="actor__name", column_name="actor_name", readonly=True)
    actor_kind = Field(attribute="actor__get_kind_display", column_name="actor_kind", readonly=True)
    role = Field(attribute="role", column_name="role")
    status = Field(attribute="status", column_name="status")
    status_label = Field(attribute="get_status_display", column_name="status_label", readonly=True)
    last_assessed = Field(attribute="last_assessed", column_name="last_assessed")
    reasoning = Field(attribute="reasoning", column_name="reasoning")

    IMPORTED = ("recommendation", "actor", "role", "status", "last_assessed", "reasoning")

    class Meta:
        model = Responsibility
        fields = (
            "recommendation",
            "short_title",
            "actor",
            "actor_name",
            "actor_kind",
            "role",
            "status",
            "status_label",
            "last_assessed",
            "reasoning",
        )
        export_order = fields
        import_id_fields = ("recommendation", "actor")
        clean_model_instances = False
        report_skipped = False
        skip_unchanged = True
        use_transactions = True

    def get_queryset(self):
        return selectors.public_responsibilities()

    def get_import_fields(self):
        return [self.fields[name] for name in self.IMPORTED]

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        # Every responsibility of the current forum in one query, rather than one per row.
        self.responsibilities = {
            (r.recommendation.number, r.actor.code): r for r in selectors.public_responsibilities()
        }
        self.recommendation_numbers = {number for number, _code in self.responsibilities} | set(
            selectors.current_recommendations().values_list("number", flat=True)
        )
        self.actor_codes = set(Actor.objects.values_list("code", flat=True))
        self.statuses = choices_by_text(Status)
        self.roles = choices_by_text(Responsibility.Role)
        self.seen = {}

    def before_import_row(self, row, **kwargs):
        self.row_number = kwargs.get("row_number")

    def get_or_init_instance(self, instance_loader, row):
        number = self.whole_number(row.get("recommendation"))
        code = self.text(row, "actor").upper()
        errors = {}
        if number is None:
            errors["recommendation"] = _("Give the recommendation's number.")
        elif number not in self.recommendation_numbers:
            errors["recommendation"] = _("There is no recommendation %(number)s.") % {"number": number}
        if not code:
            errors["actor"] = _("Give the actor's code (e.g. MEX).")
        elif code not in self.actor_codes:
            errors["actor"] = _("There is no state or body with the code “%(code)s”.") % {"code": code}
        if not errors and (number, code) not in self.responsibilities:
            errors["actor"] = _("%(code)s is not responsible for recommendation %(number)s.") % {
                "code": code,
                "number": number,
            }
        if not errors and (number, code) in self.seen:
            errors["actor"] = _("Recommendation %(number)s, %(code)s is already on row %(row)s: give it one row.") % {
                "number": number,
                "code": code,
                "row": self.seen[(number, code)],
            }
        if errors:
            raise ValidationError(errors)
        self.seen[(number, code)] = self.row_number
        responsibility = self.responsibilities[(number, code)]
        responsibility._loaded_version = responsibility.version
        return responsibility, False

    def _new_status(self, row, current):
        raw = self.text(row, "status")
        status = self.statuses.get(folded(raw)) if raw else None
        if status is None:
            raise ValidationError(
                {
                    "status": _("“%(value)s” is not a status on the scale. Use one of: %(values)s.")
                    % {"value": raw, "values": ", ".join(Status.values)}
                }
            )
        label = self.text(row, "status_label")
        if label and folded(label) not in in_every_language([Status(current).label]):
            # The label was edited, not the status: take it when it names a status and agrees.
            by_label = self.statuses.get(folded(label))
            if by_label is None:
                raise ValidationError(
                    {"status_label": _("“%(value)s” is not a status on the scale.") % {"value": label}}
                )
            if status == current:
                return by_label
            if by_label != status:
                raise ValidationError(
                    {
                        "status": _("The status “%(status)s” and its label “%(label)s” disagree: change both.")
                        % {"status": raw, "label": label}
                    }
                )
        return status

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            status = self._new_status(row, instance.status)
        except ValidationError as error:
            errors.update(error.message_dict)
            status = instance.status
        reasoning = self.text(row, "reasoning") if "reasoning" in row else instance.reasoning
        assessed_on, date_error = self.date(row, "last_assessed")
        if date_error:
            errors["last_assessed"] = [date_error]
        elif assessed_on and assessed_on > timezone.localdate():
            errors["last_assessed"] = [_("The date of an assessment cannot be in the future.")]
        raw_role = self.text(row, "role")
        role = self.roles.get(folded(raw_role), instance.role) if raw_role else instance.role
        if raw_role and folded(raw_role) not in self.roles:
            errors["role"] = [_("Write lead or supporting.")]

        changes = {}
        date_changed = assessed_on is not None and assessed_on != instance.last_assessed
        if status != instance.status or reasoning != instance.reasoning or date_changed:
            if not reasoning:
                errors.setdefault("reasoning", []).append(
                    _("Give the reasoning for the new status: it becomes the reason recorded in the history.")
                )
            changes["status"] = status
            changes["reason"] = reasoning
            changes["assessed_on"] = assessed_on if date_changed else timezone.localdate()
        if role != instance.role:
            changes["role"] = role
        if errors:
            raise ValidationError(errors)
        # Shown in the preview; saved by the services, never by instance.save().
        instance._import_changes = changes
        if "status" in changes:
            instance.status, instance.reasoning = changes["status"], changes["reason"]
            instance.last_assessed = changes["assessed_on"]
        instance.role = role

    def save_instance(self, instance, is_create, row, **kwargs):
        changes = instance._import_changes
        services.responsibility_update(
            responsibility=instance,
            by=kwargs.get("user"),
            status=changes.get("status"),
            reason=changes.get("reason", ""),
            assessed_on=changes.get("assessed_on"),
            role=changes.get("role"),
            expected_version=instance._loaded_version,
        )


class _RecommendationNumbers(Field):
    """The recommendations an action addresses, as numbers ("1; 3"); the import's choice before saving."""

    def get_value(self, instance):
        pending = getattr(instance, "_import_recommendations", None)
        if pending is not None:
            return [r.number for r in pending]
        if instance.pk is None:
            return []
        return sorted(r.number for r in instance.recommendations.all())

    def export(self, instance, **kwargs):
        return "; ".join(str(number) for number in self.get_value(instance))


ACTION_IMPORT_COLUMNS = [
    *[column for column in ACTION_COLUMNS if column.key not in ("evidence", "published_at", "actor_name")],
    Column("state", gettext_lazy("Publication state"), lambda a: a.state),
]


class ActionResource(SpreadsheetResource):
    """Actions: one a row, by actor code, with the recommendations as numbers ("1; 3; 5").

    A row with an action number corrects that action; a row without one adds a new action, unless
    the same actor already has an action with that date and title (then it is corrected, so that
    uploading a file twice does not duplicate it). New actions are drafts unless the row says
    published. Withdrawing needs a reason and is done on the action's page.
    """

    columns = ACTION_IMPORT_COLUMNS
    required_columns = ("actor", "taken_on", "title", "recommendations")
    IMPORTED = (
        "id",
        "taken_on",
        "actor",
        "title",
        "description",
        "measure_type",
        "recommendations",
        "information_source",
        "state",
    )

    id = Field(attribute="id", column_name="id")
    taken_on = Field(attribute="taken_on", column_name="taken_on")
    actor = Field(attribute="actor__code", column_name="actor")
    title = Field(attribute="title", column_name="title")
    description = Field(attribute="description", column_name="description")
    measure_type = Field(attribute="measure_type__slug", column_name="measure_type")
    recommendations = _RecommendationNumbers(column_name="recommendations")
    information_source = Field(attribute="information_source", column_name="information_source")
    state = Field(attribute="state", column_name="state")

    class Meta:
        model = Action
        fields = (
            "id",
            "taken_on",
            "actor",
            "title",
            "description",
            "measure_type",
            "recommendations",
            "information_source",
            "state",
        )
        export_order = fields
        import_id_fields = ("actor", "taken_on", "title")
        clean_model_instances = False
        report_skipped = False
        use_transactions = True

    def get_queryset(self):
        return (
            Action.objects.select_related("actor", "measure_type")
            .prefetch_related("recommendations")
            .order_by("-taken_on", "-id")
        )

    def get_import_fields(self):
        return [self.fields[name] for name in self.IMPORTED]

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        self.actors = {actor.code: actor for actor in Actor.objects.all()}
        self.recommendations_by_number = {r.number: r for r in selectors.current_recommendations()}
        self.states = choices_by_text(Action.State)
        self.measure_types = {measure.slug: measure for measure in MeasureType.objects.all()}

    def get_or_init_instance(self, instance_loader, row):
        raw_id = self.text(row, "id")
        if raw_id:
            number = self.whole_number(raw_id)
            action = Action.objects.filter(pk=number).first() if number else None
            if action is None:
                raise ValidationError({"id": _("There is no action number %(number)s.") % {"number": raw_id}})
        else:
            taken_on, _error = self.date(row, "taken_on")
            action = Action.objects.filter(
                actor__code=self.text(row, "actor").upper(), taken_on=taken_on, title=self.text(row, "title")
            ).first()
        if action is None:
            return Action(), True
        if action.state == Action.State.WITHDRAWN:
            raise ValidationError(
                {"id": _("Action %(number)s was withdrawn: change it on its own page.") % {"number": action.pk}}
            )
        action._loaded_version = action.version
        return action, False

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        code = self.text(row, "actor").upper()
        actor = self.actors.get(code)
        if actor is None:
            errors["actor"] = [_("There is no state or body with the code “%(code)s”.") % {"code": code}]
        taken_on, date_error = self.date(row, "taken_on")
        if date_error:
            errors["taken_on"] = [date_error]
        elif taken_on is None:
            errors["taken_on"] = [_("Give the date the action was taken.")]
        elif taken_on > timezone.localdate():
            errors["taken_on"] = [_("The date cannot be in the future.")]
        title = self.text(row, "title")
        if not title:
            errors["title"] = [_("Give the action a title.")]
        numbers = [part for part in re.split(r"[\s,;]+", self.text(row, "recommendations")) if part]
        chosen = []
        for part in numbers:
            number = self.whole_number(part)
            if number not in self.recommendations_by_number:
                errors.setdefault("recommendations", []).append(
                    _("There is no recommendation %(number)s.") % {"number": part}
                )
            else:
                chosen.append(self.recommendations_by_number[number])
        if not numbers:
            errors["recommendations"] = [_("Give the numbers of the recommendations it addresses, e.g. 1; 3.")]
        raw_state = self.text(row, "state")
        state = self.states.get(folded(raw_state)) if raw_state else (instance.state or Action.State.DRAFT)
        if raw_state and state not in (Action.State.DRAFT, Action.State.PUBLISHED):
            errors["state"] = [_("Write draft or published; withdraw an action on its own page, with the reason.")]
        # A file without the column keeps each action's type of measure; an empty cell takes it away.
        measure = instance.measure_type if instance.pk else None
        if "measure_type" in row:
            slug = self.text(row, "measure_type").lower()
            measure = self.measure_types.get(slug) if slug else None
            if slug and measure is None:
                errors["measure_type"] = [_("There is no type of measure “%(slug)s”.") % {"slug": slug}]
        if errors:
            raise ValidationError(errors)

        description = self.text(row, "description") if "description" in row else instance.description
        source = self.text(row, "information_source") if "information_source" in row else instance.information_source
        new_values = {
            "actor": actor,
            "taken_on": taken_on,
            "title": title,
            "description": description,
            "information_source": source,
            "measure_type": measure,
            "state": state,
        }
        chosen = sorted(set(chosen), key=lambda r: r.number)
        current = {name: getattr(instance, name, None) for name in new_values} if instance.pk else {}
        current_numbers = sorted(r.number for r in instance.recommendations.all()) if instance.pk else None
        changed = not instance.pk or current != new_values or current_numbers != [r.number for r in chosen]
        for name, value in new_values.items():
            setattr(instance, name, value)
        instance._import_recommendations = chosen
        instance._import_changes = changed
        # Model validation (lengths, the date) before the preview, not only when saving.
        try:
            instance.full_clean(exclude=["recommendations", "actor"])
        except ValidationError as error:
            raise ValidationError(error.message_dict) from error

    def save_instance(self, instance, is_create, row, **kwargs):
        services.action_save(
            action=instance,
            recommendations=instance._import_recommendations,
            by=kwargs.get("user"),
            expected_version=getattr(instance, "_loaded_version", None),
        )
