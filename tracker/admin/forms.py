"""The admin's own forms: an assessment entered beside a record, and actions, each with its version."""

from django import forms
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from forum.admin import translation_fields
from forum.models import Recommendation

from ..forms import VersionedForm
from ..models import Action, OverallAssessment, PopulationGroup, Responsibility, SdgTarget, Status, Theme


class AssessmentFieldsMixin(VersionedForm):
    """Optional new-assessment fields added to a model's admin form, plus the version it was read at.

    Leaving the status empty keeps the current assessment; choosing one requires a reason.
    """

    new_status = forms.ChoiceField(
        label=_("New status"),
        choices=[("", _("— keep the current status —")), *Status.choices],
        required=False,
    )
    assessed_on = forms.DateField(
        label=_("Assessed on"),
        required=False,
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    reason = forms.CharField(
        label=_("Reason for the assessment"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required with a new status. Recorded in the history and shown publicly."),
    )

    def current_record(self):
        """The assessed record as it is in the database now."""
        raise NotImplementedError

    def new_assessment(self) -> dict | None:
        """The assessment entered, as the status services take it; None when the status is kept."""
        if not self.cleaned_data.get("new_status"):
            return None
        return {
            "status": self.cleaned_data["new_status"],
            "reason": self.cleaned_data["reason"],
            "assessed_on": self.cleaned_data["assessed_on"],
            "expected_version": self.version_read,
        }

    def clean(self):
        cleaned = super().clean()
        if self.versioned_record() is not None and cleaned.get("loaded_version") is not None:
            self.check_version(self.current_record())
        if cleaned.get("new_status"):
            if not (cleaned.get("reason") or "").strip():
                self.add_error("reason", _("Give the reason for this assessment."))
            assessed_on = cleaned.get("assessed_on")
            if assessed_on is None:
                self.add_error("assessed_on", _("Give the date of the assessment."))
            elif assessed_on > timezone.localdate():
                self.add_error("assessed_on", _("The date of an assessment cannot be in the future."))
        return cleaned


def _terms_field(queryset, label, plural_label):
    return forms.ModelMultipleChoiceField(
        queryset=queryset,
        label=label,
        required=False,
        widget=FilteredSelectMultiple(plural_label, is_stacked=False),
    )


class RecommendationForm(AssessmentFieldsMixin, forms.ModelForm):
    """The editorial fields of a recommendation, its classification, and the committee's overall
    assessment of it."""

    themes = _terms_field(Theme.objects.all(), _("Themes"), _("themes"))
    population_groups = _terms_field(PopulationGroup.objects.all(), _("Population groups"), _("population groups"))
    sdg_targets = _terms_field(SdgTarget.objects.all(), _("SDG targets"), _("SDG targets"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        classification = getattr(self.instance, "classification", None) if self.instance.pk else None
        if classification is not None:
            self.initial.setdefault("themes", list(classification.themes.all()))
            self.initial.setdefault("population_groups", list(classification.population_groups.all()))
            self.initial.setdefault("sdg_targets", list(classification.sdg_targets.all()))

    def classification(self) -> dict:
        """The classification entered, as `recommendation_classify` takes it."""
        return {name: self.cleaned_data.get(name, []) for name in ("themes", "population_groups", "sdg_targets")}

    class Meta:
        model = Recommendation
        fields = [
            "forum",
            "number",
            "text_en",
            "short_title_en",
            "related_comments",
            *translation_fields("text", "short_title", "translation_credit"),
        ]

    def versioned_record(self):
        if not self.instance.pk:
            return None
        return OverallAssessment.objects.get_or_create(recommendation=self.instance)[0]

    def current_record(self):
        return OverallAssessment.objects.get(recommendation=self.instance)


class ResponsibilityForm(AssessmentFieldsMixin, forms.ModelForm):
    class Meta:
        model = Responsibility
        fields = ["recommendation", "actor", "role"]

    def current_record(self):
        return Responsibility.objects.get(pk=self.instance.pk)


class ActionForm(VersionedForm, forms.ModelForm):
    class Meta:
        model = Action
        fields = [
            "actor",
            "recommendations",
            "taken_on",
            "title",
            "description",
            "measure_type",
            "information_source",
            "state",
            "withdrawal_reason",
        ]
        widgets = {"taken_on": forms.DateInput(attrs={"type": "date"})}

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and cleaned.get("loaded_version") is not None:
            self.check_version(Action.objects.get(pk=self.instance.pk))
        if cleaned.get("state") == Action.State.WITHDRAWN and not (cleaned.get("withdrawal_reason") or "").strip():
            self.add_error("withdrawal_reason", _("Give the reason for withdrawing this action."))
        return cleaned
