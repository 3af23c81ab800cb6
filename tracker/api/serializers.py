"""What the API says of each record: published information only, never who recorded or entered it."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import ISO_8601, serializers
from rest_framework.settings import api_settings

from ..filters import StatusChangeFilter
from ..links import actor_url, evidence_url, recommendation_url
from ..markdown import render_markdown
from ..models import Actor, Movement, ReportingRound, Responsibility, Status
from ..rollup import rollup_of


class CountsSerializer(serializers.Serializer):
    """How many responsibilities sit at each status."""

    not_assessed = serializers.IntegerField()
    pending = serializers.IntegerField()
    partial = serializers.IntegerField()
    substantial = serializers.IntegerField()
    full = serializers.IntegerField()
    non_compliance = serializers.IntegerField()
    not_applicable = serializers.IntegerField()


class RollUpSerializer(serializers.Serializer):
    """The roll-up: counts per status and progress, with "not yet assessed" apart, never as pending."""

    counts = CountsSerializer(help_text=_("Responsibilities at each status."))
    total = serializers.IntegerField(help_text=_("Responsibilities, at any status."))
    assessed = serializers.IntegerField(
        source="counted", help_text=_("Responsibilities counted toward progress (assessed and applicable).")
    )
    not_assessed = serializers.IntegerField(help_text=_("Responsibilities not yet assessed, left out of progress."))
    progress = serializers.FloatField(
        allow_null=True,
        help_text=_(
            "Mean weight of the assessed, applicable responsibilities, in percent (pending 0, partial 50, "
            "substantial 75, full 100, non-compliance 0); null when none has been assessed."
        ),
    )


def rollup_data(rollup) -> dict:
    """What `RollUpSerializer(rollup).data` gives, built directly: a serializer for each row of a list
    (copying its fields each time) cost more than the rest of the row."""
    progress = rollup.progress
    return {
        "counts": {status.value: int(rollup.counts[status]) for status in Status},
        "total": int(rollup.total),
        "assessed": int(rollup.counted),
        "not_assessed": int(rollup.not_assessed),
        "progress": None if progress is None else float(progress),
    }


class TermSerializer(serializers.Serializer):
    """A term of the secretariat's classification."""

    slug = serializers.CharField(source="key", help_text=_("Its key, as the list filters take it."))
    name = serializers.CharField(help_text=_("Its name in the language asked for (the English when none)."))


class SdgTargetSerializer(serializers.Serializer):
    """A target of the Sustainable Development Goals."""

    number = serializers.CharField(source="key", help_text=_("The UN's number, such as 10.7."))
    title = serializers.CharField(
        source="name", help_text=_("The UN's official title, in the language asked for where entered, else English.")
    )


def _text(value):
    """A text as a CharField gives it: null stays null."""
    return None if value is None else str(value)


def _status_field(**kwargs):
    return serializers.ChoiceField(choices=Status.choices, **kwargs)


class RecommendationSerializer(serializers.Serializer):
    number = serializers.IntegerField(help_text=_("The number the forum gave it (1 to 13)."))
    short_title = serializers.CharField(help_text=_("The committee's short title: an editorial label."))
    text = serializers.CharField(source="text_en", help_text=_("The forum's words, verbatim (the English original)."))
    overall_status = serializers.SerializerMethodField(help_text=_("The committee's overall status."))
    overall_status_label = serializers.SerializerMethodField()
    overall_last_assessed = serializers.SerializerMethodField()
    overall_reasoning = serializers.SerializerMethodField()
    rollup = serializers.SerializerMethodField(help_text=_("The statuses of the responsible states and bodies."))
    themes = TermSerializer(
        many=True, source="classified.themes", help_text=_("Its themes, in the secretariat's classification.")
    )
    population_groups = TermSerializer(
        many=True,
        source="classified.population_groups",
        help_text=_("The population groups it names, in the secretariat's classification."),
    )
    sdg_targets = SdgTargetSerializer(
        many=True,
        source="classified.sdg_targets",
        help_text=_("The SDG targets it serves, in the secretariat's classification."),
    )
    updated_at = serializers.DateTimeField(
        allow_null=True,
        help_text=_(
            "When its overall assessment or the status of one of its responsibilities last changed; null "
            "when none has been recorded. Compare with updated_after."
        ),
    )
    url = serializers.SerializerMethodField(help_text=_("Its public page."))

    def _assessment(self, obj):
        return getattr(obj, "overall_assessment", None)

    @extend_schema_field(_status_field())
    def get_overall_status(self, obj):
        assessment = self._assessment(obj)
        return assessment.status if assessment else Status.NOT_ASSESSED.value

    @extend_schema_field(OpenApiTypes.STR)
    def get_overall_status_label(self, obj):
        return str(Status(self.get_overall_status(obj)).label)

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_overall_last_assessed(self, obj):
        assessment = self._assessment(obj)
        return assessment.last_assessed.isoformat() if assessment and assessment.last_assessed else None

    @extend_schema_field(OpenApiTypes.STR)
    def get_overall_reasoning(self, obj):
        assessment = self._assessment(obj)
        return assessment.reasoning if assessment else ""

    @extend_schema_field(RollUpSerializer)
    def get_rollup(self, obj):
        return rollup_data(rollup_of(obj))

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, obj):
        return self.context["request"].build_absolute_uri(recommendation_url(obj.number))

    def to_representation(self, instance):
        """What the fields above give, built directly: walking them one by one, with a serializer for
        each term, was half the list of recommendations' time. The date goes through its field, for its
        format and time zone (`test_a_recommendation_is_what_its_fields_give` holds the two alike)."""
        classified = instance.classified
        status = self.get_overall_status(instance)
        return {
            "number": instance.number,
            "short_title": _text(instance.short_title),
            "text": _text(instance.text_en),
            "overall_status": status,
            "overall_status_label": str(Status(status).label),
            "overall_last_assessed": self.get_overall_last_assessed(instance),
            "overall_reasoning": self.get_overall_reasoning(instance),
            "rollup": rollup_data(rollup_of(instance)),
            "themes": [{"slug": str(term.key), "name": str(term.name)} for term in classified.themes],
            "population_groups": [
                {"slug": str(term.key), "name": str(term.name)} for term in classified.population_groups
            ],
            "sdg_targets": [{"number": str(term.key), "title": str(term.name)} for term in classified.sdg_targets],
            "updated_at": self.fields["updated_at"].to_representation(instance.updated_at),
            "url": self.get_url(instance),
        }


class ActorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text=_("ISO 3166-1 alpha-3 for member states; a short code for bodies."))
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=Actor.Kind.choices)
    kind_label = serializers.CharField(source="get_kind_display")
    notes = serializers.CharField(help_text=_("Membership changes and other facts about it."))
    member_since = serializers.DateField(allow_null=True)
    member_until = serializers.DateField(allow_null=True, help_text=_("The date a withdrawal took effect."))
    rollup = serializers.SerializerMethodField(help_text=_("The statuses of its responsibilities."))
    url = serializers.SerializerMethodField(help_text=_("Its public page."))

    @extend_schema_field(RollUpSerializer)
    def get_rollup(self, obj):
        return rollup_data(rollup_of(obj))

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, obj):
        return self.context["request"].build_absolute_uri(actor_url(obj.code))


class ResponsibilitySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    recommendation = serializers.IntegerField(source="recommendation.number", help_text=_("Recommendation number."))
    actor = serializers.CharField(source="actor.code", help_text=_("Actor code."))
    actor_name = serializers.CharField(source="actor.name")
    actor_kind = serializers.ChoiceField(source="actor.kind", choices=Actor.Kind.choices)
    role = serializers.ChoiceField(choices=Responsibility.Role.choices)
    status = _status_field()
    status_label = serializers.CharField(source="get_status_display")
    last_assessed = serializers.DateField(allow_null=True)
    reasoning = serializers.CharField()
    updated_at = serializers.DateTimeField(help_text=_("When it last changed. Compare with updated_after."))


class EvidenceSerializer(serializers.Serializer):
    title = serializers.CharField()
    url = serializers.SerializerMethodField(help_text=_("The link, or the address of the attached document."))

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, obj):
        return self.context["request"].build_absolute_uri(evidence_url(obj))


class MeasureTypeSerializer(serializers.Serializer):
    slug = serializers.CharField(help_text=_("Its key, as the list filters take it."))
    name = serializers.CharField(help_text=_("Its name in the language asked for (the English when none)."))


def datetime_writer(field: serializers.DateTimeField):
    """What `field` gives of a value, as a function for the many values of one request: DRF's field
    looks up the time zone for every value (5.6 us against 1.2 for the conversion itself, a tenth of a
    list of actions). The zone is looked up once; the text is the field's own (ISO 8601, "Z" for UTC).
    A field set to write another format, or its own zone, writes each value itself."""
    output_format = getattr(field, "format", api_settings.DATETIME_FORMAT)
    zone = field.default_timezone()
    if output_format is None or output_format.lower() != ISO_8601 or hasattr(field, "timezone") or zone is None:
        return field.to_representation

    def write(value):
        if not value or timezone.is_naive(value):
            return field.to_representation(value)
        text = value.astimezone(zone).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return write


class ActionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    taken_on = serializers.DateField()
    actor = serializers.CharField(source="actor.code", help_text=_("Actor code."))
    actor_name = serializers.CharField(source="actor.name")
    title = serializers.CharField()
    description = serializers.CharField(help_text=_("Markdown, as entered."))
    description_html = serializers.SerializerMethodField(help_text=_("The description rendered and sanitised."))
    information_source = serializers.CharField()
    recommendations = serializers.SerializerMethodField(help_text=_("Numbers of the recommendations it addresses."))
    measure_type = MeasureTypeSerializer(allow_null=True, help_text=_("The type of measure it is, or null."))
    evidence = EvidenceSerializer(many=True)
    published_at = serializers.DateTimeField(allow_null=True)
    updated_at = serializers.DateTimeField(help_text=_("When it last changed. Compare with updated_after."))

    @extend_schema_field(OpenApiTypes.STR)
    def get_description_html(self, obj):
        return str(render_markdown(obj.description))

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_recommendations(self, obj):
        return obj.recommendation_numbers

    def to_representation(self, instance):
        """What the fields above give, built directly: a list of 50 actions spent a third of its time
        walking the fields one by one. The dates are written as their own fields write them, so that
        their format and time zone are the fields' (`test_an_action_is_what_its_fields_give` holds the
        two alike)."""
        fields = self.fields
        request = self.context["request"]
        measure = instance.measure_type
        writers = self.__dict__.get("_datetime_writers")
        if writers is None:  # once for a page: the child of a list serializer writes all its actions
            writers = self._datetime_writers = (
                datetime_writer(fields["published_at"]),
                datetime_writer(fields["updated_at"]),
            )
        published_at, updated_at = writers
        return {
            "id": instance.id,
            "taken_on": fields["taken_on"].to_representation(instance.taken_on),
            "actor": str(instance.actor.code),
            "actor_name": str(instance.actor.name),
            "title": str(instance.title),
            "description": str(instance.description),
            "description_html": str(render_markdown(instance.description)),
            "information_source": str(instance.information_source),
            "recommendations": instance.recommendation_numbers,
            "measure_type": None if measure is None else {"slug": str(measure.slug), "name": str(measure.name)},
            "evidence": [
                {"title": str(evidence.title), "url": request.build_absolute_uri(evidence_url(evidence))}
                for evidence in instance.listed_evidence
            ],
            "published_at": published_at(instance.published_at),
            "updated_at": updated_at(instance.updated_at),
        }


class StatusChangeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    recommendation = serializers.IntegerField(source="recommendation.number", help_text=_("Recommendation number."))
    scope = serializers.SerializerMethodField(
        help_text=_("`actor`: a state's or body's status; `overall`: the committee's overall status.")
    )
    actor = serializers.CharField(source="actor.code", allow_null=True, help_text=_("Actor code, or null."))
    actor_name = serializers.CharField(source="actor.name", allow_null=True)
    from_status = _status_field()
    from_status_label = serializers.CharField(source="get_from_status_display")
    to_status = _status_field()
    to_status_label = serializers.CharField(source="get_to_status_display")
    assessed_on = serializers.DateField()
    reason = serializers.CharField()
    recorded_at = serializers.DateTimeField(source="changed_at")
    updated_at = serializers.DateTimeField(
        source="changed_at",
        help_text=_("When it was recorded: an assessment is never changed afterwards. Compare with updated_after."),
    )

    @extend_schema_field(serializers.ChoiceField(choices=StatusChangeFilter.Scope.choices))
    def get_scope(self, obj):
        return StatusChangeFilter.Scope.OVERALL.value if obj.is_overall else StatusChangeFilter.Scope.ACTOR.value


class RoundTallySerializer(serializers.Serializer):
    """How many of the actors asked stand where, as the public sees it."""

    asked = serializers.IntegerField(source="in_scope", help_text=_("States and bodies asked to report."))
    reported = serializers.IntegerField(source="submitted", help_text=_("Those that submitted their report."))
    due = serializers.IntegerField(source="tally.due", help_text=_("Not yet reported, before the due date."))
    overdue = serializers.IntegerField(source="tally.overdue", help_text=_("Not yet reported, after the due date."))
    missed = serializers.IntegerField(source="tally.missed", help_text=_("Did not report before the round closed."))


class RoundSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(help_text=_("The round's name, in the language asked for (the English when none)."))
    opens_on = serializers.DateField(help_text=_("The day reports may start to be submitted."))
    due_on = serializers.DateField(help_text=_("The day reports are due; after it, a missing report is overdue."))
    closes_on = serializers.DateField(allow_null=True, help_text=_("When the committee plans to close it."))
    closed_at = serializers.DateTimeField(allow_null=True, help_text=_("When it was closed, or null."))
    state = serializers.ChoiceField(choices=ReportingRound.State.choices, help_text=_("planned, open or closed."))
    tally = serializers.SerializerMethodField(help_text=_("Who has reported."))
    url = serializers.SerializerMethodField(help_text=_("Its public page."))

    @extend_schema_field(RoundTallySerializer)
    def get_tally(self, obj):
        return RoundTallySerializer(obj).data

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, obj):
        return self.context["request"].build_absolute_uri(reverse("tracker:round_detail", args=[obj.pk]))


class RoundStandingSerializer(serializers.Serializer):
    actor = serializers.CharField(source="actor.code", help_text=_("Actor code."))
    actor_name = serializers.CharField(source="actor.name")
    recommendations = serializers.SerializerMethodField(
        help_text=_("Numbers of the recommendations it is asked about.")
    )
    standing = serializers.ChoiceField(
        source="public_standing",
        choices=[("reported", "reported"), ("due", "due"), ("overdue", "overdue"), ("missed", "missed")],
        help_text=_("reported (its report was submitted), due, overdue, or missed (the round closed without it)."),
    )
    reported_on = serializers.DateTimeField(allow_null=True, help_text=_("When its report was first submitted."))

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_recommendations(self, obj):
        return [responsibility.recommendation.number for responsibility in obj.responsibilities]


class RoundStatusSerializer(serializers.Serializer):
    recommendation = serializers.IntegerField(help_text=_("Recommendation number."))
    actor = serializers.CharField(allow_null=True, help_text=_("Actor code; null for the committee's overall status."))
    status = _status_field(help_text=_("The status when the round closed."))
    previous_status = _status_field(allow_null=True, help_text=_("The status when the previous closed round closed."))
    movement = serializers.ChoiceField(
        allow_null=True,
        choices=Movement.choices,
        help_text=_("How it moved since the previous closed round; null for the first closed round."),
    )


class RoundDetailSerializer(RoundSerializer):
    request = serializers.CharField(help_text=_("What the committee asks, in Markdown."))
    standings = serializers.SerializerMethodField(help_text=_("Each state and body asked, and where it stands."))
    snapshot = serializers.SerializerMethodField(
        help_text=_("Once closed: every status in scope as it stood at the close, and how it moved; else empty.")
    )

    @extend_schema_field(RoundStandingSerializer(many=True))
    def get_standings(self, obj):
        return RoundStandingSerializer(obj.standings, many=True).data

    @extend_schema_field(RoundStatusSerializer(many=True))
    def get_snapshot(self, obj):
        return RoundStatusSerializer(obj.snapshot_rows, many=True).data


class SearchResultSerializer(serializers.Serializer):
    """One result of the site search, as `/search/` shows it."""

    kind = serializers.ChoiceField(
        choices=["recommendation", "actor", "comment", "action"], help_text=_("What was found.")
    )
    key = serializers.CharField(
        help_text=_("A recommendation's number, a state's or body's code, a comment's or an action's id.")
    )
    title = serializers.CharField(source="title_text", help_text=_("Its title, as plain text."))
    title_html = serializers.CharField(
        source="title", help_text=_("The title, HTML-escaped, with the words found in <mark> elements.")
    )
    excerpt = serializers.CharField(source="excerpt_text", help_text=_("Its text, plain (Markdown left as written)."))
    excerpt_html = serializers.CharField(
        source="excerpt",
        help_text=_("About 40 words of its text around the first word found, as plain text HTML-escaped, <mark>ed."),
    )
    language = serializers.SerializerMethodField(help_text=_("The language of the title and text shown."))
    url = serializers.SerializerMethodField(help_text=_("Its page on the site."))
    title_match = serializers.BooleanField(help_text=_("Whether every word was found in its title."))
    rank = serializers.FloatField(help_text=_("How well it matches: higher first (after title matches)."))
    date = serializers.DateField(allow_null=True, help_text=_("An action's date taken; null for the others."))
    actor = serializers.SerializerMethodField(help_text=_("The code of the state or body that took an action."))
    recommendations = serializers.ListField(
        source="recommendation_numbers",
        child=serializers.IntegerField(),
        help_text=_("The recommendations an action addresses, by number."),
    )

    def get_language(self, result) -> str:
        return result.lang or self.context["language"]

    def get_url(self, result) -> str:
        return self.context["request"].build_absolute_uri(result.url)

    @extend_schema_field({"type": "string", "nullable": True})
    def get_actor(self, result):
        return result.actor.code if result.actor else None


class SearchCountsSerializer(serializers.Serializer):
    recommendation = serializers.IntegerField()
    actor = serializers.IntegerField()
    comment = serializers.IntegerField()
    action = serializers.IntegerField()


class SearchPageSerializer(serializers.Serializer):
    """A page of search results, with the count of each kind under the filters."""

    count = serializers.IntegerField(help_text=_("Results of the kind asked for (all kinds without `kind`)."))
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    counts = SearchCountsSerializer(help_text=_("Results of each kind, whatever `kind` asks."))
    results = SearchResultSerializer(many=True)
