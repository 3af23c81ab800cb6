"""Forms for the follow-up. They validate; the services write."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from forum.models import Recommendation

from .filters import DateInput, recommendation_choices
from .models import Report, ReportProposal, Responsibility, RoundReportEntry, Status
from .services import StaleEdit, refuse_if_stale


class VersionedForm(forms.Form):
    """A form that edits a record carrying a version, and the version it was read at.

    The version travels with the form and is required whenever a record is edited: without it a
    change made since could be overwritten unseen. A refused edit (`StaleEdit`, from the service or
    from `check_version`) is shown with the one message every such refusal has, and the form then
    carries the current version, so that saving again after a review is a deliberate choice.
    """

    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        record = self.versioned_record()
        if record is not None:
            self.fields["loaded_version"].initial = record.version

    def clean(self):
        cleaned = super().clean()
        if self.versioned_record() is not None and cleaned.get("loaded_version") is None:
            # Shown above the form (the field is hidden), and nothing is saved.
            self.add_error(
                None,
                forms.ValidationError(
                    _("The version of the record you edited is missing, so nothing was saved. Reload it."),
                    code="version_missing",
                ),
            )
        return cleaned

    def versioned_record(self):
        """The record whose version guards this edit, or None when nothing is being edited yet."""
        instance = getattr(self, "instance", None)
        return instance if instance is not None and instance.pk else None

    @property
    def version_read(self):
        """The version of the record the form was filled in from."""
        return self.cleaned_data.get("loaded_version")

    def check_version(self, current):
        """Refuse the form, before any save, when `current` (the record re-read) has moved on."""
        try:
            refuse_if_stale(current, self.version_read)
        except StaleEdit as error:
            self.refuse_stale(error)

    def refuse_stale(self, error: StaleEdit):
        self.add_error(None, error.messages)
        self.data = self.data.copy()
        self.data[self.add_prefix("loaded_version")] = error.current.version


def apply_errors(form, error: ValidationError):
    """Show a service's refusal on the form: by field where it names one, else above the form."""
    if isinstance(error, StaleEdit):
        form.refuse_stale(error)
    elif hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


class MatrixForm(forms.Form):
    """What the dashboard's matrix shows: which actors, and those with a responsibility at a status."""

    kind = forms.ChoiceField(
        label=_("States or bodies"),
        required=False,
        choices=[("", _("Both")), ("member_state", _("Member states")), ("body", _("Bodies"))],
    )
    status = forms.ChoiceField(
        label=_("With a recommendation at"), required=False, choices=[("", _("Any status")), *Status.choices]
    )


class MapForm(forms.Form):
    """Whose progress the map shows: on every recommendation, or on one of `recommendations`, or on
    those of one theme or one SDG target."""

    recommendation = forms.TypedChoiceField(label=_("Progress on"), required=False, coerce=int, empty_value=None)
    theme = forms.ChoiceField(label=_("Or on a theme"), required=False)
    sdg = forms.ChoiceField(label=_("Or on an SDG target"), required=False)

    def __init__(self, *args, recommendations, themes, sdg_targets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recommendation"].choices = [
            ("", _("All recommendations")),
            *recommendation_choices(recommendations),
        ]
        self.fields["theme"].choices = [("", _("No theme")), *((t.slug, t.name) for t in themes)]
        self.fields["sdg"].choices = [("", _("No SDG target")), *((t.number, str(t)) for t in sdg_targets)]

    def clean(self):
        chosen = [name for name in ("recommendation", "theme", "sdg") if self.cleaned_data.get(name)]
        if len(chosen) > 1:
            raise ValidationError(_("Choose one recommendation, one theme or one SDG target, not several."))
        return self.cleaned_data


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


class ReportForm(VersionedForm, forms.ModelForm):
    """A liaison's implementation report. Only the recommendations their actor answers for are offered,
    and for each, a status the liaison may propose with its reasoning. A proposal the staff have
    accepted or declined is shown, not offered for change."""

    class Meta:
        model = Report
        fields = ["taken_on", "title", "description", "recommendations", "evidence_links"]
        widgets = {
            "taken_on": DateInput,
            "recommendations": forms.CheckboxSelectMultiple,
            "description": forms.Textarea(attrs={"rows": 8}),
            "evidence_links": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.responsibilities = list(
            Responsibility.objects.filter(actor=actor)
            .select_related("recommendation")
            .order_by("recommendation__number")
        )
        self.fields["recommendations"].queryset = Recommendation.objects.filter(responsibilities__actor=actor).order_by(
            "number"
        )
        self.fields["recommendations"].label_from_instance = lambda r: f"{r.number}. {r.short_title or r.text[:80]}"
        existing = {}
        if self.instance.pk:
            existing = {p.responsibility_id: p for p in self.instance.proposals.all()}
        self.proposal_rows = []
        for responsibility in self.responsibilities:
            number = responsibility.recommendation.number
            proposal = existing.get(responsibility.pk)
            row = {"responsibility": responsibility, "proposal": proposal, "status": None, "reasoning": None}
            if proposal is None or proposal.is_open:
                status_name, reasoning_name = f"proposal-{number}-status", f"proposal-{number}-reasoning"
                self.fields[status_name] = forms.ChoiceField(
                    label=_("Status you propose on recommendation %(number)s") % {"number": number},
                    required=False,
                    choices=[("", _("— no change proposed —")), *Status.choices],
                    initial=proposal.status if proposal else "",
                    help_text=_("Now: %(status)s.") % {"status": responsibility.get_status_display()},
                )
                self.fields[reasoning_name] = forms.CharField(
                    label=_("Why, for recommendation %(number)s") % {"number": number},
                    required=False,
                    max_length=5000,
                    initial=proposal.reasoning if proposal else "",
                    widget=forms.Textarea(attrs={"rows": 3}),
                )
                row["status"], row["reasoning"] = self[status_name], self[reasoning_name]
            self.proposal_rows.append(row)

    def clean_title(self):
        title = self.cleaned_data["title"].strip()
        if not title:
            raise forms.ValidationError(_("Give the action a title."))
        return title

    @property
    def report_fields(self):
        """The report's own fields, drawn before the proposals."""
        return [self[name] for name in self._meta.fields]

    def proposals(self) -> dict:
        """What the liaison proposes, by responsibility: {responsibility: (status, reasoning)}, for every
        proposal still open (an empty status clears one)."""
        proposals = {}
        for row in self.proposal_rows:
            if row["status"] is None:
                continue
            number = row["responsibility"].recommendation.number
            status = self.cleaned_data.get(f"proposal-{number}-status", "")
            reasoning = self.cleaned_data.get(f"proposal-{number}-reasoning", "").strip()
            if status or row["proposal"] is not None:
                proposals[row["responsibility"]] = (status, reasoning)
        return proposals


class SubmitReportForm(VersionedForm):
    """A liaison's "submit for review": it applies to the version of the report they read."""

    def __init__(self, *args, report, **kwargs):
        self.report = report
        super().__init__(*args, **kwargs)

    def versioned_record(self):
        return self.report


class ReviewForm(VersionedForm):
    """Staff's decision on a submitted report, which applies only to the version of it they read: on
    the report (approve, ask for changes, reject) and on each status it proposes (accept, return,
    decline)."""

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
    comment = forms.CharField(
        label=_("Comment for the liaison"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Required when asking for changes or rejecting."),
    )

    PROPOSAL_CHOICES = [
        (ReportProposal.Decision.ACCEPTED, _("Accept (recorded in the status history when the report is approved)")),
        (ReportProposal.Decision.RETURNED, _("Return to the liaison for changes")),
        (ReportProposal.Decision.DECLINED, _("Do not accept")),
    ]

    def __init__(self, *args, report, proposals=(), **kwargs):
        self.report = report
        super().__init__(*args, **kwargs)
        self.pending = [p for p in proposals if p.status and p.decision == ReportProposal.Decision.PENDING]
        self.proposal_rows = []
        for proposal in self.pending:
            decision_name, comment_name = f"proposal-{proposal.pk}-decision", f"proposal-{proposal.pk}-comment"
            number = proposal.responsibility.recommendation.number
            self.fields[decision_name] = forms.ChoiceField(
                label=_("Proposed status on recommendation %(number)s") % {"number": number},
                widget=forms.RadioSelect,
                choices=self.PROPOSAL_CHOICES,
                required=False,
            )
            self.fields[comment_name] = forms.CharField(
                label=_("Comment on recommendation %(number)s") % {"number": number},
                required=False,
                max_length=5000,
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text=_("Required when returning it or not accepting it."),
            )
            self.proposal_rows.append(
                {"proposal": proposal, "decision": self[decision_name], "comment": self[comment_name]}
            )

    def versioned_record(self):
        return self.report

    @property
    def report_fields(self):
        return [self["decision"], self["comment"]]

    def clean(self):
        cleaned = super().clean()
        decision = cleaned.get("decision")
        returned = False
        for proposal in self.pending:
            decision_name, comment_name = f"proposal-{proposal.pk}-decision", f"proposal-{proposal.pk}-comment"
            chosen, comment = cleaned.get(decision_name), cleaned.get(comment_name, "").strip()
            if decision == self.REJECT:
                continue
            if not chosen:
                if decision == self.APPROVE:
                    self.add_error(decision_name, _("Accept it or do not accept it."))
                # Asking for changes may leave it undecided: it is reviewed when the report comes back.
            elif chosen != ReportProposal.Decision.ACCEPTED and not comment:
                self.add_error(comment_name, _("Say why, for the liaison."))
            if chosen == ReportProposal.Decision.RETURNED:
                returned = True
                if decision == self.APPROVE:
                    self.add_error(
                        decision_name,
                        _("A returned proposal goes back to the liaison: ask for changes, or accept or decline it."),
                    )
        if decision == self.REJECT and not cleaned.get("comment", "").strip():
            self.add_error("comment", _("Say why the report is rejected."))
        if decision == self.REQUEST_CHANGES and not (cleaned.get("comment", "").strip() or returned):
            self.add_error("comment", _("Say what should change."))
        return cleaned

    def proposal_decisions(self) -> dict:
        """{proposal id: (decision, comment)} for the proposals decided in this review."""
        decisions = {}
        for proposal in self.pending:
            chosen = self.cleaned_data.get(f"proposal-{proposal.pk}-decision")
            if chosen:
                decisions[proposal.pk] = (chosen, self.cleaned_data.get(f"proposal-{proposal.pk}-comment", "").strip())
        return decisions


# What a liaison answers for each responsibility in a round report.
ENTRY_FIELDS = ("proposed_status", "progress", "links", "actions")


class RoundReportForm(VersionedForm):
    """A liaison's round report: for each responsibility still open, the status proposed, what was
    done, the evidence links and the published actions it refers to. Accepted entries are shown, not
    offered again."""

    def __init__(self, *args, report, entries, actions_by_recommendation, **kwargs):
        self.report = report
        super().__init__(*args, **kwargs)
        self.entry_fields, self.actions = [], {}
        for entry in entries:
            if entry.decision == RoundReportEntry.Decision.ACCEPTED:
                continue
            prefix = f"entry-{entry.pk}"
            self.fields[f"{prefix}-proposed_status"] = forms.ChoiceField(
                label=_("Status you propose"),
                choices=[("", _("— choose a status —")), *Status.choices],
                required=False,
                initial=entry.proposed_status,
            )
            self.fields[f"{prefix}-progress"] = forms.CharField(
                label=_("What was done"),
                required=False,
                max_length=10000,
                initial=entry.progress,
                widget=forms.Textarea(attrs={"rows": 4}),
                help_text=_("Measures taken since the last round, and what remains. Markdown."),
            )
            self.fields[f"{prefix}-links"] = forms.CharField(
                label=_("Evidence links"),
                required=False,
                max_length=5000,
                initial=entry.links,
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text=_("One link per line, starting with https://."),
            )
            actions = actions_by_recommendation.get(entry.responsibility.recommendation.number, [])
            self.actions.update((str(action.pk), action) for action in actions)
            self.fields[f"{prefix}-actions"] = forms.MultipleChoiceField(
                label=_("Published actions it refers to"),
                required=False,
                choices=[(str(action.pk), f"{action.taken_on:%Y-%m-%d} · {action.title}") for action in actions],
                initial=[str(action.pk) for action in entry.actions.all()],
                widget=forms.CheckboxSelectMultiple,
            )
            self.entry_fields.append((entry, [self[f"{prefix}-{name}"] for name in ENTRY_FIELDS]))

    def versioned_record(self):
        return self.report

    def entries_data(self) -> dict:
        """What the service takes: each open entry's new values, by the entry's id."""
        data = {}
        for entry, _fields in self.entry_fields:
            values = {name: self.cleaned_data.get(f"entry-{entry.pk}-{name}") for name in ENTRY_FIELDS}
            values["actions"] = [self.actions[pk] for pk in values["actions"] or []]
            data[entry.pk] = values
        return data


class RoundReviewForm(VersionedForm):
    """Staff's decision on each entry of a submitted round report: accept it, or return it with a comment."""

    def __init__(self, *args, report, entries, **kwargs):
        self.report = report
        super().__init__(*args, **kwargs)
        self.entry_fields = []
        for entry in entries:
            if entry.decision != RoundReportEntry.Decision.PENDING:
                continue
            prefix = f"entry-{entry.pk}"
            self.fields[f"{prefix}-decision"] = forms.ChoiceField(
                label=_("Decision"),
                widget=forms.RadioSelect,
                choices=[
                    (RoundReportEntry.Decision.ACCEPTED, _("Accept (the proposed status is recorded)")),
                    (RoundReportEntry.Decision.RETURNED, _("Return to the liaison")),
                ],
            )
            self.fields[f"{prefix}-comment"] = forms.CharField(
                label=_("Comment for the liaison"),
                required=False,
                max_length=5000,
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text=_("Required when returning it."),
            )
            self.entry_fields.append((entry, [self[f"{prefix}-decision"], self[f"{prefix}-comment"]]))

    def versioned_record(self):
        return self.report

    def decisions(self) -> dict:
        return {
            entry.pk: (
                self.cleaned_data.get(f"entry-{entry.pk}-decision"),
                self.cleaned_data.get(f"entry-{entry.pk}-comment"),
            )
            for entry, _fields in self.entry_fields
        }
