"""Forms for the follow-up. They validate; the services write."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Report, Status


class AssessmentForm(forms.Form):
    """A new assessment: a status on the scale, the date it was made and the reason for it."""

    status = forms.ChoiceField(label=_("Status"), choices=Status.choices)
    assessed_on = forms.DateField(
        label=_("Assessed on"),
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        help_text=_("Recorded in the history with your name and shown on the public pages."),
    )

    def clean_assessed_on(self):
        value = self.cleaned_data["assessed_on"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("The date of an assessment cannot be in the future."))
        return value

    def clean_reason(self):
        value = self.cleaned_data["reason"].strip()
        if not value:
            raise forms.ValidationError(_("Give the reason for this assessment."))
        return value


class AssessmentFieldsMixin(forms.Form):
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
    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def assessment_record(self):
        """The record whose version guards against stale edits."""
        raise NotImplementedError

    def clean(self):
        cleaned = super().clean()
        record = self.assessment_record()
        loaded = cleaned.get("loaded_version")
        if record is not None and loaded is not None and record.version != loaded:
            # Show the current version, so that saving again after a review is possible.
            self.data = self.data.copy()
            self.data[self.add_prefix("loaded_version")] = record.version
            raise forms.ValidationError(
                _(
                    "Someone else changed this record while you were editing it: it is now at "
                    "status “%(status)s” (assessed on %(date)s, “%(reason)s”). Review it and save again."
                ),
                params={
                    "status": record.get_status_display(),
                    "date": record.last_assessed or "–",
                    "reason": record.reasoning or "–",
                },
                code="stale",
            )
        if cleaned.get("new_status"):
            if not (cleaned.get("reason") or "").strip():
                self.add_error("reason", _("Give the reason for this assessment."))
            assessed_on = cleaned.get("assessed_on")
            if assessed_on is None:
                self.add_error("assessed_on", _("Give the date of the assessment."))
            elif assessed_on > timezone.localdate():
                self.add_error("assessed_on", _("The date of an assessment cannot be in the future."))
        return cleaned


class ReportForm(forms.ModelForm):
    """A liaison's implementation report. Only the recommendations their actor answers for are offered."""

    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Report
        fields = [
            "taken_on",
            "title",
            "description",
            "recommendations",
            "evidence_links",
            "proposed_status",
            "proposed_reasoning",
        ]
        widgets = {
            "taken_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "recommendations": forms.CheckboxSelectMultiple,
            "description": forms.Textarea(attrs={"rows": 8}),
            "evidence_links": forms.Textarea(attrs={"rows": 3}),
            "proposed_reasoning": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        from forum.models import Recommendation

        self.fields["recommendations"].queryset = Recommendation.objects.filter(responsibilities__actor=actor).order_by(
            "number"
        )
        self.fields["recommendations"].label_from_instance = lambda r: f"{r.number}. {r.short_title or r.text[:80]}"
        self.fields["proposed_status"].choices = [("", _("— no change proposed —")), *Status.choices]
        self.fields["proposed_status"].help_text = _(
            "Optional: the status you propose for your state on the recommendations this report addresses."
        )
        if self.instance.pk:
            self.fields["loaded_version"].initial = self.instance.version

    def clean_title(self):
        title = self.cleaned_data["title"].strip()
        if not title:
            raise forms.ValidationError(_("Give the action a title."))
        return title


class ReviewForm(forms.Form):
    """Staff's decision on a submitted report."""

    APPROVE, REQUEST_CHANGES, REJECT = "approve", "request_changes", "reject"

    decision = forms.ChoiceField(
        label=_("Decision"),
        widget=forms.RadioSelect,
        choices=[
            (APPROVE, _("Approve and publish the action")),
            (REQUEST_CHANGES, _("Ask the liaison for changes")),
            (REJECT, _("Reject")),
        ],
    )
    accept_status = forms.BooleanField(
        label=_("Accept the proposed status (recorded in the status history with its reasoning)"), required=False
    )
    comment = forms.CharField(
        label=_("Comment for the liaison"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Required when asking for changes or rejecting."),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") in (self.REQUEST_CHANGES, self.REJECT) and not cleaned.get("comment", "").strip():
            self.add_error("comment", _("Say what should change, or why the report is rejected."))
        return cleaned
