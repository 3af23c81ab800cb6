"""The columns of each download: a stable key (the field's name, as in the API), a header in the
visitor's language, the value, its type and what it holds.

The same definitions serve the public downloads, their data dictionary (the XLSX "About" sheet and
the Frictionless data package) and the admin's spreadsheet imports, which accept a column by its key
or by its header in any of the site's languages.
"""

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .models import Movement, Status
from .ordering import shown_name
from .spreadsheets import Column

STATUS_HELP = _(
    "The status on the scale of the Inter-American Commission on Human Rights: not_assessed, pending, "
    "partial, substantial, full, non_compliance or not_applicable."
)

ACTOR_NAME_HELP = _("Its name, in the language of the download (in English when it has no translation).")

MATRIX_COLUMNS = [
    Column(
        "recommendation",
        _("Recommendation"),
        lambda r: r.recommendation.number,
        "integer",
        _("The recommendation's number, 1 to 13."),
    ),
    Column(
        "short_title",
        _("Short title"),
        lambda r: r.recommendation.short_title,
        "string",
        _("The committee's short title of the recommendation: an editorial label, not the forum's words."),
    ),
    Column(
        "actor",
        _("Actor code"),
        lambda r: r.actor.code,
        "string",
        _("The state's ISO 3166-1 alpha-3 code, or a body's short code."),
    ),
    Column("actor_name", _("State or body"), lambda r: shown_name(r.actor), "string", ACTOR_NAME_HELP),
    Column(
        "actor_kind",
        _("Kind of actor"),
        lambda r: r.actor.kind,
        "string",
        _("member_state, oas_organ, regional_process, international_org or civil_society."),
    ),
    Column("role", _("Role"), lambda r: r.role, "string", _("lead or supporting.")),
    Column("status", _("Status"), lambda r: r.status, "string", STATUS_HELP),
    Column(
        "status_label",
        _("Status (label)"),
        lambda r: r.get_status_display(),
        "string",
        _("The status's name, in the language of the download."),
    ),
    Column(
        "last_assessed",
        _("Last assessed"),
        lambda r: r.last_assessed,
        "date",
        _("The date of the latest assessment, empty when none was made."),
    ),
    Column("reasoning", _("Reasoning"), lambda r: r.reasoning, "string", _("Why the latest assessment was made.")),
]


def _overall(recommendation):
    return getattr(recommendation, "overall_assessment", None)


def _overall_status(recommendation):
    assessment = _overall(recommendation)
    return Status(assessment.status) if assessment else Status.NOT_ASSESSED


RECOMMENDATION_COLUMNS = [
    Column("number", _("Recommendation"), lambda r: r.number, "integer", _("The recommendation's number, 1 to 13.")),
    Column(
        "short_title",
        _("Short title"),
        lambda r: r.short_title,
        "string",
        _("The committee's short title: an editorial label, not the forum's words."),
    ),
    Column(
        "text",
        _("Text (verbatim)"),
        lambda r: r.text_en,
        "string",
        _("The recommendation as the forum made it, verbatim (in English, the original)."),
    ),
    Column(
        "overall_status",
        _("Overall status"),
        lambda r: _overall_status(r).value,
        "string",
        format_lazy("{} {}", _("The committee's overall status of the recommendation."), STATUS_HELP),
    ),
    Column(
        "overall_status_label",
        _("Overall status (label)"),
        lambda r: str(_overall_status(r).label),
        "string",
        _("The overall status's name, in the language of the download."),
    ),
    Column(
        "overall_last_assessed",
        _("Overall status assessed on"),
        lambda r: getattr(_overall(r), "last_assessed", None),
        "date",
        _("The date of the committee's latest overall assessment."),
    ),
    Column(
        "responsible",
        _("Responsible states and bodies"),
        lambda r: r.rollup.total,
        "integer",
        _("How many states and bodies answer for it."),
    ),
    *[
        Column(
            f"n_{status.value}",
            status.label,
            lambda r, status=status: r.rollup.counts[status],
            "integer",
            _("How many of them are at this status."),
        )
        for status in Status
    ],
    Column(
        "assessed",
        _("Counted toward progress"),
        lambda r: r.rollup.counted,
        "integer",
        _("How many are assessed and applicable, and so count toward progress."),
    ),
    Column(
        "progress",
        _("Progress (%)"),
        lambda r: r.rollup.progress,
        "number",
        _(
            "The mean weight of those counted (pending 0, partial 50, substantial 75, full 100, "
            "non-compliance 0), in percent; empty when none is assessed."
        ),
    ),
    Column(
        "themes",
        _("Themes"),
        lambda r: "; ".join(term.key for term in r.classified.themes),
        "string",
        _("Its themes in the secretariat's classification, by slug, separated by semicolons."),
    ),
    Column(
        "population_groups",
        _("Population groups"),
        lambda r: "; ".join(term.key for term in r.classified.population_groups),
        "string",
        _("The population groups it names, by slug, separated by semicolons."),
    ),
    Column(
        "sdg_targets",
        _("SDG targets"),
        lambda r: "; ".join(term.key for term in r.classified.sdg_targets),
        "string",
        _("The SDG targets it serves, by number, separated by semicolons."),
    ),
]

ACTION_COLUMNS = [
    Column(
        "id", _("Action number"), lambda a: a.pk, "integer", _("The action's number: its page is /actions/<number>/.")
    ),
    Column("taken_on", _("Date taken"), lambda a: a.taken_on, "date", _("The date the action was taken.")),
    Column(
        "actor", _("Actor code"), lambda a: a.actor.code, "string", _("The code of the state or body that took it.")
    ),
    # The download's rows carry the name already in the visitor's language (looking the language up
    # for each of 100,000 rows cost a third of the Python time of the CSV).
    Column("actor_name", _("State or body"), lambda a: a.actor_name, "string", ACTOR_NAME_HELP),
    Column("title", _("Title"), lambda a: a.title, "string", _("What was done, in a line.")),
    Column("description", _("Description"), lambda a: a.description, "string", _("What was done, in Markdown.")),
    Column(
        "measure_type",
        _("Type of measure"),
        lambda a: a.measure_type_slug,
        "string",
        _("The type of measure it is, by slug (legislation, public-policy, ...); empty when not given."),
    ),
    Column(
        "recommendations",
        _("Recommendations"),
        lambda a: "; ".join(str(n) for n in a.recommendation_numbers),
        "string",
        _("The numbers of the recommendations it addresses, separated by semicolons."),
    ),
    Column(
        "information_source",
        _("Source of the information"),
        lambda a: a.information_source,
        "string",
        _("Who reported it, or where it was found."),
    ),
    Column(
        "evidence",
        _("Evidence"),
        lambda a: "\n".join(a.evidence_links),
        "string",
        _("Its evidence, one a line: a title, then a link."),
    ),
    Column(
        "published_at",
        _("Published"),
        lambda a: a.published_at,
        "datetime",
        _("When the committee published it, in the site's time zone."),
    ),
]

ACTOR_KIND_HELP = _("member_state, oas_organ, regional_process, international_org or civil_society.")

# The status grid: a row per state or body; the columns for each recommendation are made per request.
GRID_COLUMNS_BEFORE = [
    Column("actor", _("Actor code"), lambda row: row.actor.code, "string", _("The state's or body's code.")),
    Column("actor_name", _("State or body"), lambda row: shown_name(row.actor), "string", ACTOR_NAME_HELP),
    Column("actor_kind", _("Kind of actor"), lambda row: row.actor.kind, "string", ACTOR_KIND_HELP),
]
GRID_COLUMNS_AFTER = [
    Column(
        "progress",
        _("Progress (%)"),
        lambda row: row.rollup.progress,
        "number",
        _("The mean weight of its assessed statuses, in percent; empty when none is assessed."),
    ),
]

ACTOR_COLUMNS = [
    Column(
        "code",
        _("Actor code"),
        lambda a: a.code,
        "string",
        _("The state's ISO 3166-1 alpha-3 code, or a body's short code."),
    ),
    Column("name", _("Name"), lambda a: a.name_en, "string", _("Its name, in English.")),
    Column("kind", _("Kind of actor"), lambda a: a.kind, "string", ACTOR_KIND_HELP),
    Column(
        "kind_label",
        _("Kind of actor (label)"),
        lambda a: a.get_kind_display(),
        "string",
        _("The kind's name, in the language of the download."),
    ),
    Column(
        "recommendations",
        _("Recommendations"),
        lambda a: "; ".join(str(n) for n in a.recommendation_numbers),
        "string",
        _("The numbers of the recommendations it answers for, separated by semicolons."),
    ),
]

STATUS_CHANGE_COLUMNS = [
    Column(
        "id",
        _("Change number"),
        lambda c: c.pk,
        "integer",
        _("The assessment's number, as in the API's status changes."),
    ),
    Column(
        "recorded_at",
        _("Recorded"),
        lambda c: c.changed_at,
        "datetime",
        _("When the assessment was recorded, in the site's time zone."),
    ),
    Column(
        "recommendation",
        _("Recommendation"),
        lambda c: c.recommendation.number,
        "integer",
        _("The recommendation's number, 1 to 13."),
    ),
    Column(
        "scope",
        _("Whose status"),
        lambda c: "overall" if c.is_overall else "actor",
        "string",
        _("actor: a state's or body's status; overall: the committee's overall status of the recommendation."),
    ),
    Column(
        "actor",
        _("Actor code"),
        lambda c: c.actor.code if c.actor_id else "",
        "string",
        _("The state or body assessed; empty for the committee's overall status."),
    ),
    Column(
        "actor_name",
        _("State or body"),
        lambda c: shown_name(c.actor) if c.actor_id else "",
        "string",
        ACTOR_NAME_HELP,
    ),
    Column("from_status", _("Previous status"), lambda c: c.from_status, "string", STATUS_HELP),
    Column("to_status", _("New status"), lambda c: c.to_status, "string", STATUS_HELP),
    Column(
        "assessed_on",
        _("Assessed on"),
        lambda c: c.assessed_on,
        "date",
        _("The date the assessment speaks for."),
    ),
    Column("reason", _("Reasoning"), lambda c: c.reason, "string", _("Why the assessment was made.")),
]

ROUND_COMPLETENESS_COLUMNS = [
    Column("actor", _("Actor code"), lambda row: row.actor.code, "string", _("The state's or body's code.")),
    Column("actor_name", _("State or body"), lambda row: shown_name(row.actor), "string", ACTOR_NAME_HELP),
    Column(
        "recommendations",
        _("Recommendations asked"),
        lambda row: "; ".join(str(r.recommendation.number) for r in row.responsibilities),
        "string",
        _("The recommendations the round asks it about, separated by semicolons."),
    ),
    Column(
        "standing",
        _("Where it stands"),
        lambda row: row.public_standing,
        "string",
        _("reported, due, overdue or missed (a closed round it did not report in)."),
    ),
    Column(
        "standing_label",
        _("Where it stands (label)"),
        lambda row: str(row.public_label),
        "string",
        _("Where it stands, in the language of the download."),
    ),
    Column(
        "reported_on",
        _("Reported on"),
        lambda row: row.reported_on,
        "datetime",
        _("When its report was first submitted; empty when none was."),
    ),
]

_MOVEMENTS = ", ".join(m.value for m in Movement)

ROUND_SNAPSHOT_COLUMNS = [
    Column(
        "recommendation",
        _("Recommendation"),
        lambda row: row["recommendation"].number,
        "integer",
        _("The recommendation's number, 1 to 13."),
    ),
    Column(
        "actor",
        _("Actor code"),
        lambda row: row["actor"].code if row["actor"] else "",
        "string",
        _("The state or body; empty for the committee's overall status of the recommendation."),
    ),
    Column(
        "actor_name",
        _("State or body"),
        lambda row: shown_name(row["actor"]) if row["actor"] else "",
        "string",
        ACTOR_NAME_HELP,
    ),
    Column("status", _("Status at the close"), lambda row: row["status"] or "", "string", STATUS_HELP),
    Column(
        "previous_status",
        _("Status at the close of the previous round"),
        lambda row: row["previous"] or "",
        "string",
        _("Empty when there was no previous round, or it was not assessed then."),
    ),
    Column(
        "movement",
        _("Movement"),
        lambda row: row["movement"] or "",
        "string",
        format_lazy("{} {}", _("How the status moved since the previous round:"), _MOVEMENTS),
    ),
]
