"""The classification as pages and the API show it: each recommendation's themes, population groups and
SDG targets, read for a whole list in one query."""

from collections import namedtuple
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import CharField, Count, F, Q, Value
from django.utils.translation import get_language

from forum.models import translation_columns

from ..kept import plain_records, reference_rows
from ..links import page_url
from ..models import PopulationGroup, SdgTarget, Status, Theme
from ..rollup import RollUp, annotate_status_counts
from .common import NAMED_RECOMMENDATION_FIELDS, current_recommendations, in_language

# The kinds of term a recommendation is classified under: the attribute each is shown as, the model,
# its key in addresses and the column of its name.
KINDS = {
    "themes": (Theme, "slug", "name"),
    "population_groups": (PopulationGroup, "slug", "name"),
    "sdg_targets": (SdgTarget, "number", "title"),
}


@dataclass(frozen=True)
class ShownTerm:
    """A term as a page shows it: its key (slug or SDG number), its name in the visitor's language
    (the English where it has none) and the page that lists its recommendations."""

    kind: str
    key: str
    name: str
    position: int = 0
    lang: str = "en"  # the language `name` is in: the English where it has no translation

    @property
    def url(self) -> str:
        if self.kind == "themes":
            return page_url("tracker:theme_detail", self.key)
        if self.kind == "sdg_targets":
            return page_url("tracker:sdg_detail", self.key)
        return page_url("tracker:recommendation_list") + f"?population={self.key}"


@dataclass
class Classified:
    themes: list[ShownTerm] = field(default_factory=list)
    population_groups: list[ShownTerm] = field(default_factory=list)
    sdg_targets: list[ShownTerm] = field(default_factory=list)

    def __bool__(self):
        return bool(self.themes or self.population_groups or self.sdg_targets)

    @property
    def key(self) -> tuple:
        """Every term shown, as a key for kept markup (`{% keep %}`)."""
        return (tuple(self.themes), tuple(self.population_groups), tuple(self.sdg_targets))


def _shown_name(labels: dict, key: str) -> tuple[str, str]:
    language = get_language() or settings.LANGUAGE_CODE
    if labels.get(language):
        return labels[language], language
    return labels.get(settings.LANGUAGE_CODE) or key, settings.LANGUAGE_CODE


def attach_classification(recommendations) -> list:
    """Give each recommendation its `classified` terms (a `Classified`), in their order: one query for
    the whole list, whatever its length, by reading the three kinds of link together."""
    recommendations = list(recommendations)
    for recommendation in recommendations:
        recommendation.classified = Classified()
    if not recommendations:
        return recommendations
    by_pk = {recommendation.pk: recommendation for recommendation in recommendations}
    codes = [code for code, _label in settings.LANGUAGES]

    def build():
        selects = []
        for kind, (model, key, label) in KINDS.items():
            columns = {f"label_{code}": F(f"{label}_{code}") for code in codes}
            rows = (
                # Not rewritten by the translation layer, which would select the columns in its own order.
                model.objects.rewrite(False)
                .filter(classifications__recommendation__in=list(by_pk))
                .order_by()
                .annotate(
                    kind=Value(kind, output_field=CharField()),
                    recommendation_pk=F("classifications__recommendation"),
                    key=F(key),
                    place=F("position"),
                    **columns,
                )
            )
            selects.append(rows.values_list("kind", "recommendation_pk", "key", "place", *columns))
        first, *others = selects
        return first.union(*others, all=True)

    # Its SQL, a union of three reads, cost more to build than to run: kept per list of recommendations,
    # and its rows under the reference number.
    rows = sorted(reference_rows(("classification", *by_pk), build), key=lambda row: (row[3], row[2]))
    for kind, recommendation_pk, key, place, *labels in rows:
        name, language = _shown_name(dict(zip(codes, labels, strict=True)), key)
        getattr(by_pk[recommendation_pk].classified, kind).append(ShownTerm(kind, key, name, place, language))
    return recommendations


def classified_numbers(term) -> set:
    """The numbers of the current forum's recommendations classified under a theme or SDG target."""
    link = "classification__themes" if isinstance(term, Theme) else "classification__sdg_targets"
    return set(current_recommendations().filter(**{link: term}).values_list("number", flat=True))


# What a theme's or an SDG target's page shows of each recommendation: its names, the committee's
# overall status and how many of its responsibilities sit at each status.
TERM_RECOMMENDATION_FIELDS = (
    *NAMED_RECOMMENDATION_FIELDS,
    "overall_status",
    *(f"n_{status.value}" for status in Status),
)


def term_page(term) -> dict:
    """A theme's or an SDG target's page: the current forum's recommendations classified under it, by
    number, each with its roll-up counted in SQL, and their roll-up together.

    The recommendations are plain records (TERM_RECOMMENDATION_FIELDS), read with SQL kept per term."""
    link = "classification__themes" if isinstance(term, Theme) else "classification__sdg_targets"
    recommendations = plain_records(
        lambda: annotate_status_counts(
            current_recommendations().rewrite(False).select_related(None).filter(**{link: term.pk}).order_by("number")
        ).annotate(overall_status=F("overall_assessment__status")),
        TERM_RECOMMENDATION_FIELDS,
        key=("term-recommendations", link, term.pk),
    )
    for recommendation in recommendations:
        in_language(recommendation, "short_title")
        recommendation.rollup = RollUp.from_row(vars(recommendation))
    together = {status: sum(r.rollup.counts[status] for r in recommendations) for status in Status}
    return {"term": term, "recommendations": recommendations, "rollup": RollUp(counts=together)}


# A term as the index of the classification lists it: plain rows, hashable, so that the page can keep
# its markup per distinct list (`{% keep %}`).
IndexedTheme = namedtuple("IndexedTheme", ("slug", *translation_columns("name"), "recommendation_count"))
IndexedGroup = namedtuple("IndexedGroup", IndexedTheme._fields)
IndexedTarget = namedtuple("IndexedTarget", ("number", *translation_columns("title"), "recommendation_count"))


def classification_index() -> dict:
    """Every theme, population group and SDG target, in their order, each with how many of the current
    forum's recommendations are classified under it: tuples of plain rows, read with kept SQL and kept
    under the reference number."""

    def counted(model, row):
        def build():
            current = current_recommendations().values("pk")
            return (
                model.objects.rewrite(False)
                .annotate(
                    recommendation_count=Count(
                        "classifications", filter=Q(classifications__recommendation__in=current), distinct=True
                    )
                )
                .values_list(*row._fields)
            )

        return tuple(map(row._make, reference_rows(("classification-index", model._meta.label), build)))

    return {
        "themes": counted(Theme, IndexedTheme),
        "population_groups": counted(PopulationGroup, IndexedGroup),
        "sdg_targets": counted(SdgTarget, IndexedTarget),
    }
